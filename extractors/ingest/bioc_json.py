"""BioC JSON reader (PubTator / PMC BioC exports), parsed with the ``bioc`` package.

Passages are laid out in order, one per line, so headings stay on their own lines: a passage whose
type (``infons["type"]``, e.g. ``title``, ``abstract``, ``title_1``, ``paragraph``, ``table``,
``ref``) says it is a heading or the title becomes a heading line; the section type
(``infons["section_type"]``, e.g. ``TITLE``, ``ABSTRACT``, ``REF``) decides what is read at all:
references, competing interests and the like hold no claims of the article and are left out.
A collection with several documents is read as one document (the file is the unit mirkb tracks).
"""

from __future__ import annotations

import json
from pathlib import Path

from extractors.ingest import IngestError, doc_id_for, sha256_bytes
from extractors.schema import Document

#: Section types whose passages are not read (BioC PMC naming).
SKIPPED_SECTIONS = {"REF", "COMP_INT", "AUTH_CONT", "ACK_FUND", "SUPPL", "ABBR"}
#: Passage types that are headings (BioC PMC uses title, title_1, title_2, …, abstract_title_1).
HEADING_PREFIXES = ("title", "abstract_title", "front")


def _is_heading(passage_type: str) -> bool:
    return passage_type.startswith(HEADING_PREFIXES)


def _is_section_heading(passage_type: str) -> bool:
    """A heading inside the article (not the article's own title)."""
    return _is_heading(passage_type) and passage_type not in ("title", "front")


_DEFAULTS = {
    "collection": {"source": "", "date": "", "key": "", "infons": {}},
    "document": {"id": "", "infons": {}, "passages": [], "annotations": [], "relations": []},
    "passage": {"offset": 0, "infons": {}, "text": "", "sentences": [], "annotations": [], "relations": []},
}


def _fill_defaults(raw: dict) -> None:
    """Add the keys ``bioc``'s strict decoder requires but exporters (PubTator) often leave out."""
    for key, value in _DEFAULTS["collection"].items():
        raw.setdefault(key, value)
    for doc in raw["documents"]:
        if not isinstance(doc, dict):
            raise IngestError("malformed BioC JSON: a document is not an object")
        for key, value in _DEFAULTS["document"].items():
            doc.setdefault(key, type(value)() if isinstance(value, list | dict) else value)
        for passage in doc["passages"]:
            if not isinstance(passage, dict):
                raise IngestError("malformed BioC JSON: a passage is not an object")
            for key, value in _DEFAULTS["passage"].items():
                passage.setdefault(key, type(value)() if isinstance(value, list | dict) else value)


def read_bioc_json(path: Path, data: bytes) -> Document:
    from bioc import biocjson

    try:
        text = data.decode("utf-8-sig")
        raw = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(f"not valid JSON: {exc}") from exc
    if isinstance(raw, dict) and "documents" not in raw and "passages" in raw:
        raw = {"documents": [raw]}  # a bare BioC document, as PubTator's per-article export gives it
    elif isinstance(raw, list):
        raw = {"documents": raw}  # a JSON array of documents
    if not isinstance(raw, dict) or not isinstance(raw.get("documents"), list):
        raise IngestError("not a BioC JSON collection (no 'documents' list)")
    _fill_defaults(raw)
    try:
        collection = biocjson.loads(json.dumps(raw))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise IngestError(f"malformed BioC JSON: {exc!r}") from exc

    lines: list[str] = []
    title = ""
    for document in collection.documents:
        previous = ""
        for passage in document.passages:
            ptype = str(passage.infons.get("type", "")).lower()
            section = str(passage.infons.get("section_type", "")).upper()
            if section in SKIPPED_SECTIONS or ptype == "ref":
                continue
            body = " ".join((passage.text or "").split())
            if not body:
                continue
            if not title and (ptype in ("title", "front") or section == "TITLE"):
                title = body
            is_abstract = (ptype == "abstract" or section == "ABSTRACT") and not _is_heading(ptype)
            if is_abstract and previous != "abstract" and not _is_section_heading(previous):
                # PubTator abstracts come without a heading; give them one, as the XML reader does.
                lines.append("Abstract")
            lines.append(body)
            previous = "abstract" if is_abstract else ptype
    if not lines:
        raise IngestError("no text found in BioC JSON (no passages with text)")
    return Document(
        doc_id=doc_id_for(path), path=str(path), format="bioc", text="\n".join(lines) + "\n",
        sha256=sha256_bytes(data), title=(title or lines[0])[:500],
    )
