"""One article, one document (issue 10 §1): the same article in two formats, within a run and
across runs, and a multi-article file an earlier release stored as one document. Invented files only."""

from __future__ import annotations

import hashlib
import json
import shutil

import kb_fakes
import pandas as pd
import pytest
from extracted import kb_triples_by_doc
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.schema import Mention
from mirkb import articles, batch
from mirkb.cli import main
from mirkb.kb import DocumentInfo, KnowledgeBase

TITLE = "An invented study of microRNA levels - two tumour types"
DOI = "10.9999/Invented.2031.1"


@pytest.fixture(autouse=True)
def fake_extractor():
    batch.set_extractor_factory(kb_fakes.factory)
    yield
    batch.set_extractor_factory(None)


def write_jats(path, sentences: list[str], doi: str = DOI, title: str = TITLE, pmcid: str = "") -> None:
    ids = f'<article-id pub-id-type="doi">{doi}</article-id>' if doi else ""
    ids += f'<article-id pub-id-type="pmc">{pmcid}</article-id>' if pmcid else ""
    body = "".join(f"<p>{s}</p>" for s in sentences[1:])
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<article><front><article-meta>{ids}
<title-group><article-title>{title}</article-title></title-group>
<abstract><p>{sentences[0]}</p></abstract>
</article-meta></front><body><sec>{body}</sec></body></article>
""", encoding="utf-8")


def write_pdf(path, lines: list[str], title: str, doi_line: str = "") -> None:
    c = canvas.Canvas(str(path), pagesize=A4)
    _, height = A4
    c.setFont("Helvetica-Bold", 16)
    c.drawString(60, height - 80, title)
    c.setFont("Helvetica", 9)
    if doi_line:
        c.drawString(60, height - 100, doi_line)
    for i, line in enumerate(lines):
        c.drawString(60, height - 140 - 16 * i, line)
    c.showPage()
    c.save()


# -- normalising and matching ---------------------------------------------------------------------


def test_identifiers_and_titles_are_compared_normalised():
    assert articles.normalise_doi("https://doi.org/10.1000/ABC.x%2F1.") == "10.1000/abc.x/1"
    assert articles.normalise_doi("doi: 10.1000/abc.X/1") == articles.normalise_doi("http://dx.doi.org/10.1000/ABC.x/1")
    assert articles.normalise_doi("not a doi") == ""
    assert articles.normalise_pmcid("pmc0012345") == articles.normalise_pmcid("12345") == "PMC12345"
    assert articles.normalise_pmid("PMID: 00123") == "123"
    a = articles.title_key("Invented  Tumour\u2013Suppressor microRNAs:   a Study of Eleven Cell Lines.")
    b = articles.title_key("invented tumour-suppressor MicroRNAs - a study of eleven cell lines")
    assert a == b and a
    assert articles.title_key("Editorial") == ""  # too short to tell one article from another


def test_same_title_with_different_dois_are_two_articles_and_a_shared_pmcid_is_one():
    def member(path, **ids):
        return articles.Member(path, path, articles.Identity.of(ids))

    correction = [member("a.nxml", format="jats", doi="10.1000/a", title=TITLE),
                  member("b.pdf", format="pdf", doi="10.1000/b-correction", title=TITLE)]
    assert articles.groups(correction) == []
    same = [member("a.txt", format="txt", pmcid="PMC77", title="Something else entirely, long enough"),
            member("b.pdf", format="pdf", pmcid="77", title=TITLE),
            member("c.json", format="bioc", title=TITLE)]
    (group,) = articles.groups(same)
    choice = articles.choose(group)
    assert choice.winner.path == "c.json"
    whys = {m.path: why for m, why in choice.losers}
    assert whys["b.pdf"] == "BioC over PDF; same title" and whys["a.txt"].startswith("BioC over text; same PMCID")


def test_a_pdf_is_identified_by_its_first_page_doi_and_title(tmp_path):
    path = tmp_path / "copy.pdf"
    write_pdf(path, ["In glioma, miR-903 was raised in the samples we invented."],
              "An Invented Study of MicroRNA Levels \u2013 Two Tumour Types", "doi: https://doi.org/10.9999/INVENTED.2031.1")
    found = articles.identify(path)
    assert found.format == "pdf" and found.doi == "10.9999/invented.2031.1"
    assert found.title == articles.title_key(TITLE)


# -- within one run -------------------------------------------------------------------------------


def _corpus_with_two_formats(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "xml").mkdir(parents=True)
    write_jats(corpus / "xml" / "article_jats.nxml", ["In breast cancer, miR-901 was raised in the samples we invented."])
    write_pdf(corpus / "article_pdf.pdf", ["In gastric cancer, miR-903 was raised in the samples we invented."],
              TITLE.upper(), f"DOI {DOI.lower()}")
    (corpus / "article_text.txt").write_text(
        f"{TITLE.replace('-', chr(0x2014))}\nIn glioma, miR-904 was lowered in the samples we invented.\n",
        encoding="utf-8")
    (corpus / "other.txt").write_text("Another invented article about something else\n"
                                      "In glioma, miR-905 was lowered in the samples we invented.\n", encoding="utf-8")
    return corpus


def test_one_run_reads_the_jats_and_reports_the_pdf_and_the_text_of_the_same_article(tmp_path):
    corpus = _corpus_with_two_formats(tmp_path)
    summary = batch.refresh(corpus, tmp_path / "kb.sqlite")
    assert kb_triples_by_doc(tmp_path / "kb.sqlite") == {
        "article_jats": {("miR-901", "breast cancer", "upregulated")},
        "other": {("miR-905", "glioma", "downregulated")},
        "article_pdf": set(), "article_text": set(),  # recorded as superseded, never read
    }
    with KnowledgeBase(tmp_path / "kb.sqlite") as kb:
        states = kb.document_states()
    assert {d: s["status"] for d, s in states.items()} == {
        "article_jats": "ok", "other": "ok", "article_pdf": "superseded", "article_text": "superseded"}
    assert summary.documents["added"] == 2 and summary.exit_code == 0
    text = summary.to_text()
    assert "article_pdf.pdf not read, same article as" in text and "(JATS over PDF; same DOI 10.9999/invented.2031.1)" in text
    assert "article_text.txt not read" in text and "(JATS over text; same title)" in text
    # the next run reads nothing and says the same
    again = batch.refresh(corpus, tmp_path / "kb.sqlite")
    assert again.no_changes and "article_pdf.pdf not read" in again.to_text()


def test_extract_writes_the_rows_of_the_richer_format_only(tmp_path, capsys):
    corpus = _corpus_with_two_formats(tmp_path)
    out = tmp_path / "rows.csv"
    assert main(["extract", str(corpus), "--out", str(out)]) == 0
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert sorted(set(rows["doc_id"])) == ["article_jats", "other"]
    assert set(rows.loc[rows["doc_id"] == "article_jats", "doi"]) == {DOI}
    printed = capsys.readouterr()
    assert "article_pdf.pdf not read" in printed.out + printed.err


# -- across runs ----------------------------------------------------------------------------------


def test_a_jats_arriving_later_replaces_the_pdf_already_in_the_kb_and_kb_diff_shows_it(tmp_path, capsys):
    corpus, kb = tmp_path / "corpus", tmp_path / "kb.sqlite"
    corpus.mkdir()
    write_pdf(corpus / "from_pdf.pdf", ["In breast cancer, miR-901 was raised in the samples we invented.",
                                        "In gastric cancer, miR-903 was raised in the samples we invented."],
              TITLE, f"https://doi.org/{DOI}")
    first = batch.refresh(corpus, kb)
    assert first.documents["added"] == 1
    write_jats(corpus / "from_jats.xml", ["In breast cancer, miR-901 was raised in the samples we invented.",
                                          "In glioma, miR-902 was lowered in the samples we invented."],
               doi=DOI.upper())
    second = batch.refresh(corpus, kb)
    assert kb_triples_by_doc(kb) == {"from_jats": {("miR-901", "breast cancer", "upregulated"),
                                                ("miR-902", "glioma", "downregulated")},
                                  "from_pdf": set()}
    assert (second.triples_added, second.triples_removed) == (1, 1)
    (sup,) = second.superseded
    assert sup["doc_id"] == "from_pdf" and sup["in_kb"] and sup["why"].startswith("JATS over PDF; same DOI")
    assert "its triples in the knowledge base were removed" in second.to_text()
    with KnowledgeBase(kb) as store:
        state = store.document_states()["from_pdf"]
        assert state["status"] == "superseded" and "from_jats.xml" in state["error"]
        assert store.stats()["documents"]["superseded"] == 1
    capsys.readouterr()
    assert main(["kb", "diff", "--last", "--kb", str(kb)]) == 0
    shown = capsys.readouterr().out
    assert "superseded in run 2: from_pdf" in shown and "JATS over PDF" in shown
    assert "- miR-903 | gastric cancer | upregulated" in shown and "was: " in shown
    # nothing changes afterwards: the PDF is not read again and its row is not rewritten
    third = batch.refresh(corpus, kb)
    assert third.no_changes and third.superseded and not third.superseded[0]["in_kb"]
    with KnowledgeBase(kb) as store:
        assert store.superseded_between(second.run_id, third.run_id) == []


def test_a_pdf_arriving_after_its_jats_is_not_read_even_from_another_folder(tmp_path):
    kb = tmp_path / "kb.sqlite"
    first_corpus, later = tmp_path / "jats", tmp_path / "pdfs"
    first_corpus.mkdir()
    later.mkdir()
    write_jats(first_corpus / "a.nxml", ["In breast cancer, miR-901 was raised in the samples we invented."],
               doi="", pmcid="PMC990001")
    batch.refresh(first_corpus, kb)
    (later / "b.txt").write_text(f"{TITLE}\nPMCID: PMC990001\nIn glioma, miR-904 was lowered in the samples "
                                 "we invented.\n", encoding="utf-8")
    summary = batch.refresh(later, kb)
    assert summary.documents["added"] == 0 and summary.triples_added == 0
    assert "b.txt not read" in summary.to_text() and "(in the knowledge base)" in summary.to_text()
    assert "JATS over text; same title" in summary.to_text()


def test_a_failed_richer_format_does_not_hide_the_other_on_the_next_run(tmp_path):
    corpus, kb = tmp_path / "corpus", tmp_path / "kb.sqlite"
    corpus.mkdir()
    write_jats(corpus / "good.nxml", ["In breast cancer, miR-901 was raised in the samples we invented."])
    write_pdf(corpus / "copy.pdf", ["In glioma, miR-904 was lowered in the samples we invented."], TITLE, f"doi:{DOI}")
    batch.refresh(corpus, kb)
    # the JATS gets damaged: it fails, and the next run reads the PDF instead of losing the article
    (corpus / "good.nxml").write_text((corpus / "good.nxml").read_text().replace("</article>", ""), encoding="utf-8")
    batch.set_extractor_factory(kb_fakes.factory)
    failed = batch.refresh(corpus, kb)
    assert failed.documents["failed"] == 1
    healed = batch.refresh(corpus, kb)
    assert kb_triples_by_doc(kb)["copy"] == {("miR-904", "glioma", "downregulated")}
    assert "copy.pdf" not in " ".join(s["path"] for s in healed.superseded)


# -- a whole-file document from an earlier release ------------------------------------------------


def _pubmed_set(path, articles_: dict[str, str]) -> None:
    body = "".join(f"""<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>
