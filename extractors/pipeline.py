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

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field

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


class Extractor:
    """Builds the NLP pipeline once; ``extract`` turns a Document into mention rows."""

    def __init__(self, settings: ExtractSettings | None = None):
        from extractors.nlp import build_nlp
        from extractors.relations import build_cue_matcher

        self.settings = settings or ExtractSettings()
        started = time.perf_counter()
        self.nlp = build_nlp(self.settings.model)
        self.cue_matcher, self.cue_records = build_cue_matcher(self.nlp)
        self.startup_seconds = time.perf_counter() - started

    @property
    def config_id(self) -> str:
        blob = json.dumps({"version": EXTRACTOR_VERSION, **asdict(self.settings)}, sort_keys=True)
        return f"{EXTRACTOR_VERSION}+{hashlib.sha256(blob.encode()).hexdigest()[:10]}"

    def extract(self, doc: Document) -> list[Mention]:
        """All mentions of one document: sentences, then tables (structured and flattened)."""
        from extractors.clean import clean_text
        from extractors.relations import find_cues, relate_sentence

        cleaned = clean_text(doc.text)
        skip = [(cleaned.clean_offset(a), cleaned.clean_offset(b)) for a, b in doc.skip_spans]
        tables = []
        if self.settings.tables:
            tables = self._tables(doc, cleaned)
            skip += [(cleaned.clean_offset(t.start), cleaned.clean_offset(t.end)) for t in tables if t.start >= 0]
        sdoc = self.nlp(cleaned.text)
        cues = find_cues(sdoc, self.cue_matcher, self.cue_records)
        headings = [(a, b) for a, b in cleaned.headings]
        mentions: list[Mention] = []
        for sent in sdoc.sents:
            if any(a <= sent.start_char < b for a, b in skip):
                continue
            context = heading_context(sdoc, headings, sent.start_char)
            if context is None:
                continue  # the sentence is itself a heading
            for rel in relate_sentence(sdoc, sent, cues, context):
                start, end = cleaned.raw_span(sent.start_char, sent.end_char)
                mentions.append(Mention(
                    doc_id=doc.doc_id, mirna=rel.mirna, cancer=rel.cancer.canonical, cancer_id=rel.cancer.id,
                    effect=rel.effect, evidence=" ".join(sent.text.split()), start=start, end=end,
                    source="text", hedged=rel.hedged, rule=rel.rule,
                ))
        mentions.extend(self._table_mentions(doc, tables))
        return dedupe(mentions)

    def _tables(self, doc: Document, cleaned) -> list:
        """Tables to read: those the reader found (PDF, XML) and those flattened into the text."""
        found = list(doc.tables)
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


def heading_context(sdoc, headings: list[tuple[int, int]], offset: int):
    """Cancers named by the nearest heading above ``offset`` (TRIPLES.md §1: "its section heading").

    Returns None when ``offset`` is inside a heading (a heading is not a statement).
    """
    from extractors.cancer import choose_most_specific

    previous = None
    for start, end in headings:
        if start <= offset < end:
            return None
        if start > offset:
            break
        previous = (start, end)
    if previous is None:
        return []
    inside = [s._.cancer for s in sdoc.spans.get("cancer", []) if s.start_char >= previous[0] and s.end_char <= previous[1]]
    return choose_most_specific(inside)


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
