"""One model of a table, whoever read it (JATS, pdfplumber, text flattened by a PDF dump).

Every reader hands over a :class:`~extractors.schema.Table`: header rows and body rows of cell
strings with spanning cells already repeated into every row and column they cover, the caption and
the table footnote. :func:`read_table` then interprets it the same way for all of them:

* **columns** get a role from their header (``extractors/data/table_columns.tsv``), read through
  the qualifiers authors add: a direction ("miR (up)", "Up-regulated miRNAs"), a place ("Expression
  in HCC"), a footnote mark ("miR (up)ᵇ"), a parenthesis ("Fold change (T/N)"). A header of several
  rows is read bottom row first. When no header names the miRNA column, the column whose cells
  hold miRNA names is it;
* **group rows** (one filled cell across the row) set the cancer or the effect of the rows below
  until the next group row; a label that names neither ends the group;
* **continuation cells**: an empty cell in a label column (cancer, samples, miRNA, and any column
  left of the miRNA) takes the value of the cell above, as a merged cell printed once would;
* **cancer** of a row: its own cells (a bare organ in a cancer column, "Lung, breast", names the
  cancers of those organs), else its group, else a header ("Expression in HCC"), else the
  caption, else the footnote, else the document's title — every type each names is kept;
* **effects**: effect cells (role codes such as "TS" are expanded from the footnote), the
  direction a miRNA column's header states, and numbers: a fold change, log ratio or T/N ratio
  with a significant p or q value (see :data:`P_THRESHOLD`), or with a caption or footnote saying
  the listed values are significant.

The JATS ``<table>`` conversion lives here too (:func:`jats_tables`), so the XML reader only lays
the rows out as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.cancer import Concept, load_lexicon
from extractors.mirna import find_mirnas
from extractors.schema import Mention, Table

#: A row's change counts as significant when its p (or q, FDR) value is below this …
P_THRESHOLD = 0.05
#: … and its fold change differs from 1 (log ratio from 0) in the direction it gives.

#: Shapes whose cells were cut out of undelimited text by their content: an empty cell there means
#: the text held nothing of that kind (a row about a lncRNA has no miRNA), not a merged cell.
CONTENT_SPLIT_SHAPES = {"rotated", "wrapped-cells"}
#: Roles whose empty cells continue the cell above (labels printed once for several rows).
_LABEL_ROLES = {"cancer", "context", "mirna"}
#: Roles read from numbers.
_NUMBER_ROLES = {"fold", "logfold", "pvalue"}


@dataclass
class TableContext:
    """What the document around a table says: cancers its title names and abbreviations it
    defines ("OTSC" → the cancer its long form names), so that a table naming no cancer, or one
    only by a document-defined short form, can be read."""

    title_cancers: list[Concept] = field(default_factory=list)
    abbreviations: dict[str, Concept] = field(default_factory=dict)
    #: Short forms the document defines by a cancer name read only in part ("OTC" for "oral
    #: tongue cancer" when only "tongue cancer" is known): a table naming one has a cancer we
    #: cannot name, so none is guessed for it from the title.
    unresolved: set[str] = field(default_factory=set)


# --- JATS <table> → Table ------------------------------------------------------------------------

def _local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


#: A superscript that is only a footnote mark ("miR (up)<sup>b</sup>", "<sup>*</sup>").
_MARK = re.compile(r"^\s*(?:[a-z]|[*†‡§¶#]+|\d)\s*$")
#: Footnote marks are written as printed, in superscript, so that a header or caption keeps its
#: mark apart from its words ("regulationᵃ", not "regulationa").
_SUPERSCRIPT = str.maketrans("abcdefghijklmnoprstuvwxyz0123456789", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ⁰¹²³⁴⁵⁶⁷⁸⁹")
MARKS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ⁰¹²³⁴⁵⁶⁷⁸⁹*†‡§¶#"


def superscript(mark: str) -> str:
    return mark.translate(_SUPERSCRIPT)


def cell_text(el, marks: bool = False) -> str:
    """Text of a JATS cell or caption: line breaks separate words and footnote bodies are left
    out. With ``marks``, a superscript footnote mark is written in superscript ("miR (up)ᵇ")."""
    out = [el.text or ""]
    for child in el:
        name = _local(child)
        if name in ("break", "p", "list-item"):
            out.append(" ")
        if name in ("graphic", "media", "fn"):
            pass
        elif marks and name in ("sup", "xref") and _MARK.match("".join(child.itertext())):
            out.append("".join(child.itertext()).strip().translate(_SUPERSCRIPT))
        else:
            out.append(cell_text(child, marks))
        out.append(child.tail or "")
    return " ".join("".join(out).split())


def _footnotes(wrap) -> str:
    """A table's footnotes, one per line, each opening with its mark in superscript when it has one."""
    foot = next((d for d in wrap.iter() if _local(d) == "table-wrap-foot"), None)
    if foot is None:
        return ""
    entries = ([d for d in foot.iter() if _local(d) == "fn"] or [d for d in foot.iter() if _local(d) == "p"]
               or [foot])
    lines = [cell_text(e, marks=True) for e in entries]
    # A mark set as a label or a leading superscript is kept as the entry's first character.
    return "\n".join(re.sub(rf"^([{MARKS}]+)\s*", r"\1 ", line) for line in lines if line)


