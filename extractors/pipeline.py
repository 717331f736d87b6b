"""The extractor: one spaCy pipeline built once per process, run over documents.

Usage::

    from extractors.ingest import load_document
    from extractors.pipeline import Extractor

    extractor = Extractor()                 # builds the pipeline once (seconds)
    mentions = extractor.extract(load_document("paper.pdf"))   # list[Mention]

``Extractor.config_id`` identifies the extractor version and configuration; the knowledge base
re-extracts a document when it changes.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import TYPE_CHECKING

from extractors.clean import Cleaned
from extractors.schema import UNREAD_PASSAGES, Document, Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

#: Bump when a change to rules or code changes what the extractor produces.
EXTRACTOR_VERSION = "0.1.0"


@dataclass(frozen=True)
class ExtractSettings:
    """Settings that change what the extractor produces (hashed into ``config_id``).

    ``model``: name of an installed scispacy/spaCy model whose entities are merged with the
    rules' (rules win on conflict). Empty by default because scispacy's model weights are not on
    PyPI: the default is scispacy's tokenizer + abbreviation detector + mirkb's rules and
    lexicons. Env ``MIRKB_MODEL``.
    ``tables``: also read tables (structured ones from PDF/XML and ones flattened into text).
    ``syntax``: parse the sentences that state an effect to find whose it is (extractors/syntax.py;
    the model's parser when ``model`` has one, else the bundled GENIA parser). Env
    ``MIRKB_SYNTAX=0`` turns it off.
    """

    model: str = field(default_factory=lambda: os.environ.get("MIRKB_MODEL", ""))
    tables: bool = True
    syntax: bool = field(default_factory=lambda: os.environ.get("MIRKB_SYNTAX", "1") not in {"0", "no", "false"})


@functools.lru_cache(maxsize=1)
def rules_fingerprint() -> bytes:
    """sha256 over the shipped data files and extractor modules (read once per process)."""
    digest = hashlib.sha256()
    package = resources.files("extractors")
    # the bundled parser's meta.json carries its training scores, so a retrained model counts too
    for folder in (package.joinpath("data"), package, package.joinpath("ingest"),
                   package.joinpath("data", "genia_parser")):
        if not folder.is_dir():
            continue
        for item in sorted(folder.iterdir(), key=lambda f: f.name):
            if item.is_file() and item.name.endswith((".py", ".jsonl", ".tsv", ".txt", ".json")):
                digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.digest()


#: A passage longer than this is read in pieces that end at a line or sentence end (spaCy refuses
#: texts over its ``max_length`` of 1,000,000 characters, and memory grows with the text).
MAX_PIECE_CHARS = 100_000
#: Formats whose text keeps the source's line wrapping: cleaned as a whole (clean.py), then cut
#: into passages. The other readers lay out one clean passage per line.
WRAPPED_FORMATS = frozenset({"txt", "pdf"})
#: Passages read without a heading's context (each is a statement of its own).
HEADING_PASSAGES = frozenset({"heading", "title"})
#: Passages whose single cancer type is the context of the passages below them. Not the title:
#: an abstract's sentences without a cancer name speak of cell lines, other cancers or the
#: background as often as of the title's cancer (measured on the dev abstracts: two more false
#: pairs and no true one when the title set the context).
CONTEXT_PASSAGES = frozenset({"heading"})
#: Floats (figure and table captions, table footnotes) are placed wherever the layout put them,
#: not under the section heading above them: they stand on their own, as headings do.
FLOAT_PASSAGES = frozenset({"caption", "table_footnote"})
#: spaCy components whose result depends on the rest of the document (abbreviations and clusters
#: defined elsewhere, the cancers the document names); re-run on a passage with that context.
CONTEXT_COMPONENTS = ("mirkb_mirna", "mirkb_cancer", "mirkb_model_entities")


@dataclass
class Segment:
    """The text of one passage (or piece of a long one) as spaCy reads it, with its offset map."""

    kind: str
    text: str
    cleaned: Cleaned
    base: int  # offset of ``text`` in ``cleaned.text``
    raw_base: int  # added to ``cleaned``'s raw offsets to give document offsets

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        a, b = self.cleaned.raw_span(self.base + start, self.base + end)
        return a + self.raw_base, b + self.raw_base


@dataclass
class SentenceView:
    """One sentence of running text with what the relation rules read."""

    passage: str  # kind of the passage it is in
    sdoc: Doc
    sent: Span
    raw_span: tuple[int, int]  # offsets in Document.text
    context: list  # cancers of the heading above (TRIPLES.md §1)
    in_heading: bool
    mirnas: list
    cancers: list
    cues: list


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    return any(a <= offset < b for a, b in spans)


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(kind: str, cleaned: Cleaned, start: int, end: int, raw_base: int) -> Iterator[Segment]:
    """``cleaned.text[start:end]`` as segments of at most MAX_PIECE_CHARS, cut at a line break,
    else after a full stop, else at a space."""
    text = cleaned.text
    while start < end:
        start, end = _stripped(text, start, end)
        if start >= end:
            return
        cut = end
        if end - start > MAX_PIECE_CHARS:
            limit, half = start + MAX_PIECE_CHARS, start + MAX_PIECE_CHARS // 2
            cut = text.rfind("\n", half, limit)
            if cut < 0:
                stop = text.rfind(". ", half, limit)
                cut = stop + 1 if stop >= 0 else text.rfind(" ", half, limit)
            if cut <= start:
                cut = limit
        a, b = _stripped(text, start, cut)
        if a < b:
            yield Segment(kind, text[a:b], cleaned, a, raw_base)
        start = cut


def document_segments(doc: Document) -> list[Segment]:
    """The document's passages as spaCy input, in order. Wrapped text (txt, PDF) is cleaned as a
    whole (page furniture and hyphenation need the whole text) and cut at the passages; other
    formats' passages are cleaned one by one. A Document without passages is read as laid out."""
    from extractors.clean import clean_text

    out: list[Segment] = []
    if doc.format in WRAPPED_FORMATS or not doc.passages:
        cleaned = clean_text(doc.text)
        passages = doc.passages
        if not passages:
            from extractors.ingest.passages import text_passages

            passages = text_passages(cleaned)
        for p in passages:
            out.extend(_pieces(p.kind, cleaned, cleaned.clean_offset(p.start), cleaned.clean_offset(p.end), 0))
        return out
    for p in doc.passages:
        if p.kind in UNREAD_PASSAGES:
            continue
        cleaned = clean_text(doc.text[p.start:p.end])
        out.extend(_pieces(p.kind, cleaned, 0, len(cleaned.text), p.start))
    return out


class Extractor:
    """Builds the NLP pipeline once; ``extract`` turns a Document into mention rows."""

    def __init__(self, settings: ExtractSettings | None = None):
        from extractors.nlp import SentenceCueMatcher, build_nlp
        from extractors.relations import build_cue_matcher
        from extractors.syntax import load_parser

        self.settings = settings or ExtractSettings()
        started = time.perf_counter()
        self.nlp = build_nlp(self.settings.model)
        cue_matcher, self.cue_records = build_cue_matcher(self.nlp)
        self.cue_matcher = SentenceCueMatcher(cue_matcher)
        self.parser = load_parser(self.settings.model, self.settings.syntax)
        self.startup_seconds = time.perf_counter() - started
        #: sentences read since the extractor was built (for run summaries)
        self.sentences_read = 0

    @property
    def config_id(self) -> str:
        """Version + a hash of the settings, the rule data files and the extractor code, so that
        any change to what the extractor produces makes the knowledge base re-extract."""
        blob = json.dumps({"version": EXTRACTOR_VERSION, **asdict(self.settings)}, sort_keys=True)
        return f"{EXTRACTOR_VERSION}+{hashlib.sha256(blob.encode() + rules_fingerprint()).hexdigest()[:10]}"

    def extract(self, doc: Document) -> list[Mention]:
        """All mentions of one document: sentences passage by passage, then tables."""
        from extractors.relations import relate_sentence

        tables = self._tables(doc) if self.settings.tables else []
        mentions: list[Mention] = []
        passages: list = []  # the passages' spaCy docs, for what tables need of the document
        for view in self.sentences(doc, tables, passages):
            if not view.mirnas:
                continue
            for rel in relate_sentence(view.sdoc, view.sent, view.cues, view.context, view.mirnas, view.cancers,
                                       syntax=self.parser):
                start, end = view.raw_span
                in_evidence = EvidenceOffsets(view.sent.text, view.sent.start_char)
                mentions.append(Mention(
                    doc_id=doc.doc_id, mirna=rel.mirna, cancer=rel.cancer.canonical, cancer_id=rel.cancer.id,
                    effect=rel.effect, evidence=in_evidence.evidence, start=start, end=end,
                    source="text", hedged=rel.hedged, rule=rel.rule,
                    mirna_span=in_evidence.span(rel.mirna_span), cancer_span=in_evidence.span(rel.cancer_span),
                    cue_span=in_evidence.span(rel.cue_span), passage=view.passage,
                ))
        mentions.extend(self._table_mentions(doc, tables, passages))
        return dedupe(mentions)

    def sentences(self, doc: Document, tables: list | None = None, sdocs_out: list | None = None
                  ) -> Iterator[SentenceView]:
        """Every sentence of the running text, read passage by passage (issue 8 §1, issue 11 §5).

        Passages go through ``nlp.pipe`` one by one, so no sentence crosses a passage boundary
        and no spaCy call sees more than :data:`MAX_PIECE_CHARS` characters, whatever the
        document's length. What a reader of the whole document knows is kept: abbreviations and
        clusters defined in one passage resolve in every other, cell lines take the cancer the
        document names (:meth:`_apply_document_context`), and the nearest heading above a
        passage gives the cancer of its sentences when it names exactly one. Table and
        reference passages, and sentences starting in a table's span, are not read.
        """
        from extractors.cancer import choose_most_specific
        from extractors.relations import find_cues

        skip = sorted([*doc.skip_spans, *((t.start, t.end) for t in (tables or []) if t.start >= 0)])
        readable = [s for s in document_segments(doc) if s.kind not in UNREAD_PASSAGES]
        sdocs = list(self.nlp.pipe(s.text for s in readable))
        self._apply_document_context(sdocs, [s.text for s in readable], [s.kind for s in readable])
        if sdocs_out is not None:
            sdocs_out.extend(sdocs)
        above: list = []  # cancers named by the nearest heading above
        for segment, sdoc in zip(readable, sdocs, strict=True):
            is_heading = segment.kind in HEADING_PASSAGES
            # A heading that names a miRNA is a statement ("MicroRNA-21 promotes glioma growth"
            # as a title) and stands on its own; a heading that names several cancer types does
            # not say which one a sentence below it is about.
            context = [] if is_heading or segment.kind in FLOAT_PASSAGES or len(above) != 1 else above
            index = SentenceIndex(sdoc, find_cues(sdoc, self.cue_matcher, self.cue_records))
            for sent in sdoc.sents:
                start, end = segment.raw_span(sent.start_char, sent.end_char)
                if _inside(skip, start):
                    continue
                self.sentences_read += 1
                mirnas, cancers, cues = index.get(sent)
                yield SentenceView(segment.kind, sdoc, sent, (start, end), context, is_heading, mirnas, cancers, cues)
            if segment.kind in CONTEXT_PASSAGES:
                above = choose_most_specific([s._.cancer for s in sdoc.spans.get("cancer", [])])

    def _apply_document_context(self, sdocs: list, texts: list[str], kinds: list[str] | None = None) -> None:
        """Give each passage what the rest of its document defines, re-running the components
        that depend on it (:data:`CONTEXT_COMPONENTS`) only on the passages it changes."""
        from extractors.cancer import choose_most_specific

        abbreviations: dict = {}
        clusters: dict = {}
        named = []
        title = []  # the disease the document studies, benign neoplasms included (for cell lines)
        not_cancers: set = set()  # short forms defined as something else (extractors/cancer.py)
        for k, sdoc in enumerate(sdocs):
            for short, concept in (sdoc._.mirkb_defined_cancers or {}).items():
                abbreviations.setdefault(short, concept)
            not_cancers |= sdoc._.mirkb_defined_other or set()
            for written, names in (sdoc._.mirkb_defined_clusters or {}).items():
                clusters.setdefault(written, names)
            named += [s._.cancer for s in sdoc.spans.get("cancer", []) if s.label_ == "CANCER"]
            if kinds is not None and kinds[k] == "title":
                title += [s._.cancer for key in ("cancer", "benign") for s in sdoc.spans.get(key, [])
                          if s.label_ == "CANCER"]
                if "mirkb_cancer" in self.nlp.pipe_names:
                    title += self.nlp.get_pipe("mirkb_cancer").title_diseases(sdoc)
        named = choose_most_specific(named)
        title = list(dict.fromkeys(title))
        not_cancers -= set(abbreviations)
        if not (abbreviations or clusters or named or title or not_cancers):
            return
        components = [(n, c) for n, c in self.nlp.pipeline if n in CONTEXT_COMPONENTS]
        context = {"abbreviations": abbreviations, "clusters": clusters, "named": named, "title": title,
                   "not_cancers": not_cancers}
        for sdoc, text in zip(sdocs, texts, strict=True):
            own_abbr = sdoc._.mirkb_defined_cancers or {}
            own_clusters = sdoc._.mirkb_defined_clusters or {}
            if not (any(k not in own_abbr and k in text for k in abbreviations)
                    or any(k in text for k in not_cancers)
                    or any(k not in own_clusters and k in text for k in clusters)
                    or ((named or title) and any(s.label_ == "CELL_LINE" for s in sdoc.spans.get("cancer", [])))):
                continue
            sdoc._.mirkb_context = context
            for _, component in components:
                component(sdoc)

    def _tables(self, doc: Document, cleaned=None) -> list:
        """Tables to read: those the reader found (PDF, XML) and those flattened into the text."""
        from extractors.tables import find_text_tables

        found = [locate_rows(doc.text, t) for t in doc.tables]
        # A structured table's rows laid into the text are that table, not a second one.
        laid = [(t.start, t.end) for t in found if t.start >= 0]
        return found + [t for t in find_text_tables(doc.text)
                        if not any(t.start < b and a < t.end for a, b in laid)]

    def _table_mentions(self, doc: Document, tables: list, sdocs: list | None = None) -> list[Mention]:
        if not tables:
            return []
        from extractors.table_model import document_context
        from extractors.tables import table_mentions

        context = document_context(doc.title, sdocs or [])
        rows: list[Mention] = []
        for table in tables:
            rows.extend(table_mentions(doc.doc_id, table, context))
        for row in rows:
            row.passage = row.passage or "table"
        return rows


class EvidenceOffsets:
    """A sentence's evidence text (whitespace runs collapsed to one space) and the map from offsets
    in the document to offsets in that evidence."""

    def __init__(self, text: str, base: int):
        self.text, self.base = text, base
        self.evidence = " ".join(text.split())

    def _at(self, offset: int) -> int:
        before = self.text[:max(0, offset - self.base)]
        squeezed = " ".join(before.split())
        # a token after whitespace starts one space further on in the evidence
        return len(squeezed) + (1 if squeezed and before[-1:].isspace() else 0)

    def span(self, span: tuple[int, int] | None) -> tuple[int, int] | None:
        if span is None:
            return None
        start, end = self._at(span[0]), self._at(span[1])
        return (start, end) if 0 <= start < end <= len(self.evidence) else None


def locate_rows(text: str, table):
    """Give rows of a structured table (a PDF table found by pdfplumber) offsets in ``text``, where
    the PDF's text layer printed them, so that evidence points into the document (TRIPLES.md §5).

    Each row is looked for by its cells, in order, from where the previous row ended; a row that
    cannot be found keeps (-1, -1).
    """
    if table.row_spans and all(a >= 0 for a, _ in table.row_spans):
        return table
    def find(cell: str, start: int, limit: int | None = None):
        pattern = r"\s*".join(re.escape(w) for w in cell.split())
        m = re.compile(pattern).search(text, start, limit if limit is not None else len(text))
        return m

    spans, cursor = [], max(table.start, 0)
    for row in table.rows:
        cells = [c for c in row if c and c.strip() not in {"/", "-", "–"}]
        first = find(cells[0], cursor) if cells else None
        if first is None:
            spans.append((-1, -1))
            continue
        end = first.end()
        for cell in cells[1:]:  # the row's other cells follow within a short stretch of text
            m = find(cell, end, min(len(text), end + 400))
            if m is not None:
                end = m.end()
        spans.append((first.start(), end))
        cursor = end
    table.row_spans = spans
    return table


class SentenceIndex:
    """miRNA spans, cancer spans and cues of a sentence, found by bisection (not by scanning)."""

    def __init__(self, sdoc, cues):
        self.mirnas = sorted(sdoc.spans.get("mirna", []), key=lambda s: s.start)
        self.cancers = sorted(sdoc.spans.get("cancer", []), key=lambda s: s.start)
        self.cues = sorted(cues, key=lambda c: c.start)
        self._m = [s.start for s in self.mirnas]
        self._c = [s.start for s in self.cancers]
        self._q = [c.start for c in self.cues]

    @staticmethod
    def _slice(items, keys, sent, end_of):
        lo, hi = bisect.bisect_left(keys, sent.start), bisect.bisect_left(keys, sent.end)
        return [x for x in items[lo:hi] if end_of(x) <= sent.end]

    def get(self, sent):
        return (self._slice(self.mirnas, self._m, sent, lambda s: s.end),
                self._slice(self.cancers, self._c, sent, lambda s: s.end),
                self._slice(self.cues, self._q, sent, lambda c: c.end))


def dedupe(mentions: list[Mention]) -> list[Mention]:
    """One row per (triple, evidence span): a sentence that states a triple twice gives one row;
    each row gets its miRNA's miRBase accession and status."""
    from extractors.mirna import mirbase_id

    seen = set()
    out = []
    for m in mentions:
        key = (m.mirna, m.cancer, m.effect, m.start, m.end, m.source)
        if key not in seen:
            seen.add(key)
            m.mirna_id, m.mirna_status = mirbase_id(m.mirna)  # text and table rows alike
            out.append(m)
    return out
