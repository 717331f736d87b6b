"""Tables flattened into PDF-extracted text, and the mention rows a table gives (TRIPLES.md §1).

A PDF-to-text dump keeps a table's words but loses its grid. :func:`find_text_tables` recognises
four shapes by their layout, never by their content, and rebuilds rows with raw offsets:

* ``cell-per-line`` — a caption "Table N …", the column names one per line, then one cell per line
  (a wrapped cell continues on the next line); a row ends at its reference cell ``[12]``. A line
  that is only a cancer name, before a row's miRNA cell, is the first column's value::

      Table 2 Invented markers / Cancer / miRNAs / Donor / Function / Refs. / Lung cancer / miR-901 /
      A549 / Angiogenesis / [7]

* ``rotated`` — a table printed sideways, which the extractor breaks into 1–4 character fragments
  one per line ("Ta", "bl", "e ", "1 " …): fragments joined with "" give the text back;
* ``wrapped-cells`` — a caption, one line of column names run together ("Source Component Effect
  Ref"), then rows whose cells are separated by single spaces and whose last cell wraps;
* ``space-aligned`` — one row per line, cells separated by runs of two or more spaces.

In the last three shapes cells are split by content: the miRNA cell is the run of miRNA names
(``extractors.mirna``), the cells before it name the source, the text after it the effect.

Every table ends where its last row (or a trailing first-column label) ends, so the running text
after it is read as sentences, not as table cells.

:func:`table_mentions` maps columns to roles by their header words and reads each row: miRNAs
from the miRNA cell, the cancer from the row's own cells (else the first column carried down,
else the caption), effects from the effect cell through :func:`cell_effects`, which uses the
same cue data as sentences (``extractors/data/triggers.jsonl``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from extractors.cancer import Concept, load_lexicon
from extractors.mirna import find_mirnas
from extractors.schema import Mention, Table

# --- column names -----------------------------------------------------------------------------

_ROLES = {"mirna", "cancer", "context", "effect", "ref", "other", "fold", "logfold", "pvalue"}


def _load_column_names() -> tuple[tuple[str, str], ...]:
    """Column-name patterns → role, from ``extractors/data/table_columns.tsv`` (checked on load)."""
    text = resources.files("extractors.data").joinpath("table_columns.tsv").read_text(encoding="utf-8")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line and not line.startswith("#")]
    names = []
    for n, line in lines[1:]:  # the first line is the header
        pattern, _, role = line.partition("\t")
        if role not in _ROLES:
            raise ValueError(f"table_columns.tsv:{n}: role {role!r} is not one of {sorted(_ROLES)}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"table_columns.tsv:{n}: bad pattern: {exc}") from exc
        names.append((pattern, role))
    return tuple(names)


#: Column-name patterns → role. A role is what the cell holds: ``mirna`` the molecule, ``cancer``
#: the cancer type, ``context`` the cells or samples (they name cancers too), ``effect`` what the
#: miRNA does, ``ref`` the citation, ``other`` anything else (mechanism, target).
_COLUMN_NAMES = _load_column_names()
_COLUMN_RES = [(re.compile(rf"(?i:{pattern})"), role) for pattern, role in _COLUMN_NAMES]
# A column name ends at a space, at the next capitalised name (run-together headers) or a bracket.
_NAME_END = re.compile(r"(?=\s|[A-Z\[(]|$)")

_CAPTION = re.compile(r"^\s*Table\s+\d+[A-Za-z]?\b")
_CONTINUED = re.compile(r"(?i)^\s*Table\s+\d+[A-Za-z]?\s*\((?:continued|cont\.?)\)")
_REF = re.compile(r"\[\s*\d{1,4}(?:\s*[,–-]\s*\d{1,4})*\s*\]")
_REF_LINE = re.compile(rf"^\s*{_REF.pattern}\s*$")
_REF_AT_END = re.compile(rf"{_REF.pattern}\s*$")
_FURNITURE = re.compile(r"(?i)^\s*(?:page \d+ of \d+|.{0,60}\bet al\.?.{0,40}\(\d{4}\)|.{0,80}\bJ(?:ournal of)? \w+)")
_SENTENCE = re.compile(r"[a-z)\]]\.\s+[A-Z][a-z]")
_SPACES = re.compile(r"\s{2,}")


def column_role(name: str) -> str | None:
    """Role of one column name ("Type of biomarker" → ``effect``), or None when it is not one."""
    name = " ".join(name.split()).strip(" :")
    for regex, role in _COLUMN_RES:
        if regex.fullmatch(name):
            return role
    return None


def parse_header(text: str) -> list[str]:
    """Column names run together in one string ("Source Component Effect Ref"), or [] when any
    stretch of it is not a column name. Longest name wins at each position."""
    names, pos, text = [], 0, text.strip()
    while pos < len(text):
        best = None
        for regex, _role in _COLUMN_RES:
            m = regex.match(text, pos)
            if m and _NAME_END.match(text, m.end()) and (best is None or m.end() > best.end()):
                best = m
        if best is None:
            return []
        names.append(best.group(0))
        pos = best.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
    return names


def column_roles(header: list[str]) -> list[str]:
    return [column_role(h) or "other" for h in header]


# --- cancers in cells -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _cancer_patterns() -> tuple[re.Pattern, re.Pattern]:
    """Two regexes over the lexicon's aliases, longest first: word names case-insensitively,
    abbreviations and cell lines exactly (a regex, not a tokenizer, because table cells glue words
    to brackets: "cancer(ESCC)")."""
    lex = load_lexicon()

    def alternation(names) -> str:
        return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))

    def loose(name: str) -> str:
        # PDF text splits a cell-line name where letters meet digits ("4 T1", "HGC 27").
        parts = re.findall(r"[A-Za-z]+|\d+|[^A-Za-z\d]", name)
        return "".join(re.escape(p) + (r"[\s-]?" if k + 1 < len(parts) and parts[k + 1][0].isalnum()
                                       and p[0].isalnum() and p[0].isdigit() != parts[k + 1][0].isdigit() else "")
                       for k, p in enumerate(parts))

    edge_l, edge_r = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
    words = re.compile(rf"(?i:{edge_l}(?:{alternation(lex.words)}){edge_r})")
    names = sorted(list(lex.abbreviations) + list(lex.cell_lines), key=len, reverse=True)
    exact = re.compile(rf"{edge_l}(?:{'|'.join(loose(n) for n in names)}){edge_r}")
    return words, exact


@lru_cache(maxsize=1)
def _compact_cell_lines() -> dict[str, Concept]:
    return {re.sub(r"[\s-]", "", name): c for name, c in load_lexicon().cell_lines.items()}


def cancer_spans_in(text: str) -> list[tuple[int, int, Concept]]:
    """(start, end, concept) of the specific cancers named in a cell or caption, in text order."""
    if not text:
        return []
    lex = load_lexicon()
    words, exact = _cancer_patterns()
    found = [(m.start(), m.end(), lex.words.get(" ".join(m.group(0).lower().split()))) for m in words.finditer(text)]
    found += [(m.start(), m.end(), lex.abbreviations.get(m.group(0)) or lex.cell_lines.get(m.group(0))
               or _compact_cell_lines().get(re.sub(r"[\s-]", "", m.group(0)))) for m in exact.finditer(text)]
    # Longest first, then drop spans inside a kept one ("lung cancer" inside "non-small cell lung cancer").
    kept: list[tuple[int, int, Concept]] = []
    for start, end, concept in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if concept is None or any(start < e and s < end for s, e, _ in kept):
            continue
        kept.append((start, end, concept))
    return [(s, e, c) for s, e, c in sorted(kept, key=lambda k: k[0]) if not c.generic]


def cancers_in(text: str) -> list[Concept]:
    """Specific cancers named in a cell or caption (generic "cancer", "tumor" left out)."""
    return [c for _, _, c in cancer_spans_in(text)]


def label_concept(cell: str) -> Concept | None:
    """The cancer a cell consists of ("Colorectal cancer(CRC)", "Melanoma"), or None."""
    name = re.sub(r"\s*\([^)]*\)?\s*$", "", " ".join(cell.split()))
    concept = load_lexicon().lookup(name) if name else None
    return concept if concept is not None and not concept.generic else None


def row_cancers(named: list[list[Concept]]) -> list[Concept]:
    """Cancers of one row from the concepts each of its cells names.

    Policy: a cancer is dropped when a *different* cell names a more specific one ("Lung cancer" in
    the first column, "NSCLC cells" as donor → NSCLC), but two cancers one cell names side by side
    ("NSCLC and lung squamous cell carcinoma patients") are both kept: they are two groups.
    """
    per_cell = [list(dict.fromkeys(c for c in cell if not c.generic)) for cell in named]
    out: list[Concept] = []
    for i, cell in enumerate(per_cell):
        for concept in cell:
            narrower = any(concept.is_broader_than(o) for j, other in enumerate(per_cell) if j != i for o in other)
            if not narrower and concept not in out:
                out.append(concept)
    return out


# --- effects of a cell ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _cue_engine():
    import spacy

    from extractors.relations import build_cue_matcher

    nlp = spacy.blank("en")
    matcher, by_id = build_cue_matcher(nlp)
    return nlp, matcher, by_id




def _cell_cues(text: str):
    from extractors.relations import find_cues

    nlp, matcher, by_id = _cue_engine()
    doc = nlp.make_doc(" ".join(text.split()))
    return doc, find_cues(doc, matcher, by_id)


def cell_effects(text: str, marker_column: bool = False) -> list[str]:
    """TRIPLES.md §4 effects an effect cell states, read with the sentence cue data.

    A table cell is a label, not a sentence, so a bare process means the process is promoted
    ("Angiogenesis" → promotes_angiogenesis; "Inhibited invasion" → suppresses_tumor); a lowering
    word on its own ("Inhibitor", "Suppressor") means the miRNA suppresses the tumour; markers and
    roles count as written. In a ``marker_column`` (a "Predictive effect" column) a process or an
    association is what the marker predicts: prognostic_marker.
    """
    from extractors.relations import _LEVEL_NOUNS, PROCESS_EFFECTS, polarity_for_process

    doc, cues = _cell_cues(text)
    negations = [c for c in cues if c.kind == "negation"]
    has_prognostic = any(c.effect == "prognostic_marker" for c in cues)
    effects: list[str] = []
    used: set = set()

    def add(effect: str | None) -> None:
        if effect and effect not in effects:
            effects.append(effect)

    for cue in cues:
        if any(0 <= cue.start - n.end <= 4 for n in negations):
            continue
        if cue.kind == "process":
            assoc = any(a.kind == "assoc" and 0 <= cue.start - a.end <= 4 for a in cues)
            if (assoc or marker_column) and cue.category in {"growth", "metastasis"}:
                add("prognostic_marker")
                continue
            direction, pol = polarity_for_process(doc, cue, cues, lambda _c: 0)
            used.add(pol)
            add(PROCESS_EFFECTS.get((cue.category, direction or "+")))
        elif cue.kind == "role":
            add(cue.effect)
        elif cue.kind == "marker":
            add("diagnostic_marker" if cue.effect == "biomarker" and not has_prognostic else
                None if cue.effect == "biomarker" else cue.effect)
        elif cue.kind == "assoc" and marker_column:
            add("prognostic_marker")
        elif cue.kind == "expression":
            nxt = doc[cue.end].lower_ if cue.end < len(doc) else ""
            after = doc[cue.end + 1].lower_ if cue.end + 1 < len(doc) else ""
            if len(doc) <= 2 or (nxt in _LEVEL_NOUNS and after != "of"):
                add(cue.effect)
    if not effects and any(c.kind in {"polarity", "knockdown"} and (c.kind == "knockdown" or c.polarity == "-")
                           and c not in used for c in cues):
        add("suppresses_tumor")
    return effects


def cell_is_hedged(text: str) -> bool:
    return any(c.kind == "hedge" for c in _cell_cues(text)[1])


# --- text lines and joins -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def join_wrapped(lines: list[str]) -> str:
    """Lines of one wrapped cell as one string: "cor-" + "relates" → "correlates", "miR-" + "92a"
    → "miR-92a", otherwise a space."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha():
            out = out[:-1] + line if out[-2].islower() and line[:1].islower() else out + line
        else:
            out = f"{out} {line}" if out else line
    return out