def _span(el, name: str) -> int:
    try:
        return max(1, min(int(el.get(name) or 1), 200))
    except ValueError:
        return 1


def fill_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) cells → a rectangular grid in which a spanning cell's text
    is repeated into every position it covers."""
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, cells in enumerate(rows):
        c = 0
        for text, rowspan, colspan in cells:
            while (r, c) in grid:
                c += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid.setdefault((r + dr, c + dc), text)
            c += colspan
            width = max(width, c)
    for (_r, c) in grid:
        width = max(width, c + 1)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def jats_tables(wrap) -> list[Table]:
    """The tables of a JATS ``<table-wrap>``: caption, header rows, body rows (spans filled) and
    footnote. A table without ``<thead>`` takes its leading rows of ``<th>`` cells as header."""
    label = next((c for c in wrap if _local(c) == "label"), None)
    caption_el = next((c for c in wrap if _local(c) == "caption"), None)
    caption = " ".join(cell_text(x, marks=True) for x in (label, caption_el) if x is not None).strip()
    foot = _footnotes(wrap)
    out = []
    for tab in (d for d in wrap.iter() if _local(d) == "table"):
        raw, heads = [], []
        for tr in (d for d in tab.iter() if _local(d) == "tr"):
            cells = [c for c in tr if _local(c) in ("td", "th")]
            in_head = _local(tr.getparent()) == "thead"
            all_th = bool(cells) and all(_local(c) == "th" for c in cells)
            heads.append(in_head or (all_th and all(heads)))
            raw.append([(cell_text(c, marks=in_head or all_th), _span(c, "rowspan"), _span(c, "colspan"))
                        for c in cells])
        grid = fill_spans(raw)
        n_head = next((k for k, h in enumerate(heads) if not h), len(heads))
        if n_head == len(grid) and n_head:
            n_head = 1  # only header-looking rows: the first is the header
        header_rows = grid[:n_head]
        body = [row for row in grid[n_head:] if any(row)]
        out.append(Table(caption=caption, header=merge_header(header_rows), rows=body,
                         header_rows=header_rows, footnotes=foot, shape="jats"))
    return out


def merge_header(header_rows: list[list[str]]) -> list[str]:
    """One name per column from header rows: the distinct texts top to bottom."""
    if not header_rows:
        return []
    width = max(len(r) for r in header_rows)
    out = []
    for c in range(width):
        parts: list[str] = []
        for row in header_rows:
            text = row[c] if c < len(row) else ""
            if text and text not in parts:
                parts.append(text)
        out.append(" ".join(parts))
    return out


# --- header roles --------------------------------------------------------------------------------

_UP = r"up[- ]?regulat\w*|up|increased?|elevated|higher|over[- ]?express\w*|↑"
_DOWN = r"down[- ]?regulat\w*|down|decreased?|reduced|lower|under[- ]?express\w*|↓"
_DIR_PAREN = re.compile(rf"(?i)\(\s*(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\s*\)")
_DIR_WORD = re.compile(rf"(?i)^\s*(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\b[\s-]*")
_DIR_AFTER = re.compile(rf"(?i)[\s-]+(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\s*$")
_PLACE = re.compile(r"(?i)^(?P<name>.+?)\s+(?:in|of|for)\s+(?P<place>.+)$")
_PAREN = re.compile(r"\s*\([^)]*\)")
_FOOT_MARK = re.compile(rf"(?:(?<=[A-Za-z)\]])(?:[a-z]|[*†‡§¶#]+|\d)|\s*[{MARKS}]+)$")
_MARKER_HEADER = re.compile(r"(?i)predict|prognos|diagnos|clinical")


@dataclass
class Column:
    role: str = "other"
    direction: str = ""  # "upregulated" / "downregulated" stated by the header
    cancers: list[Concept] = field(default_factory=list)  # a place the header names
    marker: bool = False


def _split_direction(text: str) -> tuple[str, str]:
    """("upregulated", "miRNAs") for "Up-regulated miRNAs", "miR (up)"; ("", text) without one."""
    for regex in (_DIR_PAREN, _DIR_WORD, _DIR_AFTER):
        m = regex.search(text)
        if m:
            return ("upregulated" if m.group("up") else "downregulated",
                    (text[:m.start()] + " " + text[m.end():]).strip(" -:"))
    return "", text


def _header_variants(name: str):
    """(text, direction) readings of one header cell, plainest first."""
    for text in dict.fromkeys([name, _FOOT_MARK.sub("", name)]):
        yield text, ""
        direction, bare = _split_direction(text)
        if direction and bare:
            yield bare, direction
        yield _PAREN.sub("", text).strip(), ""


def column_info(levels: list[str], ctx: TableContext | None = None) -> Column:
    """Role, direction and place of a column from its header rows (bottom row first)."""
    from extractors.tables import column_role

    levels = [" ".join(lv.split()).strip(" :") for lv in levels if lv.strip()]
    for level in reversed(levels):
        for text, direction in _header_variants(level):
            role, cancers = column_role(text) if text else None, []
            if role is None and (m := _PLACE.match(text)) and column_role(m.group("name")):
                role, cancers = column_role(m.group("name")), cancers_named(m.group("place"), ctx)
            if role is not None:
                return Column(role, direction if role == "mirna" else "", cancers,
                              role == "effect" and bool(_MARKER_HEADER.search(" ".join(levels))))
    return Column()


# --- cancers ---------------------------------------------------------------------------------------

_ABBREV = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?![A-Za-z0-9])")
#: Organs whose adjective differs from the noun (the lexicon has "ovarian cancer", not "ovary cancer").
_ORGAN_ADJECTIVES = {"ovary": "ovarian", "pancreas": "pancreatic", "kidney": "renal", "stomach": "gastric",
                     "rectum": "rectal", "cervix": "cervical", "esophagus": "esophageal",
                     "oesophagus": "esophageal", "larynx": "laryngeal", "endometrium": "endometrial",
                     "bone": "bone", "testis": "testicular", "uterus": "uterine"}


def cancers_named(text: str, ctx: TableContext | None = None, abbreviations: dict[str, Concept] | None = None
                  ) -> list[Concept]:
    """Specific cancers a cell, caption or footnote names, in order: the lexicon's names plus the
    short forms the document (or the table footnote) defines, which win over the lexicon's own
    reading of the same letters."""
    from extractors.tables import cancers_in

    if not text:
        return []
    defined = {**(ctx.abbreviations if ctx else {}), **(abbreviations or {})}
    found: list[tuple[int, Concept]] = []
    masked = text
    for m in _ABBREV.finditer(text):
        word = m.group(0)
        concept = defined.get(word) or (defined.get(word[:-1]) if word.endswith("s") else None)
        if concept is not None and not concept.generic:
            found.append((m.start(), concept))
            masked = masked[:m.start()] + " " * len(word) + masked[m.end():]
    out = [c for _, c in sorted(found, key=lambda f: f[0])]
    for concept in cancers_in(masked):
        out.append(concept)
    return list(dict.fromkeys(out))


def organ_cancers(text: str) -> list[Concept]:
    """Cancers of the organs a cancer-column cell names bare ("Lung, breast" → lung cancer,
    breast cancer); an item that is not an organ with a cancer of that name is skipped."""
    lex = load_lexicon()
    out = []
    for item in re.split(r"\s*(?:,|;|/|\band\b|&)\s*", text):
        item = " ".join(item.split()).lower().strip(" .")
        if not item or len(item) > 30:
            continue
        stem = _ORGAN_ADJECTIVES.get(item, item)
        concept = next((c for c in (lex.words.get(f"{stem} {head}") for head in ("cancer", "carcinoma", "neoplasm"))
                        if c is not None), None)
        if concept is not None and not concept.generic:
            out.append(concept)
    return list(dict.fromkeys(out))


def footnote_definitions(footnote: str) -> dict[str, str]:
    """Short forms a table footnote defines: "TS, tumour suppressor; O: oncogene; HCC =
    hepatocellular carcinoma" → {"TS": "tumour suppressor", …}."""
    out = {}
    pattern = re.compile(r"(?:^|[;.,]\s*|\s)(?P<short>[A-Z][A-Za-z0-9]{0,7}|[↑↓+−-])\s*(?:[,:=]|\s[–-]\s)\s*"
                         r"(?P<long>[A-Za-z][A-Za-z' -]{2,60}?)(?=\s*(?:[;.]|,\s*[A-Z↑↓+−-]{1,8}\s*[,:=]|$))")
    for m in pattern.finditer(footnote):
        long = m.group("long").strip()
        if long and long.split()[0].lower() not in {"and", "or", "the", "p"}:
            out.setdefault(m.group("short"), long)
    return out


