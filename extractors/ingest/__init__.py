"""Readers that turn a file into :class:`~extractors.schema.Document` records.

API (for the batch engine, the flows and the knowledge base):

* ``load_documents(path) -> Iterator[Document]``: one Document per *article* in the file. A
  PubMed XML set, a PMC article set, a BioC collection and a PubTator file give one Document per
  article; every other file gives one. Use this in batch code.
* ``load_document(path) -> Document``: the whole file as one Document (a file with several
  articles is merged into one, with doc_id = file stem), for single-article use.
* Every Document carries ``passages`` (typed: title, abstract, heading, body, caption, table,
  table_footnote, reference; offsets into ``text``) and the identifiers its source gives:
  ``pmid``, ``pmcid`` ("PMC…") and ``doi`` (bare "10.…"), "" when absent. JATS reads them from
  article-meta, PubMed XML from PMID/ArticleIdList, BioC from the document id and infons, PubTator
  from its PMID, a PDF its DOI from the metadata or the first page.
* **doc_id rule** (:func:`assign_doc_ids`): a file holding one article keeps the file stem
  (TRIPLES.md §5; the gold depends on it). In a file with several articles each takes its PMID,
  or else its PMCID, or else ``<stem>_<n>`` (1-based position in the file); an id repeated inside
  the file falls back to ``<stem>_<n>`` too, so ids stay unique within a file.
* Size guard: a file larger than :func:`max_file_bytes` (``MIRKB_MAX_FILE_MB``, default
  :data:`DEFAULT_MAX_FILE_MB` MB) is refused *before* it is read, with the limit in the message.

Every reader raises :class:`IngestError` with a clear message for input it cannot read, so a
batch can record the error against the file and go on.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from extractors.schema import Document, Passage, Table


class IngestError(Exception):
    """A document that cannot be read (unreadable, empty, binary, malformed, too large)."""


#: File suffixes mirkb reads, mapped to the reader's format name.
SUFFIXES = {".txt": "txt", ".pdf": "pdf", ".xml": "xml", ".nxml": "xml", ".json": "bioc",
            ".pubtator": "pubtator"}

#: Files larger than this many megabytes (10^6 bytes) are refused unless MIRKB_MAX_FILE_MB says otherwise.
DEFAULT_MAX_FILE_MB = 50


def max_file_bytes() -> int:
    """The size limit in bytes: ``MIRKB_MAX_FILE_MB`` (a number of MB, 10^6 bytes) or the default."""
    raw = os.environ.get("MIRKB_MAX_FILE_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return int(mb * 1_000_000)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_id_for(path: Path) -> str:
    """A single-article file's id is its file stem (TRIPLES.md §5)."""
    return path.stem


def assign_doc_ids(path: Path, docs: list[Document]) -> list[Document]:
    """Set ``doc_id`` on the articles of one file (the rule in the module docstring)."""
    path = Path(path)
    if len(docs) == 1:
        docs[0].doc_id = doc_id_for(path)
        return docs
    used: set[str] = set()
    for n, doc in enumerate(docs, start=1):
        wanted = doc.pmid or doc.pmcid
        doc.doc_id = wanted if wanted and wanted not in used else f"{doc_id_for(path)}_{n}"
        used.add(doc.doc_id)
    return docs


def merge_documents(path: Path, docs: list[Document]) -> Document:
    """Several articles of one file as one Document (what ``load_document`` returns for them):
    texts joined by a line break, every offset moved along, identifiers left empty."""
    path = Path(path)
    parts: list[str] = []
    passages: list[Passage] = []
    tables: list[Table] = []
    skip: list[tuple[int, int]] = []
    base = 0
    for doc in docs:
        passages += [Passage(p.kind, p.start + base, p.end + base) for p in doc.passages]
        skip += [(a + base, b + base) for a, b in doc.skip_spans]
        for t in doc.tables:
            t.row_spans = [(a + base, b + base) if a >= 0 else (a, b) for a, b in t.row_spans]
            t.start, t.end = (t.start + base, t.end + base) if t.start >= 0 else (t.start, t.end)
            tables.append(t)
        parts.append(doc.text if doc.text.endswith("\n") else doc.text + "\n")
        base += len(parts[-1])
    first = docs[0]
    return Document(doc_id=doc_id_for(path), path=str(path), format=first.format, text="".join(parts),
                    sha256=first.sha256, title=first.title, tables=tables, skip_spans=skip, passages=passages,
                    warnings=[w for doc in docs for w in doc.warnings])


def _read_checked(path: Path) -> bytes:
    """The file's bytes, after the size guard; IngestError for what cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'!r}; mirkb reads {sorted(SUFFIXES)}")
    limit = max_file_bytes()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from exc
    if size > limit:
        raise IngestError(f"file too large: {size / 1e6:.1f} MB is over the size limit of {limit / 1e6:g} MB "
                          "(set MIRKB_MAX_FILE_MB to change it)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise IngestError("empty file")
    return data


#: What a NUL character becomes: one character for one, so every offset stays as the reader made it.
NUL_REPLACEMENT = "\ufffd"


def _clean(value: str) -> str:
    return value.replace("\x00", NUL_REPLACEMENT)


def without_nul(doc: Document) -> Document:
    """Replace NUL characters (JSON ``\\u0000``, a stray byte in a PDF's text) by U+FFFD, with a warning.

    PostgreSQL text cannot hold NUL while SQLite can; replacing it where documents are read gives
    every backend, output file and offset the same text.
    """
    n = doc.text.count("\x00") + doc.title.count("\x00")
    for table in doc.tables:
        cells = [table.caption, *table.header, *(c for row in table.rows for c in row)]
        n += sum(c.count("\x00") for c in cells if isinstance(c, str))
    if not n:
        return doc
    doc.text, doc.title = _clean(doc.text), _clean(doc.title)
    for table in doc.tables:
        table.caption = _clean(table.caption)
        table.header = [_clean(c) if isinstance(c, str) else c for c in table.header]
        table.rows = [[_clean(c) if isinstance(c, str) else c for c in row] for row in table.rows]
    doc.warnings.append(f"{n} NUL character(s) replaced by U+FFFD")
    logging.getLogger("mirkb.ingest").warning("%s: %d NUL character(s) replaced by U+FFFD", doc.path, n)
    return doc


def _read_all(path: Path) -> list[Document]:
    return [without_nul(doc) for doc in _read_raw(path)]


def _read_raw(path: Path) -> list[Document]:
    data = _read_checked(path)
    kind = SUFFIXES[path.suffix.lower()]
    if kind in ("txt", "pubtator"):
        from extractors.ingest.pubtator import looks_like_pubtator, read_pubtator

        if kind == "pubtator" or looks_like_pubtator(data):
            return read_pubtator(path, data)
        from extractors.ingest.text import read_text

        return [read_text(path, data)]
    if kind == "pdf":
        from extractors.ingest.pdf import read_pdf

        return [read_pdf(path, data)]
    if kind == "xml":
        from extractors.ingest.xml import read_xml_documents

        return read_xml_documents(path, data)
    from extractors.ingest.bioc_json import read_bioc_documents

    return read_bioc_documents(path, data)


def load_documents(path: str | Path) -> Iterator[Document]:
    """One Document per article in the file at ``path`` (module docstring)."""
    yield from _read_all(Path(path))


def load_document(path: str | Path) -> Document:
    """The file at ``path`` as one Document, dispatching on its suffix (and, for XML, its root)."""
    path = Path(path)
    docs = _read_all(path)
    return docs[0] if len(docs) == 1 else merge_documents(path, docs)
