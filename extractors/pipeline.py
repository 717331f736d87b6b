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
import os
from dataclasses import asdict, dataclass, field

from extractors.schema import Document, Mention

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
        self.settings = settings or ExtractSettings()

    @property
    def config_id(self) -> str:
        blob = json.dumps({"version": EXTRACTOR_VERSION, **asdict(self.settings)}, sort_keys=True)
        return f"{EXTRACTOR_VERSION}+{hashlib.sha256(blob.encode()).hexdigest()[:10]}"

    def extract(self, doc: Document) -> list[Mention]:
        """All mentions of one document (sentences and tables). Placeholder until the rules land."""
        return []
