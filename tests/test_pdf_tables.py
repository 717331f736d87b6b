"""find_pdf_tables: ruled, unruled and rotated tables, wrapped cells, spanning first column."""

from __future__ import annotations

from pathlib import Path

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


def _draw_table(c: canvas.Canvas, top: float, caption: str, ruled: bool, thin_rects: bool = False) -> None:
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
            _rule(c, COLS[0] - 5, row_top, 460, row_top, thin_rects)
        for x in [COLS[0] - 5, COLS[1] - 5, COLS[2] - 5, 460]:
            _rule(c, x, row_tops[0], x, bottom, thin_rects)


def _rule(c: canvas.Canvas, x0: float, y0: float, x1: float, y1: float, thin_rect: bool) -> None:
    """A ruling line, or a thin filled rectangle standing for one (as many journals draw them)."""
    if not thin_rect:
        c.line(x0, y0, x1, y1)
    elif y0 == y1:
        c.rect(x0, y0 - 0.2, x1 - x0, 0.4, stroke=0, fill=1)
    else:
        c.rect(x0 - 0.2, min(y0, y1), 0.4, abs(y1 - y0), stroke=0, fill=1)


def _pdf(path: Path, ruled: bool = False, rotated: bool = False, thin_rects: bool = False) -> Path:
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
        _draw_table(c, HEIGHT - 100, "Table 1 Invented markers in made-up tumours", ruled=ruled,
                    thin_rects=thin_rects)
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


def test_table_ruled_with_thin_filled_rectangles(tmp_path):
    (table,) = find_pdf_tables(_pdf(tmp_path / "rects.pdf", ruled=True, thin_rects=True))
    assert table.shape == "pdf-ruled"
    assert table.caption.startswith("Table 1 Invented markers")
    _assert_invented_rows(table)


def _prose(c: canvas.Canvas, x: float, top: float, lines: int, label: str) -> None:
    c.setFont("Helvetica", 9)
    for i in range(lines):
        c.drawString(x, top - i * 12, f"{label} prose line {i} about an invented study")


def test_caption_at_page_bottom_finds_its_table_on_the_next_page(tmp_path):
    path = tmp_path / "split.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _prose(c, 70, HEIGHT - 80, 40, "First page")
    c.setFont("Helvetica-Bold", 9)
    c.drawString(70, 70, "Table 2 Invented markers whose rows went to the next page")
    c.showPage()
    c.setFont("Helvetica", 8)
    c.drawString(70, HEIGHT - 30, "Journal of Invented Results 2031")
    _draw_table(c, HEIGHT - 60, "", ruled=False)
    _prose(c, 70, HEIGHT - 300, 10, "Second page")
    c.showPage()
    c.save()
    (table,) = find_pdf_tables(path)
    assert table.page == 2
    assert table.caption.startswith("Table 2 Invented markers")
    assert table.shape == "pdf-unruled"
    _assert_invented_rows(table)
    # read_pdf hands over only the caption's page, and still gets the table.
    doc = load_document(path)
    assert [(t.page, t.caption[:7]) for t in doc.tables] == [(2, "Table 2")]
    skipped = " ".join(doc.text[a:b] for a, b in doc.skip_spans)
    assert "Fictional sarcoma" in skipped
    assert "Second page prose" not in skipped


def _wide_table_page(c: canvas.Canvas, header: list[str], body: list[list[str]]) -> None:
    """A full-width table whose rows stand far apart (as when each row holds a drawing)."""
    c.setFont("Helvetica-Bold", 9)
    c.drawString(60, HEIGHT - 80, "Table 4 Invented compounds and their made-up scores")
    c.setFont("Helvetica", 9)
    c.line(60, HEIGHT - 90, WIDTH - 60, HEIGHT - 90)
    xs = [60, 200, 330, 450]
    for x, cell in zip(xs, header, strict=True):
        c.drawString(x, HEIGHT - 102, cell)
    c.line(60, HEIGHT - 108, WIDTH - 60, HEIGHT - 108)
    for r, row in enumerate(body):
        for x, cell in zip(xs, row, strict=True):
            c.drawString(x, HEIGHT - 150 - r * 80, cell)
    c.line(60, HEIGHT - 150 - len(body) * 80 + 50, WIDTH - 60, HEIGHT - 150 - len(body) * 80 + 50)


def test_full_width_table_page_in_a_two_column_document(tmp_path):
    path = tmp_path / "wide.pdf"
    header = ["Compound", "Score", "Partner", "Remark"]
    partners = ["Made-up kinase", "Fictional receptor A", "Invented ligand", "Dreamt-up channel",
                "Imaginary pump B", "Pretend enzyme", "Unreal transporter"]
    remarks = ["Weak", "Strong binder", "None seen", "Partial", "Tight", "Loose fit", "Unclear"]
    body = [[f"XY-{i}0{i}", f"0.{i}5", partner, remark]
            for i, (partner, remark) in enumerate(zip(partners, remarks, strict=True), start=1)]
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in (1, 2, 3):
        if page == 2:
            _wide_table_page(c, header, body)
        else:
            _prose(c, 60, HEIGHT - 80, 50, f"Left {page}")
            _prose(c, WIDTH / 2 + 15, HEIGHT - 80, 50, f"Right {page}")
        c.showPage()
    c.save()
    (table,) = find_pdf_tables(path)
    assert table.page == 2
    assert table.shape == "pdf-ruled"
    assert table.caption.startswith("Table 4")
    assert table.header == header
    assert table.rows == body
    doc = load_document(path)
    assert [(t.page, t.caption[:7]) for t in doc.tables] == [(2, "Table 4")]


