"""The scorer on invented predictions and gold (TRIPLES.md §7)."""

from __future__ import annotations

import csv
import json

import pytest

from mirkb.cli import main
from mirkb.scoring import LEVELS, SCOPES, Counts, Row, ScoringInputError, load_gold, load_predictions, score

GOLD_HEADER = ["doc_id", "mirna", "cancer", "effect", "source", "optional", "evidence", "line"]
PRED_HEADER = ["doc_id", "mirna", "cancer", "cancer_id", "effect", "evidence", "start", "end", "source",
               "hedged", "rule"]


def gold_row(doc, mirna, cancer, effect, source="text", optional=False, line=1, evidence="invented"):
    return Row(doc, mirna, cancer, effect, source, evidence=evidence, optional=optional, line=line)


def pred_row(doc, mirna, cancer, effect, source="text", evidence="invented", start=0):
    return Row(doc, mirna, cancer, effect, source, evidence=evidence, start=start)


def micro(evaluation, level="strict", scope="all") -> Counts:
    return evaluation.result(level, scope).micro


def write_gold(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(GOLD_HEADER)
        writer.writerows(rows)


def write_pred(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=PRED_HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({"cancer_id": "", "end": 0, "hedged": "false", "rule": "t", "start": 0, **row})


def test_perfect_match_scores_one_at_every_level_and_source():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated"),
            gold_row("d1", "miR-155", "breast cancer", "promotes_growth", source="table")]
    pred = [pred_row("d1", "miR-21", "glioma", "upregulated"),
            pred_row("d1", "miR-155", "breast cancer", "promotes_growth", source="table")]
    evaluation = score(pred, gold)
    for level in LEVELS:
        for scope in SCOPES:
            counts = micro(evaluation, level, scope)
            assert (counts.p, counts.r, counts.f1) == (1.0, 1.0, 1.0), (level, scope)
            assert counts.fp == counts.fn == 0


def test_optional_gold_is_neither_tp_fp_nor_fn():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated"),
            gold_row("d1", "miR-21", "glioma", "prognostic_marker", optional=True),
            gold_row("d1", "miR-9", "glioma", "promotes_metastasis", optional=True)]
    pred = [pred_row("d1", "miR-21", "glioma", "upregulated"),
            pred_row("d1", "miR-21", "glioma", "prognostic_marker")]
    counts = micro(score(pred, gold))
    # the predicted optional triple is not rewarded, and the absent one is not missed
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 0)


def test_pair_is_optional_only_when_every_gold_row_for_it_is_optional():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated"),
            gold_row("d1", "miR-21", "glioma", "prognostic_marker", optional=True),
            gold_row("d1", "miR-9", "glioma", "promotes_metastasis", optional=True)]
    pair = micro(score([], gold), "pair")
    assert (pair.tp, pair.fp, pair.fn) == (0, 0, 1)
    pair = micro(score([pred_row("d1", "miR-9", "glioma", "downregulated")], gold), "pair")
    assert (pair.tp, pair.fp, pair.fn) == (0, 0, 1)


def test_duplicate_predictions_count_once():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated")]
    pred = [pred_row("d1", "miR-21", "glioma", "upregulated", start=s) for s in (0, 50, 90)]
    pred += [pred_row("d1", "miR-7", "glioma", "upregulated", start=s) for s in (10, 20)]
    counts = micro(score(pred, gold))
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)
    assert counts.p == 0.5


def test_arm_lenient_matches_arm_against_no_arm():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated")]
    pred = [pred_row("d1", "miR-21-5p", "glioma", "upregulated")]
    evaluation = score(pred, gold)
    strict, lenient = micro(evaluation, "strict"), micro(evaluation, "arm_lenient")
    assert (strict.tp, strict.fp, strict.fn) == (0, 1, 1)
    assert (lenient.tp, lenient.fp, lenient.fn) == (1, 0, 0)


def test_arm_lenient_strips_both_sides():
    gold = [gold_row("d1", "miR-146a-3p", "melanoma", "downregulated")]
    pred = [pred_row("d1", "miR-146a-5p", "melanoma", "downregulated")]
    assert micro(score(pred, gold), "arm_lenient").tp == 1
    assert micro(score(pred, gold), "strict").tp == 0