def _defined_cancers(definitions: dict[str, str]) -> dict[str, Concept]:
    from extractors.tables import cancers_in

    out = {}
    for short, long in definitions.items():
        concepts = cancers_in(long)
        if len(concepts) == 1 and short.isupper() and len(short) >= 2:
            out[short] = concepts[0]
    return out


# --- numbers ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?P<lt>[<≤])?\s*(?P<sign>[-−–+])?\s*(?P<num>\d+(?:[.,·]\d+)?|[.·]\d+)"
                     r"(?:\s*(?:[eE]|[×x*]\s*10\s*\^?)\s*(?P<exp>[-−–+]?\s*\d+))?")
_SIGNIFICANT = re.compile(r"(?i)\bsignifican|\b[pq][- ]?(?:value)?s?\s*[<≤]\s*0?[.·]0|\bFDR\s*[<≤]|"
                          r"\badj(?:usted)?\.?\s*p\s*[<≤]")


def number(text: str) -> tuple[float, bool] | None:
    """The value a numeric cell gives ("−1.25", "<0.001", "2.3 × 10−5", "0.03*") and whether it is
    only an upper bound; None when the cell holds no number."""
    m = _NUMBER.search(text.strip()) if text else None
    if m is None or (m.start() > 0 and not text.strip().startswith(("<", "≤", "p", "P", "q", "Q"))):
        return None
    try:
        value = float(m.group("num").replace(",", ".").replace("·", "."))
    except ValueError:
        return None
    if m.group("exp"):
        value *= 10 ** int(re.sub(r"[\s+]", "", m.group("exp")).replace("−", "-").replace("–", "-"))
    if m.group("sign") and m.group("sign") != "+":
        value = -value
    return value, bool(m.group("lt"))