def _is_prose(line: str) -> bool:
    """A running sentence, not a cell: long, or with a sentence break inside."""
    s = line.strip()
    return len(s) > 110 or bool(_SENTENCE.search(s))


# --- shape (a): one cell per line ---------------------------------------------------------------


def _header_lines(lines: list[_Line], i: int) -> tuple[list[str], int]:
    """Column names one per line from line ``i`` (blank lines between); returns them and the next line."""
    names: list[str] = []
    while i < len(lines):
        if lines[i].blank:
            i += 1
            continue
        if len(lines[i].text.split()) <= 5 and column_role(lines[i].text):
            names.append(" ".join(lines[i].text.split()))
            i += 1
            continue
        break
    return names, i


def _cell_groups(lines: list[_Line], i: int):
    """Cells from line ``i``: runs of non-blank lines, with reference lines, "(continued)" captions
    with their repeated header, and page furniture split out. Yields (kind, lines)."""
    group: list[_Line] = []
    while i < len(lines):
        line = lines[i]
        special = None
        if line.blank:
            special = "blank"
        elif _REF_LINE.match(line.text):
            special = "ref"
        elif _CONTINUED.match(line.text):
            special = "continued"
        elif _FURNITURE.match(line.text) or _CAPTION.match(line.text):
            special = "furniture" if not _CAPTION.match(line.text) else "caption"
        if special and group:
            yield "cell", group
            group = []
        if special == "caption":
            return
        if special == "continued":
            _names, i = _header_lines(lines, i + 1)
            continue
        if special in {"ref", "furniture"}:
            yield special, [line]
        elif special is None:
            group.append(line)
        i += 1
    if group:
        yield "cell", group


