"""Readers that turn a file into a :class:`~extractors.schema.Document`.

``load_document(path)`` picks the reader by file type; every reader raises
:class:`IngestError` with a clear message for input it cannot read, so a batch can record the
error against the document and go on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from extractors.schema import Document


class IngestError(Exception):
    """A document that cannot be read (unreadable, empty, binary, malformed)."""


#: File suffixes mirkb reads, mapped to the reader's format name.
SUFFIXES = {".txt": "txt", ".pdf": "pdf", ".xml": "xml", ".nxml": "xml", ".json": "bioc"}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_id_for(path: Path) -> str:
    """A document's id is its file stem (TRIPLES.md §5)."""
    return path.stem


def load_document(path: str | Path) -> Document:
    """Read one file into a Document, dispatching on its suffix (and, for XML, its root element)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'!r}; mirkb reads {sorted(SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise IngestError("empty file")
    kind = SUFFIXES[suffix]
    if kind == "txt":
        from extractors.ingest.text import read_text

        return read_text(path, data)
    if kind == "pdf":
        from extractors.ingest.pdf import read_pdf

        return read_pdf(path, data)
    if kind == "xml":
        from extractors.ingest.xml import read_xml

        return read_xml(path, data)
    from extractors.ingest.bioc_json import read_bioc_json

    return read_bioc_json(path, data)