def numeric_direction(fold: str, log: bool, signed: bool, p: str | None, all_significant: bool) -> str:
    """"upregulated"/"downregulated" a fold-change cell gives when its row is significant, else ""."""
    value = number(fold)
    if value is None:
        return ""
    if p is not None:
        pv = number(p)
        if pv is None or pv[0] >= P_THRESHOLD:
            return ""
    elif not all_significant:
        return ""
    v = value[0]
    if log or signed:
        return "upregulated" if v > 0 else "downregulated" if v < 0 else ""
    return "upregulated" if v > 1 else "downregulated" if 0 <= v < 1 else ""


# --- rows ----------------------------------------------------------------------------------------

def _is_group_row(row: list[str]) -> bool:
    filled = [c for c in row if c.strip()]
    return len(row) >= 2 and bool(filled) and len(set(filled)) == 1 and not find_mirnas(filled[0])


def _content_mirna_column(rows: list[list[str]], cols: list[Column]) -> int | None:
    best, best_share = None, 0.0
    for k, col in enumerate(cols):
        if col.role not in {"other", "context"}:
            continue
        cells = [r[k] for r in rows if k < len(r) and r[k].strip()]
        if not cells:
            continue
        share = sum(1 for c in cells if find_mirnas(c)) / len(cells)
        if share > best_share:
            best, best_share = k, share
    return best if best_share >= 0.5 else None


