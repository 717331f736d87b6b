"""PDF reader: pypdfium2 text in reading order, without page furniture.

pypdfium2 gives correctly spaced words fast (pdfplumber's default tolerance runs words together
in BMC and Nature PDFs and is ~40x slower), so the text comes from pdfium's characters and their
boxes. Per page:

1. characters are read with their box, angle and font size; characters at another angle than
   most of the page (vertical sidebars such as a journal's name up the margin) are dropped; a
   page whose text is mostly rotated (a landscape table) is read in its own orientation;
2. characters are grouped into lines by position;
3. a two-column page is found from the gutter: an x band near the middle that (almost) no line
   crosses. Lines crossing it are full-width (title, abstract, wide tables) and stay in place;
   between two full-width blocks all of the left column is read before the right column;
4. blank lines separate paragraphs (a vertical gap larger than the usual line pitch) and
   headings (bold or larger type, short).

Across pages, running headers and footers are dropped: lines in the top or bottom margin that
repeat on many pages once digits are masked ("Page 4 of 15", "Yu et al. BMC Cancer (2016)
16:642"), bare page numbers, and long lines (licence boilerplate) repeated on most pages.

Passages (title, headings, paragraphs, captions, references) come from the layout of the
assembled text (``ingest.passages``); the lines the table finder boxed are ``table`` passages.
The DOI comes from the PDF's metadata or, failing that, its first page.

Line-end hyphens are kept as they are in the text (pdfium marks them U+FFFE; they are written as
"-"), so :func:`extractors.clean.clean_text` can join them the same way for every format.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors.ingest import IngestError, doc_id_for, sha256_bytes
from extractors.ingest.passages import mark_spans
from extractors.ingest.text import layout_passages
from extractors.schema import Document

#: Share of the page height at the top and bottom where running headers and footers live.
MARGIN_SHARE = 0.1
#: A margin line repeated (digits masked) on at least this share of pages is furniture.
REPEAT_SHARE = 0.3
#: A long line anywhere on the page repeated on at least this share of pages is boilerplate
#: (e.g. a licence statement printed on every page).
BOILERPLATE_SHARE = 0.5
BOILERPLATE_MIN_CHARS = 30
#: A vertical gap of this many typical line pitches between two lines starts a new paragraph.
PARAGRAPH_GAP = 1.5
#: A horizontal gap of this many type sizes inside a line splits it (column gutter, table cells).
SPLIT_GAP = 1.5
#: Type this much larger than the page's body size marks a heading.
HEADING_SIZE_RATIO = 1.12

_PAGE_NO_RE = re.compile(r"^(page\s*)?\d+(\s*(of|/)\s*\d+)?$", re.IGNORECASE)
#: A line opening with "Table N" as a caption, not a sentence about a table ("Table 3 and ...").
_TABLE_CAPTION_RE = re.compile(r"^[ \t]*(Table|TABLE)\s+(\d+|[IVX]+)\b(?![)\],;])(?!\s+[a-z])", re.MULTILINE)
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufffe": "-", "\x02": "-", "\u00a0": " "})
_FPDF_ERR_PASSWORD = 4


@dataclass
class _Char:
    ch: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float
    index: int


@dataclass
class _Line:
    chars: list[_Char]
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0  # larger is higher on the page (PDF coordinates)
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    heading: bool = False
    par_break: bool = False  # a blank line goes before this line

    def finish(self) -> _Line:
        visible = [c for c in self.chars if not c.ch.isspace()]
        text = "".join(c.ch for c in self.chars)
        if any("\ud800" <= ch <= "\udfff" for ch in text):  # pdfium hands out UTF-16 halves
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        self.text = text.translate(_LIGATURES).strip()
        self.text = re.sub(r"[ \t]{2,}", " ", self.text)
        self.x0 = min(c.x0 for c in visible)
        self.x1 = max(c.x1 for c in visible)
        self.top = max(c.y1 for c in visible)
        self.bottom = min(c.y0 for c in visible)
        self.size = median(c.size for c in visible)
        return self


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_Line] = field(default_factory=list)


def read_pdf(path: Path, data: bytes) -> Document:
    """Read a PDF into a Document (module docstring); IngestError for input it cannot read."""
    path = Path(path)
    pdf = _open(data)
    try:
        pages = [_read_page(pdf, i) for i in range(len(pdf))]
        if not any(p.lines for p in pages):
            raise IngestError("PDF has no text layer (scanned?); OCR is not supported")
        _drop_furniture(pages)
        title = _title(pdf, pages)
        metadata = pdf.get_metadata_dict()
    finally:
        pdf.close()
    text, page_starts, line_spans = _assemble(pages)
    first_page = text[:page_starts[1][0]] if len(page_starts) > 1 else text
    doc = Document(
        doc_id=doc_id_for(path), path=str(path), format="pdf", text=text, sha256=sha256_bytes(data),
        title=title, pages=page_starts, doi=find_doi(" ".join(str(v) for v in metadata.values()))
        or find_doi(first_page),
    )
    table_pages = _pages_with_tables(text, page_starts)
    if table_pages:
        from extractors.pdf_tables import find_pdf_tables_with_boxes

        for table, bbox in find_pdf_tables_with_boxes(data, table_pages):
            doc.tables.append(table)
            doc.skip_spans.extend(_spans_in_box(line_spans, table.page, bbox))
        doc.skip_spans.sort()
    doc.passages = mark_spans(layout_passages(text), doc.skip_spans, "table", text)
    return doc


#: A DOI as printed: "doi:10.1186/…", "DOI 10.…", "https://doi.org/10.…" (the prefix is required,
#: so a reference list's bare DOIs on the first page are not taken for the article's own).
_DOI_RE = re.compile(r"(?i)(?:\bdoi\s*:?\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)")


def find_doi(text: str) -> str:
    """The first DOI printed with a "doi"/doi.org prefix in ``text``, as a bare "10.…", or ""."""
    m = _DOI_RE.search(text or "")
    return m.group(1).rstrip(".,;:)]") if m else ""


def _open(data: bytes) -> pdfium.PdfDocument:
    if b"%PDF" not in data[:1024]:
        raise IngestError("not a PDF: no %PDF header")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if pdfium_c.FPDF_GetLastError() == _FPDF_ERR_PASSWORD or "password" in str(exc).lower():
            raise IngestError("PDF is encrypted (password required); cannot read it") from exc
        raise IngestError(f"damaged or truncated PDF: {exc}") from exc
    if len(pdf) == 0:
        pdf.close()
        raise IngestError("damaged or truncated PDF: no pages")
    return pdf


def _read_page(pdf: pdfium.PdfDocument, index: int) -> _Page:
    try:
        page = pdf[index]
        textpage = page.get_textpage()
    except pdfium.PdfiumError as exc:
        raise IngestError(f"damaged PDF: cannot read page {index + 1}: {exc}") from exc
    width, height = page.get_size()
    chars, raw_tp = _page_chars(textpage)
    lines = [line.finish() for line in _group_lines(chars) if any(not c.ch.isspace() for c in line.chars)]
    _mark_bold(lines, raw_tp)
    result = _Page(number=index + 1, height=height, lines=_reading_order(lines, width))
    _mark_paragraphs(result.lines)
    textpage.close()
    page.close()
    return result


def _page_chars(textpage) -> tuple[list[_Char], object]:
    """The page's characters in the page's dominant orientation, rotated upright.

    Characters at another angle are dropped: on a portrait page they are margin furniture
    (e.g. a journal name printed up the side), never body text.
    """
    raw = textpage.raw
    n = textpage.count_chars()
    text = textpage.get_text_range()
    if len(text) != n:  # surrogate pairs: fall back to per-character code points
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 32) for i in range(n))
    # Loose boxes span the font's ascent to descent, so their height is the type size even when
    # pdfium reports a font size of 1 (the scale sits in the text matrix) and tight glyph boxes
    # differ between "x" and "l".
    rect = pdfium_c.FS_RECTF()
    ref = ctypes.byref(rect)
    found: list[tuple[int, _Char]] = []
    quadrants: Counter = Counter()
    for i in range(n):
        ch = text[i]
        if ch in "\r\n":
            found.append((-1, _Char("\n", 0, 0, 0, 0, 0, i)))
            continue
        if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            found.append((-1, _Char(" ", 0, 0, 0, 0, 0, i)))
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, ref)
        angle = pdfium_c.FPDFText_GetCharAngle(raw, i)
        quadrant = round(angle / (math.pi / 2)) % 4 if angle >= 0 else 0
        x0, x1 = sorted((rect.left, rect.right))
        y0, y1 = sorted((rect.bottom, rect.top))
        size = (y1 - y0) if quadrant in (0, 2) else (x1 - x0)
        found.append((quadrant, _Char(ch, x0, x1, y0, y1, size, i)))
        if not ch.isspace():
            quadrants[quadrant] += 1
    if not quadrants:
        return [], raw
    main = quadrants.most_common(1)[0][0]
    chars = []
    for quadrant, c in found:
        if quadrant == -1:
            chars.append(c)
        elif quadrant == main:
            chars.append(_derotate(c, main) if main else c)
    return chars, raw


def _derotate(c: _Char, quadrant: int) -> _Char:
    """Turn a character box of text running at ``quadrant`` * 90° into upright coordinates."""
    x0, x1, y0, y1 = c.x0, c.x1, c.y0, c.y1
    # pdfium's angle turns clockwise: quadrant 3 reads bottom to top, quadrant 1 top to bottom.
    if quadrant == 3:
        x0, x1, y0, y1 = y0, y1, -x1, -x0
    elif quadrant == 2:
        x0, x1, y0, y1 = -x1, -x0, -y1, -y0
    else:
        x0, x1, y0, y1 = -y1, -y0, x0, x1
    return _Char(c.ch, x0, x1, y0, y1, c.size, c.index)


def _group_lines(chars: list[_Char]) -> list[_Line]:
    """Split pdfium's character stream into lines by position.

    A line ends at pdfium's own line break, when the next character does not overlap the line
    vertically (superscripts do overlap, so they stay), when it jumps back to the left, or at a
    horizontal gap wider than :data:`SPLIT_GAP` type sizes: pdfium joins two columns' lines that
    share a baseline, and the gutter is such a gap.
    """
    lines: list[_Line] = []
    current: list[_Char] = []
    last = None
    low = high = 0.0
    for c in chars:
        if c.ch == "\n":
            if current:
                lines.append(_Line(current))
            current, last = [], None
            continue
        if c.x1 == c.x0 == 0 and c.size == 0:  # generated space
            if current:
                current.append(c)
            continue
        if c.ch.isspace():
            if current:
                current.append(c)
            continue
        if last is not None:
            overlap = min(high, c.y1) - max(low, c.y0)
            smaller = max(min(high - low, c.y1 - c.y0), 0.5)
            em = max(c.size, last.size, 4.0)
            if overlap < 0.4 * smaller or c.x0 < last.x0 - 2 * em or c.x0 - last.x1 > SPLIT_GAP * em:
                lines.append(_Line(current))
                current, last = [], None
        if last is None:
            low, high = c.y0, c.y1
        elif c.size >= 0.8 * last.size:
            low, high = min(low, c.y0), max(high, c.y1)
        current.append(c)
        last = c
    if current:
        lines.append(_Line(current))
    return lines


def _mark_bold(lines: list[_Line], raw_tp) -> None:
    for line in lines:
        visible = [c for c in line.chars if not c.ch.isspace() and c.index >= 0]
        ends = (visible[0], visible[len(visible) // 2], visible[-1])
        line.bold = all(pdfium_c.FPDFText_GetFontWeight(raw_tp, c.index) >= 600 for c in ends)


def _gutter(lines: list[_Line], width: float) -> float | None:
    """The x of the gap between two columns, or None for a one-column page.

    The gutter is the x in the middle third of the page crossed by the fewest lines; the page
    has two columns when at most half of its lines cross it (a first page with a long
    full-width abstract still has two columns below it) and enough lines sit wholly on each side.
    """
    if len(lines) < 6:
        return None
    lo, hi = int(width * 0.3), int(width * 0.7)
    best_x, best_count = None, len(lines) + 1
    for x in range(lo, hi + 1, 2):
        count = sum(1 for line in lines if line.x0 < x < line.x1)
        if count < best_count:
            best_x, best_count = x, count
    if best_x is None:
        return None
    # Centre the gutter in the run of equally empty x positions.
    xs = [x for x in range(lo, hi + 1, 2) if sum(1 for ln in lines if ln.x0 < x < ln.x1) == best_count]
    run = [x for x in xs if abs(x - best_x) <= 40]
    best_x = (min(run) + max(run)) / 2
    left = sum(1 for line in lines if line.x1 <= best_x)
    right = sum(1 for line in lines if line.x0 >= best_x)
    if best_count > 0.5 * len(lines) or left < 4 or right < 4:
        return None
    return best_x


def _reading_order(lines: list[_Line], width: float) -> list[_Line]:
    """Order lines for reading: full-width blocks in place, each column band left then right."""
    lines.sort(key=lambda ln: (-round(ln.top), ln.x0))
    gutter = _gutter(lines, width)
    if gutter is None:
        return lines
    ordered: list[_Line] = []
    left: list[_Line] = []
    right: list[_Line] = []
    for line in lines:
        if line.x0 < gutter < line.x1:
            ordered.extend(left + right)
            left, right = [], []
            ordered.append(line)
        elif line.x1 <= gutter:
            left.append(line)
        else:
            right.append(line)
    ordered.extend(left + right)
    return ordered


def _mark_paragraphs(lines: list[_Line]) -> None:
    """Set paragraph breaks from vertical gaps and type changes, and mark headings."""
    if not lines:
        return
    body_size = Counter(round(ln.size, 1) for ln in lines).most_common(1)[0][0]
    pitches = [a.bottom - b.bottom for a, b in zip(lines, lines[1:], strict=False) if 0 < a.bottom - b.bottom < 3 * body_size]
    pitch = median(pitches) if pitches else body_size * 1.2
    for prev, line in zip([None, *lines[:-1]], lines, strict=True):
        big = line.size >= body_size * HEADING_SIZE_RATIO
        line.heading = len(line.text) <= 120 and (line.bold or big) and line.text[-1:] not in ".,;"
        if prev is None:
            continue
        gap = prev.bottom - line.bottom
        if line.heading != prev.heading or gap > PARAGRAPH_GAP * pitch:
            line.par_break = True
        elif gap < -pitch:
            # The next column: a paragraph goes on unless the last one ended a sentence.
            line.par_break = _ends_sentence(prev.text)


def _ends_sentence(text: str) -> bool:
    return not text or text.rstrip()[-1:] in ".!?:)]" or text.isupper()


def _furniture_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _drop_furniture(pages: list[_Page]) -> None:
    """Drop running headers/footers, page numbers and per-page boilerplate (module docstring)."""
    in_margin: Counter = Counter()
    anywhere: Counter = Counter()
    for page in pages:
        margin_keys, all_keys = set(), set()
        for line in page.lines:
            key = _furniture_key(line.text)
            all_keys.add(key)
            if _in_margin(line, page):
                margin_keys.add(key)
        in_margin.update(margin_keys)
        anywhere.update(all_keys)
    n = len(pages)
    min_margin = max(2, math.ceil(REPEAT_SHARE * n))
    min_anywhere = max(3, math.ceil(BOILERPLATE_SHARE * n))
    for page in pages:
        kept = []
        for line in page.lines:
            key = _furniture_key(line.text)
            margin = _in_margin(line, page)
            if margin and (in_margin[key] >= min_margin or _PAGE_NO_RE.match(line.text.strip())):
                continue
            if len(key) >= BOILERPLATE_MIN_CHARS and anywhere[key] >= min_anywhere:
                continue
            kept.append(line)
        if kept and page.lines and kept[0] is not page.lines[0]:
            kept[0].par_break = True
        page.lines = kept


def _in_margin(line: _Line, page: _Page) -> bool:
    band = MARGIN_SHARE * page.height
    return line.bottom >= page.height - band or line.top <= band


def _assemble(pages: list[_Page]) -> tuple[str, list[tuple[int, int]], list[tuple[int, _Line, int, int]]]:
    """Join pages into the document text; also return (page, line, start, end) for every line."""
    parts: list[str] = []
    pos = 0
    starts: list[tuple[int, int]] = []
    spans: list[tuple[int, _Line, int, int]] = []
    last_text = ""
    for page in pages:
        if parts:
            # A sentence running over the page end must stay one paragraph.
            sep = "\n\n" if _ends_sentence(last_text) else "\n"
            parts.append(sep)
            pos += len(sep)
        starts.append((pos, page.number))
        for i, line in enumerate(page.lines):
            if i:
                sep = "\n\n" if line.par_break or line.heading or page.lines[i - 1].heading else "\n"
                parts.append(sep)
                pos += len(sep)
            parts.append(line.text)
            spans.append((page.number, line, pos, pos + len(line.text)))
            pos += len(line.text)
            last_text = line.text
    return "".join(parts), starts, spans


def _title(pdf: pdfium.PdfDocument, pages: list[_Page]) -> str:
    """The metadata title when it looks like one, else the largest type on the first page.

    Only lines in the upper part of the first page with a few words count, so a big journal
    logo letter or a copyright line in large type is not taken for the title.
    """
    meta = (pdf.get_metadata_dict().get("Title") or "").strip()
    if len(meta.split()) >= 3 and not re.search(r"\.(docx?|pdf|tex|indd|dvi)$|^untitled|^microsoft", meta, re.I):
        return meta
    page = pages[0] if pages else None
    if page is None:
        return ""
    lines = [ln for ln in page.lines if ln.top > page.height * 0.4 and len(ln.text.split()) >= 3
             and "©" not in ln.text]
    if not lines:
        return ""
    biggest = max(ln.size for ln in lines)
    picked = []
    for line in lines:
        if line.size >= biggest - 0.5:
            picked.append(line.text)
        elif picked:
            break
    return " ".join(picked)[:300]


def _pages_with_tables(text: str, page_starts: list[tuple[int, int]]) -> list[int]:
    """1-based numbers of the pages whose text has a line starting with a table caption."""
    pages = set()
    for m in _TABLE_CAPTION_RE.finditer(text):
        # The caption's own first letter decides the page (the match may start at a blank).
        number = None
        for start, page in page_starts:
            if start > m.start(1):
                break
            number = page
        if number is not None:
            pages.add(number)
    return sorted(pages)


def _spans_in_box(line_spans, page_no: int | None, bbox) -> list[tuple[int, int]]:
    """Text spans of the lines inside a table's box (pdfplumber top-down coordinates)."""
    if bbox is None or page_no is None:
        return []
    x0, top, x1, bottom, height = bbox
    out = []
    for number, line, start, end in line_spans:
        if number != page_no:
            continue
        line_top = height - line.top
        line_bottom = height - line.bottom
        if line.x0 >= x0 - 2 and line.x1 <= x1 + 2 and line_top >= top - 2 and line_bottom <= bottom + 2:
            if out and out[-1][1] >= start - 2:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
    return out
