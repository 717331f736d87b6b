"""Formula injection (OWASP "CSV injection"): what a curator opens in a spreadsheet cannot run a
formula, and mirkb's own readers still get the text that was written. Invented evidence only."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from extractors.schema import Mention
from mirkb.cli import main
from mirkb.kb import DocumentInfo, KnowledgeBase
from mirkb.kb.export import spreadsheet_safe, unguard
from mirkb.scoring import load_gold, load_predictions

MINUS = "-5-fold more miR-21 was found in invented breast cancer samples."
FORMULA = '=HYPERLINK("http://invented.example","miR-21 in breast cancer")'
AT = "@SUM(1,2) miR-21 lowers growth of invented breast cancer cells."


@pytest.mark.parametrize("text", [MINUS, FORMULA, AT, "+1 miR-21", "\tmiR-21", "\rmiR-21", "'-already quoted"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe_that_unguard_takes_off(text):
    guarded = spreadsheet_safe(text)
    assert guarded == "'" + text and unguard(guarded) == text


@pytest.mark.parametrize("value", ["miR-21 was raised", "", "it's fine", 12, -3, None])
def test_other_values_are_left_alone(value):
    assert spreadsheet_safe(value) == value and unguard(value) == value


@pytest.fixture
def guarded_kb(tmp_path):
    text = tmp_path / "risky.txt"
    lines = ["An invented paper whose sentences begin badly", MINUS, FORMULA, AT]
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kb = tmp_path / "kb.sqlite"
    with KnowledgeBase(kb) as store:
        run = store.start_run("cfg", str(tmp_path), "0")
        found, pos = [], 0
        for line, effect in zip(lines, (None, "upregulated", "downregulated", "suppresses_tumor"), strict=True):
            if effect:
                found.append(Mention("risky", "miR-21", "breast cancer", "DOID:1612", effect, line, pos,
                                     pos + len(line), "text", False, "-rule"))
            pos += len(line) + 1
        store.write_document(run, DocumentInfo("risky", str(text), "sha", "txt", lines[0]), "cfg", found)
        store.finish_run(run, "completed", {}, None)
    return kb


def test_kb_export_csv_and_xlsx_are_guarded_and_tsv_is_not(guarded_kb, tmp_path):
    from openpyxl import load_workbook

    assert main(["kb", "export", "--kb", str(guarded_kb), "--out", str(tmp_path / "a.csv")]) == 0
    with open(tmp_path / "a.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["evidence"] for r in rows} == {"'" + MINUS, "'" + FORMULA, "'" + AT}
    assert {r["rule"] for r in rows} == {"'-rule"} and {r["mirna"] for r in rows} == {"miR-21"}
    assert {unguard(r["evidence"]) for r in rows} == {MINUS, FORMULA, AT}

    assert main(["kb", "export", "--kb", str(guarded_kb), "--out", str(tmp_path / "a.xlsx")]) == 0
    sheet = load_workbook(tmp_path / "a.xlsx")["evidence"]
    col = [c.value for c in sheet[1]].index("evidence")
    cells = [row[col] for row in sheet.iter_rows(min_row=2)]
    # stored as text with Excel's quote prefix: no formula, and the value read back is the text itself
    assert {c.value for c in cells} == {MINUS, FORMULA, AT}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)

    assert main(["kb", "export", "--kb", str(guarded_kb), "--out", str(tmp_path / "a.tsv")]) == 0
    frame = pd.read_csv(tmp_path / "a.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert set(frame["evidence"]) == {MINUS, FORMULA, AT}


@pytest.mark.parametrize("name", ["sheet.csv", "sheet.xlsx"])
def test_a_review_sheet_is_guarded_and_imports_the_evidence_as_written(guarded_kb, tmp_path, name):
    sheet, gold = tmp_path / name, tmp_path / "gold"
    assert main(["review", "export", "--kb", str(guarded_kb), "--out", str(sheet), "--gold", str(gold)]) == 0
    if name.endswith(".csv"):
        with open(sheet, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert sorted(r["evidence"] for r in rows) == sorted("'" + s for s in (MINUS, FORMULA, AT))
        for row in rows:
            row["verdict"] = "accepted"
        with open(sheet, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        from openpyxl import load_workbook

        book = load_workbook(sheet)
        ws = book.active
        header = [c.value for c in ws[1]]
        assert all(ws.cell(r, header.index("evidence") + 1).quotePrefix for r in range(2, ws.max_row + 1))
        for r in range(2, ws.max_row + 1):
            ws.cell(r, header.index("verdict") + 1, "accepted")
        book.save(sheet)
    assert main(["review", "import", str(sheet), "--gold", str(gold)]) == 0
    rows, _ = load_gold(gold / "risky.tsv")
    assert sorted((r.evidence, r.line) for r in rows) == sorted([(MINUS, 2), (FORMULA, 3), (AT, 4)])


def test_the_extract_csv_that_tools_read_keeps_evidence_as_written_for_scoring(tmp_path):
    import kb_fakes

    from mirkb import batch

    (tmp_path / "doc.txt").write_text("An invented title of four words\n- In breast cancer, miR-901 was raised "
                                      "in the samples we invented.\n", encoding="utf-8")
    batch.set_extractor_factory(kb_fakes.factory)
    try:
        assert main(["extract", str(tmp_path / "doc.txt"), "--out", str(tmp_path / "rows.csv")]) == 0
    finally:
        batch.set_extractor_factory(None)
    (row,) = load_predictions(tmp_path / "rows.csv")
    assert row.evidence == "- In breast cancer, miR-901 was raised in the samples we invented."