def _cell_per_line(lines: list[_Line], ci: int) -> Table | None:
    header, i = _header_lines(lines, ci + 1)
    roles = column_roles(header)
    if len(header) < 3 or "mirna" not in roles:
        return None
    caption = " ".join(lines[ci].text.split())
    rows: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    pending_row: list[list[_Line]] = []
    end = lines[i - 1].end if i > 0 else lines[ci].end
    max_cells = len(header) + 3
    waiting: list[Concept] = []  # stacked first-column labels not yet confirmed by a row
    for kind, group in _cell_groups(lines, i):
        if kind == "furniture":
            continue
        if kind == "cell" and (len(group) > 4 or any(_is_prose(ln.text) for ln in group)):
            break
        pending_row.append(group)
        if kind == "ref":
            cells, waiting = _assemble_row(pending_row, header, roles, waiting)
            rows.append(cells)
            spans.append((pending_row[0][0].start, pending_row[-1][-1].end))
            end = spans[-1][1]
            pending_row = []
        elif len(pending_row) > max_cells:
            break
    # A first-column label after the last row still belongs to the table area.
    for group in pending_row:
        if label_concept(join_wrapped([ln.text for ln in group])) is None:
            break
        end = group[-1].end
    if not rows:
        return None
    return Table(caption, header, rows, spans, start=lines[ci].start, end=end, shape="cell-per-line")


