"""BioC JSON reader (PubTator / PMC BioC exports), parsed with the ``bioc`` package.

Passages are laid out in order, one per line, so headings stay on their own lines: a passage whose
type (``infons["type"]``, e.g. ``title``, ``abstract``, ``title_1``, ``paragraph``, ``table``,
``ref``) says it is a heading or the title becomes a heading line; the section type
(``infons["section_type"]``, e.g. ``TITLE``, ``ABSTRACT``, ``REF``) decides what is read at all:
references, competing interests and the like hold no claims of the article and are left out.
A collection with several documents gives one Document per BioC document
(:func:`read_bioc_documents`), each with its PMID / PMCID / DOI; every kept passage becomes a
typed passage (title, heading, abstract, body, caption, table, table_footnote). Table passages
are never read as running text.
"""

from __future__ import annotations

import json
from pathlib import Path

from extractors.ingest import IngestError, assign_doc_ids, merge_documents, sha256_bytes
from extractors.ingest.xml import normalise_doi, normalise_pmcid
from extractors.schema import Document, Passage

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


def read_bioc_documents(path: Path, data: bytes) -> list[Document]:
    """One Document per BioC document of the collection, with its identifiers (module docstring)."""
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

    docs = [d for d in (_document(path, data, document) for document in collection.documents) if d is not None]
    if not docs:
        raise IngestError("no text found in BioC JSON (no passages with text)")
    return assign_doc_ids(path, docs)


def read_bioc_json(path: Path, data: bytes) -> Document:
    """The whole collection as one Document (several documents merged)."""
    docs = read_bioc_documents(path, data)
    return docs[0] if len(docs) == 1 else merge_documents(path, docs)


def _passage_kind(ptype: str, section: str) -> str:
    if ptype in ("title", "front") or section == "TITLE":
        return "title"
    if _is_heading(ptype):
        return "heading"
    if ptype.startswith("table_foot"):
        return "table_footnote"
    if "caption" in ptype:
        return "caption"
    if ptype == "table" or (section == "TABLE" and ptype != "paragraph"):
        return "table"
    if ptype == "abstract" or section == "ABSTRACT":
        return "abstract"
    return "body"


def _ids(document) -> dict[str, str]:
    """pmid / pmcid / doi from the document's and passages' infons (PMC BioC: ``article-id_pmid``,
    ``article-id_pmc``, ``article-id_doi``) and the document id (a PMID in PubTator exports)."""
    infons: dict = {}
    for passage in document.passages:
        infons.update({k: v for k, v in passage.infons.items() if str(k).startswith("article-id")})
    infons.update(document.infons or {})
    ids = {"pmid": "", "pmcid": "", "doi": ""}
    pmid = str(infons.get("article-id_pmid") or infons.get("pmid") or "").strip()
    ids["pmcid"] = normalise_pmcid(str(infons.get("article-id_pmc") or infons.get("pmcid") or ""))
    ids["doi"] = normalise_doi(str(infons.get("article-id_doi") or infons.get("doi") or ""))
    doc_id = str(document.id or "").strip()
    if not ids["pmcid"] and doc_id.upper().startswith("PMC"):
        ids["pmcid"] = normalise_pmcid(doc_id)
    if not pmid and doc_id.isdigit() and ids["pmcid"] != f"PMC{doc_id}":
        pmid = doc_id
    ids["pmid"] = pmid if pmid.isdigit() else ""
    return ids


def _document(path: Path, data: bytes, document) -> Document | None:
    lines: list[str] = []
    passages: list[Passage] = []
    pos = 0
    title = ""

    def put(text: str, kind: str) -> None:
        nonlocal pos
        lines.append(text)
        passages.append(Passage(kind, pos, pos + len(text)))
        pos += len(text) + 1

    previous = ""
    for passage in document.passages:
        ptype = str(passage.infons.get("type", "")).lower()
        section = str(passage.infons.get("section_type", "")).upper()
        if section in SKIPPED_SECTIONS or ptype == "ref":
            continue
        body = " ".join((passage.text or "").split())
        if not body:
            continue
        kind = _passage_kind(ptype, section)
        if kind == "title" and title:
            kind = "heading"  # a second "front" passage (journal, authors) is not another title
        title = title or (body if kind == "title" else "")
        is_abstract = kind == "abstract"
        if is_abstract and previous != "abstract" and not _is_section_heading(previous):
            # PubTator abstracts come without a heading; give them one, as the XML reader does.
            put("Abstract", "heading")
        put(body, kind)
        previous = "abstract" if is_abstract else ptype
    if not lines:
        return None
    return Document(
        doc_id="", path=str(path), format="bioc", text="\n".join(lines) + "\n",
        sha256=sha256_bytes(data), title=(title or lines[0])[:500], passages=passages, **_ids(document),
    )
