"""XML reader: PMC JATS articles (bare, in a ``<pmc-articleset>`` or an OAI-PMH response) and
PubMed abstract XML (``<PubmedArticleSet>``).

The text is assembled one block per line: the title, then each heading on its own line followed
by its paragraphs; every offset in the Document refers to this text. A JATS table becomes a
:class:`~extractors.schema.Table` *and* lines of text (caption, then one line per row with cells
joined by " | "), so a mention found in a row points back into the text; the row lines are also
``skip_spans`` so they are not read again as sentences.

Every line is a typed passage (``Document.passages``): the title, abstract paragraphs, headings,
body paragraphs, figure and table captions, the table's rows (one ``table`` passage per table) and
table footnotes. A file with several articles (PubMed set, PMC article set) gives one Document
per article (:func:`read_xml_documents`), with the PMID, PMCID and DOI the XML gives.

Parsing is safe by construction: no DTD is loaded, no entity is expanded, nothing is fetched over
the network, and a file that declares its own entities is refused (the "billion laughs" shape).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from extractors.ingest import IngestError, assign_doc_ids, merge_documents, sha256_bytes
from extractors.schema import Document, Passage, Table
from extractors.table_model import jats_tables

#: Cells of a table row in the text, as TRIPLES.md evidence shows them.
CELL_SEP = " | "

# Back matter and metadata hold no claims of the article's own; figures' graphics have no text.
_SKIP = {"ref-list", "fn-group", "ack", "glossary", "graphic", "media", "object-id", "counts", "permissions",
         "supplementary-material"}
_BLOCKS = {"sec", "p", "table-wrap", "fig", "list", "list-item", "disp-quote", "boxed-text", "title",
           "table-wrap-group", "fig-group", "statement", "def-list"}

_WS = re.compile(r"\s+")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _children(el, name: str):
    return [c for c in el if _local(c) == name]


def _first(el, *path: str):
    """First descendant following ``path`` of local names (namespace-agnostic)."""
    nodes = [el]
    for name in path:
        nodes = [c for n in nodes for c in n if _local(c) == name]
        if not nodes:
            return None
    return nodes[0]


def _descendant(el, name: str):
    return next((d for d in el.iter() if _local(d) == name), None)


class _Builder:
    """Accumulates lines of text and the tables laid into them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.tables: list[Table] = []
        self.skip_spans: list[tuple[int, int]] = []
        self.passages: list[Passage] = []
        #: kind of the paragraphs being read: "abstract", "body" or "table_footnote"
        self.kind = "body"

    def line(self, text: str, clean: bool = True, kind: str | None = None) -> tuple[int, int]:
        """Lay one line in; it is a passage of ``kind`` (default: the paragraphs' current kind)."""
        # Table rows are laid in as joined, so splitting a row on CELL_SEP gives its cells back.
        text = _clean(text) if clean else text
        if not text.strip():
            return (-1, -1)
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        kind = kind or self.kind
        last = self.passages[-1] if self.passages else None
        if kind == "table" and last is not None and last.kind == "table" and last.end == start - 1:
            last.end = self.length  # the rows of one table are one passage
        else:
            self.passages.append(Passage(kind, start, self.length))
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts) + "\n"

    # -- JATS -------------------------------------------------------------------------------

    def block(self, el) -> None:
        name = _local(el)
        if not name or name in _SKIP:
            return
        if name == "title":
            self.line(_inline(el), kind="heading")
        elif name == "p":
            self.paragraph(el)
        elif name == "table-wrap":
            self.table(el)
        elif name == "fig":
            self.caption(el)
        else:
            for child in el:
                self.block(child)

    def paragraph(self, el) -> None:
        """A paragraph's inline text; a table or figure nested inside it becomes its own block."""
        pieces = [el.text or ""]
        for child in el:
            if _local(child) in _BLOCKS:
                self.line("".join(pieces))
                pieces = []
                self.block(child)
            else:
                pieces.append(_inline(child))
            pieces.append(child.tail or "")
        self.line("".join(pieces))

    def caption(self, el) -> None:
        label = _first(el, "label")
        caption = _first(el, "caption")
        head = _inline(label) if label is not None else ""
        if caption is not None:
            title = _first(caption, "title")
            head = f"{head} {_inline(title)}" if title is not None else head
            self.line(head, kind="caption")
            for p in _children(caption, "p"):
                self.line(_inline(p), kind="caption")
        else:
            self.line(head, kind="caption")

    def table(self, wrap) -> None:
        """A JATS ``table-wrap``: caption passages, the rows as one ``table`` passage (also a
        :class:`Table` and ``skip_spans``), then the footnotes as ``table_footnote`` passages."""
        self.caption(wrap)
        for table in jats_tables(wrap):
            # Each header row and body row on its own line, cells joined as TRIPLES.md evidence shows them.
            head = [self.line(CELL_SEP.join(r), clean=False, kind="table")
                    for r in (table.header_rows or [table.header]) if any(r)]
            table.row_spans = [self.line(CELL_SEP.join(cells), clean=False, kind="table") for cells in table.rows]
            used = [s for s in [*head, *table.row_spans] if s[0] >= 0]
            table.start, table.end = (used[0][0], used[-1][1]) if used else (-1, -1)
            if used:
                self.skip_spans.append((table.start, table.end))
            self.tables.append(table)
        outer, self.kind = self.kind, "table_footnote"
        for foot in (d for d in wrap if _local(d) == "table-wrap-foot"):
            for child in foot:
                self.block(child)
        self.kind = outer