def _assemble_row(groups: list[list[_Line]], header: list[str], roles: list[str],
                  waiting: list[Concept]) -> tuple[list[str], list[Concept]]:
    """Put one row's cells into header order; decide its first-column cancer.

    Policy for first-column labels: one label before the miRNA cell is the row's cancer and is
    carried down. Two or more stacked labels mean the extractor displaced them from their rows, so
    none is applied blindly: the previous label stays until a row's own cells name one of the
    stacked cancers (or a type under it), which then becomes the carried label.
    """
    texts = [join_wrapped([ln.text for ln in g]) for g in groups]
    ref = texts.pop() if texts and _REF_LINE.match(texts[-1]) else ""
    mi = next((k for k, t in enumerate(texts) if find_mirnas(t)), None)
    before = texts[:mi] if mi is not None else []
    labels = [label_concept(t) for t in before]
    label_texts = [t for t, c in zip(before, labels, strict=True) if c is not None]
    pre = [t for t, c in zip(before, labels, strict=True) if c is None]
    rest = texts[mi + 1:] if mi is not None else texts
    effect = rest.pop() if rest else ""
    named = [c for t in pre + rest for c in cancers_in(t)]
    label = ""
    if len(label_texts) == 1:
        label, waiting = label_texts[0], []
    elif len(label_texts) > 1:
        waiting = [c for c in labels if c is not None]
    if not label and waiting:
        hit = next((w for w in waiting if any(w == c or w.is_broader_than(c) for c in named)), None)
        if hit is not None:
            label, waiting = hit.canonical, [w for w in waiting if w is not hit]
    cells = [""] * len(header)
    _put(cells, roles, "cancer", label)
    _put(cells, roles, "mirna", texts[mi] if mi is not None else "")
    _put(cells, roles, "effect", effect, last=True)
    _put(cells, roles, "ref", ref)
    free = [k for k, r in enumerate(roles) if r in {"context", "other"}]
    for n, text in enumerate(pre + rest):
        if free:
            k = free[min(n, len(free) - 1)]
            cells[k] = f"{cells[k]} {text}".strip()
    return cells, waiting