def test_pair_level_ignores_effect():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated"),
            gold_row("d1", "miR-21", "glioma", "prognostic_marker")]
    pred = [pred_row("d1", "miR-21", "glioma", "suppresses_tumor")]
    evaluation = score(pred, gold)
    pair = micro(evaluation, "pair")
    assert (pair.tp, pair.fp, pair.fn) == (1, 0, 0)
    strict = micro(evaluation, "strict")
    assert (strict.tp, strict.fp, strict.fn) == (0, 1, 2)


def test_prediction_in_document_without_gold_is_reported_not_counted_by_default():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated")]
    pred = [pred_row("d1", "miR-21", "glioma", "upregulated"),
            pred_row("d2", "miR-7", "melanoma", "upregulated"),
            pred_row("d2", "miR-7", "melanoma", "upregulated")]
    evaluation = score(pred, gold)
    assert evaluation.documents == ["d1"]
    assert evaluation.unscored == {"d2": 1}
    assert micro(evaluation).fp == 0


def test_prediction_in_document_without_gold_is_false_positive_when_all_count():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated")]
    pred = [pred_row("d1", "miR-21", "glioma", "upregulated"),
            pred_row("d2", "miR-7", "melanoma", "upregulated")]
    for evaluation in (score(pred, gold, all_predicted=True), score(pred, gold, docs=["d1", "d2", "d3"])):
        counts = micro(evaluation)
        assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)
        assert evaluation.unscored == {}
        assert evaluation.result("strict", "all").documents["d2"].fp == 1


def test_source_scopes_filter_both_sides_and_all_merges_them():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated", source="table"),
            gold_row("d1", "miR-9", "glioma", "promotes_metastasis", source="text")]
    pred = [pred_row("d1", "miR-21", "glioma", "upregulated", source="text"),
            pred_row("d1", "miR-9", "glioma", "promotes_metastasis", source="text")]
    evaluation = score(pred, gold)
    text, table, both = (micro(evaluation, "strict", s) for s in ("text", "table", "all"))
    assert (text.tp, text.fp, text.fn) == (1, 1, 0)
    assert (table.tp, table.fp, table.fn) == (0, 0, 1)
    assert (both.tp, both.fp, both.fn) == (2, 0, 0)


def test_per_effect_counts_are_strict_over_all_sources():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated"),
            gold_row("d1", "miR-9", "glioma", "upregulated", source="table"),
            gold_row("d1", "miR-9", "glioma", "promotes_metastasis")]
    pred = [pred_row("d1", "miR-21", "glioma", "upregulated"),
            pred_row("d1", "miR-9", "glioma", "upregulated"),
            pred_row("d1", "miR-10b", "glioma", "promotes_metastasis")]
    per_effect = score(pred, gold).per_effect
    up, meta = per_effect["upregulated"], per_effect["promotes_metastasis"]
    assert (up.tp, up.fp, up.fn) == (2, 0, 0)
    assert (meta.tp, meta.fp, meta.fn) == (0, 1, 1)
    assert per_effect["drug_sensitivity"].to_dict() == {"tp": 0, "fp": 0, "fn": 0, "p": 0.0, "r": 0.0, "f1": 0.0}


def test_zero_over_zero_is_zero_with_counts():
    evaluation = score([], [], gold_docs=["empty"])
    counts = micro(evaluation)
    assert (counts.tp, counts.fp, counts.fn, counts.p, counts.r, counts.f1) == (0, 0, 0, 0.0, 0.0, 0.0)


def test_micro_average_sums_counts_before_dividing():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated"),
            gold_row("d2", "miR-9", "melanoma", "upregulated"),
            gold_row("d2", "miR-10b", "melanoma", "upregulated")]
    pred = [pred_row("d1", "miR-21", "glioma", "upregulated"), pred_row("d1", "miR-1", "glioma", "upregulated"),
            pred_row("d2", "miR-9", "melanoma", "upregulated")]
    evaluation = score(pred, gold)
    assert evaluation.result("strict", "all").documents["d1"].p == 0.5
    assert evaluation.result("strict", "all").documents["d2"].r == 0.5
    counts = micro(evaluation)
    assert (counts.tp, counts.fp, counts.fn) == (2, 1, 1)
    assert counts.p == pytest.approx(2 / 3) and counts.f1 == pytest.approx(2 / 3)


