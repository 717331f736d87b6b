"""Plain-text reader: UTF-8, UTF-8 with BOM, or Latin-1; passages from the layout (``ingest.passages``)."""

from __future__ import annotations

from pathlib import Path

from extractors.ingest import IngestError, doc_id_for, sha256_bytes
from extractors.schema import Document, Passage


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (BOM stripped), falling back to Latin-1; refuse binary data.

    Latin-1 decodes any byte string, so binary content is caught first by its NUL bytes.
    """
    if b"\x00" in data[:8192]:
        raise IngestError("binary file (NUL bytes): not a text document")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_text(path: Path, data: bytes) -> Document:
    text = decode_text(data)
    if not text.strip():
        raise IngestError("empty file")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return Document(
        doc_id=doc_id_for(path), path=str(path), format="txt", text=text, sha256=sha256_bytes(data),
        title=first[:200], passages=layout_passages(text),
    )


def layout_passages(text: str) -> list[Passage]:
    """Passages of text whose structure shows only in its layout (see ``ingest.passages``)."""
    from extractors.clean import clean_text
    from extractors.ingest.passages import text_passages

    return text_passages(clean_text(text))