def read_table(doc_id: str, table: Table, ctx: TableContext | None = None) -> list[Mention]:
    """Mention rows of one table (TRIPLES.md §1 "one table row"; §5 columns, ``source="table"``)."""
    from extractors.tables import cancer_spans_in, cell_effects, cell_is_hedged, cell_offsets, row_cancers

    ctx = ctx or TableContext()
    width = max([len(table.header)] + [len(r) for r in table.rows]) if table.rows else len(table.header)
    levels = table.header_rows or ([table.header] if table.header else [])
    cols = [column_info([row[k] if k < len(row) else "" for row in levels], ctx) for k in range(width)]
    rows = [list(r) + [""] * (width - len(r)) for r in table.rows]
    data_rows = [r for r in rows if not _is_group_row(r)]
    if not any(c.role == "mirna" for c in cols):
        k = _content_mirna_column(data_rows, cols)
        if k is None:
            return []
        cols[k] = Column("mirna", _split_direction(levels[-1][k])[0] if levels and k < len(levels[-1]) else "")
    mirna_at = [k for k, c in enumerate(cols) if c.role == "mirna"]
    label_cols = {k for k, c in enumerate(cols) if c.role in _LABEL_ROLES or k < mirna_at[0]}

    notes = _footnotes_about(table.footnotes, [table.caption] + [
        lv[k] for lv in levels for k, c in enumerate(cols) if k < len(lv) and c.role not in {"other", "ref", "pvalue"}])
    definitions = footnote_definitions(table.footnotes)
    foot_abbr = _defined_cancers(definitions)

    def named(text: str) -> list[Concept]:
        return cancers_named(text, ctx, foot_abbr)

    # A fold-change column reads with the nearest p/q column after it (else before it).
    folds = [k for k, c in enumerate(cols) if c.role in {"fold", "logfold"}]
    pcols = [k for k, c in enumerate(cols) if c.role == "pvalue"]
    pair = {}
    for k in folds:
        later = [p for p in pcols if p > k and not any(k < f < p for f in folds)]
        pair[k] = later[0] if later else (max((p for p in pcols if p < k), default=None))
    signed = {k for k in folds if any((number(r[k]) or (0, 0))[0] < 0 for r in data_rows)}
    all_significant = bool(_SIGNIFICANT.search(f"{table.caption} {table.footnotes}"))

    fallback: list[Concept] = []
    for source, text in (([c for col in cols for c in col.cancers], ""), (named(table.caption), table.caption),
                         (named(notes), notes), (ctx.title_cancers, "")):
        if source:
            fallback = list(dict.fromkeys(source))
            break
        if any(re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text) for short in ctx.unresolved):
            break  # the table names its cancer by a short form we cannot read: no guess from further out

    out: list[Mention] = []
    group_cancers: list[Concept] = []
    group_effects: list[str] = []
    above: list[str] = [""] * width
    data_index = -1
    for n, row in enumerate(rows):
        if _is_group_row(row):
            label = next(c for c in row if c.strip())
            cancers = named(label) or organ_cancers(label)
            effects = _effects_of_label(label)
            if cancers:
                group_cancers, group_effects = cancers, []
            elif effects:
                group_effects = effects
            else:
                group_cancers, group_effects = [], []  # an unrecognised label ends the group
            above = [""] * width
            continue
        data_index += 1
        printed = row  # the evidence is the row as printed; continued cells only inform the reading
        inherited = set()
        if table.shape not in CONTENT_SPLIT_SHAPES and (
                any(row[k].strip() for k in range(width) if k not in label_cols)
                or any(row[k].strip() for k in mirna_at)):
            inherited = {k for k in label_cols if not row[k].strip() and above[k].strip()}
            row = [above[k] if k in inherited else row[k] for k in range(width)]
        above = row

        # The row's own cells first; a label continued from the row above only when they name none.
        def naming(roles: set[str], own: bool, row=row, inherited=inherited) -> list[Concept]:
            return row_cancers([named(row[k]) or (organ_cancers(row[k]) if c.role == "cancer" else [])
                                for k, c in enumerate(cols) if c.role in roles and (k not in inherited) == own])

        cancers = (naming({"cancer", "context", "effect"}, True) or naming({"other"}, True)
                   or naming({"cancer", "context"}, False)
                   or group_cancers or fallback)
        if not cancers:
            continue
        span = table.row_spans[n] if n < len(table.row_spans) else (-1, -1)
        evidence = " | ".join(c for c in printed if c)
        at = cell_offsets(printed)
        cancer_at = {c: (at[k] + a, at[k] + b) for k, t in reversed(list(enumerate(printed)))
                     for a, b, c in reversed(cancer_spans_in(t))}
        effects: list[tuple[str, bool, str, int | None]] = []  # (effect, hedged, rule, the cell that says it)
        for k, col in enumerate(cols):
            if col.role == "effect" and row[k].strip():
                text = _expand_codes(row[k], definitions)
                hedged = cell_is_hedged(text)
                effects += [(e, hedged, "effect-cell", k) for e in
                            cell_effects(text, marker_column=col.marker) or _effects_of_label(text)]
        for k in folds:
            direction = numeric_direction(row[k], cols[k].role == "logfold", k in signed,
                                          row[pair[k]] if pair[k] is not None else None, all_significant)
            if direction:
                effects.append((direction, False, "numbers", k))
        effects += [(e, False, "group", None) for e in group_effects]
        for k in mirna_at:
            found = find_mirnas(row[k])
            names = list(dict.fromkeys(name for m in found for name in m.names))
            name_at = {name: (at[k] + m.start, at[k] + m.end) for m in reversed(found) for name in m.names
                       if k not in inherited}
            mine = effects + ([(cols[k].direction, False, "header", None)] if cols[k].direction else [])
            seen = set()
            for effect, hedged, how, cue in mine:
                cue_span = (at[cue], at[cue] + len(printed[cue])) if cue is not None and cue in at else None
                for concept in cancers:
                    for name in names:
                        if (name, concept.canonical, effect) in seen:
                            continue
                        seen.add((name, concept.canonical, effect))
                        out.append(Mention(doc_id, name, concept.canonical, concept.id, effect, evidence, span[0],
                                           span[1], "table", hedged, f"table:{table.shape or 'table'}:{how}",
                                           name_at.get(name), cancer_at.get(concept), cue_span))
    return out