def _put(cells: list[str], roles: list[str], role: str, text: str, last: bool = False) -> None:
    slots = [k for k, r in enumerate(roles) if r == role]
    if slots and text:
        cells[slots[-1] if last else slots[0]] = text


# --- content split: shapes (b), (c), (d) ----------------------------------------------------------

#: Non-miRNA RNAs a component cell may hold instead (TRIPLES.md §1: not a triple).
_OTHER_RNA = re.compile(r"(?<![A-Za-z])(?:circ|lnc|linc|sno|sn|pi)[-_]?[A-Za-z0-9]*RNAs?\b|\bmRNAs?\b"
                        r"|\b(?:circ|lnc)[-_A-Z0-9]\S*|\bcircular RNAs?\b")
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s*and|,?\s*or|/|&)\s*$")


def split_by_content(text: str) -> tuple[str, str, str]:
    """(source, component, rest) of a row whose cells are not delimited.

    The component cell starts at the first molecule (a miRNA or another RNA) and runs over a list
    of names; the text before it is the source, the text after it the mechanism and effect. When
    the first molecule is another RNA (a circRNA, lncRNA …) the row is about that RNA (TRIPLES.md
    §1): the component is that RNA alone, and miRNAs further on are only its mechanism.
    """
    mirnas = find_mirnas(text)
    other = _OTHER_RNA.search(text)
    if not mirnas and not other:
        return "", "", text.strip()
    if other and (not mirnas or other.start() < mirnas[0].start):
        start, end = other.start(), other.end()
    else:
        start, end = mirnas[0].start, mirnas[0].end
        for m in mirnas[1:]:
            if m.start >= end and _LIST_GAP.match(text[end:m.start]):
                end = m.end
    return text[:start].strip(), text[start:end].strip(), text[end:].strip()


def _content_row(text: str, header: list[str], roles: list[str]) -> list[str]:
    ref_m = _REF_AT_END.search(text)
    ref = ref_m.group(0).strip() if ref_m else ""
    body = text[:ref_m.start()] if ref_m else text
    source, component, rest = split_by_content(body)
    cells = [""] * len(header)
    _put(cells, roles, "context", source)
    _put(cells, roles, "mirna", component)
    _put(cells, roles, "ref", ref)
    if "other" in roles and "effect" in roles:
        mech, effect = _split_mechanism(rest)
        _put(cells, roles, "other", mech)
        _put(cells, roles, "effect", effect, last=True)
    else:
        _put(cells, roles, "effect", rest, last=True)
    return cells


_CELL_BOUNDARY = re.compile(r"(?<=[a-z0-9.)\]])(?=[A-Z][a-z])")


def _split_mechanism(rest: str) -> tuple[str, str]:
    """Rotated text glues cells together ("…STAT3 pathwayEnhanced invasion"): a lower-case letter
    followed by a capitalised word is where the effect cell begins; without one the whole rest is
    read for effects."""
    cuts = [m.start() for m in _CELL_BOUNDARY.finditer(rest)]
    if not cuts:
        return "", rest
    return rest[:cuts[-1]].strip(), rest[cuts[-1]:].strip()


# --- shape (c): wrapped cells -----------------------------------------------------------------


def _wrapped_cells(lines: list[_Line], ci: int) -> Table | None:
    i = ci + 1
    while i < len(lines) and lines[i].blank:
        i += 1
    if i >= len(lines):
        return None
    line = lines[i].text
    aligned = [p for p in _SPACES.split(line.strip()) if p]
    if len(aligned) >= 2 and all(column_role(p) for p in aligned):
        return _space_aligned(lines, ci, i, aligned)
    header = parse_header(line)
    roles = column_roles(header)
    if len(header) < 3 or "mirna" not in roles:
        return None
    rows, spans, row_lines = [], [], []
    end = lines[i].end
    for line in lines[i + 1:]:
        if line.blank or _FURNITURE.match(line.text):
            continue
        if _CAPTION.match(line.text) or _is_prose(line.text):
            break
        if not row_lines and not re.match(r"\s*[A-Z0-9]", line.text):
            break  # a row starts with a capital; a lower-case or bracketed start is running text
        row_lines.append(line)
        if len(row_lines) > 10:
            break
        if _REF_AT_END.search(line.text):
            text = join_wrapped([ln.text for ln in row_lines])
            rows.append(_content_row(text, header, roles))
            spans.append((row_lines[0].start, row_lines[-1].end))
            end, row_lines = row_lines[-1].end, []
    if not rows:
        return None
    return Table(" ".join(lines[ci].text.split()), header, rows, spans, start=lines[ci].start, end=end,
                 shape="wrapped-cells")


