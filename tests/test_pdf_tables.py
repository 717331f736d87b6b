"""find_pdf_tables: ruled, unruled and rotated tables, wrapped cells, spanning first column."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.ingest import load_document
from extractors.pdf_tables import find_pdf_tables
from mirkb.settings import REPO_ROOT

PDFS = REPO_ROOT.parent / "shared" / "pdfs"
WIDTH, HEIGHT = A4
COLS = [70, 200, 330]
#: Invented rows: (cells, one extra line under a cell or None). Empty first cell: spanned.
ROWS = [
    (["Marker", "Tumour", "Effect"], None),
    (["miR-901", "Invented carcinoma", "Raised"], (2, "in late stage")),
    (["", "Fictional sarcoma", "Lowered"], None),
    (["miR-902", "Made-up glioma", "Unchanged"], None),
]


def _draw_table(c: canvas.Canvas, top: float, caption: str, ruled: bool) -> None:
    c.setFont("Helvetica-Bold", 9)
    c.drawString(COLS[0], top, caption)
    c.setFont("Helvetica", 9)
    y = top - 20
    row_tops = []
    for cells, extra in ROWS:
        row_tops.append(y + 10)
        for x, cell in zip(COLS, cells, strict=True):
            c.drawString(x, y, cell)
        if extra:
            c.drawString(COLS[extra[0]], y - 11, extra[1])
            y -= 11
        y -= 16
    if ruled:
        bottom = y + 10
        for row_top in [*row_tops, bottom]:
            c.line(COLS[0] - 5, row_top, 460, row_top)
        for x in [COLS[0] - 5, COLS[1] - 5, COLS[2] - 5, 460]:
            c.line(x, row_tops[0], x, bottom)


def _pdf(path: Path, ruled: bool = False, rotated: bool = False) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 9)
    c.drawString(70, HEIGHT - 60, "An invented paragraph of prose sits above the table on this page.")
    if rotated:
        c.saveState()
        c.translate(WIDTH - 120, 120)
        c.rotate(90)
        _draw_table(c, 0, "Table 3 Invented markers printed sideways", ruled=False)
        c.restoreState()
    else:
        _draw_table(c, HEIGHT - 100, "Table 1 Invented markers in made-up tumours", ruled=ruled)
    c.setFont("Helvetica", 9)
    c.drawString(70, 80, "Closing prose line well below the table, after a wide gap.")
    c.showPage()
    c.save()
    return path


def _assert_invented_rows(table):
    assert table.header == ["Marker", "Tumour", "Effect"]
    assert table.rows[0] == ["miR-901", "Invented carcinoma", "Raised in late stage"]
    assert table.rows[1] == ["miR-901", "Fictional sarcoma", "Lowered"]
    assert table.rows[2] == ["miR-902", "Made-up glioma", "Unchanged"]
    assert len(table.rows) == 3


def test_ruled_table(tmp_path):
    (table,) = find_pdf_tables(_pdf(tmp_path / "ruled.pdf", ruled=True))
    assert table.shape == "pdf-ruled"
    assert table.caption.startswith("Table 1 Invented markers")
    assert table.page == 1
    _assert_invented_rows(table)


def test_unruled_table_near_its_caption(tmp_path):
    (table,) = find_pdf_tables(_pdf(tmp_path / "unruled.pdf").read_bytes())
    assert table.shape == "pdf-unruled"
    assert table.caption.startswith("Table 1")
    _assert_invented_rows(table)


def test_rotated_table_is_read_in_its_own_orientation(tmp_path):
    (table,) = find_pdf_tables(_pdf(tmp_path / "rotated.pdf", rotated=True))
    assert table.shape == "pdf-rotated"
    assert table.caption.startswith("Table 3")
    _assert_invented_rows(table)


def test_read_pdf_puts_tables_in_the_document_and_skips_their_text(tmp_path):
    doc = load_document(_pdf(tmp_path / "doc.pdf", ruled=True))
    assert [t.caption[:7] for t in doc.tables] == ["Table 1"]
    assert doc.skip_spans
    skipped = " ".join(doc.text[a:b] for a, b in doc.skip_spans)
    assert "Fictional sarcoma" in skipped
    assert "Closing prose" not in skipped


@pytest.mark.parametrize(("name", "pages"), [("bmccancer_2016_t2dm_colorectal_adenoma", [5, 6]),
                                            ("springerplus_2016_hif1a_sarcoma", [5, 6])])
def test_real_pdf_tables_are_found(name, pages):
    tables = find_pdf_tables(PDFS / f"{name}.pdf", pages)
    assert tables
    for table in tables:
        assert table.caption.startswith("Table")
        assert len(table.header) >= 3
        assert len(table.rows) >= 5
