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
    #: a name the contract gives first (TRIPLES.md §3: its table, then the DO cancer slim), as
    #: opposed to a term only the NCIt subset holds (GUIDELINES 22)
    slim: bool = False

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
                          bool(rec.get("benign", False)), rec["source"] == "DO_cancer_slim" or bool(rec["spec"]))
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


@lru_cache(maxsize=1)
def load_other_diseases() -> dict[str, Concept]:
    """{lower-case form: Concept} of diseases that are neither cancers nor benign neoplasms (the
    DO NCIt subset's, built by scripts/build_lexicons.py). Never output: they only tell which
    disease a paper's title studies (:func:`refine_cell_lines`)."""
    out: dict[str, Concept] = {}
    rows = csv.DictReader((ln for ln in _read_data("other_diseases.tsv").splitlines() if not ln.startswith("#")),
                          delimiter="\t")
    for n, row in enumerate(rows, start=2):
        if not row.get("alias") or not (row.get("id") or "").startswith("DOID:"):
            raise LexiconError(f"other_diseases.tsv:{n}: needs an alias and a DOID")
        out[row["alias"]] = Concept(row["name"], row["id"], generic=True)
    return out


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


def refine_cell_lines(doc: Doc, spans: list[Span], document_named: list[Concept] = (),
                      title: list[Concept] = ()) -> list[Span]:
    """Policy for cancers named only through a cell line.

    * A cell line that is a transfection or reporter host ("transfected into HeLa cells", "into
      the A1, B2 and HeLa cells") names no cancer of the study.
    * In a document whose title names the disease it studies (cancer types, or a benign neoplasm),
      a cell line of another lineage is a control, host or comparison line ("… were introduced
      into oral cancer lines and HeLa cells" in a paper on oral cancer) and names no cancer; a
      sentence that names the line's cancer in words still gives it.
    * A cell line's cancer takes the more specific type of the same lineage that the document
      itself names, when there is exactly one (A549 in a paper on NSCLC → non-small cell lung
      carcinoma), since the authors chose the line as a model of that type.
    """
    named = choose_most_specific([s._.cancer for s in spans if s.label_ == "CANCER"] + list(document_named))
    out = []
    for span in spans:
        if span.label_ == "CELL_LINE":
            if _host_line(doc, span):
                continue
            if placed_by_sentence(doc, span, spans):
                continue
            if title and not any(same_lineage(span._.cancer, t) for t in title):
                continue
            finer = [c for c in named if span._.cancer.is_broader_than(c)]
            if len(finer) == 1:
                span._.cancer = finer[0]
        out.append(span)
    return out


def same_lineage(a: Concept, b: Concept) -> bool:
    """One type is the other or under it (HepG2's hepatocellular carcinoma and "liver cancer")."""
    return a == b or a.canonical == b.canonical or a.is_broader_than(b) or b.is_broader_than(a)


#: Words of a list of cell lines between "into" and one of them ("into the UM1, UM2 and HeLa cells").
_LINE_LIST = re.compile(r"[A-Z][A-Za-z0-9-]*\d[A-Za-z0-9-]*|[A-Z]{2,}[A-Za-z0-9-]*|,|and|or|the|human")


def _host_line(doc: Doc, line: Span) -> bool:
    """"transfected into HeLa cells", "introduced into the UM1, UM2 and HeLa cells"."""
    i = line.start - 1
    while i >= 0 and line.start - i <= 12 and doc[i].lower_ != "into" and _LINE_LIST.fullmatch(doc[i].text):
        i -= 1
    return i >= 0 and doc[i].lower_ == "into"


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


#: Words and marks that join conjuncts sharing one head ("breast and ovarian cancer").
_COORDINATORS = {"and", "or", "/", ",", "&", "and/or"}
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
#: Head words of a cancer name that name no type by themselves (TRIPLES.md §1).
_GENERAL_WORDS = {"tumor", "tumors", "tumour", "tumours", "cancer", "cancers", "carcinoma", "carcinomas", "neoplasm",
                  "neoplasms", "neoplasia", "malignancy", "malignancies"}