def _found(name: str, pages: list[int] | None = None) -> dict[tuple[int | None, str], object]:
    """Tables of a real PDF by (page, "Table N")."""
    tables = find_pdf_tables(PDFS / f"{name}.pdf", pages)
    return {(t.page, " ".join(t.caption.split()[:2])): t for t in tables}


def test_real_bmc_tables_are_ruled():
    found = _found("bmccancer_2016_t2dm_colorectal_adenoma", [4, 5, 6])
    assert set(found) == {(4, "Table 1"), (5, "Table 1"), (6, "Table 2")}
    assert all(t.shape == "pdf-ruled" for t in found.values())
    assert "(Continued)" in found[5, "Table 1"].caption
    for key in [(4, "Table 1"), (6, "Table 2")]:
        assert len(found[key].header) >= 8
        assert len(found[key].rows) >= 15


def test_real_springerplus_sideways_table_1_and_ruled_table_2():
    found = _found("springerplus_2016_hif1a_sarcoma", [4, 5, 6])
    assert set(found) == {(4, "Table 1"), (6, "Table 2")}
    first = found[4, "Table 1"]
    assert first.caption.startswith("Table 1 Characteristics of eligible studies")
    assert first.shape == "pdf-rotated"
    assert len(first.rows) >= 5
    assert len(first.header) >= 10
    assert found[6, "Table 2"].shape == "pdf-ruled"
    assert len(found[6, "Table 2"].rows) >= 5


def test_real_clinsci_full_width_table_page():
    found = _found("clinsci_2014_ace_inhibitor_design", [4])
    table = found[4, "Table 3"]
    assert table.shape == "pdf-ruled"
    assert table.header[0].startswith("Name")
    # Nine compounds, one per row, each row far from the next (structures drawn between).
    assert len(table.rows) == 9
    assert table.rows[-1][0].startswith("JCC-0014")


def test_real_pdfs_through_read_pdf_find_every_table_caption():
    docs = {path.stem.split("_")[0]: load_document(path) for path in sorted(PDFS.glob("*.pdf"))}
    numbers = {name: sorted({" ".join(t.caption.split()[:2]) for t in doc.tables}) for name, doc in docs.items()}
    assert numbers["natcommun"] == []
    assert numbers["bmccancer"] == ["Table 1", "Table 2"]
    assert numbers["springerplus"] == ["Table 1", "Table 2"]
    assert numbers["clinsci"] == [f"Table {i}" for i in range(1, 6)]
    # A body sentence opening with "Table 3 and ..." is not a caption.
    assert all(t.caption[7:8] != " " or not t.caption[8:9].islower() for t in docs["gastroenterolres"].tables)
    assert {"Table 1:", "Table 2:", "Table 6:"} <= {t.caption[:8] for t in docs["gastroenterolres"].tables}


def test_merged_cells_of_a_ruled_grid_fill_every_position_they_cover(tmp_path):
    """An invented grid: "Glioma" spans two rows, "Breast cancer" spans the whole row (a group row)."""
    from extractors.table_model import read_table

    path = tmp_path / "merged.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]

    def y(top: float) -> float:
        return height - top

    xs = [50, 200, 330, 500]
    c.setFont("Helvetica", 9)
    c.drawString(50, y(90), "Table 1 Invented merged cells")
    for top, x0 in ((100, 50), (120, 50), (140, 200), (160, 50), (180, 50), (200, 50)):
        c.line(x0, y(top), 500, y(top))  # no rule under "Glioma" in the first column
    for x in (50, 500):
        c.line(x, y(100), x, y(200))
    for x in (200, 330):
        c.line(x, y(100), x, y(160))
        c.line(x, y(180), x, y(200))  # none across the group row
    cells = [(115, ["Cancer", "miRNA", "Function"]), (135, ["Glioma", "miR-21", "Promotes invasion"]),
             (155, ["", "miR-155", "Promotes growth"]), (195, ["", "miR-10b", "Promotes metastasis"])]
    for top, texts in cells:
        for x, text in zip(xs, texts, strict=False):
            c.drawString(x + 4, y(top), text)
    c.drawString(54, y(175), "Breast cancer")
    c.showPage()
    c.save()
    [table] = find_pdf_tables(path)
    assert table.header == ["Cancer", "miRNA", "Function"]
    assert table.rows[1] == ["Glioma", "miR-155", "Promotes growth"]
    assert table.rows[2] == ["Breast cancer"] * 3
    found = {(m.mirna, m.cancer, m.effect) for m in read_table("d", table)}
    assert ("miR-155", "glioma", "promotes_growth") in found
    assert ("miR-10b", "breast cancer", "promotes_metastasis") in found