def test_findings_keep_first_predicted_evidence_and_gold_line():
    gold = [gold_row("d1", "miR-21", "glioma", "upregulated", line=12, evidence="gold says so")]
    pred = [pred_row("d1", "miR-7", "glioma", "upregulated", evidence="first", start=5),
            pred_row("d1", "miR-7", "glioma", "upregulated", evidence="second", start=80)]
    result = score(pred, gold).result("strict", "all")
    (fp,), (fn,) = result.false_positives, result.false_negatives
    assert (fp.row.evidence, fp.row.start, fp.key) == ("first", 5, ("miR-7", "glioma", "upregulated"))
    assert (fn.row.evidence, fn.row.line) == ("gold says so", 12)


def test_load_gold_reads_optional_flags_and_empty_documents(tmp_path):
    write_gold(tmp_path / "d1.tsv", [["d1", "miR-21", "glioma", "upregulated", "text", "0", "ev", "3"],
                                     ["d1", "miR-9", "glioma", "upregulated", "table", "1", "ev", "4"]])
    write_gold(tmp_path / "d2.tsv", [])
    (tmp_path / "d3.tsv").write_text("")
    rows, docs = load_gold(tmp_path)
    assert docs == ["d1", "d2", "d3"]
    assert [(r.mirna, r.optional, r.line) for r in rows] == [("miR-21", False, 3), ("miR-9", True, 4)]
    single_rows, single_docs = load_gold(tmp_path / "d1.tsv")
    assert single_docs == ["d1"] and len(single_rows) == 2


def test_load_gold_rejects_a_bad_optional_value(tmp_path):
    write_gold(tmp_path / "d1.tsv", [["d1", "miR-21", "glioma", "upregulated", "text", "maybe", "ev", "3"]])
    with pytest.raises(ScoringInputError, match="optional"):
        load_gold(tmp_path)


def test_load_predictions_csv_and_empty(tmp_path):
    rows = [{"doc_id": "d1", "mirna": "miR-21", "cancer": "glioma", "effect": "upregulated",
             "evidence": "ev", "source": "text", "start": 7}]
    write_pred(tmp_path / "p.csv", rows)
    loaded = load_predictions(tmp_path / "p.csv")
    assert [(r.mirna, r.start) for r in loaded] == [("miR-21", 7)]

    (tmp_path / "empty.csv").write_text("")
    assert load_predictions(tmp_path / "empty.csv") == []
    write_pred(tmp_path / "header_only.csv", [])
    assert load_predictions(tmp_path / "header_only.csv") == []


def test_load_predictions_reads_parquet_by_suffix_and_ignores_extra_columns(tmp_path, monkeypatch):
    # The reader is replaced so the test checks the dispatch and the null handling, not pyarrow
    # (the locked pyarrow needs a newer NumPy than the lock pins).
    import pandas as pd

    frame = pd.DataFrame([{"doc_id": "d1", "mirna": "miR-21", "cancer": "glioma", "effect": "upregulated",
                           "source": "table", "evidence": None, "start": 4, "extra": "ignored"}])
    seen = []
    monkeypatch.setattr(pd, "read_parquet", lambda path: seen.append(path) or frame)
    (tmp_path / "p.parquet").write_bytes(b"PAR1")
    loaded = load_predictions(tmp_path / "p.parquet")
    assert seen == [tmp_path / "p.parquet"]
    assert [(r.source, r.evidence, r.start) for r in loaded] == [("table", "", 4)]