def _modifier(token) -> bool:
    """A word that can qualify a cancer name (a site, a cell type): not a function word or a mark."""
    return token.is_alpha and not token.is_stop


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
        # {short form: Concept} defined in other passages, "named": [Concept] the document names,
        # "title": [Concept] the cancers and benign neoplasms its title names}.
        if not Doc.has_extension("mirkb_context"):
            Doc.set_extension("mirkb_context", default=None)
        #: {short form: Concept} that this doc itself defines (read back by the extractor)
        if not Doc.has_extension("mirkb_defined_cancers"):
            Doc.set_extension("mirkb_defined_cancers", default=None)
        #: short forms this doc defines by a long form that names no cancer ("mismatch (MM)")
        if not Doc.has_extension("mirkb_defined_other"):
            Doc.set_extension("mirkb_defined_other", default=None)
        self._others: PhraseMatcher | None = None
        self.words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._add(nlp, self.words, "W", list(self.lexicon.words))
        self._add(nlp, self.exact, "A", list(self.lexicon.abbreviations))
        self._add(nlp, self.exact, "C", list(self.lexicon.cell_lines))

    def title_diseases(self, doc: Doc) -> list[Concept]:
        """Diseases other than cancers that a title names ("… in Alzheimer's disease"), for the
        cell-line policy; the matcher is built on first use (titles only)."""
        if self._others is None:
            self._others = PhraseMatcher(self.tokenizer.vocab, attr="LOWER")
            self._others.add("D", list(self.tokenizer.pipe(load_other_diseases())))
        known = load_other_diseases()
        spans = filter_spans([doc[a:b] for _, a, b in self._others(doc)])
        return [known[" ".join(s.text.lower().split())] for s in spans
                if " ".join(s.text.lower().split()) in known]

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
        matches: list[tuple[int, int, str, Concept]] = []
        for matcher in (self.words, self.exact):
            for match_id, start, end in matcher(mdoc):
                label = doc.vocab.strings[match_id]
                concept = self._concept(label, mdoc[start:end].text)
                if concept is None or (concept.generic and not concept.benign):
                    continue
                matches.append((start, end, "CELL_LINE" if label == "C" else "CANCER", concept))
        named = [m for m in matches if m[2] == "CANCER" and not m[3].benign]
        matches += self._inserted_modifier_names(mdoc, named) + self._coordinated_names(mdoc, named)
        for start, end, kind, concept in matches:
            written = mdoc[start:end]
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
        # a short form the document defines as something else is not the lexicon's cancer there
        # ("poly-L-lysine (PLL)", "mismatch (MM)"), unless the document also defines it as one
        other = (doc._.mirkb_defined_other | set(context.get("not_cancers", ()))) - set(local) - set(
            context.get("abbreviations") or {})
        found = [f for f in found if not (f.text in other and f.text in self.lexicon.abbreviations)]
        # what the document defines wins over the ontology's own reading of the same letters
        taken = {(d.start, d.end) for d in defined}
        found = [f for f in found if (f.start, f.end) not in taken] + defined
        # longest wins: "non-small cell lung cancer" over "lung cancer", and a benign neoplasm's
        # name ("pituitary adenoma") over anything inside it; then benign ones are not cancers
        longest = filter_spans(found)
        kept = [s for s in longest if not s._.cancer.benign]
        # kept apart so a relation can tell a cue set in a benign neoplasm from one in the heading's cancer
        doc.spans["benign"] = [s for s in longest if s._.cancer.benign]
        doc.spans[self.spans_key] = refine_cell_lines(doc, drop_apposed_general(kept), context.get("named", ()),
                                                      context.get("title", ()))
        return doc

    def _name(self, text: str) -> Concept | None:
        concept = self.lexicon.words.get(" ".join(text.lower().split()))
        return None if concept is None or concept.generic else concept

    def _is_name_word(self, word: str) -> bool:
        """A word the lexicon reads as a cancer name by itself, general ones included ("tumour")."""
        return word.lower() in self.lexicon.words or word.lower() in _GENERAL_WORDS

    def _is_site(self, words: str) -> bool:
        """Words that name a body site: the ontology names cancers of it ("tongue cancer", "oral
        cavity cancer"), unlike a histology or grade word ("serous", "myeloid", "ductal")."""
        return self._name(f"{words} cancer") is not None

    def _inserted_modifier_names(self, mdoc: Doc, named: list) -> list:
        """"oral tongue squamous cell carcinoma": a contract name ("oral squamous cell carcinoma",
        DO cancer slim) written with a site word inserted, read by the lexicon only in part
        ("tongue squamous cell carcinoma", an NCIt-only term, or the broader "squamous cell
        carcinoma"). TRIPLES.md §3 gives a type the slim term it matches, so the whole written name
        takes the slim term (GUIDELINES 22); where the part read is itself a slim term, only a more
        specific slim term replaces it."""
        out = []
        for start, end, _, concept in named:
            for k in (1, 2):
                first = start - k
                if any(a <= first and b >= end for a, b, _, _ in named):
                    break  # the whole written name is a lexicon name ("acute myeloid leukemia")
                if first < 0 or not all(_modifier(t) and not self._is_name_word(t.text) for t in mdoc[first:start]):
                    break
                best = None
                # drop one site word strictly inside the written name, keeping its first word and
                # its head (the last word)
                for i in range(first + 1, end - 1):
                    word = mdoc[i]
                    if not _modifier(word) or self._is_name_word(word.text) or not (
                            self._is_site(word.text) or self._is_site(mdoc[first:i + 1].text)):
                        continue
                    other = self._name(mdoc[first:i].text_with_ws + mdoc[i + 1:end].text)
                    # the slim term wins over an NCIt-only one; a slim name read whole is replaced
                    # only by one that keeps all its words; a more specific type of the part read
                    # always wins ("collecting duct renal carcinoma" → collecting duct carcinoma)
                    if best is None and other is not None and not other.benign and (
                            other.slim and (not concept.slim or i < start) or concept.is_broader_than(other)):
                        best = other
                if best is not None:
                    out.append((first, end, "CANCER", best))
                    break
        return out

    def _coordinated_names(self, mdoc: Doc, named: list) -> list:
        """"breast and ovarian cancers", "head and neck/oral cancer", "colon, rectal or anal
        carcinoma": conjuncts that share the last conjunct's head each name a type when the
        conjunct with that head is a lexicon name. Each conjunct gets a span over its own words."""
        out = []
        taken = {i for start, end, _, _ in named for i in range(start, end)}
        for start, end, _, _ in named:
            if end - start < 2:
                continue
            pos = start
            while True:
                c = pos
                while c > 0 and mdoc[c - 1].lower_ in _COORDINATORS and pos - c < 2:
                    c -= 1
                if c == pos:
                    break
                hit = None
                for k in (3, 2, 1):  # the longest conjunct first: "head and neck" before "neck"
                    a = c - k
                    if a < 0 or any(i in taken for i in range(a, c)) or not all(
                            _WORD.fullmatch(t.text) for t in mdoc[a:c]) or mdoc[a].lower_ in _COORDINATORS:
                        continue
                    for j in range(start + 1, end):
                        other = self._name(mdoc[a:c].text + " " + mdoc[j:end].text)
                        if other is not None and not other.benign:
                            hit = (a, c, "CANCER", other)
                            break
                    if hit:
                        break
                if hit is None:
                    break
                out.append(hit)
                taken.update(range(hit[0], hit[1]))
                pos = hit[0]
        return out

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

    def _long_form_concept(self, short: str, long_form: Span, found: list[Span]) -> Concept | None:
        """The cancer an abbreviation's long form names.

        The detector returns the shortest long form that spells the letters ("squamous cell
        carcinoma" for "tonsil squamous cell carcinoma (SCC)"): a recognised name that encloses it
        is what the author defined. Otherwise the long form's head must be a cancer name (a long
        form read in part, "… squamous cell carcinoma"; not "glioma-derived exosomes"); where it
        coordinates several names ("head and neck/oral cancer"), the abbreviation names one type:
        the first §3 or slim name, else the first name (GUIDELINES 22).
        """
        names = [s for s in found if s.label_ == "CANCER"]
        enclosing = [s for s in names if s.start <= long_form.start and s.end >= long_form.end]
        if enclosing:
            return enclosing[0]._.cancer
        concept = self.lexicon.lookup(long_form.text)
        if concept is not None:
            return concept
        if any(t.text in "()[]" for t in long_form):
            return None  # the detector ran across a bracket: not one name
        inside = filter_spans([s for s in names if s.start >= long_form.start and s.end <= long_form.end])
        # "medulloblastoma tumours (MBs)": a general cancer word after the name is still its head
        if not inside or not all(self._is_name_word(t.text) for t in long_form.doc[inside[-1].end:long_form.end]):
            return None
        if short in self.lexicon.abbreviations:
            # a long form read only in part ("head and neck squamous carcinoma (HNSCC)") is weaker
            # evidence than the lexicon's reading of a well-known short form
            return self.lexicon.abbreviations[short]
        inside.sort(key=lambda s: (not s._.cancer.slim, s.start))
        return inside[0]._.cancer

    def _defined_abbreviations(self, doc: Doc, found: list[Span]) -> list[Span]:
        doc._.mirkb_defined_other = other = set()
        if not Doc.has_extension("abbreviations"):
            return []
        extra = []
        for short in doc._.abbreviations:
            long_form = short._.long_form
            # a short form is written with capitals ("nivolumab" is not an abbreviation)
            if long_form is None or not any(ch.isupper() for ch in short.text):
                continue
            concept = self._long_form_concept(short.text, long_form, found)
            if concept is None or (concept.generic and not concept.benign):
                # only a long form with no cancer word at all says the letters mean something else
                if short.text in self.lexicon.abbreviations and not any(
                        self._is_name_word(t.text) or t.lower_ in self.lexicon.words for t in long_form) and not any(
                        long_form.start <= f.start < long_form.end for f in found):
                    other.add(short.text)
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