# --- shape (d): space-aligned -------------------------------------------------------------------


def _space_aligned(lines: list[_Line], ci: int | None, hi: int, header: list[str]) -> Table | None:
    roles = column_roles(header)
    if "mirna" not in roles:
        return None
    rows: list[list[str]] = []
    spans: list[tuple[int, int]] = []
    end = lines[hi].end
    for line in lines[hi + 1:]:
        if line.blank:
            continue
        parts = [p for p in _SPACES.split(line.text.strip()) if p]
        if len(parts) >= 2 and not _is_prose(line.text):
            cells = (parts + [""] * len(header))[:len(header)]
            if len(parts) > len(header):
                cells[-1] = " ".join(parts[len(header) - 1:])
            rows.append(cells)
            spans.append((line.start, line.end))
            end = line.end
        elif rows and len(line.text.strip()) <= 40 and line.text.startswith(" "):
            rows[-1][-1] = f"{rows[-1][-1]} {line.text.strip()}".strip()  # wrapped last cell
            spans[-1] = (spans[-1][0], line.end)
            end = line.end
        else:
            break
    if not rows:
        return None
    start = lines[ci].start if ci is not None else lines[hi].start
    caption = " ".join(lines[ci].text.split()) if ci is not None else ""
    return Table(caption, header, rows, spans, start=start, end=end, shape="space-aligned")


# --- shape (b): rotated -------------------------------------------------------------------------

#: A rotated table gives one fragment per line; this many fragments make a table, not a stray list.
_MIN_FRAGMENTS = 60
_MAX_FRAGMENT = 4


def _rotated_runs(lines: list[_Line]) -> list[tuple[int, int]]:
    """(first, last) line indices of runs of short fragment lines (blank lines allowed between)."""
    runs, first, count, blanks = [], None, 0, 0
    for k, line in enumerate(lines + [_Line(0, 0, "x" * 10)]):
        if line.blank and first is not None:
            blanks += 1
            if blanks <= 2:
                continue
        if not line.blank and len(line.text) <= _MAX_FRAGMENT:
            if first is None:
                first, count = k, 0
            count, blanks, last = count + 1, 0, k
            continue
        if first is not None and count >= _MIN_FRAGMENTS:
            runs.append((first, last))
        first, blanks = None, 0
    return runs


def _rotated(lines: list[_Line], first: int, last: int) -> Table | None:
    chars, offsets = [], []
    for line in lines[first:last + 1]:
        if line.blank:
            continue
        chars.append(line.text)
        offsets.extend(range(line.start, line.end))
    joined = "".join(chars)
    cap = re.search(r"Table\s*\d+[A-Za-z]?\s*", joined)
    if cap is None:
        return None
    # The header is the first place after the caption where column names follow each other.
    header, hstart, hend = [], -1, -1
    for m in re.finditer(r"(?<=[a-z\s])(?=[A-Z])", joined[cap.end():]):
        pos = cap.end() + m.start()
        names, p = [], pos
        while True:
            best = None
            for regex, _role in _COLUMN_RES:
                mm = regex.match(joined, p)
                if mm and _NAME_END.match(joined, mm.end()) and (best is None or mm.end() > best.end()):
                    best = mm
            if best is None:
                break
            names.append(best.group(0).strip())
            p = best.end()
            while p < len(joined) and joined[p] == " ":
                p += 1
        if len(names) >= 3 and "mirna" in column_roles(names):
            header, hstart, hend = names, pos, p
            break
    if not header:
        return None
    roles = column_roles(header)
    rows, spans, pos = [], [], hend
    for ref in _REF.finditer(joined, hend):
        text = joined[pos:ref.end()]
        rows.append(_content_row(_unglue(text), header, roles))
        spans.append((offsets[pos], offsets[ref.end() - 1] + 1))
        pos = ref.end()
    if not rows:
        return None
    caption = joined[cap.start():hstart].strip()
    return Table(caption, header, rows, spans, start=lines[first].start, end=lines[last].end, shape="rotated")


