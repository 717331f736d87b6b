"""Plain-text reader: UTF-8 (with or without BOM), UTF-16 with a BOM; bad bytes replaced, not guessed."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from extractors.ingest import IngestError, doc_id_for, sha256_bytes
from extractors.schema import Document, Passage

log = logging.getLogger("mirkb.ingest")

_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode_text_with_warnings(data: bytes) -> tuple[str, list[str]]:
    """Decode a text file; return the text and what had to be repaired.

    UTF-16 is recognised only by its BOM (its ASCII letters carry NUL bytes, which otherwise mark a
    binary file). Everything else is UTF-8, each invalid byte becoming U+FFFD: falling back to
    Latin-1 for the whole file would garble every non-ASCII character of a file that is UTF-8 but
    for one stray byte. Only a file without a single valid multi-byte UTF-8 sequence is Latin-1.
    """
    for bom, codec in _UTF16_BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            text = body.decode(codec, errors="replace")
            bad = text.count("\ufffd") - body.decode(codec, errors="ignore").count("\ufffd")
            return text, ([f"{bad} invalid UTF-16 code unit(s) replaced by U+FFFD"] if bad else [])
    if b"\x00" in data[:8192]:
        raise IngestError("binary file (NUL bytes): not a text document")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        first = exc.start
    valid = data.decode("utf-8", errors="ignore")
    if valid.isascii():
        # Not one valid multi-byte sequence: an 8-bit legacy file (Latin-1), where each byte is a
        # character; replacing them all would lose every accented letter instead.
        return data.decode("latin-1"), [f"not UTF-8 (first bad byte at {first}): read as Latin-1"]
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - valid.count("\ufffd")
    return text, [f"not valid UTF-8: {bad} invalid byte sequence(s) replaced by U+FFFD "
                  f"(first at byte {first})"]


def decode_text(data: bytes) -> str:
    """The text of ``data`` (see :func:`decode_text_with_warnings`); refuses binary data."""
    return decode_text_with_warnings(data)[0]


#: Where a text file's own DOI is looked for (as a PDF's, on its "first page": printed with a
#: "doi"/doi.org prefix, so a reference list's DOIs further down are not taken for it).
FIRST_PAGE_CHARS = 3000


def read_text(path: Path, data: bytes) -> Document:
    from extractors.ingest.pdf import find_doi

    text, warnings = decode_text_with_warnings(data)
    if not text.strip():
        raise IngestError("empty file")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    for message in warnings:
        log.warning("%s: %s", path, message)
    return Document(
        doc_id=doc_id_for(path), path=str(path), format="txt", text=text, sha256=sha256_bytes(data),
        title=first[:200], passages=layout_passages(text), warnings=warnings,
        doi=find_doi(text[:FIRST_PAGE_CHARS]),
    )


def layout_passages(text: str) -> list[Passage]:
    """Passages of text whose structure shows only in its layout (see ``ingest.passages``)."""
    from extractors.clean import clean_text
    from extractors.ingest.passages import text_passages

    return text_passages(clean_text(text))