def test_unreadable_parquet_is_an_input_error(tmp_path):
    (tmp_path / "p.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ScoringInputError, match="cannot read predictions"):
        load_predictions(tmp_path / "p.parquet")


def test_load_predictions_reports_missing_columns(tmp_path):
    (tmp_path / "p.csv").write_text("doc_id,mirna\nd1,miR-21\n")
    with pytest.raises(ScoringInputError, match="cancer"):
        load_predictions(tmp_path / "p.csv")


@pytest.fixture
def files(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    write_gold(gold / "d1.tsv", [["d1", "miR-21", "glioma", "upregulated", "text", "0", "gold ev", "3"],
                                 ["d1", "miR-9", "glioma", "promotes_metastasis", "table", "0", "gold row", "9"]])
    pred = tmp_path / "pred.csv"
    write_pred(pred, [
        {"doc_id": "d1", "mirna": "miR-21-5p", "cancer": "glioma", "effect": "upregulated",
         "evidence": "pred ev", "source": "text"},
        {"doc_id": "d1", "mirna": "miR-9", "cancer": "glioma", "effect": "promotes_metastasis",
         "evidence": "pred row", "source": "table"},
        {"doc_id": "d9", "mirna": "miR-7", "cancer": "melanoma", "effect": "upregulated",
         "evidence": "elsewhere", "source": "text"},
    ])
    return pred, gold


def test_evaluate_json_shape(files, capsys):
    pred, gold = files
    assert main(["evaluate", "--pred", str(pred), "--gold", str(gold), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for level in ("strict", "pair", "arm_lenient"):
        for scope in ("text", "table", "all"):
            assert set(out[level][scope]) == {"micro", "documents"}
            assert set(out[level][scope]["micro"]) == {"tp", "fp", "fn", "p", "r", "f1"}
            assert list(out[level][scope]["documents"]) == ["d1"]
    assert out["strict"]["all"]["micro"]["tp"] == 1 and out["strict"]["all"]["micro"]["fp"] == 1
    assert out["arm_lenient"]["all"]["micro"]["f1"] == 1.0
    assert out["strict"]["table"]["micro"] == {"tp": 1, "fp": 0, "fn": 0, "p": 1.0, "r": 1.0, "f1": 1.0}
    assert set(out["per_effect"]) >= {"upregulated", "prognostic_marker"}
    assert out["unscored_documents"] == {"d9": 1}


def test_evaluate_all_predicted_counts_documents_without_gold(files, capsys):
    pred, gold = files
    assert main(["evaluate", "--pred", str(pred), "--gold", str(gold), "--json", "--docs", "all-predicted"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["strict"]["all"]["documents"]["d9"]["fp"] == 1
    assert out["strict"]["all"]["micro"]["fp"] == 2


def test_evaluate_source_option_limits_output(files, capsys):
    pred, gold = files
    assert main(["evaluate", "--pred", str(pred), "--gold", str(gold), "--json", "--source", "table"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["strict"]) == {"table"}


def test_evaluate_prints_a_readable_table(files, capsys):
    pred, gold = files
    assert main(["evaluate", "--pred", str(pred), "--gold", str(gold)]) == 0
    out = capsys.readouterr().out
    assert "micro-averaged" in out and "arm_lenient" in out
    assert "d9: 1 unique triples" in out


def test_evaluate_missing_files_are_usage_errors(files, tmp_path, capsys):
    pred, gold = files
    assert main(["evaluate", "--pred", str(tmp_path / "nope.csv"), "--gold", str(gold)]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["evaluate", "--pred", str(pred), "--gold", str(tmp_path / "nogold")]) == 2
    assert "gold not found" in capsys.readouterr().err


def test_evaluate_report_writes_files(files, tmp_path, capsys):
    pred, gold = files
    out_dir = tmp_path / "report"
    assert main(["evaluate", "--pred", str(pred), "--gold", str(gold), "--report", str(out_dir)]) == 0
    capsys.readouterr()
    report = (out_dir / "report.md").read_text()
    assert "## Micro-averaged" in report and "## Per effect" in report and "### pair, table" in report
    with open(out_dir / "fp.csv", newline="") as handle:
        fps = list(csv.DictReader(handle))
    with open(out_dir / "fn.csv", newline="") as handle:
        fns = list(csv.DictReader(handle))
    assert [(r["mirna"], r["evidence"], r["source"]) for r in fps] == [("miR-21-5p", "pred ev", "text")]
    assert [(r["mirna"], r["evidence"], r["line"]) for r in fns] == [("miR-21", "gold ev", "3")]
    assert (out_dir / "per_effect.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
