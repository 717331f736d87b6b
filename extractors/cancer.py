"""Cancer-type recognition and normalisation (TRIPLES.md §3).

Knowledge is data: ``cancer_lexicon.jsonl`` (built from the Disease Ontology cancer subset by
``scripts/build_lexicons.py``) and ``cell_lines.tsv``. The engine matches them with spaCy
``PhraseMatcher``s (case-insensitive for words, case-sensitive for abbreviations and cell lines),
resolves abbreviations the document defines through scispacy's ``AbbreviationDetector``, and
stores mentions on ``doc.spans["cancer"]`` with ``span._.cancer`` set to a :class:`Concept`.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans


@dataclass(frozen=True)
class Concept:
    """A cancer type: canonical name (§3), DOID or "" and its ancestors' DOIDs."""

    canonical: str
    id: str
    ancestors: frozenset[str] = frozenset()
    generic: bool = False
    #: a benign neoplasm (TRIPLES.md §1: not a cancer): recognised so that no cancer is read inside
    #: its name, never output; benign concepts are also ``generic`` so no reader outputs them
    benign: bool = False

    def is_broader_than(self, other: Concept) -> bool:
        """True when ``other`` is a more specific type under this one (for "most specific" choice)."""
        return bool(self.id) and self.id in other.ancestors


class LexiconError(ValueError):
    """A data file record that does not have the expected shape."""


_LEXICON_KEYS = {"id", "canonical", "aliases", "ancestors", "generic", "source", "spec"}


def _is_abbreviation(alias: str) -> bool:
    """Aliases with two or more capitals and no spaces are matched case-sensitively ("ALL" ≠ "all")."""
    return " " not in alias and sum(ch.isupper() for ch in alias) >= 2


@dataclass
class Lexicon:
    concepts: dict[str, Concept]  # canonical -> concept
    words: dict[str, Concept]  # lower-cased word aliases
    abbreviations: dict[str, Concept]  # case-sensitive aliases
    cell_lines: dict[str, Concept]

    def lookup(self, text: str) -> Concept | None:
        """The concept a written name denotes, or None (generic "cancer" is returned flagged)."""
        text = " ".join(text.translate(TO_HYPHEN).split())
        return self.abbreviations.get(text) or self.words.get(text.lower()) or self.cell_lines.get(text)


def _read_data(name: str) -> str:
    return resources.files("extractors.data").joinpath(name).read_text(encoding="utf-8")


#: Every Unicode hyphen and dash authors (and PDF text) put inside names: "non‐small cell", "triple–negative".
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


TO_HYPHEN = str.maketrans({d: "-" for d in DASHES})  # one character each: offsets stay valid


