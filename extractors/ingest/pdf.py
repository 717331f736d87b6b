"""PDF reader: pypdfium2 text in reading order, without page furniture.

pypdfium2 gives correctly spaced words fast (pdfplumber's default tolerance runs words together
in BMC and Nature PDFs and is ~40x slower), so the text comes from pdfium's characters and their
boxes. Per page:

1. characters are read with their box, angle and font size; characters at another angle than
   most of the page (vertical sidebars such as a journal's name up the margin) are dropped; a
   page whose text is mostly rotated (a landscape table) is read in its own orientation. For
   speed the characters are held in NumPy arrays, pdfium is asked one box per visible character,
   and angles come from the text objects' matrices unless the page's objects point different
   ways (then from each character);
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
from itertools import repeat
from pathlib import Path
from statistics import median

import numpy as np
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
class _Line:
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0  # larger is higher on the page (PDF coordinates)
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    heading: bool = False
    par_break: bool = False  # a blank line goes before this line


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_Line] = field(default_factory=list)


@dataclass
class _Chars:
    """A page's kept characters in pdfium's order: ``text`` has one character per position.

    ``newline`` marks pdfium's line breaks; the other arrays describe the visible (non-blank)
    characters only, at stream positions ``pos``, upright (rotated text turned back).
    """

    text: str
    newline: np.ndarray  # stream positions of line breaks
    pos: np.ndarray
    index: np.ndarray  # pdfium's character index
    x0: np.ndarray
    x1: np.ndarray
    y0: np.ndarray
    y1: np.ndarray
    size: np.ndarray


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
    chars = _page_chars(textpage, page)
    lines = _group_lines(chars, _address(textpage.raw)) if chars is not None else []
    result = _Page(number=index + 1, height=height, lines=_reading_order(lines, width))
    _mark_paragraphs(result.lines)
    textpage.close()
    page.close()
    return result


# pdfium's per-character calls dominate the cost of a page. Called with plain addresses through
# ``map`` they cost about half as much as through pypdfium2's typed wrappers in a Python loop.
_INT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
_loose_box = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)(
    ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value)
_char_angle = ctypes.CFUNCTYPE(ctypes.c_float, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetCharAngle, ctypes.c_void_p).value)
_is_generated = _INT_FN(ctypes.cast(pdfium_c.FPDFText_IsGenerated, ctypes.c_void_p).value)
_font_weight = _INT_FN(ctypes.cast(pdfium_c.FPDFText_GetFontWeight, ctypes.c_void_p).value)
_unicode = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetUnicode, ctypes.c_void_p).value)
_page_object = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFPage_GetObject, ctypes.c_void_p).value)
_form_object = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong)(
    ctypes.cast(pdfium_c.FPDFFormObj_GetObject, ctypes.c_void_p).value)
_object_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)(
    ctypes.cast(pdfium_c.FPDFPageObj_GetType, ctypes.c_void_p).value)
_form_count = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)(
    ctypes.cast(pdfium_c.FPDFFormObj_CountObjects, ctypes.c_void_p).value)
_matrix = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(
    ctypes.cast(pdfium_c.FPDFPageObj_GetMatrix, ctypes.c_void_p).value)

#: str.isspace() over the Basic Multilingual Plane (no code point above it is blank).
_BLANK = np.array([chr(cp).isspace() for cp in range(0x10000)], dtype=bool)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_LIGATURE_RE = re.compile("[" + "".join(map(chr, _LIGATURES)) + "]")
_SPACES_RE = re.compile(r"[ \t]{2,}")
#: A text object whose angle lies this close (in quarter turns) to halfway between two
#: quadrants has its characters' angles read one by one (pdfium rounds in single precision).
_QUADRANT_MARGIN = 1e-3


def _quadrant(angle: float) -> int:
    return round(angle / (math.pi / 2)) % 4 if angle >= 0 else 0


def _address(handle) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value


def _object_quadrants(page) -> set[int] | None:
    """The quadrants of the page's text objects (inside forms too), or None when unsure.

    pdfium gives each character the angle of its text object's matrix times the matrices of the
    forms around it, so when all text objects share a quadrant, all characters do.
    """
    texts: list[tuple[int, tuple[float, float, float, float]]] = []  # object, matrix of its forms
    stack = [(_address(page.raw), pdfium_c.FPDFPage_CountObjects(page.raw), _page_object, (1.0, 0.0, 0.0, 1.0))]
    while stack:
        holder, count, get, outer = stack.pop()
        objects = list(map(get, repeat(holder, count), range(count)))
        for obj, kind in zip(objects, map(_object_type, objects), strict=True):
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                texts.append((obj, outer))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                m = _object_matrix(obj)
                if m is None:
                    return None
                fa, fb, fc, fd = outer
                stack.append((obj, _form_count(obj), _form_object,
                              (m[0] * fa + m[1] * fc, m[0] * fb + m[1] * fd, m[2] * fa + m[3] * fc, m[2] * fb + m[3] * fd)))
    if not texts:
        return set()
    buffer = (ctypes.c_float * (6 * len(texts)))()
    base = ctypes.addressof(buffer)
    if not all(map(_matrix, [obj for obj, _ in texts], range(base, base + 24 * len(texts), 24))):
        return None
    own = np.frombuffer(buffer, dtype=np.float32).reshape(-1, 6).astype(np.float64)
    outer = np.array([f for _, f in texts])
    a = own[:, 0] * outer[:, 0] + own[:, 1] * outer[:, 2]
    c = own[:, 2] * outer[:, 0] + own[:, 3] * outer[:, 2]
    quarters = np.arctan2(c, a) % (2 * math.pi) / (math.pi / 2)  # as FPDFText_GetCharAngle
    if (np.abs(quarters - np.floor(quarters) - 0.5) < _QUADRANT_MARGIN).any():
        return None
    return set((np.round(quarters).astype(int) % 4).tolist())


def _object_matrix(obj: int) -> tuple[float, ...] | None:
    m = (ctypes.c_float * 6)()
    return tuple(m) if _matrix(obj, ctypes.addressof(m)) else None


def _page_chars(textpage, page) -> _Chars | None:
    """The page's characters in the page's dominant orientation, rotated upright.

    Characters at another angle are dropped: on a portrait page they are margin furniture
    (e.g. a journal name printed up the side), never body text.
    """
    raw = _address(textpage.raw)
    n = textpage.count_chars()
    text = textpage.get_text_range()
    if len(text) != n:  # pdfium leaves control characters out of its text: take code points
        codes = np.fromiter(map(_unicode, repeat(raw, n), range(n)), dtype="<u4", count=n)
        codes[codes == 0] = 32
        text = codes.tobytes().decode("utf-32-le", "surrogatepass")
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    blank = np.zeros(n, dtype=bool)
    bmp = codes < 0x10000
    blank[bmp] = _BLANK[codes[bmp]]
    newline = (codes == 10) | (codes == 13)
    visible = np.flatnonzero(~blank)
    if visible.size == 0:
        return None
    kept = None
    quadrants = _object_quadrants(page)
    if quadrants is not None and len(quadrants) == 1:
        main = quadrants.pop()
    else:
        # Mixed orientations: each character's own angle decides. pdfium's generated spaces
        # and line breaks are always kept.
        quadrant = np.full(n, -1, dtype=np.int8)
        others = np.flatnonzero(~newline)
        quadrant[others] = [_quadrant(a) for a in map(_char_angle, repeat(raw, others.size), others.tolist())]
        spaces = np.flatnonzero(blank & ~newline)
        generated = spaces[np.array(list(map(_is_generated, repeat(raw, spaces.size), spaces.tolist())), dtype=int) == 1]
        if generated.size:
            quadrant[generated] = -1
            chars = list(text)
            for i in generated.tolist():
                chars[i] = " "
            text = "".join(chars)
        main = Counter(quadrant[visible].tolist()).most_common(1)[0][0]
        kept = (quadrant == -1) | (quadrant == main)
        visible = visible[kept[visible]]
    k = visible.size
    buffer = (ctypes.c_float * (4 * k))()
    base = ctypes.addressof(buffer)
    # Loose boxes span the font's ascent to descent, so their height is the type size even when
    # pdfium reports a font size of 1 (the scale sits in the text matrix) and tight glyph boxes
    # differ between "x" and "l".
    list(map(_loose_box, repeat(raw, k), visible.tolist(), range(base, base + 16 * k, 16)))
    box = np.frombuffer(buffer, dtype=np.float32).reshape(k, 4).astype(np.float64)  # left, top, right, bottom
    x0, x1 = np.minimum(box[:, 0], box[:, 2]), np.maximum(box[:, 0], box[:, 2])
    y0, y1 = np.minimum(box[:, 3], box[:, 1]), np.maximum(box[:, 3], box[:, 1])
    size = (y1 - y0) if main in (0, 2) else (x1 - x0)
    # pdfium's angle turns clockwise: quadrant 3 reads bottom to top, quadrant 1 top to bottom.
    if main == 3:
        x0, x1, y0, y1 = y0, y1, -x1, -x0
    elif main == 2:
        x0, x1, y0, y1 = -x1, -x0, -y1, -y0
    elif main == 1:
        x0, x1, y0, y1 = -y1, -y0, x0, x1
    pos = visible
    if kept is not None and not kept.all():
        pos = (np.cumsum(kept) - 1)[visible]  # positions among the kept characters
        newline = newline[kept]
        text = "".join([ch for ch, keep in zip(text, kept.tolist(), strict=True) if keep])
    return _Chars(text=text, newline=np.flatnonzero(newline), pos=pos, index=visible, x0=x0, x1=x1, y0=y0, y1=y1,
                  size=size)


def _group_lines(chars: _Chars, raw_tp: int) -> list[_Line]:
    """Split pdfium's character stream into lines by position.

    A line ends at pdfium's own line break, when the next character does not overlap the line
    vertically (superscripts do overlap, so they stay), when it jumps back to the left, or at a
    horizontal gap wider than :data:`SPLIT_GAP` type sizes: pdfium joins two columns' lines that
    share a baseline, and the gutter is such a gap. Blanks and characters without a box go with
    the line they fall in and never start one. A line is bold when its first, middle and last
    characters are.
    """
    x0, x1, y0, y1, size = chars.x0, chars.x1, chars.y0, chars.y1, chars.size
    boxed = np.flatnonzero(~((x1 == 0) & (x0 == 0) & (size == 0)))
    if boxed.size == 0:
        return []
    bpos = chars.pos[boxed]
    bx0, bx1, by0, by1, bsize = x0[boxed], x1[boxed], y0[boxed], y1[boxed], size[boxed]
    start = np.ones(boxed.size, dtype=bool)
    same_box = np.zeros(boxed.size, dtype=bool)
    if boxed.size > 1:
        segment = np.searchsorted(chars.newline, bpos)  # pdfium line breaks before each character
        em = np.maximum(np.maximum(bsize[1:], bsize[:-1]), 4.0)
        start[1:] = ((segment[1:] != segment[:-1]) | (bx0[1:] < bx0[:-1] - 2 * em)
                     | (bx0[1:] - bx1[:-1] > SPLIT_GAP * em))
        same_box[1:] = (by0[1:] == by0[:-1]) & (by1[1:] == by1[:-1]) & (bsize[1:] == bsize[:-1])
    # A character with the same box as the one before it in the same line neither breaks the
    # line nor widens it beyond that box, so only the first of such a run is checked (boxes under
    # half a point tall are checked one by one).
    follows = same_box & ~start & (by1 - by0 >= 0.5)
    heads = np.flatnonzero(~follows)
    run_ends = np.append(heads[1:], boxed.size).tolist()
    y0l, y1l, sizel, startl = by0.tolist(), by1.tolist(), bsize.tolist(), start.tolist()
    line_heads = []
    low = high = 0.0
    for k, run_end in zip(heads.tolist(), run_ends, strict=True):
        c0, c1 = y0l[k], y1l[k]
        if startl[k]:
            line_heads.append(k)
            low, high = c0, c1
        else:
            overlap = min(high, c1) - max(low, c0)
            smaller = max(min(high - low, c1 - c0), 0.5)
            if overlap < 0.4 * smaller:
                line_heads.append(k)
                low, high = c0, c1
            elif sizel[k] >= 0.8 * sizel[k - 1]:
                low, high = min(low, c0), max(high, c1)
        if run_end - k > 1:
            low, high = min(low, c0), max(high, c1)
    starts = bpos[line_heads]
    ends = np.minimum(np.append(starts[1:], len(chars.text)),
                      np.append(chars.newline, len(chars.text))[np.searchsorted(chars.newline, starts)])
    first = np.searchsorted(chars.pos, starts)
    last = np.searchsorted(chars.pos, ends)  # each line's visible characters: [first, last)
    # Per-line extremes and median type size (as statistics.median: the mean of the two middle
    # values of an even count), over the visible characters of each line.
    bounds = np.column_stack((first, last)).ravel()
    line_x0, line_x1, line_top, line_bottom = (
        ufunc.reduceat(np.append(values, 0.0), bounds)[::2]
        for ufunc, values in ((np.minimum, x0), (np.maximum, x1), (np.maximum, y1), (np.minimum, y0)))
    count = last - first
    offset = np.cumsum(count) - count
    owner = np.repeat(np.arange(first.size), count)
    member = size[np.arange(count.sum()) + np.repeat(first - offset, count)]
    sizes = member[np.lexsort((member, owner))]
    line_size = (sizes[offset + (count - 1) // 2] + sizes[offset + count // 2]) / 2
    index = chars.index
    middle = index[first + count // 2].tolist()
    text = chars.text
    surrogates = _SURROGATE_RE.search(text) is not None
    ligatures = _LIGATURE_RE.search(text) is not None
    lines = []
    for s, e, i0, i1, i2 in zip(starts.tolist(), ends.tolist(), index[first].tolist(), middle,
                                index[last - 1].tolist(), strict=True):
        line = text[s:e]
        if surrogates and _SURROGATE_RE.search(line):  # pdfium hands out UTF-16 halves
            line = line.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if ligatures and _LIGATURE_RE.search(line):
            line = line.translate(_LIGATURES)
        line = line.strip()
        if "  " in line or "\t" in line:
            line = _SPACES_RE.sub(" ", line)
        lines.append(_Line(text=line, bold=_font_weight(raw_tp, i0) >= 600 and _font_weight(raw_tp, i1) >= 600
                           and _font_weight(raw_tp, i2) >= 600))
    for line, v0, v1, top, bottom, sz in zip(lines, line_x0.tolist(), line_x1.tolist(), line_top.tolist(),
                                             line_bottom.tolist(), line_size.tolist(), strict=True):
        line.x0, line.x1, line.top, line.bottom, line.size = v0, v1, top, bottom, sz
    return lines


def _gutter(lines: list[_Line], width: float) -> float | None:
    """The x of the gap between two columns, or None for a one-column page.

    The gutter is the x in the middle third of the page crossed by the fewest lines; the page
    has two columns when at most half of its lines cross it (a first page with a long
    full-width abstract still has two columns below it) and enough lines sit wholly on each side.
    """
    if len(lines) < 6:
        return None
    lo, hi = int(width * 0.3), int(width * 0.7)
    xs = np.arange(lo, hi + 1, 2)
    if xs.size == 0:
        return None
    x0 = np.array([ln.x0 for ln in lines])
    x1 = np.array([ln.x1 for ln in lines])
    crossing = ((x0[None, :] < xs[:, None]) & (xs[:, None] < x1[None, :])).sum(axis=1)
    best = int(np.argmin(crossing))
    best_x, best_count = int(xs[best]), int(crossing[best])
    # Centre the gutter in the run of equally empty x positions.
    run = [x for x in xs[crossing == best_count].tolist() if abs(x - best_x) <= 40]
    gutter = (min(run) + max(run)) / 2
    left = int((x1 <= gutter).sum())
    right = int((x0 >= gutter).sum())
    if best_count > 0.5 * len(lines) or left < 4 or right < 4:
        return None
    return gutter


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


_DIGITS_RE = re.compile(r"\d+")
_BLANKS_RE = re.compile(r"\s+")


def _furniture_key(text: str) -> str:
    return _BLANKS_RE.sub(" ", _DIGITS_RE.sub("#", text.lower())).strip()


def _drop_furniture(pages: list[_Page]) -> None:
    """Drop running headers/footers, page numbers and per-page boilerplate (module docstring)."""
    in_margin: Counter = Counter()
    anywhere: Counter = Counter()
    keys = {id(line): _furniture_key(line.text) for page in pages for line in page.lines}
    for page in pages:
        margin_keys, all_keys = set(), set()
        for line in page.lines:
            key = keys[id(line)]
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
            key = keys[id(line)]
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