def _unglue(text: str) -> str:
    """Put back the space rotated text loses around a miRNA name ("BMSCsmiR-210", "miR-19bActivates")."""
    text = re.sub(r"(?<=[A-Za-z0-9])(?=(?:miR|let)-?\s?\d)", " ", text)
    text = re.sub(r"(?<=\d[a-z])(?=[A-Z][a-z])", " ", text)
    return re.sub(r"(?<=[a-z])(?=(?:circ|lnc)[-_A-Z0-9])", " ", text)


# --- shape (e): one row per line, cells delimited -----------------------------------------------

#: A footnote line under a table: a mark then a capital ("aThe …", "* P < 0.05"), "Abbreviations:",
#: "Note:", or a definition ("HCC, hepatocellular carcinoma").
_FOOTNOTE_LINE = re.compile(r"^\s*(?:[a-z*†‡§¶#ᵃ-ᶻ]\s?[A-Z(]|[*†‡§¶#]|Abbreviations?\b|Notes?\b"
                            r"|[A-Z][A-Za-z0-9]{1,7}\s*[,:=]\s*[a-z])")


def split_cells(line: str) -> tuple[str, list[str]] | None:
    """(delimiter, cells) of a table row flattened into one line — cells separated by " | ", tabs
    or runs of two or more spaces — or None for a line of one cell."""
    text = line.strip()
    if " | " in f" {text} ":
        kind, cells = "pipe", [c.strip() for c in text.split("|")]
    elif "\t" in text:
        kind, cells = "tab", [c.strip() for c in text.split("\t")]
    else:
        kind, cells = "spaces", [p for p in _SPACES.split(text) if p]
    return (kind, cells) if len(cells) >= 2 else None


def _fill_header(rows: list[list[str]]) -> list[list[str]]:
    """Header rows of a flattened table with spanning cells repeated: an empty cell right of a
    filled one in an upper row is the same cell (colspan); an empty cell under a filled one
    continues it (rowspan)."""
    rows = [list(r) for r in rows]
    for r, row in enumerate(rows[:-1]):
        for c in range(1, len(row)):
            if not row[c] and row[c - 1]:
                row[c] = row[c - 1]
        rows[r] = row
    for r in range(1, len(rows)):
        rows[r] = [cell or rows[r - 1][c] for c, cell in enumerate(rows[r])]
    return rows


#: Where flattened footnotes run together: a letter mark glued to the next footnote's first word.
_GLUED_MARK = re.compile(r"(?:^|(?<=[\w.;)\]])\s+)(?P<mark>[a-z])(?=[A-Z][a-z])")


