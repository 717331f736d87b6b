"""read_pdf: reading order, page furniture, bad input, and the real journal PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.clean import clean_text
from extractors.ingest import IngestError, load_document
from extractors.ingest.pdf import read_pdf
from mirkb.settings import REPO_ROOT

PDFS = REPO_ROOT.parent / "shared" / "pdfs"
WIDTH, HEIGHT = A4
LEFT_X, RIGHT_X = 60, WIDTH / 2 + 15
COLUMN_LINES = 30

#: Invented body lines; the last left line runs on into the right column mid-sentence.
LEFT = [f"Alpha line {i} tells of the zebrafish model and its" for i in range(COLUMN_LINES - 3)] + [
    "strong growth. The metasta-",
    "sis was slow in the grafted fish,",
    "and the cells kept spreading across the",
]
RIGHT = ["wide gutter without any pause at all."] + [
    f"Omega line {i} tells of the lamprey model and its" for i in range(COLUMN_LINES - 1)
]


def _two_column_pdf(path: Path, pages: int = 2) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(1, pages + 1):
        c.setFont("Helvetica", 8)
        c.drawString(LEFT_X, HEIGHT - 30, "Journal of Invented Results 2031")
        c.drawString(WIDTH - 120, 25, f"Page {page} of {pages}")
        if page == 1:
            c.setFont("Helvetica-Bold", 16)
            c.drawString(LEFT_X, HEIGHT - 80, "An invented study of fish tumours")
        c.setFont("Helvetica", 9)
        c.drawString(LEFT_X, HEIGHT - 110, "A full-width opening block written above both columns of the page body.")
        # A sideways margin note, like a journal name printed up the edge of the page.
        c.saveState()
        c.translate(20, 200)
        c.rotate(90)
        c.drawString(0, 0, "www.invented-journal.example")
        c.restoreState()
        for i, (left, right) in enumerate(zip(LEFT, RIGHT, strict=True)):
            y = HEIGHT - 140 - i * 12
            # Interleave the drawing order, so the content stream alone cannot give the order.
            c.drawString(RIGHT_X, y, right)
            c.drawString(LEFT_X, y, left)
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def two_column(tmp_path_factory):
    path = _two_column_pdf(tmp_path_factory.mktemp("pdf") / "two_column.pdf")
    return read_pdf(path, path.read_bytes())


def test_left_column_is_read_before_right_column(two_column):
    text = two_column.text
    first_page = text[: two_column.pages[1][0]]
    last_alpha = first_page.rindex("Alpha line")
    first_omega = first_page.index("Omega line")
    assert last_alpha < first_omega
    assert first_page.index("An invented study") < first_page.index("full-width opening") < first_page.index("Alpha")


def test_sentence_running_over_the_column_end_continues(two_column):
    cleaned = clean_text(two_column.text).text
    assert "kept spreading across the wide gutter without any pause" in cleaned
    assert "The metastasis was slow" in cleaned


def test_running_header_footer_and_sideways_text_are_dropped(two_column):
    assert "Journal of Invented Results" not in two_column.text
    assert not re.search(r"Page \d of \d", two_column.text)
    assert "invented-journal" not in two_column.text
    assert "lanruoj" not in two_column.text


def test_page_map_and_title(two_column):
    assert [number for _, number in two_column.pages] == [1, 2]
    assert two_column.page_at(two_column.text.rindex("Omega")) == 2
    assert two_column.title == "An invented study of fish tumours"


def test_not_a_pdf_is_rejected(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"this is plain text pretending to be a PDF\n")
    with pytest.raises(IngestError, match="not a PDF"):
        load_document(path)


def test_truncated_pdf_is_rejected(tmp_path):
    full = _two_column_pdf(tmp_path / "full.pdf", pages=1).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(full[: len(full) // 3])
    with pytest.raises(IngestError):
        load_document(path)


def test_pdf_without_text_layer_is_rejected(tmp_path):
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(100, 100, 300, 400, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(IngestError, match="no text layer"):
        load_document(path)


def test_encrypted_pdf_is_rejected(tmp_path):
    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, encrypt="secret")
    c.drawString(100, 700, "An invented locked sentence.")
    c.showPage()
    c.save()
    with pytest.raises(IngestError, match="encrypted"):
        load_document(path)


# --- the real journal PDFs --------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_docs():
    return {path.stem.split("_")[0]: load_document(path) for path in sorted(PDFS.glob("*.pdf"))}


def test_all_real_pdfs_read_with_monotonic_page_maps(real_docs):
    assert len(real_docs) == 5
    for doc in real_docs.values():
        starts = [start for start, _ in doc.pages]
        assert starts == sorted(starts)
        assert [n for _, n in doc.pages] == list(range(1, len(doc.pages) + 1))
        assert doc.title


def test_bmc_words_are_spaced(real_docs):
    text = real_docs["bmccancer"].text
    runs = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) >= 25]
    assert runs == []
    assert len(text.split()) > 5000


def test_clinsci_sidebar_and_per_page_licence_are_gone(real_docs):
    text = real_docs["clinsci"].text
    assert "icsnilc" not in text
    assert "ecneicS" not in text
    assert "has paid for this article" not in text


def _hyphen_continuation_rate(text: str) -> float:
    """Share of lines ending in a word split by a hyphen whose next line goes on in lowercase.

    In correct reading order a word broken at a line end continues on the next line; when two
    columns are interleaved the next line is an unrelated line of the other column.
    """
    lines = [ln for ln in text.split("\n") if ln.strip()]
    pairs = [(a, b) for a, b in zip(lines, lines[1:], strict=False) if re.search(r"[a-z]{2}-$", a)]
    good = sum(1 for _, b in pairs if b[:1].islower())
    return good / max(len(pairs), 1)


@pytest.mark.parametrize("name", ["clinsci", "bmccancer", "natcommun", "springerplus", "gastroenterolres"])
def test_two_column_order_is_sane(real_docs, name):
    assert _hyphen_continuation_rate(real_docs[name].text) >= 0.9