def _inline(el) -> str:
    """All text under ``el`` except what a reader does not read inline (graphics, footnote bodies)."""
    if el is None:
        return ""
    out = [el.text or ""]
    for child in el:
        name = _local(child)
        if name in ("break", "p", "list-item"):
            # Line breaks and stacked paragraphs inside a cell or caption separate words.
            out.append(" ")
        if name not in ("graphic", "media", "fn"):
            out.append(_inline(child))
        out.append(child.tail or "")
    return "".join(out)


def _jats(article, builder: _Builder) -> str:
    meta = _first(article, "front", "article-meta")
    title_el = _first(meta, "title-group", "article-title") if meta is not None else None
    title = _clean(_inline(title_el)) if title_el is not None else ""
    builder.line(title, kind="title")
    if meta is not None:
        abstracts = _children(meta, "abstract")
        main = [a for a in abstracts if not a.get("abstract-type")] or abstracts[:1]
        builder.kind = "abstract"
        for abstract in main:
            heading = _first(abstract, "title")
            builder.line(_inline(heading) if heading is not None else "Abstract", kind="heading")
            for child in abstract:
                if child is not heading:
                    builder.block(child)
        builder.kind = "body"
    body = _first(article, "body")
    if body is not None:
        for child in body:
            builder.block(child)
    back = _first(article, "back")
    if back is not None:
        # Appendices and floats collected at the end can hold tables of results; references cannot.
        for child in back:
            if _local(child) in ("app-group", "floats-group", "sec"):
                for sub in child:
                    builder.block(sub)
    floats = _first(article, "floats-group")
    if floats is not None:
        for child in floats:
            builder.block(child)
    return title


def normalise_pmcid(value: str) -> str:
    """"PMC5000501" for "5000501", "pmc5000501" or "PMC5000501"; "" for anything else."""
    m = re.fullmatch(r"(?i)\s*(?:pmc)?(\d+)\s*", value or "")
    return f"PMC{m.group(1)}" if m else ""


def normalise_doi(value: str) -> str:
    """A bare DOI ("10.1186/…") from "doi:10.…", "https://doi.org/10.…" or the DOI itself."""
    m = re.search(r"10\.\d{4,9}/\S+", value or "")
    return m.group(0).rstrip(".,;)]") if m else ""


def _jats_ids(article) -> dict[str, str]:
    """pmid, pmcid and doi from ``article-meta/article-id``."""
    meta = _first(article, "front", "article-meta")
    ids = {"pmid": "", "pmcid": "", "doi": ""}
    if meta is None:
        return ids
    for el in _children(meta, "article-id"):
        kind = (el.get("pub-id-type") or "").lower()
        value = _clean(el.text or "")
        if kind == "pmid" and value.isdigit():
            ids["pmid"] = ids["pmid"] or value
        elif kind in ("pmc", "pmcid"):
            ids["pmcid"] = ids["pmcid"] or normalise_pmcid(value)
        elif kind == "doi":
            ids["doi"] = ids["doi"] or normalise_doi(value)
    return ids


