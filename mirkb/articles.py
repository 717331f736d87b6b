"""One article, one document: which files (and knowledge-base documents) are the same article.

Two documents are the same article when they share a DOI, a PMCID or a PMID, or when their titles
are the same and no identifier contradicts it (two DOIs that differ are two articles, whatever the
titles say: a correction often repeats its article's title). A title is trusted only between
formats: when two files of one format share it, it is boilerplate and matches nothing. Identifiers and titles are compared
normalised (:func:`normalise_doi`, :func:`normalise_pmcid`, :func:`title_key`), so
``https://doi.org/10.1155/X`` and ``10.1155/x`` match, and so do a title set in a PDF with an en dash
and the same title in JATS with a hyphen.

Of one article in several formats the richest is read (:data:`FORMAT_RANK`: JATS over BioC over PDF
over plain text over an abstract-only PubMed/PubTator record); :func:`choose` says which won and why.
Only files holding one article take part: an article inside a PubMed set or a BioC collection is
left as it is (see the README, "Same article in several formats").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

#: Richest structure first. PubMed XML and PubTator carry an abstract only.
FORMAT_RANK = {"jats": 0, "bioc": 1, "pdf": 2, "txt": 3, "pubmed": 4, "pubtator": 4}
FORMAT_NAMES = {"jats": "JATS", "bioc": "BioC", "pdf": "PDF", "txt": "text", "pubmed": "PubMed XML",
                "pubtator": "PubTator", "": "unknown format"}
#: A title identifies an article only when it says enough: shorter ones ("Editorial",
#: "Introduction", "Case report") recur across journals.
MIN_TITLE_CHARS = 25
MIN_TITLE_WORDS = 4
#: Titles are compared on this many normalised characters: readers cut long titles at different lengths.
TITLE_CHARS = 200

_DOI_PREFIX = re.compile(r"^(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/)", re.I)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-")


def normalise_doi(value: str | None) -> str:
    """A DOI compared as DOIs are defined: case-insensitive, without ``doi:``/``https://doi.org/``,
    percent-escapes decoded, trailing punctuation dropped; "" when it is not a DOI."""
    text = unquote((value or "").strip())
    text = _DOI_PREFIX.sub("", text).strip()
    m = re.match(r"10\.\d{4,9}/\S+", text)
    return m.group(0).rstrip(".,;:)]").casefold() if m else ""


def normalise_pmcid(value: str | None) -> str:
    """"PMC123" for "PMC123", "pmc123" or "123"; "" for anything else."""
    m = re.fullmatch(r"(?i)\s*(?:pmc(?:id)?\s*:?\s*)?0*(\d+)\s*", value or "")
    return f"PMC{m.group(1)}" if m else ""


def normalise_pmid(value: str | None) -> str:
    m = re.fullmatch(r"(?i)\s*(?:pmid\s*:?\s*)?0*(\d+)\s*", value or "")
    return m.group(1) if m else ""


def title_key(value: str | None) -> str:
    """A title as compared: Unicode-normalised (NFKC), case-folded, dashes unified, punctuation
    dropped, whitespace collapsed; "" when too short to identify an article."""
    text = unicodedata.normalize("NFKC", value or "").translate(_DASHES).casefold()
    text = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text.replace("-", ""))
    words = text.split()
    key = " ".join(words)
    if len(key) < MIN_TITLE_CHARS or len(words) < MIN_TITLE_WORDS:
        return ""
    return key[:TITLE_CHARS].strip()


@dataclass(frozen=True)
class Identity:
    """What tells one article from another, normalised."""

    format: str = ""
    doi: str = ""
    pmcid: str = ""
    pmid: str = ""
    title: str = ""  # title_key
    #: the title as written, for the knowledge base's documents row
    raw_title: str = field(default="", compare=False)

    @classmethod
    def of(cls, source) -> Identity:
        """From anything with ``format``/``doi``/``pmcid``/``pmid``/``title`` (a Document, a KB row dict)."""
        def get(name):
            return (source.get(name) if isinstance(source, dict) else getattr(source, name, "")) or ""

        return cls(format=str(get("format")), doi=normalise_doi(get("doi")), pmcid=normalise_pmcid(get("pmcid")),
                   pmid=normalise_pmid(get("pmid")), title=title_key(get("title")),
                   raw_title=" ".join(str(get("title")).split()))

    @property
    def known(self) -> bool:
        return bool(self.doi or self.pmcid or self.pmid or self.title)

    @property
    def rank(self) -> int:
        return FORMAT_RANK.get(self.format, 9)

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES.get(self.format, self.format)

    def conflicts(self, other: Identity) -> bool:
        """Both have an identifier of one kind and they differ: two articles."""
        return any(a and b and a != b for a, b in ((self.doi, other.doi), (self.pmcid, other.pmcid),
                                                    (self.pmid, other.pmid)))

    def shared(self, other: Identity) -> str:
        """What makes the two the same article, in words ("" when nothing does)."""
        for name, label in (("doi", "DOI"), ("pmcid", "PMCID"), ("pmid", "PMID")):
            value = getattr(self, name)
            if value and value == getattr(other, name):
                return f"same {label} {value}"
        if self.title and self.title == other.title and not self.conflicts(other):
            return "same title"
        return ""


def identify(path: str | Path) -> Identity | None:
    """The identity of the article in the file at ``path``, read as cheaply as the format allows
    (a PDF: its metadata and first page only); None for a file with several articles or one that
    cannot be read (the batch reports that when it reads the file)."""
    from extractors.ingest import IngestError, load_documents

    path = Path(path)
    try:
        if path.suffix.lower() == ".pdf":
            return _pdf_identity(path)
        if path.suffix.lower() in (".xml", ".nxml"):
            return _xml_identity(path)
        docs = []
        for doc in load_documents(path):
            docs.append(doc)
            if len(docs) > 1:
                return None
    except (IngestError, OSError, ValueError, MemoryError):
        return None
    return Identity.of(docs[0]) if docs else None


def _xml_identity(path: Path) -> Identity | None:
    """JATS / PubMed XML: the identifiers and title of the front matter, without building the text."""
    from extractors.ingest import _read_checked
    from extractors.ingest.xml import (
        _articles,
        _clean,
        _descendant,
        _first,
        _inline,
        _jats_ids,
        _pubmed_ids,
        parse_xml,
    )

    fmt, found = _articles(parse_xml(_read_checked(path)))
    if len(found) != 1:
        return None
    art = found[0]
    if fmt == "pubmed":
        ids, outer, title_path = _pubmed_ids(art), _descendant(art, "Article"), ("ArticleTitle",)
    else:
        ids, outer, title_path = _jats_ids(art), _first(art, "front", "article-meta"), ("title-group", "article-title")
    title_el = _first(outer, *title_path) if outer is not None else None
    title = _clean(_inline(title_el)) if title_el is not None else ""
    return Identity.of({"format": fmt, "title": title, **ids})


def _pdf_identity(path: Path) -> Identity | None:
    import pypdfium2 as pdfium

    from extractors.ingest import IngestError, _read_checked
    from extractors.ingest.pdf import _open, _read_page, _title, find_doi

    pdf = _open(_read_checked(path))
    try:
        try:
            first = _read_page(pdf, 0)
        except (IngestError, pdfium.PdfiumError):
            return None
        title = _title(pdf, [first])
        metadata = pdf.get_metadata_dict()
    finally:
        pdf.close()
    page_text = "\n".join(line.text for line in first.lines)
    doi = find_doi(" ".join(str(v) for v in metadata.values())) or find_doi(page_text)
    return Identity.of({"format": "pdf", "doi": doi, "title": title})


@dataclass
class Member:
    """A candidate: a corpus file (``in_corpus``) or a document already in the knowledge base."""

    doc_id: str
    path: str
    identity: Identity
    in_corpus: bool = True
    in_kb: bool = False  #: the knowledge base holds it with status ok
    bad: bool = False  #: it failed last time and has not changed: it cannot stand for the article
    order: int = 0

    @property
    def label(self) -> str:
        return self.path + ("" if self.in_corpus else " (in the knowledge base)")


@dataclass
class Choice:
    winner: Member
    losers: list[tuple[Member, str]] = field(default_factory=list)  # (member, why)


def groups(members: list[Member]) -> list[list[Member]]:
    """Members that are the same article, in groups of two or more (union-find over shared keys)."""
    parent = list(range(len(members)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    ids = [{k: {getattr(m.identity, k)} - {""} for k in ("doi", "pmcid", "pmid")} for m in members]

    def union(a, b, check: bool) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        if check and any(ids[ra][k] and ids[rb][k] and not ids[ra][k] & ids[rb][k] for k in ids[ra]):
            return  # a title shared by articles with different identifiers (a correction, a reply)
        parent[rb] = ra
        for k in ids[ra]:
            ids[ra][k] |= ids[rb][k]

    by_key: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(members):
        for name in ("doi", "pmcid", "pmid", "title"):
            value = getattr(m.identity, name)
            if value:
                by_key.setdefault((name, value), []).append(i)
    for key in [k for k in by_key if k[0] == "title"]:
        formats = [members[i].identity.format for i in by_key[key]]
        if len(set(formats)) < len(formats):
            # Two files of one format under one title: the "title" is boilerplate (a journal banner,
            # a licence line read as a text file's first line), not something that names an article.
            del by_key[key]
    # identifiers first: a title joins only groups whose identifiers do not contradict each other
    for (name, _), idx in sorted(by_key.items(), key=lambda kv: kv[0][0] == "title"):
        for j in idx[1:]:
            union(idx[0], j, check=name == "title")
            if name == "title" and find(j) != find(idx[0]):
                for k in idx[1:]:
                    if k != j:
                        union(k, j, check=True)
    out: dict[int, list[Member]] = {}
    for i, m in enumerate(members):
        out.setdefault(find(i), []).append(m)
    return [g for g in out.values() if len(g) > 1]


def choose(group: list[Member]) -> Choice:
    """The member to read: one that can be read, the richest format, then the one the knowledge base
    already holds, then the first in corpus order."""
    ranked = sorted(group, key=lambda m: (m.bad, m.identity.rank, not m.in_kb, not m.in_corpus, m.order))
    winner = ranked[0]
    choice = Choice(winner)
    for m in ranked[1:]:
        same = winner.identity.shared(m.identity) or next(
            (s for o in group if o is not m for s in [o.identity.shared(m.identity)] if s), "same article")
        if m.bad and not winner.bad:
            why = f"the {m.identity.format_name} failed last time and has not changed"
        elif m.identity.rank > winner.identity.rank:
            why = f"{winner.identity.format_name} over {m.identity.format_name}"
        else:
            kept = "the one already in the knowledge base" if winner.in_kb else "the first in corpus order"
            why = f"both {m.identity.format_name}: {kept} is kept"
        choice.losers.append((m, f"{why}; {same}"))
    return choice