<ArticleTitle>An invented title for {pmid}</ArticleTitle><Abstract><AbstractText>{text}</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle>""" for pmid, text in articles_.items())
    path.write_text(f'<?xml version="1.0"?>\n<PubmedArticleSet>{body}</PubmedArticleSet>\n', encoding="utf-8")


def _bioc_collection(path, articles_: dict[str, str]) -> None:
    docs = [{"id": pmid, "infons": {}, "relations": [], "annotations": [], "passages": [
        {"offset": 0, "infons": {"type": "abstract"}, "text": text, "annotations": [], "relations": [],
         "sentences": []}]} for pmid, text in articles_.items()]
    path.write_text(json.dumps({"source": "", "date": "", "key": "", "infons": {}, "documents": docs}),
                    encoding="utf-8")


def _pubtator(path, articles_: dict[str, str]) -> None:
    path.write_text("".join(f"{pmid}|t|An invented title for {pmid}\n{pmid}|a|{text}\n\n"
                            for pmid, text in articles_.items()), encoding="utf-8")


@pytest.mark.parametrize(("name", "writer", "fmt"), [("set.xml", _pubmed_set, "pubmed"),
                                                     ("set.json", _bioc_collection, "bioc"),
                                                     ("set.pubtator", _pubtator, "pubtator"),
                                                     ("set.txt", _pubtator, "txt")])
def test_a_whole_file_document_of_an_earlier_release_gives_way_to_the_files_articles(tmp_path, name, writer, fmt):
    corpus, kb = tmp_path / "corpus", tmp_path / "kb.sqlite"
    corpus.mkdir()
    path = corpus / name
    writer(path, {"9100001": "In breast cancer, miR-901 was raised in the samples we invented.",
                  "9100002": "In glioma, miR-902 was lowered in the samples we invented."})
    # what an earlier release left: the file as ONE document (id = stem, no identifiers), same bytes
    # and extractor, holding one triple the articles do not give
    with KnowledgeBase(kb) as store:
        run = store.start_run("fake-1", str(corpus), "0.0.1")
        info = DocumentInfo("set", str(path), hashlib.sha256(path.read_bytes()).hexdigest(), format=fmt)
        store.write_document(run, info, "fake-1", [
            Mention("set", "miR-901", "breast cancer", "DOID:1612", "upregulated", "old", 0, 3, "text", False, "x"),
            Mention("set", "miR-909", "glioma", "DOID:3070", "upregulated", "old", 4, 7, "text", False, "x")])
        store.finish_run(run, "completed", {}, None)
    summary = batch.refresh(corpus, kb)
    found = kb_triples_by_doc(kb)
    assert found == {"set": set(), "9100001": {("miR-901", "breast cancer", "upregulated")},
                     "9100002": {("miR-902", "glioma", "downregulated")}}
    assert summary.triples_removed == 1 and summary.documents["added"] == 2
    (sup,) = summary.superseded
    assert sup["kind"] == "whole-file" and sup["in_kb"]
    assert "replaced: " in summary.to_text() and "whole-file document set replaced by its 2 articles" in summary.to_text()
    again = batch.refresh(corpus, kb)
    assert again.no_changes and not again.superseded
    # an ordinary single-article BioC file without identifiers is not re-read on every run
    shutil.rmtree(corpus)
    corpus.mkdir()
    _bioc_collection(corpus / "single.json", {"an-id": "In glioma, miR-902 was lowered in the samples we invented."})
    batch.refresh(corpus, kb)
    assert batch.refresh(corpus, kb).documents["unchanged"] == 1


def test_extract_rows_and_the_kb_carry_the_identifiers_of_every_format(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    line = "In glioma, miR-902 was lowered in the samples we invented."
    write_jats(corpus / "a.nxml", [line], doi="10.9999/jats.1", pmcid="PMC990011")
    write_pdf(corpus / "b.pdf", [line], "A second invented title about glioma samples", "doi: 10.9999/pdf.2")
    (corpus / "c.txt").write_text(f"A third invented title about glioma\nDOI: 10.9999/text.3\n{line}\n",
                                  encoding="utf-8")
    _pubmed_set(corpus / "d.xml", {"9100004": line, "9100005": line})
    _bioc_collection(corpus / "e.json", {"9100006": line})
    (corpus / "f.pubtator").write_text(f"9100007|t|An invented PubTator title\n9100007|a|{line}\n\n", encoding="utf-8")
    expected = {"a": ("", "PMC990011", "10.9999/jats.1"), "b": ("", "", "10.9999/pdf.2"),
                "c": ("", "", "10.9999/text.3"), "9100004": ("9100004", "", ""), "9100005": ("9100005", "", ""),
                "e": ("9100006", "", ""), "f": ("9100007", "", "")}
    out = tmp_path / "rows.csv"
    assert main(["extract", str(corpus), "--out", str(out)]) == 0
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert {r.doc_id: (r.pmid, r.pmcid, r.doi) for r in rows.itertuples()} == expected
    batch.refresh(corpus, tmp_path / "kb.sqlite")
    with KnowledgeBase(tmp_path / "kb.sqlite") as kb:
        states = kb.document_states()
    assert {d: (s["pmid"], s["pmcid"], s["doi"]) for d, s in states.items()} == expected


def test_a_title_two_files_of_one_format_share_is_boilerplate_and_matches_nothing(tmp_path):
    banner = "This invented article is distributed under an open licence"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, cancer in (("one", "glioma"), ("two", "breast cancer")):
        (corpus / f"{name}.txt").write_text(f"{banner}\nIn {cancer}, miR-901 was raised in the samples we invented.\n",
                                            encoding="utf-8")
    write_jats(corpus / "three.nxml", ["In gastric cancer, miR-902 was raised in the samples we invented."],
               doi="", title=banner)
    summary = batch.refresh(corpus, tmp_path / "kb.sqlite")
    assert summary.documents["added"] == 3 and not summary.superseded


def test_xml_is_identified_from_its_front_matter_and_a_set_of_several_is_not(tmp_path):
    _pubmed_set(tmp_path / "one.xml", {"9100008": "In glioma, miR-902 was lowered in the samples we invented."})
    found = articles.identify(tmp_path / "one.xml")
    assert (found.format, found.pmid, found.title) == ("pubmed", "9100008", "an invented title for 9100008")
    _pubmed_set(tmp_path / "two.xml", {"9100008": "x y z", "9100009": "x y z"})
    assert articles.identify(tmp_path / "two.xml") is None
    write_jats(tmp_path / "a.nxml", ["In glioma, miR-902 was lowered."], doi="https://doi.org/10.9999/X.1", pmcid="77")
    (tmp_path / "wrapped.nxml").write_text("<pmc-articleset>" + (tmp_path / "a.nxml").read_text().split("?>", 1)[1]
                                           + "</pmc-articleset>", encoding="utf-8")
    for name in ("a.nxml", "wrapped.nxml"):
        found = articles.identify(tmp_path / name)
        assert (found.format, found.doi, found.pmcid, found.title) == ("jats", "10.9999/x.1", "PMC77",
                                                                      articles.title_key(TITLE))
    (tmp_path / "broken.xml").write_text("<article><front>", encoding="utf-8")
    assert articles.identify(tmp_path / "broken.xml") is None
