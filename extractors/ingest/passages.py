"""Passages of text whose structure is only visible in the layout (plain text, PDF text).

The clean-up (:func:`extractors.clean.clean_text`) already decides which lines are headings and
where paragraphs end; every line of the cleaned text is one passage. Its kind follows from where
it sits:

* the first line is the ``title`` when it is short (at most :data:`TITLE_MAX_CHARS`) and text
  follows it, unless it is a section name ("Abstract");
* a heading line is a ``heading``; a heading "Abstract" opens the abstract, which runs until a
  heading that is not a structured-abstract label (Background, Methods, Results, …) or that
  repeats one ("Background" again is the body's first section);
* a heading naming a reference list starts the ``reference`` passages, which run to a back-matter
  heading (tables, figure legends, appendix) or to the end (cited titles are other papers'
  claims: they are never read);
* a line opening with "Figure 2." / "Fig. 2:" / "Table 1" is a ``caption``;
* everything else is ``body`` (or ``abstract`` inside the abstract).

Offsets are those of the raw text (``Cleaned.raw_span``), as every Document offset is.
"""

from __future__ import annotations

import re

from extractors.clean import Cleaned
from extractors.schema import Passage

#: A first line longer than this is a paragraph, not a title.
TITLE_MAX_CHARS = 300

REFERENCE_HEADING = re.compile(r"(?i)^\s*(?:\d+\.?\s*)?(?:references?|bibliography|literature cited|works cited"
                               r"|reference list|cited literature)\s*$")
AFTER_REFERENCES = re.compile(r"(?i)^\s*(?:tables?|figures?|figure legends|appendix|supplementary\b.*)\s*$")
_ABSTRACT_HEADING = re.compile(r"(?i)^\s*(?:structured\s+)?(?:abstract|summary)\s*:?\s*$")
#: Labels of a structured abstract's parts (lower case, no final colon).
_ABSTRACT_LABELS = frozenset((
    "background", "objective", "objectives", "aim", "aims", "purpose", "context",
    "methods", "method", "design", "setting", "materials and methods", "patients and methods",
    "methods and results", "results", "findings", "conclusion", "conclusions", "interpretation",
    "significance", "implications", "importance", "trial registration", "keywords", "key words"))
#: A caption opens with its label and number: "Figure 2.", "Fig. 3:", "Table 1", "Supplementary Table S2".
CAPTION_START = re.compile(r"^(?:Supplementary\s+|Additional\s+)?(?:Fig(?:ure)?s?\.?|FIGURE|Table|TABLE)\s*S?\d+[A-Za-z]?"
                           r"(?:\s*[.:|]|\s+[A-Z(]|\s*$)")


def _label(text: str) -> str:
    return " ".join(text.lower().rstrip(":.").split())


def lines_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line of ``text``, stripped of surrounding spaces."""
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            out.append((start, start + len(stripped)))
        pos += len(line) + 1
    return out


def text_passages(cleaned: Cleaned) -> list[Passage]:
    """Typed passages of a cleaned text, in raw offsets (module docstring)."""
    text = cleaned.text
    headings = set(cleaned.headings)
    lines = lines_of(text)
    out: list[Passage] = []
    section = "body"  # "abstract", "reference" or "body"
    labels_seen: set[str] = set()
    for i, (a, b) in enumerate(lines):
        line = text[a:b]
        is_heading = (a, b) in headings
        label = _label(line)
        if section == "reference":
            if is_heading and AFTER_REFERENCES.match(line):
                section = "body"
                kind = "heading"
            else:
                kind = "reference"
        elif is_heading and REFERENCE_HEADING.match(line):
            section, kind = "reference", "reference"
        elif i == 0 and len(lines) > 1 and len(line) <= TITLE_MAX_CHARS and not _ABSTRACT_HEADING.match(line) \
                and label not in _ABSTRACT_LABELS:
            kind = "title"
        elif is_heading and _ABSTRACT_HEADING.match(line):
            section, kind = "abstract", "heading"
            labels_seen = set()
        elif is_heading:
            if section == "abstract" and label in _ABSTRACT_LABELS and label not in labels_seen:
                labels_seen.add(label)
            else:
                section = "body"
            kind = "heading"
        elif CAPTION_START.match(line):
            kind = "caption"
        else:
            kind = section
        start, end = cleaned.raw_span(a, b)
        out.append(Passage(kind, start, end))
    return out


def mark_spans(passages: list[Passage], spans: list[tuple[int, int]], kind: str, text: str) -> list[Passage]:
    """Cut passages at the edges of ``spans`` (raw offsets, e.g. the lines of a PDF table the table
    finder boxed) and give the parts inside a span ``kind``: a caption run together with the table
    below it becomes the caption and the table. ``text`` is the raw text (parts are stripped)."""
    if not spans:
        return passages
    spans = sorted(spans)
    out: list[Passage] = []
    for p in passages:
        cuts = sorted({p.start, p.end, *(x for a, b in spans for x in (a, b) if p.start < x < p.end)})
        for a, b in zip(cuts, cuts[1:], strict=False):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a >= b:
                continue
            inside = any(x <= a and b <= y for x, y in spans)
            part_kind = kind if inside else ("body" if p.kind == "caption" and a != p.start else p.kind)
            out.append(Passage(part_kind, a, b))
    return out
