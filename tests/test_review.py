"""The review loop: export a sheet from an invented KB, a curator's verdicts back in as gold rows."""

from __future__ import annotations

import csv
import shutil

import pytest

from mirkb.cli import main
from mirkb.goldcheck import canonical_cancers, check_file
from mirkb.scoring import load_gold


def _export(built, tmp_path, name="sheet.csv"):
    out = tmp_path / name
    assert main(["review", "export", "--kb", str(built.kb), "--out", str(out), "--gold", str(built.gold)]) == 0
    return out


def _read(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _find(rows, **match):
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


@pytest.fixture
def gold_copy(report_site, tmp_path):
    folder = tmp_path / "gold"
    shutil.copytree(report_site.gold, folder)
    return folder


def test_export_has_evidence_lines_and_gold_marks(report_site, tmp_path):
    sheet = _export(report_site, tmp_path)
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = _read(sheet)
    assert {r["doc_id"] for r in rows} == {"alpha", "beta"}
    up = _find(rows, mirna="miR-21", effect="upregulated")
    assert up["line"] == "3" and up["in_gold"] == "yes" and up["evidence"].startswith("MicroRNA-21 was")
    assert up["rule"].startswith("expression:") and up["verdict"] == ""
    diag = _find(rows, mirna="miR-21", effect="diagnostic_marker")
    assert diag["doc_id"] == "beta" and diag["line"] == "4" and diag["in_gold"] == ""


def test_import_accepted_fixed_rejected_then_idempotent(report_site, tmp_path, gold_copy, capsys):
    sheet = _export(report_site, tmp_path)
    rows = _read(sheet)
    _find(rows, mirna="miR-21", effect="diagnostic_marker")["verdict"] = "accepted"
    fixed = _find(rows, mirna="miR-200c-3p", effect="downregulated")
    fixed.update(verdict="fixed", mirna_fixed="hsa-miR-200c")  # written loosely: normalised
    _find(rows, mirna="miR-155")["verdict"] = "rejected"
    _write(sheet, rows)
    capsys.readouterr()

    assert main(["review", "import", str(sheet), "--gold", str(gold_copy)]) == 0
    assert "added 2 gold row(s) (1 accepted, 1 fixed)" in capsys.readouterr().out
    gold, _ = load_gold(gold_copy / "beta.tsv")
    assert {(r.mirna, r.cancer, r.effect, r.line) for r in gold} == {
        ("miR-21", "glioma", "diagnostic_marker", 4), ("miR-200c", "breast cancer", "downregulated", 3)}
    # the new file passes the gold checker against the invented corpus (line and miRNA agree)
    assert check_file(gold_copy / "beta.tsv", report_site.corpus, canonical_cancers()) == []
    # alpha's curated rows are untouched, and the rejected triple added nothing
    assert len(load_gold(gold_copy / "alpha.tsv")[0]) == 3

    before = {p.name: p.read_bytes() for p in gold_copy.iterdir()}
    assert main(["review", "import", str(sheet), "--gold", str(gold_copy)]) == 0
    assert "added 0 gold row(s)" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in gold_copy.iterdir()} == before


def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(
        report_site, tmp_path, gold_copy, capsys):
    sheet = _export(report_site, tmp_path)
    rows = _read(sheet)
    rows[0]["verdict"] = "accepted"  # good on its own
    rows[1]["verdict"] = "maybe"
    rows[2].update(verdict="fixed", effect_fixed="causes_cancer")
    rows[3]["verdict"] = "fixed"  # nothing corrected
    _write(sheet, rows)
    before = {p.name: p.read_bytes() for p in gold_copy.iterdir()}
    capsys.readouterr()
    assert main(["review", "import", str(sheet), "--gold", str(gold_copy)]) == 1
    err = capsys.readouterr().err
    assert "sheet.csv:3: verdict 'maybe'" in err
    assert "sheet.csv:4: effect 'causes_cancer' is not in the §4 vocabulary" in err
    assert "sheet.csv:5: verdict fixed, but no" in err
    assert "nothing was written" in err
    assert {p.name: p.read_bytes() for p in gold_copy.iterdir()} == before


def test_xlsx_round_trip(report_site, tmp_path, gold_copy, capsys):
    from openpyxl import load_workbook

    sheet = _export(report_site, tmp_path, "sheet.xlsx")
    book = load_workbook(sheet)
    ws = book.active
    header = [c.value for c in ws[1]]
    col = {name: i + 1 for i, name in enumerate(header)}
    target = None
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["mirna"]).value == "miR-21" and ws.cell(r, col["effect"]).value == "diagnostic_marker":
            target = r
    assert target is not None
    ws.cell(target, col["verdict"], "accepted")
    ws.cell(target, col["optional"], "1")
    book.save(sheet)
    capsys.readouterr()
    assert main(["review", "import", str(sheet), "--gold", str(gold_copy)]) == 0
    rows, _ = load_gold(gold_copy / "beta.tsv")
    assert [(r.mirna, r.effect, r.optional, r.line) for r in rows] == [("miR-21", "diagnostic_marker", True, 4)]


def test_a_sheet_without_the_columns_is_a_usage_error(tmp_path, capsys):
    sheet = tmp_path / "s.csv"
    sheet.write_text("doc_id,mirna\nx,miR-21\n", encoding="utf-8")
    assert main(["review", "import", str(sheet), "--gold", str(tmp_path / "g")]) == 2
    assert "missing column(s)" in capsys.readouterr().err