def _prefer(a: Concept, b: Concept, spec_names: set[str]) -> Concept:
    """Policy when one alias names two concepts: a §3 name, then a cancer over a benign
    neoplasm, then the more specific, then the first."""
    if a.benign != b.benign:
        return b if a.benign else a
    if (a.canonical in spec_names) != (b.canonical in spec_names):
        return a if a.canonical in spec_names else b
    if a.is_broader_than(b):
        return b
    return a


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Load and check the shipped cancer lexicon and cell-line table (once per process)."""
    concepts: dict[str, Concept] = {}
    words: dict[str, Concept] = {}
    abbreviations: dict[str, Concept] = {}
    records = []
    for n, line in enumerate(_read_data("cancer_lexicon.jsonl").splitlines(), start=1):
        if not line.strip():
            continue
        rec = json.loads(line)
        missing = _LEXICON_KEYS - rec.keys()
        if missing:
            raise LexiconError(f"cancer_lexicon.jsonl:{n}: missing key(s) {sorted(missing)}")
        concept = Concept(rec["canonical"], rec["id"], frozenset(rec["ancestors"]), bool(rec["generic"]),
                          bool(rec.get("benign", False)))
        concepts[concept.canonical] = concept
        records.append((rec, concept))
    spec_names = {rec["canonical"] for rec, _ in records if rec["spec"]}
    for rec, concept in records:
        for alias in rec["aliases"]:
            table, key = (abbreviations, alias) if _is_abbreviation(alias) else (words, alias.lower())
            table[key] = _prefer(table[key], concept, spec_names) if key in table else concept
    cell_lines: dict[str, Concept] = {}
    rows = csv.DictReader((ln for ln in _read_data("cell_lines.tsv").splitlines() if not ln.startswith("#")),
                          delimiter="\t")
    for n, row in enumerate(rows, start=2):
        target = concepts.get(row.get("canonical") or "")
        if not row.get("cell_line") or target is None:
            raise LexiconError(f"cell_lines.tsv:{n}: unknown cancer {row.get('canonical')!r}")
        name = row["cell_line"]
        for form in {name, name.replace("-", ""), name.replace("-", " ")}:
            cell_lines[form] = target
    return Lexicon(concepts, words, abbreviations, cell_lines)


def choose_most_specific(concepts: list[Concept]) -> list[Concept]:
    """Drop a type when a more specific one under it is also named (TRIPLES.md §3)."""
    unique = list(dict.fromkeys(c for c in concepts if not c.generic))
    return [c for c in unique if not any(c.is_broader_than(o) for o in unique if o is not c)]


def drop_apposed_general(spans: list[Span]) -> list[Span]:
    """"human brain tumour glioblastoma": a name directly followed by another names the same
    disease, and the second (the head) is the specific one."""
    spans = sorted(spans, key=lambda s: s.start)
    return [s for i, s in enumerate(spans)
            if not (i + 1 < len(spans) and spans[i + 1].start == s.end and s.label_ == spans[i + 1].label_ == "CANCER")]


def refine_cell_lines(doc: Doc, spans: list[Span], document_named: list[Concept] = ()) -> list[Span]:
    """Policy for cancers named only through a cell line.

    * A cell line that is a transfection or reporter host ("transfected into HeLa cells") names
      no cancer of the study.
    * A cell line's cancer takes the more specific type of the same lineage that the document
      itself names, when there is exactly one (A549 in a paper on NSCLC → non-small cell lung
      carcinoma), since the authors chose the line as a model of that type.
    """
    named = choose_most_specific([s._.cancer for s in spans if s.label_ == "CANCER"] + list(document_named))
    out = []
    for span in spans:
        if span.label_ == "CELL_LINE":
            if span.start > 0 and doc[span.start - 1].lower_ == "into":
                continue
            if placed_by_sentence(doc, span, spans):
                continue
            finer = [c for c in named if span._.cancer.is_broader_than(c)]
            if len(finer) == 1:
                span._.cancer = finer[0]
        out.append(span)
    return out


_CELL_LINE_GLUE = {"cell", "cells", "line", "lines", "the", "a", "an", "(", ")", ",", "-", "derived", "human",
                   "such", "as", "including", "e.g.", "i.e.", "namely"}


def placed_by_sentence(doc: Doc, line: Span, spans: list[Span]) -> bool:
    """"the lung cancer cell line H1299", "H1299 (a lung cancer cell line)": the sentence says which
    cancer the line stands for, and the cell-line table must not override it with its own type."""
    for other in spans:
        if other.label_ != "CANCER":
            continue
        between = doc[other.end:line.start] if other.end <= line.start else doc[line.end:other.start]
        if len(between) <= 4 and all(t.lower_ in _CELL_LINE_GLUE for t in between) and (
                other.end <= line.start and any(t.lower_ in {"cell", "cells", "line", "lines"} for t in between)
                or other.start >= line.end and other.end < len(doc) and doc[other.end].lower_ == "cell"):
            return True
    return False


@Language.factory("mirkb_cancer", default_config={"spans_key": "cancer"})
def make_cancer_recognizer(nlp: Language, name: str, spans_key: str) -> CancerRecognizer:
    return CancerRecognizer(nlp, spans_key)


class CancerRecognizer:
    """spaCy component: cancer mentions (names, abbreviations, cell lines) on ``doc.spans``.

    Runs after scispacy's ``abbreviation_detector`` when the pipeline has one: a short form the
    document defines ("gastric cancer (GC)") then names that cancer wherever it appears, which is
    how ambiguous abbreviations (GC, BC, PC) are read safely.
    """

    def __init__(self, nlp: Language, spans_key: str = "cancer"):
        self.spans_key = spans_key
        self.lexicon = load_lexicon()
        self.tokenizer = nlp.tokenizer
        if not Span.has_extension("cancer"):
            Span.set_extension("cancer", default=None)
        # Set by the extractor when a document is read passage by passage: {"abbreviations":
        # {short form: Concept} defined in other passages, "named": [Concept] the document names}.
        if not Doc.has_extension("mirkb_context"):
            Doc.set_extension("mirkb_context", default=None)
        #: {short form: Concept} that this doc itself defines (read back by the extractor)
        if not Doc.has_extension("mirkb_defined_cancers"):
            Doc.set_extension("mirkb_defined_cancers", default=None)
        self.words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._add(nlp, self.words, "W", list(self.lexicon.words))
        self._add(nlp, self.exact, "A", list(self.lexicon.abbreviations))
        self._add(nlp, self.exact, "C", list(self.lexicon.cell_lines))

    @staticmethod
    def _add(nlp: Language, matcher: PhraseMatcher, label: str, phrases: list[str]) -> None:
        matcher.add(label, list(nlp.tokenizer.pipe(phrases)))

    def _concept(self, label: str, text: str) -> Concept | None:
        if label == "W":
            return self.lexicon.words.get(" ".join(text.lower().split()))
        if label == "A":
            return self.lexicon.abbreviations.get(text)
        return self.lexicon.cell_lines.get(text)

    def __call__(self, doc: Doc) -> Doc:
        found: list[Span] = []
        text = doc.text
        # Unicode hyphens and dashes ("non‐small cell", "MDA‐MB‐231") are matched on a copy of the
        # text with ASCII hyphens (same length, so offsets map back) instead of as lexicon variants
        mdoc = self.tokenizer(text.translate(TO_HYPHEN)) if any(d in text for d in DASHES) else doc
        for matcher in (self.words, self.exact):
            for match_id, start, end in matcher(mdoc):
                label = doc.vocab.strings[match_id]
                written = mdoc[start:end]
                concept = self._concept(label, written.text)
                if concept is None or (concept.generic and not concept.benign):
                    continue
                kind = "CELL_LINE" if label == "C" else "CANCER"
                span = Span(doc, start, end, label=kind) if mdoc is doc else doc.char_span(
                    written.start_char, written.end_char, label=kind)
                if span is not None:  # a match inside one token of the original ("non‐small") is not one
                    span._.cancer = concept
                    found.append(span)
        defined = self._defined_abbreviations(doc, found)
        local = {}
        for d in defined:
            local.setdefault(d.text, d._.cancer)
        doc._.mirkb_defined_cancers = local
        context = doc._.mirkb_context or {}
        defined += self._context_abbreviations(doc, context.get("abbreviations") or {}, local)
        # what the document defines wins over the ontology's own reading of the same letters
        taken = {(d.start, d.end) for d in defined}
        found = [f for f in found if (f.start, f.end) not in taken] + defined
        # longest wins: "non-small cell lung cancer" over "lung cancer", and a benign neoplasm's
        # name ("pituitary adenoma") over anything inside it; then benign ones are not cancers
        longest = filter_spans(found)
        kept = [s for s in longest if not s._.cancer.benign]
        # kept apart so a relation can tell a cue set in a benign neoplasm from one in the heading's cancer
        doc.spans["benign"] = [s for s in longest if s._.cancer.benign]
        doc.spans[self.spans_key] = refine_cell_lines(doc, drop_apposed_general(kept), context.get("named", ()))
        return doc

    @staticmethod
    def _context_abbreviations(doc: Doc, defined: dict[str, Concept], local: dict[str, Concept]) -> list[Span]:
        """Occurrences of short forms another passage of the document defines (this passage's
        own definitions win), as the abbreviation detector marks them over a whole text."""
        extra = []
        text = doc.text if defined else ""
        for short, concept in defined.items():
            if short in local or short not in text:
                continue
            for m in re.finditer(rf"(?<!\w){re.escape(short)}(?!\w)", text):
                span = doc.char_span(m.start(), m.end(), label="CANCER")
                if span is not None:
                    span._.cancer = concept
                    extra.append(span)
        return extra

    def _defined_abbreviations(self, doc: Doc, found: list[Span]) -> list[Span]:
        if not Doc.has_extension("abbreviations"):
            return []
        extra = []
        for short in doc._.abbreviations:
            long_form = short._.long_form
            if long_form is None:
                continue
            # The detector returns the shortest long form that spells the letters ("squamous cell
            # carcinoma" for "tonsil squamous cell carcinoma (SCC)"); a recognised name that
            # encloses it is what the author defined.
            enclosing = [s for s in found if s.start <= long_form.start and s.end >= long_form.end
                         and s.label_ == "CANCER"]
            concept = enclosing[0]._.cancer if enclosing else self.lexicon.lookup(long_form.text)
            if concept is None:
                inside = [s for s in found if s.start >= long_form.start and s.end <= long_form.end]
                concept = inside[-1]._.cancer if len(inside) == 1 else None
            if concept is None or (concept.generic and not concept.benign):
                continue
            span = Span(doc, short.start, short.end, label="CANCER")
            span._.cancer = concept
            extra.append(span)
        # the plural of a defined short form names the same type: "CRC" defined, "CRCs" used
        plurals = {s.text + "s": s._.cancer for s in extra if s.text[-1:].isupper()}
        for token in doc:
            if token.text in plurals:
                span = Span(doc, token.i, token.i + 1, label="CANCER")
                span._.cancer = plurals[token.text]
                extra.append(span)
        return extra