def _marked_notes(notes: list[str], header_rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Flattened footnotes split at their letter marks ("… respectively bDifferential …"), each
    written with its mark in superscript as the JATS reader writes it, and a header cell's mark
    after a closing bracket ("miR (up)b") likewise, so the model can tell which footnote a column
    carries. A mark glued to a word ("Predictionc") cannot be told from the word and is left."""
    from extractors.table_model import superscript

    entries = []
    for note in notes:
        cuts = [m.start("mark") for m in _GLUED_MARK.finditer(note)]
        if not cuts:
            entries.append(note)
            continue
        entries += [note[:cuts[0]].strip()] if cuts[0] else []
        entries += [f"{superscript(note[a])} {note[a + 1:b].strip()}" for a, b in zip(cuts, [*cuts[1:], len(note)],
                                                                                      strict=True)]
    marks = {e[0] for e in entries if e}
    rows = [[re.sub(r"(?<=\))([a-z])$", lambda m: superscript(m.group(1))
                    if superscript(m.group(1)) in marks else m.group(1), cell) for cell in row]
            for row in header_rows]
    return [e for e in entries if e], rows


@lru_cache(maxsize=8192)
def _names_mirna(cell: str) -> bool:
    """Whether a cell names a miRNA; cached, as every line of a delimited block starts a scan
    over the rest of the block."""
    return bool(find_mirnas(cell))


def _delimited(lines: list[_Line], k: int) -> Table | None:
    """A table flattened one row per line from line ``k``: header lines (no miRNA, several cells),
    then rows; a line of one short cell between rows is a group row."""
    first = split_cells(lines[k].text)
    if first is None:
        return None
    kind = first[0]
    block: list[tuple[_Line, list[str]]] = []
    i = k
    while i < len(lines):
        line = lines[i]
        if line.blank:
            nxt = next((ln for ln in lines[i + 1:i + 3] if not ln.blank), None)
            if nxt is None or (split_cells(nxt.text) or ("",))[0] != kind:
                break
            i += 1
            continue
        cells = split_cells(line.text)
        if cells is not None and cells[0] == kind and not any(len(c) > 150 for c in cells[1]):
            block.append((line, cells[1]))
        elif (block and len(line.text.strip()) <= 60 and not _CAPTION.match(line.text)
              and i + 1 < len(lines) and (split_cells(lines[i + 1].text) or ("",))[0] == kind):
            block.append((line, [line.text.strip()]))  # a group row
        else:
            break
        i += 1
    if kind == "spaces" and (len(block) < 3 or any(_is_prose(ln.text) for ln, _ in block)):
        return None
    if len(block) < 2 or not any(_names_mirna(c) for _, cells in block for c in cells):
        return None
    width = max(len(cells) for _, cells in block)
    grid = [(ln, (cells + [""] * width)[:width]) for ln, cells in block]
    n_head = 0
    while (n_head < min(3, len(grid) - 1) and not any(_names_mirna(c) for c in grid[n_head][1])
           and len({c for c in grid[n_head][1] if c}) >= 2):
        n_head += 1
    header_rows = _fill_header([cells for _, cells in grid[:n_head]])
    body = grid[n_head:]
    from extractors.table_model import merge_header

    start = block[0][0].start
    caption = ""
    back = k - 1
    while back >= 0 and back >= k - 2 and lines[back].blank:
        back -= 1
    if back >= 0 and _CAPTION.match(lines[back].text):
        caption, start = " ".join(lines[back].text.split()), lines[back].start
    notes = []
    for line in lines[i:i + 4]:
        if line.blank or _CAPTION.match(line.text) or not _FOOTNOTE_LINE.match(line.text):
            break
        notes.append(line.text.strip())
    notes, header_rows = _marked_notes(notes, header_rows)
    return Table(caption, merge_header(header_rows), [cells for _, cells in body],
                 [(ln.start, ln.end) for ln, _ in body], header_rows=header_rows if n_head > 1 else [],
                 footnotes="\n".join(notes), start=start, end=block[-1][0].end, shape="delimited")


# --- entry points -------------------------------------------------------------------------------


def find_text_tables(text: str) -> list[Table]:
    """Tables flattened into ``text``, with raw offsets of each row and of the whole table area."""
    lines = _lines(text)
    tables: list[Table] = []
    taken: list[tuple[int, int]] = []
    for first, last in _rotated_runs(lines):
        table = _rotated(lines, first, last)
        if table is not None:
            tables.append(table)
            taken.append((table.start, table.end))
    for k, line in enumerate(lines):
        if any(a <= line.start < b for a, b in taken):
            continue
        table = None
        if _CAPTION.match(line.text) and not _CONTINUED.match(line.text):
            table = _cell_per_line(lines, k) or _wrapped_cells(lines, k)
        elif len(_SPACES.split(line.text.strip())) >= 2 and not (k and _CAPTION.match(lines[k - 1].text)):
            parts = [p for p in _SPACES.split(line.text.strip()) if p]
            if len(parts) >= 2 and all(column_role(p) for p in parts):
                table = _space_aligned(lines, None, k, parts)
        if table is None and not _CAPTION.match(line.text):
            table = _delimited(lines, k)
        if table is not None:
            tables.append(table)
            taken.append((table.start, table.end))
    return sorted(tables, key=lambda t: t.start)


def cell_offsets(cells: list[str]) -> dict[int, int]:
    """Where each non-empty cell starts in the row's evidence (cells joined with " | ")."""
    out, pos = {}, 0
    for k, cell in enumerate(cells):
        if cell:
            out[k] = pos
            pos += len(cell) + 3
    return out


def table_mentions(doc_id: str, table: Table, context=None) -> list[Mention]:
    """Mention rows of one table, read by the one table model (:mod:`extractors.table_model`)."""
    from extractors.table_model import read_table

    return read_table(doc_id, table, context)
