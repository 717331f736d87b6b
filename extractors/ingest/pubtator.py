"""PubTator text format: one article per block of lines, blocks separated by a blank line::

    12345|t|The title
    12345|a|The abstract
    12345<TAB>4<TAB>10<TAB>miR-21<TAB>miRNA<TAB>MIMAT0000076

Each article becomes a Document with its PMID (the number before ``|t|``): the title passage, then
the abstract passage. Annotation lines (tab-separated) are not used: mirkb finds its own mentions.
A ``.txt`` file whose first line has the ``PMID|t|`` shape is read as PubTator too.
"""

from __future__ import annotations

import re
from pathlib import Path

from extractors.ingest import IngestError, assign_doc_ids, sha256_bytes
from extractors.ingest.text import decode_text
from extractors.schema import Document, Passage

_LINE = re.compile(r"^(\d+)\|([ta])\|(.*)$")


def looks_like_pubtator(data: bytes) -> bool:
    """Whether the first non-blank line has the ``PMID|t|title`` / ``PMID|a|abstract`` shape."""
    head = data[:4096].lstrip()
    return re.match(rb"\d+\|[ta]\|", head) is not None


def read_pubtator(path: Path, data: bytes) -> list[Document]:
    """One Document per article (module docstring); ids follow :func:`assign_doc_ids`."""
    text = decode_text(data)
    articles: dict[str, dict[str, str]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or "\t" in line:
            continue  # blank separators and annotation lines
        m = _LINE.match(line.strip("\r"))
        if m is None:
            raise IngestError(f"malformed PubTator: line {n} is neither 'PMID|t|…', 'PMID|a|…' nor an annotation")
        pmid, part, body = m.groups()
        articles.setdefault(pmid, {})[part] = " ".join(body.split())
    sha = sha256_bytes(data)
    docs = []
    for pmid, parts in articles.items():
        lines, passages, pos = [], [], 0
        for part, kind in (("t", "title"), ("a", "abstract")):
            body = parts.get(part, "")
            if body:
                lines.append(body)
                passages.append(Passage(kind, pos, pos + len(body)))
                pos += len(body) + 1
        if lines:
            docs.append(Document(doc_id="", path=str(path), format="pubtator", text="\n".join(lines) + "\n",
                                 sha256=sha, title=parts.get("t", lines[0])[:500], passages=passages, pmid=pmid))
    if not docs:
        raise IngestError("no text found in PubTator file (no 'PMID|t|' or 'PMID|a|' lines)")
    return assign_doc_ids(path, docs)
