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
from dataclasses import asdict, dataclass, field
from importlib import resources

from extractors.schema import Document, Mention

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
    """

    model: str = field(default_factory=lambda: os.environ.get("MIRKB_MODEL", ""))
    tables: bool = True


@functools.lru_cache(maxsize=1)
def rules_fingerprint() -> bytes:
    """sha256 over the shipped data files and extractor modules (read once per process)."""
    digest = hashlib.sha256()
    package = resources.files("extractors")
    for folder in (package.joinpath("data"), package, package.joinpath("ingest")):
        for item in sorted(folder.iterdir(), key=lambda f: f.name):
            if item.is_file() and item.name.endswith((".py", ".jsonl", ".tsv", ".txt", ".json")):
                digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.digest()


class Extractor:
    """Builds the NLP pipeline once; ``extract`` turns a Document into mention rows."""

    def __init__(self, settings: ExtractSettings | None = None):
        from extractors.nlp import SentenceCueMatcher, build_nlp
        from extractors.relations import build_cue_matcher

        self.settings = settings or ExtractSettings()
        started = time.perf_counter()
        self.nlp = build_nlp(self.settings.model)
        cue_matcher, self.cue_records = build_cue_matcher(self.nlp)
        self.cue_matcher = SentenceCueMatcher(cue_matcher)
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
        """All mentions of one document: sentences, then tables (structured and flattened)."""
        from extractors.clean import clean_text
        from extractors.relations import find_cues, relate_sentence

        cleaned = clean_text(doc.text)
        skip = [(cleaned.clean_offset(a), cleaned.clean_offset(b)) for a, b in doc.skip_spans]
        skip += reference_sections(cleaned.text, cleaned.headings)
        tables = []
        if self.settings.tables:
            tables = self._tables(doc, cleaned)
            skip += [(cleaned.clean_offset(t.start), cleaned.clean_offset(t.end)) for t in tables if t.start >= 0]
        sdoc = self.nlp(cleaned.text)
        cues = find_cues(sdoc, self.cue_matcher, self.cue_records)
        headings = heading_cancers(sdoc, cleaned.headings)
        by_sentence = SentenceIndex(sdoc, cues)
        mentions: list[Mention] = []
        for sent in sdoc.sents:
            if any(a <= sent.start_char < b for a, b in skip):
                continue
            self.sentences_read += 1
            context = heading_context(headings, sent.start_char)
            mirnas, cancers, sent_cues = by_sentence.get(sent)
            if not mirnas:
                continue
            if context is None:
                # A heading that names a miRNA is a statement ("MicroRNA-21 promotes glioma
                # growth" as a title); it stands on its own, without a heading above it.
                context = []
            for rel in relate_sentence(sdoc, sent, sent_cues, context, mirnas, cancers):
                start, end = cleaned.raw_span(sent.start_char, sent.end_char)
                in_evidence = EvidenceOffsets(sent.text, sent.start_char)
                mentions.append(Mention(
                    doc_id=doc.doc_id, mirna=rel.mirna, cancer=rel.cancer.canonical, cancer_id=rel.cancer.id,
                    effect=rel.effect, evidence=in_evidence.evidence, start=start, end=end,
                    source="text", hedged=rel.hedged, rule=rel.rule,
                    mirna_span=in_evidence.span(rel.mirna_span), cancer_span=in_evidence.span(rel.cancer_span),
                    cue_span=in_evidence.span(rel.cue_span),
                ))
        mentions.extend(self._table_mentions(doc, tables))
        return dedupe(mentions)

    def _tables(self, doc: Document, cleaned) -> list:
        """Tables to read: those the reader found (PDF, XML) and those flattened into the text."""
        found = [locate_rows(doc.text, t) for t in doc.tables]
        try:
            from extractors.tables import find_text_tables
        except ImportError:  # the flattened-table reader is optional until it lands
            return found
        return found + find_text_tables(doc.text)

    def _table_mentions(self, doc: Document, tables: list) -> list[Mention]:
        if not tables:
            return []
        try:
            from extractors.tables import table_mentions
        except ImportError:
            return []
        rows: list[Mention] = []
        for table in tables:
            rows.extend(table_mentions(doc.doc_id, table))
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


_REFERENCE_HEADINGS = re.compile(r"(?i)^\s*(?:\d+\.?\s*)?(?:references?|bibliography|literature cited|works cited"
                                 r"|reference list|cited literature)\s*$")
_AFTER_REFERENCES = re.compile(r"(?i)^\s*(?:tables?|figures?|figure legends|appendix|supplementary\b.*)\s*$")


def reference_sections(text: str, headings: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of reference lists: cited titles ("miR-21 promotes invasion in breast cancer") are
    other papers' claims, not this document's, so their sentences are not read. A list runs to
    the next back-matter heading (tables, figure legends, appendix) or the end of the text."""
    spans = []
    for i, (a, b) in enumerate(headings):
        if _REFERENCE_HEADINGS.match(text[a:b]):
            end = next((c for c, d in headings[i + 1:] if _AFTER_REFERENCES.match(text[c:d])), len(text))
            spans.append((a, end))
    return spans


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


def heading_cancers(sdoc, headings: list[tuple[int, int]]) -> list[tuple[int, int, list]]:
    """Each heading's (start, end) with the cancers it names, most specific first."""
    from extractors.cancer import choose_most_specific

    spans = sorted(sdoc.spans.get("cancer", []), key=lambda s: s.start_char)
    starts = [s.start_char for s in spans]
    out = []
    for a, b in headings:
        inside = [s._.cancer for s in spans[bisect.bisect_left(starts, a):] if s.start_char < b and s.end_char <= b]
        out.append((a, b, choose_most_specific(inside)))
    return out


def heading_context(headings: list[tuple[int, int, list]], offset: int):
    """Cancers named by the nearest heading above ``offset`` (TRIPLES.md §1: "its section heading").

    Returns None when ``offset`` is inside a heading (a heading is not a statement).
    """
    i = bisect.bisect_right(headings, (offset, float("inf"))) - 1
    if i < 0:
        return []
    start, end, concepts = headings[i]
    if start <= offset < end:
        return None
    # A heading that names several types ("Liver cancer and cholangiocarcinoma") does not say
    # which one a sentence without its own cancer is about.
    return concepts if len(concepts) == 1 else []


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
    """One row per (triple, evidence span): a sentence that states a triple twice gives one row."""
    seen = set()
    out = []
    for m in mentions:
        key = (m.mirna, m.cancer, m.effect, m.start, m.end, m.source)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out
