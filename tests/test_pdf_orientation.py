"""read_pdf orientation: a page's quadrant from its text objects agrees with per-character angles.

read_pdf reads each character's angle only on pages whose text objects point different ways;
elsewhere the objects' matrices (times the forms around them) give the one quadrant. These
invented pages turn text and forms every way, and the text must come out the same either way.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.ingest import pdf

ANGLES = (0, 90, 270, 180)
#: Invented lines, different in words on every page (digits aside, lines repeated on many pages
#: are page furniture).
BODY = {page: [f"Invented line {i} says the {animal} tumour grew {pace}."
               for i, animal in enumerate(("lamprey", "zebrafish", "axolotl", "medaka", "newt", "frog", "carp"))]
        for page, pace in enumerate(("slowly", "quickly", "steadily", "rarely", "unevenly"))}


def _pages(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    for page, (angle, x, y) in enumerate(zip(ANGLES, (60, 500, 100, 500), (780, 60, 780, 780), strict=True)):
        c.beginForm(f"body{page}")
        for i, line in enumerate(BODY[page]):
            c.drawString(0, -i * 12, line)
        c.endForm()
        c.saveState()
        c.translate(x, y)
        c.rotate(angle)
        c.doForm(f"body{page}")  # every character sits in a turned form
        c.restoreState()
        c.showPage()
    # Upright body with a sideways margin note: two quadrants, read character by character.
    c.setFont("Helvetica", 9)
    for i, line in enumerate(BODY[4]):
        c.drawString(60, 780 - i * 12, line)
    c.saveState()
    c.translate(20, 200)
    c.rotate(90)
    c.drawString(0, 0, "www.invented-margin.example")
    c.restoreState()
    c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def turned(tmp_path_factory) -> Path:
    return _pages(tmp_path_factory.mktemp("pdf") / "turned.pdf")


def test_object_quadrants_follow_the_forms(turned):
    doc = pdfium.PdfDocument(turned)
    try:
        found = [pdf._object_quadrants(doc[i]) for i in range(len(doc))]
    finally:
        doc.close()
    # pdfium's angle turns clockwise: text turned 90° anticlockwise is quadrant 3.
    assert found == [{0}, {3}, {1}, {2}, {0, 3}]


def test_every_page_reads_top_to_bottom_whichever_way_it_is_turned(turned):
    doc = pdf.read_pdf(turned, turned.read_bytes())
    starts = [start for start, _ in doc.pages] + [len(doc.text)]
    for number in range(5):
        page = doc.text[starts[number]:starts[number + 1]]
        positions = [page.find(line) for line in BODY[number]]
        assert -1 not in positions, page
        assert positions == sorted(positions)
    assert "invented-margin" not in doc.text


def test_per_character_angles_give_the_same_text(turned, monkeypatch):
    fast = pdf.read_pdf(turned, turned.read_bytes())
    monkeypatch.setattr(pdf, "_object_quadrants", lambda page: None)
    slow = pdf.read_pdf(turned, turned.read_bytes())
    assert slow.text == fast.text
    assert slow.pages == fast.pages
