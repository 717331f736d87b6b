"""Tables from PDF pages with pdfplumber: ruled, unruled (text-aligned) and rotated.

pdfplumber is slow (~40x pypdfium2), so callers pass only the pages whose text has a
"Table N" caption. On each page:

* ruled grids come from ``find_tables()`` with the line strategy (lines and rectangle sides, so
  thin filled rectangles drawn as rules count); a grid needs 2 columns and 3 rows (figures draw
  small boxes too);
* any other table is looked for below each "Table N" caption that no grid claimed, and read with
  pdfplumber's text-alignment strategy. Under a rule just below the caption (top rule, header
  rule, bottom rule, as most journals print tables) it ends at its bottom rule, however far
  apart its rows are ("pdf-ruled"); otherwise at the first vertical gap wider than
  :data:`REGION_GAP` line heights ("pdf-unruled");
* a caption that finds no table on its page is carried to the top of the next page;
* a page whose characters are mostly not upright (a landscape table printed sideways) is
  turned upright first (a one-page copy with its /Rotate changed) and then read as above, so
  its rows come out in their own orientation.

A merged cell of a ruled grid is repeated into every row and column it covers
(:func:`fill_merged`). A row whose first cell is empty and that fills only a few cells continues the row above (cells
wrapped over lines) and is merged into it; a full row with an empty first cell sits under a
first-column cell spanning several rows, and gets that cell repeated. The first row is the
header.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

from extractors.schema import Table

#: "Table N" opening a line, as a caption: not followed by a lowercase word or a closing bracket,
#: which marks a sentence of the body text that starts with a table reference ("Table 3 and ...").
_CAPTION_RE = re.compile(r"^(Table|TABLE)\s+(\d+|[IVX]+)\b(?![)\],;])(?!\s+[a-z])")
#: Another caption below a table ends its region.
_ANY_CAPTION_RE = re.compile(r"^(Table|TABLE|Figure|FIGURE|Fig\.|Scheme)\s*(\d+|[IVX]+)\b(?![)\],;])(?!\s+[a-z])")
#: A vertical gap wider than this many line heights ends an unruled table region.
REGION_GAP = 2.5
#: A header of at most this many lines sits between a ruled table's top rule and header rule.
HEADER_MAX_LINES = 5
#: Horizontal rule pieces this close (points) are one rule.
RULE_SNAP = 1.5
#: Share of the page height at the top (and bottom) that holds running headers (and footers).
TOP_MARGIN_SHARE = 0.08
#: Share of the page height at the bottom that holds footers (and the rules setting them off).
FOOTER_SHARE = 0.05
#: Grid settings for ruled tables: lines and rectangle sides (thin filled rectangles drawn as
#: rules) both make edges; pieces of one rule a little apart are snapped and joined.
RULED_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
#: A ruled grid needs this many rows (header included): figures draw small boxes too.
MIN_RULED_ROWS = 3
#: Text-alignment settings for unruled tables: columns are found from aligned word edges.
UNRULED_SETTINGS = {
    "vertical_strategy": "text",
    "horizontal_strategy": "text",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "min_words_vertical": 3,
    "min_words_horizontal": 1,
    "text_x_tolerance": 1.5,
}
#: Words closer than this (points) belong to one word for pdfplumber: a smaller value than the
#: default 3 keeps words apart in PDFs with tight spacing (BMC, Nature).
X_TOLERANCE = 1.5

#: (x0, top, x1, bottom, page height) in pdfplumber's top-down coordinates.
BBox = tuple[float, float, float, float, float]


def find_pdf_tables(source: str | Path | bytes, pages: list[int] | None = None) -> list[Table]:
    """Tables on the given 1-based ``pages`` (all pages when None) of a PDF path or bytes."""
    return [table for table, _ in find_pdf_tables_with_boxes(source, pages)]


def find_pdf_tables_with_boxes(
    source: str | Path | bytes, pages: list[int] | None = None
) -> list[tuple[Table, BBox | None]]:
    """Like :func:`find_pdf_tables`, with each table's box on its page (None when rotated).

    A caption that finds no table under it on its page (it sits at the page bottom, or the table
    was moved to the next page) is looked for at the top of the next page.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    out: list[tuple[Table, BBox | None]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        numbers = pages if pages is not None else range(1, len(pdf.pages) + 1)
        for number in numbers:
            if not 1 <= number <= len(pdf.pages):
                continue
            page = pdf.pages[number - 1]
            if _mostly_rotated(page):
                for table, _ in _rotated_tables(data, number):
                    out.append((table, None))
                continue
            found, orphans = _tables_on_page(page, number)
            out.extend(found)
            if orphans and number < len(pdf.pages):
                following = pdf.pages[number]
                if not _mostly_rotated(following):
                    out.extend(_table_at_page_top(following, number + 1, orphans[-1]))
    return out


def _mostly_rotated(page) -> bool:
    chars = [c for c in page.chars if c["text"].strip()]
    return bool(chars) and sum(1 for c in chars if not c["upright"]) > 0.5 * len(chars)


def _rotated_tables(data: bytes, number: int) -> list[tuple[Table, BBox]]:
    """Read a sideways page by turning a one-page copy upright (both ways; keep the upright one)."""
    src = pdfium.PdfDocument(data)
    try:
        base = src[number - 1].get_rotation()
        for turn in (90, 270):
            single = pdfium.PdfDocument.new()
            single.import_pages(src, [number - 1])
            single[0].set_rotation((base + turn) % 360)
            buf = io.BytesIO()
            single.save(buf)
            single.close()
            with pdfplumber.open(io.BytesIO(buf.getvalue())) as pdf:
                page = pdf.pages[0]
                chars = [c for c in page.chars if c["text"].strip()]
                reads_forward = sum(1 for c in chars if c["upright"] and c["matrix"][0] > 0)
                if chars and reads_forward > 0.5 * len(chars):
                    found, _ = _tables_on_page(page, number)
                    for table, _ in found:
                        table.shape = "pdf-rotated"
                    return found
    finally:
        src.close()
    return []


def _tables_on_page(page, number: int) -> tuple[list[tuple[Table, BBox]], list[str]]:
    """The tables on an upright page, and the captions on it that found no table."""
    lines = _text_lines(page)
    captions = [ln for ln in lines if _CAPTION_RE.match(ln["text"])]
    rules = _horizontal_rules(page)
    found: list[tuple[Table, BBox]] = []
    claimed: set[int] = set()
    for ruled in page.find_tables(RULED_SETTINGS):
        rows = _tidy(fill_merged(ruled, ruled.extract(x_tolerance=X_TOLERANCE)))
        # Figures draw boxes too (forest plots, legends): a table has a real grid.
        if len(rows) < MIN_RULED_ROWS or max(len(r) for r in rows) < 2:
            continue
        x0, top, x1, bottom = ruled.bbox
        cap_index = _nearest_caption(captions, top, bottom)
        caption = ""
        if cap_index is not None:
            claimed.add(cap_index)
            caption = _caption_text(lines, captions[cap_index], x0, x1)
        found.append((_table(caption, rows, "pdf-ruled", number), (x0, top, x1, bottom, page.height)))
    orphans: list[str] = []
    for i, cap in enumerate(captions):
        if i in claimed:
            continue
        caption = _caption_text(lines, cap, 0, page.width)
        table = _table_in_region(page, lines, rules, cap, caption, number)
        if table is None:
            orphans.append(caption)
        else:
            found.append(table)
    return found, orphans


def _table_in_region(page, lines, rules, cap: dict, caption: str, number: int) -> tuple[Table, BBox] | None:
    """The table under a caption line (or under a caption carried over from the page before)."""
    found = _caption_region(page, lines, rules, cap)
    if found is None:
        return None
    region, ruled = found
    # The outer edges are given, because the text strategy cuts off the last column's words
    # at the right edge of the aligned ones.
    settings = {**UNRULED_SETTINGS, "explicit_vertical_lines": [region[0] + 0.5, region[2] - 0.5]}
    rows = _tidy(_cells_by_word_centre(page.crop(region), settings))
    if len(rows) < 2 or max(len(r) for r in rows) < 2:
        return None
    shape = "pdf-ruled" if ruled else "pdf-unruled"
    return _table(caption, rows, shape, number), (*region, page.height)


def _table_at_page_top(page, number: int, caption: str) -> list[tuple[Table, BBox]]:
    """A table continued from a caption on the page before: the first block under the header.

    The block is read only when the page does not open with a caption of its own.
    """
    lines = _text_lines(page)
    body = [ln for ln in lines if ln["top"] > TOP_MARGIN_SHARE * page.height]
    if not body or _ANY_CAPTION_RE.match(body[0]["text"]):
        return []
    rules = _horizontal_rules(page)
    top = body[0]["top"] - 1
    above = [r for r in rules if TOP_MARGIN_SHARE * page.height < r[0] < top]
    if above:
        top = above[0][0] - 1
    # A stand-in caption line just above the block: full width when the block is.
    first = [ln for ln in body if ln["top"] < body[0]["bottom"] + 1]
    x0, x1 = min(ln["x0"] for ln in first), max(ln["x1"] for ln in first)
    stand_in = {"text": caption, "x0": x0, "x1": x1, "top": top - 1, "bottom": top}
    table = _table_in_region(page, lines, rules, stand_in, caption, number)
    return [table] if table else []


def _horizontal_rules(page) -> list[tuple[float, float, float]]:
    """Horizontal rules as (top, x0, x1): lines, thin filled rectangles and curve pieces.

    pdfplumber gives every line and rectangle side as an edge; collinear pieces that touch
    (a rule drawn column by column) are joined, and short ones (underlines, plot marks) dropped.
    """
    pieces = sorted(
        (e["top"], e["x0"], e["x1"]) for e in page.edges
        if e["orientation"] == "h" and e["x1"] - e["x0"] >= 2
    )
    groups: list[tuple[float, list[tuple[float, float]]]] = []
    for top, x0, x1 in pieces:
        if groups and top - groups[-1][0] <= RULE_SNAP:
            groups[-1][1].append((x0, x1))
        else:
            groups.append((top, [(x0, x1)]))
    rules = []
    for top, spans in groups:
        spans.sort()
        a, b = spans[0]
        for x0, x1 in spans[1:]:
            if x0 <= b + RULE_SNAP * 2:
                b = max(b, x1)
            else:
                rules.append((top, a, b))
                a, b = x0, x1
        rules.append((top, a, b))
    return [r for r in rules if r[2] - r[1] >= 40]


def _cells_by_word_centre(region, settings: dict) -> list[list[str]]:
    """The text strategy's grid, filled with whole words placed by their centre.

    pdfplumber cuts characters at cell edges, and the text strategy sometimes puts an edge
    through the last letters of a long cell; a word belongs to the cell holding its centre.
    """
    table = region.find_table(settings)
    if table is None:
        return []
    words = region.extract_words(x_tolerance=X_TOLERANCE)
    rows = []
    for row in table.rows:
        cells = []
        for bbox in row.cells:
            if bbox is None:
                cells.append("")
                continue
            x0, top, x1, bottom = bbox
            # The outer columns reach the region's sides: the grid ends at the aligned word
            # edges, and a longer last (or first) cell pokes out past them.
            x0 = -math.inf if x0 <= table.bbox[0] + 0.5 else x0
            x1 = math.inf if x1 >= table.bbox[2] - 0.5 else x1
            inside = [w for w in words if x0 <= (w["x0"] + w["x1"]) / 2 < x1 and top <= (w["top"] + w["bottom"]) / 2 < bottom]
            inside.sort(key=lambda w: (round(w["top"]), w["x0"]))
            cells.append(" ".join(w["text"] for w in inside))
        rows.append(cells)
    return rows


def _text_lines(page) -> list[dict]:
    """Text lines with their boxes (pdfplumber's own line finder, upright text only)."""
    upright = page.filter(lambda obj: obj.get("object_type") != "char" or obj.get("upright", True))
    return [
        {"text": ln["text"].strip(), "x0": ln["x0"], "x1": ln["x1"], "top": ln["top"], "bottom": ln["bottom"]}
        for ln in upright.extract_text_lines(x_tolerance=X_TOLERANCE, return_chars=False)
        if ln["text"].strip()
    ]


def _nearest_caption(captions: list[dict], top: float, bottom: float) -> int | None:
    """The caption just above a table (within 80 pt), else just below it."""
    above = [(top - c["bottom"], i) for i, c in enumerate(captions) if -2 <= top - c["bottom"] <= 80]
    if above:
        return min(above)[1]
    below = [(c["top"] - bottom, i) for i, c in enumerate(captions) if -2 <= c["top"] - bottom <= 40]
    return min(below)[1] if below else None


def _caption_text(lines: list[dict], cap: dict, x0: float, x1: float) -> str:
    """The caption line plus the lines that continue it (same left edge, no gap)."""
    parts = [cap["text"]]
    last = cap
    for line in lines:
        if line["top"] <= last["top"] or line["top"] - last["bottom"] > 3:
            continue
        if abs(line["x0"] - cap["x0"]) > 3 or line["x1"] < x0 or line["x0"] > x1:
            continue
        parts.append(line["text"])
        last = line
        break  # captions of two lines are common; longer ones run into the header
    return " ".join(parts)


def _caption_region(page, lines: list[dict], rules, cap: dict) -> tuple[tuple[float, float, float, float], bool] | None:
    """The box under a caption that holds its table, and whether rules bound it.

    The box is as wide as the caption's column, or the whole page when the lines under the
    caption reach past the middle. A ruled table (a rule across the column just under the
    caption, as in most journals' tables: top rule, header rule, bottom rule) ends at its
    bottom rule, however far apart its rows are; otherwise the box runs down to the first
    vertical gap wider than :data:`REGION_GAP` line heights.
    """
    mid = page.width / 2
    below = sorted((ln for ln in lines if ln["top"] > cap["bottom"] - 1), key=lambda ln: ln["top"])
    if cap["x0"] < mid < cap["x1"] - 5:
        x0, x1 = 0.0, page.width
    elif cap["x0"] >= mid - 5:
        x0, x1 = mid, page.width
    else:
        wide = any(ln["x0"] < mid < ln["x1"] - 20 for ln in below[:4])
        x0, x1 = 0.0, page.width if wide else mid
    column = [ln for ln in below if ln["x0"] >= x0 - 1 and ln["x1"] <= x1 + 1]
    if not column:
        return None
    heights = sorted(ln["bottom"] - ln["top"] for ln in column)
    line_h = heights[len(heights) // 2] or 8
    end = next((ln["top"] for ln in column if _ANY_CAPTION_RE.match(ln["text"])), page.height)
    column = [ln for ln in column if ln["top"] < end]
    bottom = _bottom_rule(page, column, rules, cap, x0, x1, line_h, end)
    ruled = bottom is not None
    if bottom is None:
        bottom = cap["bottom"]
        for ln in column:
            if ln["top"] - bottom > REGION_GAP * line_h:
                break
            bottom = max(bottom, ln["bottom"])
    if bottom - cap["bottom"] < 2 * line_h:
        return None
    top = cap["bottom"] + 0.5
    return (max(x0, 0), top, min(x1, page.width), min(bottom + 1, page.height)), ruled


def _bottom_rule(page, column, rules, cap, x0, x1, line_h, end) -> float | None:
    """Where a ruled table under a caption ends, or None when no rule opens it.

    Rules count when they span most of the text in the column, stay inside the column (or the
    page) and above the footer band. The rule opening the table lies under the
    caption with at most a caption note between. The rule after it closes the table, unless it
    comes within a few lines (it underlines the header) and another rule follows. A table
    whose only rules are at its top runs on to the page end (it is continued on the next page).
    """
    if not column:
        return None
    span = max(ln["x1"] for ln in column) - min(ln["x0"] for ln in column)
    across = [
        top for top, a, b in rules
        if a >= x0 - 2 and b <= x1 + 2 and b - a >= 0.6 * span
        and cap["bottom"] - 1 < top < min(end, page.height * (1 - FOOTER_SHARE))
    ]
    if not across:
        return None
    opening = across[0]
    notes = [ln for ln in column if ln["top"] < opening]
    if len(notes) > 3:
        return None
    after = [top for top in across[1:] if top - opening > line_h]
    inside = [ln for ln in column if ln["top"] > opening]
    page_end = max(ln["bottom"] for ln in inside) if inside else None
    if not after:
        return page_end
    header = [ln for ln in column if opening < ln["top"] < after[0]]
    if len(header) <= HEADER_MAX_LINES and after[0] - opening <= (HEADER_MAX_LINES + 1) * line_h:
        return after[1] if len(after) > 1 else page_end
    return after[0]


def fill_merged(table, rows: list[list[str | None]]) -> list[list[str | None]]:
    """Repeat a merged cell's text into every grid position it covers.

    pdfplumber's grid gives None where a merged cell (spanning rows or columns) covers a position;
    the covering cell is the one whose box holds the centre of that position, and it lies above
    or to the left. Positions covered by nothing stay None."""
    grid = [list(r.cells) for r in table.rows]
    columns = table.columns
    out = [list(r) for r in rows]
    for i, cells in enumerate(grid):
        for j, box in enumerate(cells):
            if box is not None or j >= len(columns) or i >= len(out) or j >= len(out[i]):
                continue
            cx = (columns[j].bbox[0] + columns[j].bbox[2]) / 2
            cy = (table.rows[i].bbox[1] + table.rows[i].bbox[3]) / 2
            cover = next(((a, b) for a in range(i, -1, -1) for b in range(min(j, len(grid[a]) - 1), -1, -1)
                          if grid[a][b] is not None and grid[a][b][0] <= cx <= grid[a][b][2]
                          and grid[a][b][1] <= cy <= grid[a][b][3]), None)
            if cover is not None and cover[1] < len(out[cover[0]]):
                out[i][j] = out[cover[0]][cover[1]]
    return out


def _tidy(rows: list[list[str | None]]) -> list[list[str]]:
    """Clean cells, drop empty rows/columns, merge continuation rows into the row above."""
    cells = [[re.sub(r"\s+", " ", c or "").strip() for c in row] for row in rows]
    cells = [row for row in cells if any(row)]
    if not cells:
        return []
    width = max(len(r) for r in cells)
    cells = [r + [""] * (width - len(r)) for r in cells]
    keep = [j for j in range(width) if any(r[j] for r in cells)]
    cells = [[r[j] for j in keep] for r in cells]
    cells = _merge_split_columns(cells)
    merged: list[list[str]] = []
    for row in cells:
        if merged and not row[0]:
            filled = sum(1 for c in row if c)
            if filled <= max(1, (len(row) - 1) // 2):
                # A few cells wrapped onto the next line: they continue the row above.
                prev = merged[-1]
                merged[-1] = [f"{a} {b}".strip() if b else a for a, b in zip(prev, row, strict=True)]
                continue
            if len(merged) > 1:
                # A full row under a first-column cell that spans several rows: repeat that cell.
                row = [merged[-1][0], *row[1:]]
        merged.append(row)
    return merged


def _merge_split_columns(cells: list[list[str]]) -> list[list[str]]:
    """Join neighbouring columns that are never both filled in one row.

    The text-alignment strategy cuts a column in two where its cells are ragged (one cell
    starts further right than the others); such halves never share a row.
    """
    j = 0
    while j < len(cells[0]) - 1:
        if not any(row[j] and row[j + 1] for row in cells):
            cells = [[*row[:j], (row[j] or row[j + 1]), *row[j + 2:]] for row in cells]
        else:
            j += 1
    return cells


def _table(caption: str, rows: list[list[str]], shape: str, page: int) -> Table:
    return Table(caption=caption, header=rows[0], rows=rows[1:], shape=shape, page=page,
                 row_spans=[(-1, -1)] * (len(rows) - 1))