_DIRECTION_REST = re.compile(r"(?i)(?:(?:micro ?rnas?|mirnas?|mirs?|expression|levels?|expressed|in tumou?rs?)\s*)*")


def _effects_of_label(text: str) -> list[str]:
    """Effects a short label states: the cue data's reading, else a bare direction ("Up", "↓",
    "Up-regulated miRNAs")."""
    from extractors.tables import cell_effects

    effects = cell_effects(text)
    if effects:
        return effects
    direction, rest = _split_direction(" ".join(text.split()))
    return [direction] if direction and _DIRECTION_REST.fullmatch(rest) else []


def _footnotes_about(footnotes: str, texts: list[str]) -> str:
    """The footnotes whose marks the caption or the columns read carry, and unmarked ones (a
    footnote on a correlation column says where that was measured, not what the table is about)."""
    entries = [e for e in footnotes.splitlines() if e.strip()]
    if not any(e[0] in MARKS for e in entries):
        return footnotes
    used = {ch for text in texts for ch in text if ch in MARKS}
    return "\n".join(e for e in entries if e[0] not in MARKS or e[0] in used)


def _expand_codes(text: str, definitions: dict[str, str]) -> str:
    """A cell of codes the footnote explains ("TS", "O/TS") read as the words they stand for."""
    if not definitions:
        return text
    parts = re.split(r"(\s*[/,;]\s*|\s+)", text.strip())
    if not any(p in definitions for p in parts):
        return text
    return ", ".join(definitions.get(p, p) for p in parts if p.strip() and not re.fullmatch(r"\s*[/,;]\s*", p))


def document_context(title: str, sdocs=()) -> TableContext:
    """A table's document context from the passages' spaCy docs: the cancers the title names, and
    the short forms the text defines ("oral glioma (OG)") whose whole long form the recognisers
    read as one cancer — a long form read only in part ("… squamous cell carcinoma" inside a
    subtype the lexicon lacks) would give a table the broader type, so such a short form is
    recorded as unresolved."""
    abbreviations: dict[str, Concept] = {}
    unresolved: set[str] = set()
    for sdoc in sdocs:
        if not sdoc.has_extension("abbreviations"):
            break
        # the cancer recogniser's own reading of what the passage defines (a long form read in
        # part with a cancer head, a coordinated long form: extractors/cancer.py) comes first
        for short, concept in (getattr(sdoc._, "mirkb_defined_cancers", None) or {}).items():
            if _ABBREV.fullmatch(short) and not concept.generic:
                abbreviations.setdefault(short, concept)
        spans = sdoc.spans.get("cancer", [])
        for short in sdoc._.abbreviations:
            long_form = short._.long_form
            if long_form is None or not _ABBREV.fullmatch(short.text):
                continue
            whole = [s._.cancer for s in spans if s.start <= long_form.start and s.end >= long_form.end
                     and s._.cancer is not None and not s._.cancer.generic]
            if whole:
                abbreviations.setdefault(short.text, whole[0])
            elif any(long_form.start <= s.start and s.end <= long_form.end for s in spans):
                unresolved.add(short.text)
    ctx = TableContext([], abbreviations, unresolved - set(abbreviations))
    ctx.title_cancers = cancers_named(title, ctx)
    return ctx
