"""The HTML evidence report: pages, highlights found by the project's recognisers, near misses."""

from __future__ import annotations

import re

from mirkb.cli import main
from mirkb.highlight import Highlighter, Mark, rule_cue_ids
from mirkb.scoring import Row
from mirkb.site import NEAR_ARM, NEAR_CANCER, NEAR_PAIR, near_misses, render_marks

HIGH = Highlighter()


def _marked(text: str, marks: list[Mark]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in marks:
        out.setdefault(m.label, []).append(text[m.start:m.end])
    return out


def test_written_forms_are_found_not_the_canonical_string():
    text = "Loss of microRNA-200c promoted invasion of non-small cell lung cancer cells."
    marks = HIGH.marks(text, "miR-200c", "non-small cell lung carcinoma", "process:metastasis:loss-")
    found = _marked(text, marks)
    # neither canonical name occurs verbatim in the sentence
    assert found["miRNA"] == ["microRNA-200c"]
    assert found["cancer"] == ["non-small cell lung cancer"]


def test_a_list_mention_is_marked_for_each_of_its_names_and_other_mirnas_are_not():
    text = "miR-221/222 were elevated in glioma, whereas let-7a was unchanged."
    found = _marked(text, HIGH.marks(text, "miR-222", "glioma", ""))
    assert found["miRNA"] == ["miR-221/222"]
    assert "let-7a" not in text[:0].join(found["miRNA"])


def test_the_cue_named_by_the_rule_is_marked():
    text = "MicroRNA-21 was significantly upregulated in glioma tissues."
    found = _marked(text, HIGH.marks(text, "miR-21", "glioma", "expression:up-expression"))
    assert found["cue"] == ["upregulated"]
    assert rule_cue_ids("process:growth:down-verb-+heading") == {"growth", "down-verb"}
    assert rule_cue_ids("table:pdf-ruled:effect-cell") == set()


def test_stored_spans_win_over_recognition():
    text = "Serum miR-21 is a diagnostic marker for glioma."
    stored = {"mirna_span": "[6, 12]", "cancer_span": [40, 46], "cue_span": "18:35"}
    found = _marked(text, HIGH.marks(text, "miR-21", "glioma", "", stored))
    assert found == {"miRNA": ["miR-21"], "cancer": ["glioma"], "cue": ["diagnostic marker"]}


def test_render_marks_labels_each_span():
    text = "High miR-155 predicted survival."
    markup = render_marks(text, [Mark(5, 12, "miRNA")])
    assert "miR-155" in markup and "miRNA" in markup and "survival." in markup
    # evidence is text, never markup: a "<" from a p-value or a stray tag is shown, not obeyed
    markup = render_marks("miR-21 <b>rose</b> (p<0.05)", [Mark(0, 6, "miRNA")])
    assert "<b>" not in markup and "&lt;b&gt;rose&lt;/b&gt;" in markup and "(p&lt;0.05)" in markup


def test_near_miss_labels():
    gold = [Row("d", "miR-21", "glioma", "upregulated", "text"),
            Row("d", "miR-9-5p", "breast cancer", "promotes_metastasis", "text"),
            Row("d", "miR-1", "lung adenocarcinoma", "downregulated", "text"),
            Row("other", "miR-7", "glioma", "upregulated", "text")]
    assert near_misses(Row("d", "miR-21", "glioma", "promotes_growth", "text"), gold) == [
        f"{NEAR_PAIR} (upregulated)"]
    assert near_misses(Row("d", "miR-9", "breast cancer", "promotes_metastasis", "text"), gold) == [
        f"{NEAR_ARM} (miR-9-5p)"]
    assert near_misses(Row("d", "miR-1", "lung cancer", "downregulated", "text"), gold) == [
        f"{NEAR_CANCER} (lung adenocarcinoma)"]
    # another document, or an unrelated cancer, is no near miss
    assert near_misses(Row("d", "miR-7", "glioma", "upregulated", "text"), gold) == []
    assert near_misses(Row("d", "miR-1", "melanoma", "downregulated", "text"), gold) == []


def test_site_pages(report_site):
    site = report_site.site
    index = (site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(triples/[0-9a-f]{16}\.html)"', index)
    assert len(links) == len(set(links)) >= 4
    for link in links:
        assert (site / link).is_file()
    # verdicts against the invented gold: miR-21 upregulated in glioma is a TP in alpha
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*>miR-21</a></td>\s*<td>glioma</td>\s*<td>upregulated</td>"
                    r"(?:(?!</tr>).)*</tr>", index, re.S)
    assert row and 'data-verdict="TP"' in row.group(0)
    # nothing may load from the network: no remote URL anywhere in the site
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", text), path
        assert "Content-Security-Policy" in text


def test_evaluation_page_sides_and_near_misses(report_site):
    text = (report_site.site / "evaluation.html").read_text(encoding="utf-8")
    counts = {k: int(n) for k, n in re.findall(r'<div id="col-(TP|FP|FN)"><h2>[^<(]*\((\d+)\)', text)}
    # gold says miR-155 is upregulated; the sentence only supports a prognostic marker
    assert counts["FN"] >= 1 and counts["FP"] >= 1 and counts["TP"] >= 2
    assert f"near miss: {NEAR_PAIR} (upregulated)" in text
    assert "rule <code>marker:" in text
    assert 'src="per_effect.png"' in text and (report_site.site / "per_effect.png").stat().st_size > 1000


def test_evaluate_report_writes_the_site_beside_the_markdown(report_site, tmp_path):
    pred = tmp_path / "pred.csv"
    assert main(["kb", "export", "--kb", str(report_site.kb), "--out", str(pred)]) == 0
    out = tmp_path / "report"
    assert main(["evaluate", "--pred", str(pred), "--gold", str(report_site.gold), "--report", str(out)]) == 0
    for name in ("report.md", "fp.csv", "fn.csv", "per_effect.png", "index.html", "evaluation.html"):
        assert (out / name).is_file(), name
    assert list((out / "triples").glob("*.html"))


def test_report_without_a_kb_is_a_usage_error(tmp_path, capsys):
    assert main(["report", "--kb", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "s")]) == 2
    assert "knowledge base not found" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()


def test_a_rebuild_drops_pages_of_triples_no_longer_there(report_site, tmp_path):
    from mirkb.site import build_site

    out = tmp_path / "site"
    mentions = [
        {"doc_id": "d", "mirna": "miR-21", "cancer": "glioma", "effect": "upregulated",
         "evidence": "miR-21 was upregulated in glioma.", "start": 0, "end": 33, "source": "text", "rule": ""},
        {"doc_id": "d", "mirna": "miR-9", "cancer": "glioma", "effect": "upregulated",
         "evidence": "miR-9 was upregulated in glioma.", "start": 40, "end": 72, "source": "text", "rule": ""},
    ]
    build_site(out, mentions)
    assert len(list((out / "triples").glob("*.html"))) == 2
    (out / "evaluation.html").write_text("from an earlier build with gold", encoding="utf-8")
    build_site(out, mentions[:1])
    pages = list((out / "triples").glob("*.html"))
    assert len(pages) == 1 and "miR-21 | glioma" in pages[0].read_text(encoding="utf-8")
    assert not (out / "evaluation.html").exists()