def _pubmed(art, builder: _Builder) -> str:
    """One PubmedArticle: its title, then its abstract (a structured abstract's labels as headings)."""
    article = _descendant(art, "Article")
    if article is None:
        return ""
    title_el = _first(article, "ArticleTitle")
    title = _clean(_inline(title_el)) if title_el is not None else ""
    builder.line(title, kind="title")
    abstract = _first(article, "Abstract")
    if abstract is None:
        return title
    for part in _children(abstract, "AbstractText"):
        label = part.get("Label")
        if label:
            builder.line(label, kind="heading")
        builder.line(_inline(part), kind="abstract")
    return title


def _pubmed_ids(art) -> dict[str, str]:
    """pmid (MedlineCitation/PMID), pmcid and doi (ArticleIdList, ELocationID)."""
    ids = {"pmid": "", "pmcid": "", "doi": ""}
    citation = _descendant(art, "MedlineCitation")
    pmid = _first(citation, "PMID") if citation is not None else None
    if pmid is not None and (pmid.text or "").strip().isdigit():
        ids["pmid"] = pmid.text.strip()
    for el in art.iter():
        name = _local(el)
        if name == "ArticleId":
            kind, value = (el.get("IdType") or "").lower(), _clean(el.text or "")
            if kind == "pubmed" and not ids["pmid"] and value.isdigit():
                ids["pmid"] = value
            elif kind == "pmc":
                ids["pmcid"] = ids["pmcid"] or normalise_pmcid(value)
            elif kind == "doi":
                ids["doi"] = ids["doi"] or normalise_doi(value)
        elif name == "ELocationID" and (el.get("EIdType") or "").lower() == "doi":
            ids["doi"] = ids["doi"] or normalise_doi(el.text or "")
    return ids


def parse_xml(data: bytes):
    """Parse bytes safely; refuse malformed XML and files that declare their own entities."""
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise IngestError(f"malformed XML: {exc}") from exc
    if root is None:
        raise IngestError("malformed XML: no root element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise IngestError("XML declares its own entities; refused (entity expansion is not allowed)")
    return root


def _articles(root) -> tuple[str, list]:
    """The format and the article elements of a parsed file (one or several)."""
    name = _local(root)
    if name in ("PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"):
        articles = [root] if name != "PubmedArticleSet" else [c for c in root if _local(c).startswith("Pubmed")]
        return "pubmed", articles
    articles = [root] if name == "article" else [d for d in root.iter() if _local(d) == "article"]
    # A JATS article nests sub-articles (responses, translations) inside itself: only outer ones.
    articles = [a for a in articles if not any(_local(p) == "article" for p in a.iterancestors())]
    if not articles:
        raise IngestError(
            f"unrecognised XML (root element <{name}>): mirkb reads JATS articles, PMC article sets, "
            "OAI-PMH records and PubMed XML"
        )
    return "jats", articles


def read_xml_documents(path: Path, data: bytes) -> list[Document]:
    """One Document per article of a JATS / PMC article set / OAI-PMH / PubMed XML file, each
    with its identifiers; ids follow :func:`extractors.ingest.assign_doc_ids`."""
    fmt, articles = _articles(parse_xml(data))
    sha = sha256_bytes(data)
    docs = []
    for art in articles:
        builder = _Builder()
        if fmt == "pubmed":
            title, ids = _pubmed(art, builder), _pubmed_ids(art)
        else:
            title, ids = _jats(art, builder), _jats_ids(art)
        if not builder.parts:
            continue
        docs.append(Document(
            doc_id="", path=str(path), format=fmt, text=builder.text(), sha256=sha, title=title[:500],
            tables=builder.tables, skip_spans=builder.skip_spans, passages=builder.passages, **ids,
        ))
    if not docs:
        raise IngestError(f"no text found in {fmt} XML (no title, abstract or body)")
    return assign_doc_ids(path, docs)


def read_xml(path: Path, data: bytes) -> Document:
    """The whole file as one Document (several articles merged; :func:`read_xml_documents` gives one each)."""
    docs = read_xml_documents(path, data)
    return docs[0] if len(docs) == 1 else merge_documents(path, docs)
