"""Find and fetch open-access papers into a corpus folder, incrementally, for the next refresh.

Two sources, each behind the same small interface (``search`` pages of :class:`Hit`, ``fetch``
one paper's bytes):

* **Europe PMC** (``europepmc``, the default): the REST ``search`` endpoint with the user's query
  ``AND OPEN_ACCESS:y`` and a ``FIRST_PDATE`` range, paged with ``cursorMark`` (the last page
  echoes the cursor it was given); each hit's full text as JATS XML from ``{PMCID}/fullTextXML``.
  Files are written as ``PMC<id>.xml``.
* **PubMed** (``pubmed``): NCBI E-utilities ``esearch`` (JSON, ``retstart`` paging, an Entrez-date
  range) then ``efetch`` (PubMed XML) in batches; each article is written on its own as
  ``PMID<id>.xml`` (a one-article ``PubmedArticleSet``), so every paper is one file and one
  document.

What makes a fetch safe to repeat (the state lives in the knowledge base, tables ``fetch_queries``
and ``fetched_papers``, created on first use):

* **Incremental.** A query remembers the date up to which its last fetch completed; the next
  fetch asks only for papers from that date on (one day of overlap, which the de-duplication
  absorbs). ``--since`` overrides it.
* **Each paper once.** A paper already fetched (by PMCID/PMID) is not asked for again. A paper
  whose bytes differ from the file on disk is written as a new *version*: the old file moves to
  ``.mirkb-versions/`` in the corpus folder and the manifest row's ``version`` goes up; nothing is
  overwritten unrecorded.
* **Resumable.** The cursor (or offset) is saved after every page; a fetch that died half-way
  goes on from that page with the same date range.
* **Polite.** One client with a rate limit (default 3 requests/s, NCBI's limit without an API
  key), a user agent naming mirkb, timeouts, and retries with exponential backoff on 429 and
  5xx (``Retry-After`` is honoured) and on dropped or truncated responses.
* **Nothing lost.** A paper whose payload is not the XML it should be is recorded as a
  per-paper error (and tried again next time); the others go on.

The corpus folder gets ``manifest.csv`` (doc_id, file, title, journal, year, doi, licence,
sha256, then pmid, pmcid, source, version, fetched_at), rewritten atomically after each page.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mirkb import __version__

#: Default service roots; ``$MIRKB_EUROPEPMC_URL`` / ``$MIRKB_EUTILS_URL`` point them elsewhere
#: (a mirror, or the local replay server of the tests).
EUROPEPMC_URL = "https://www.ebi.ac.uk/europepmc/webservices/rest"
EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
SOURCES = ("europepmc", "pubmed")
#: Manifest columns: the project's corpus manifest columns first, then the fetch's own.
MANIFEST_COLUMNS = ("doc_id", "file", "title", "journal", "year", "doi", "licence", "sha256",
                    "pmid", "pmcid", "source", "version", "fetched_at")
VERSIONS_DIR = ".mirkb-versions"
#: Days of overlap with the previous fetch: a paper indexed late on the boundary day is not missed.
OVERLAP_DAYS = 1
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A request that failed for good (after retries) or a payload that is not what it should be."""


@dataclass(frozen=True)
class FetchSettings:
    """How the client behaves; every default is within the services' published limits.

    ``rate``: requests per second (NCBI allows 3/s without an API key, 10/s with one; Europe PMC
    asks for moderation). ``retries``: attempts after the first on 429/5xx/dropped connections.
    ``backoff``: first wait in seconds, doubled each retry (with jitter), unless ``Retry-After``
    says otherwise. ``timeout``: seconds per request. ``page_size``: hits per search page.
    """

    rate: float = 3.0
    retries: int = 4
    backoff: float = 1.0
    timeout: float = 30.0
    page_size: int = 100
    email: str = field(default_factory=lambda: os.environ.get("MIRKB_EMAIL", ""))
    api_key: str = field(default_factory=lambda: os.environ.get("NCBI_API_KEY", ""))
    europepmc_url: str = field(default_factory=lambda: os.environ.get("MIRKB_EUROPEPMC_URL", EUROPEPMC_URL))
    eutils_url: str = field(default_factory=lambda: os.environ.get("MIRKB_EUTILS_URL", EUTILS_URL))

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.email}" if self.email else ""
        return f"mirkb/{__version__} (miRNA-cancer literature mining{contact})"


class PoliteClient:
    """An ``httpx`` client with a rate limit, timeouts and retries with backoff."""

    def __init__(self, settings: FetchSettings, sleep: Callable[[float], None] = time.sleep):
        import httpx

        self.settings = settings
        self._sleep = sleep
        self._last = 0.0
        self.requests = 0
        self._http = httpx.Client(timeout=settings.timeout, follow_redirects=True,
                                  headers={"User-Agent": settings.user_agent})

    def close(self) -> None:
        self._http.close()

    def _wait_turn(self) -> None:
        gap = 1.0 / self.settings.rate if self.settings.rate > 0 else 0.0
        wait = self._last + gap - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last = time.monotonic()

    def get(self, url: str, params: dict | None = None, check: Callable[[bytes], None] | None = None) -> bytes:
        """The body of a GET; ``check`` raises ValueError for a truncated or wrong body (retried)."""
        import httpx

        attempt, last = 0, ""
        while True:
            self._wait_turn()
            self.requests += 1
            retry_after = None
            try:
                response = self._http.get(url, params=params)
                if response.status_code in RETRY_STATUS:
                    last = f"HTTP {response.status_code}"
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                elif response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} from {url}")
                else:
                    body = response.content
                    if check is not None:
                        check(body)
                    return body
            except (httpx.TransportError, ValueError) as exc:  # dropped, timed out, truncated
                last = f"{type(exc).__name__}: {exc}"
            if attempt >= self.settings.retries:
                raise FetchError(f"{url}: giving up after {attempt + 1} attempts ({last})")
            delay = self.settings.backoff * (2 ** attempt) * (1 + random.random() / 4)
            self._sleep(retry_after if retry_after is not None else delay)
            attempt += 1


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def _json(body: bytes) -> None:
    json.loads(body)  # raises ValueError (JSONDecodeError) for a truncated page


# -- hits and sources -----------------------------------------------------------------------------


@dataclass
class Hit:
    """One paper a search found, with the metadata the manifest records."""

    source: str
    paper_id: str  # the file stem and the key of fetched_papers: PMC<id> or PMID<id>
    pmid: str = ""
    pmcid: str = ""
    doi: str = ""
    title: str = ""
    journal: str = ""
    year: str = ""
    licence: str = ""


@dataclass
class Page:
    hits: list[Hit]
    next_position: str  # the cursor (Europe PMC) or offset (PubMed) of the next page
    done: bool


class EuropePMC:
    name = "europepmc"

    def __init__(self, client: PoliteClient):
        self.client = client
        self.root = client.settings.europepmc_url.rstrip("/")

    def search(self, query: str, since: dt.date | None, until: dt.date, position: str) -> Page:
        dates = f" AND FIRST_PDATE:[{since.isoformat() if since else '1900-01-01'} TO {until.isoformat()}]"
        params = {"query": f"({query}) AND OPEN_ACCESS:y{dates}", "format": "json", "resultType": "core",
                  "pageSize": str(self.client.settings.page_size), "cursorMark": position or "*"}
        data = json.loads(self.client.get(f"{self.root}/search", params, check=_json))
        results = (data.get("resultList") or {}).get("result") or []
        hits = []
        for r in results:
            pmcid = r.get("pmcid") or ""
            if not pmcid:
                continue  # no full text to fetch
            licence = r.get("license") or ""
            hits.append(Hit("europepmc", pmcid, pmid=r.get("pmid") or "", pmcid=pmcid, doi=r.get("doi") or "",
                            title=r.get("title") or "", journal=(r.get("journalInfo") or {}).get("journal", {})
                            .get("title", "") or r.get("journalTitle") or "", year=str(r.get("pubYear") or ""),
                            licence=licence))
        nxt = data.get("nextCursorMark") or ""
        # The last page echoes the cursor it was given (or gives none, or no results).
        done = not results or not nxt or nxt == (position or "*")
        return Page(hits, nxt, done)

    def fetch(self, hits: list[Hit]) -> dict[str, bytes | FetchError]:
        out: dict[str, bytes | FetchError] = {}
        for hit in hits:
            try:
                out[hit.paper_id] = self.client.get(f"{self.root}/{hit.pmcid}/fullTextXML", check=_jats_check)
            except FetchError as exc:
                out[hit.paper_id] = exc
        return out


class PubMed:
    name = "pubmed"

    def __init__(self, client: PoliteClient):
        self.client = client
        self.root = client.settings.eutils_url.rstrip("/")

    def _params(self, **extra) -> dict:
        params = {"db": "pubmed", "tool": "mirkb", **extra}
        if self.client.settings.email:
            params["email"] = self.client.settings.email
        if self.client.settings.api_key:
            params["api_key"] = self.client.settings.api_key
        return params

    def search(self, query: str, since: dt.date | None, until: dt.date, position: str) -> Page:
        start = int(position or 0)
        size = self.client.settings.page_size
        params = self._params(term=query, retmode="json", retstart=str(start), retmax=str(size),
                              datetype="edat", mindate=(since or dt.date(1900, 1, 1)).strftime("%Y/%m/%d"),
                              maxdate=until.strftime("%Y/%m/%d"))
        data = json.loads(self.client.get(f"{self.root}/esearch.fcgi", params, check=_json))
        result = data.get("esearchresult") or {}
        ids = [str(i) for i in result.get("idlist") or []]
        count = int(result.get("count") or 0)
        hits = [Hit("pubmed", f"PMID{i}", pmid=i) for i in ids]
        return Page(hits, str(start + len(ids)), not ids or start + len(ids) >= count)

    def fetch(self, hits: list[Hit]) -> dict[str, bytes | FetchError]:
        from lxml import etree

        if not hits:
            return {}
        out: dict[str, bytes | FetchError] = {}
        try:
            body = self.client.get(f"{self.root}/efetch.fcgi",
                                   self._params(id=",".join(h.pmid for h in hits), retmode="xml"),
                                   check=_xml_check)
        except FetchError as exc:
            return {h.paper_id: exc for h in hits}
        root = _parse(body)
        by_pmid = {}
        for article in root:
            pmid = article.findtext(".//PMID")
            if pmid:
                by_pmid[pmid.strip()] = article
        for hit in hits:
            article = by_pmid.get(hit.pmid)
            if article is None:
                out[hit.paper_id] = FetchError(f"PMID {hit.pmid} missing from the efetch answer")
                continue
            _fill_pubmed_metadata(hit, article)
            wrapper = etree.Element("PubmedArticleSet")
            wrapper.append(article)
            out[hit.paper_id] = etree.tostring(wrapper, xml_declaration=True, encoding="UTF-8")
        return out


def _parse(body: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from exc
    if root is None:
        raise ValueError("empty XML")
    return root


def _xml_check(body: bytes) -> None:
    _parse(body)


def _jats_check(body: bytes) -> None:
    root = _parse(body)
    local = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else ""
    if local not in ("article", "pmc-articleset", "OAI-PMH"):
        raise ValueError(f"not a JATS article (root element <{local}>)")


def _fill_pubmed_metadata(hit: Hit, article) -> None:
    hit.title = " ".join("".join(article.find(".//ArticleTitle").itertext()).split()) \
        if article.find(".//ArticleTitle") is not None else ""
    hit.journal = (article.findtext(".//Journal/Title") or "").strip()
    hit.year = (article.findtext(".//JournalIssue/PubDate/Year") or "").strip()
    for aid in article.iterfind(".//ArticleIdList/ArticleId"):
        kind = aid.get("IdType")
        if kind == "doi" and not hit.doi:
            hit.doi = (aid.text or "").strip()
        elif kind == "pmc" and not hit.pmcid:
            hit.pmcid = (aid.text or "").strip()


def make_source(name: str, client: PoliteClient):
    if name == "europepmc":
        return EuropePMC(client)
    if name == "pubmed":
        return PubMed(client)
    raise ValueError(f"unknown source {name!r}; choose one of {', '.join(SOURCES)}")


# -- state in the knowledge base ------------------------------------------------------------------


def _state_tables():
    from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, Text

    meta = MetaData()
    queries = Table(
        "fetch_queries", meta,
        Column("query_key", String(64), primary_key=True),  # sha256 of source + query
        Column("source", String(20), nullable=False),
        Column("query", Text, nullable=False),
        Column("last_until", Date),  # the fetch completed up to this date
        Column("status", String(20), nullable=False, default="idle"),  # idle, running, failed
        Column("position", Text, default=""),  # cursor/offset of the page to fetch next
        Column("range_since", Date),  # the date range of the fetch in progress
        Column("range_until", Date),
        Column("updated_at", DateTime),
        Column("message", Text, default=""),
    )
    papers = Table(
        "fetched_papers", meta,
        Column("source", String(20), primary_key=True),
        Column("paper_id", String(40), primary_key=True),
        Column("pmid", String(20), default=""),
        Column("pmcid", String(20), default=""),
        Column("file", Text, default=""),
        Column("sha256", String(64), default=""),
        Column("version", Integer, default=0),
        Column("status", String(20), nullable=False),  # ok, error
        Column("error", Text, default=""),
        Column("fetched_at", DateTime),
    )
    return meta, queries, papers


class FetchState:
    """The fetch's memory, in the knowledge base's database (its own two tables)."""

    def __init__(self, kb):
        from mirkb.kb.store import KnowledgeBase

        self.kb = kb if isinstance(kb, KnowledgeBase) else KnowledgeBase(kb)
        self.meta, self.queries, self.papers = _state_tables()
        self.meta.create_all(self.kb.engine, checkfirst=True)

    @staticmethod
    def key(source: str, query: str) -> str:
        import hashlib

        return hashlib.sha256(f"{source}\n{' '.join(query.split())}".encode()).hexdigest()

    def query_state(self, source: str, query: str) -> dict | None:
        from sqlalchemy import select

        with self.kb.read() as conn:
            row = conn.execute(select(self.queries).where(
                self.queries.c.query_key == self.key(source, query))).first()
        return row._asdict() if row else None

    def save_query(self, source: str, query: str, **values) -> None:
        from sqlalchemy import insert, update

        key = self.key(source, query)
        values["updated_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.kb.write() as conn:
            if not conn.execute(update(self.queries).where(self.queries.c.query_key == key).values(**values)).rowcount:
                conn.execute(insert(self.queries).values(query_key=key, source=source, query=query, **values))

    def paper(self, source: str, paper_id: str) -> dict | None:
        from sqlalchemy import select

        with self.kb.read() as conn:
            row = conn.execute(select(self.papers).where(
                self.papers.c.source == source, self.papers.c.paper_id == paper_id)).first()
        return row._asdict() if row else None

    def same_article(self, source: str, pmid: str) -> list[dict]:
        """Papers of the *other* source fetched with this PMID (the same article in another form)."""
        from sqlalchemy import select

        if not pmid:
            return []
        with self.kb.read() as conn:
            rows = conn.execute(select(self.papers).where(
                self.papers.c.pmid == pmid, self.papers.c.source != source, self.papers.c.status == "ok"))
            return [r._asdict() for r in rows]

    def save_paper(self, source: str, paper_id: str, **values) -> None:
        from sqlalchemy import insert, update

        values["fetched_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.kb.write() as conn:
            found = conn.execute(update(self.papers).where(
                self.papers.c.source == source, self.papers.c.paper_id == paper_id).values(**values)).rowcount
            if not found:
                conn.execute(insert(self.papers).values(source=source, paper_id=paper_id, **values))


# -- the corpus folder ----------------------------------------------------------------------------


def read_manifest(corpus: Path) -> dict[str, dict]:
    path = corpus / "manifest.csv"
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["doc_id"]: row for row in csv.DictReader(fh)}


def write_manifest(corpus: Path, rows: dict[str, dict]) -> None:
    """Rewrite manifest.csv atomically (a crash leaves the old or the new one, never half)."""
    fd, tmp = tempfile.mkstemp(dir=corpus, prefix=".manifest.", suffix=".tmp")
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for doc_id in sorted(rows):
            writer.writerow({c: rows[doc_id].get(c, "") for c in MANIFEST_COLUMNS})
    os.replace(tmp, corpus / "manifest.csv")


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


# -- the fetch ------------------------------------------------------------------------------------


@dataclass
class FetchSummary:
    source: str
    query: str
    since: dt.date | None
    until: dt.date
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    known: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    resumed: bool = False
    requests: int = 0
    complete: bool = True
    superseded: list[str] = field(default_factory=list)  # abstracts replaced by their article's full text

    def text(self) -> str:
        since = self.since.isoformat() if self.since else "the beginning"
        lines = [f"fetch {self.source} {self.query!r} from {since} to {self.until.isoformat()}"
                 + (" (resumed)" if self.resumed else "") + f": {len(self.new)} new, {len(self.updated)} updated, "
                 f"{self.known} already fetched, {len(self.failed)} failed ({self.requests} requests)"]
        lines += [f"failed: {pid}: {msg}" for pid, msg in sorted(self.failed.items())]
        lines += [f"superseded: {pid} (an abstract whose full text is now in the corpus; moved to "
                  f"{VERSIONS_DIR}/)" for pid in self.superseded]
        if not self.new and not self.updated:
            lines.append("nothing new")
        if not self.complete:
            lines.append("stopped before the end (--max reached); the next fetch goes on from there")
        return "\n".join(lines)

    @classmethod
    def from_dict(cls, d: dict) -> FetchSummary:
        """The summary back from :meth:`as_dict` (a Prefect task's result is the plain dict)."""
        return cls(d["source"], d["query"], parse_date(d["since"]), parse_date(d["until"]), list(d["new"]),
                   list(d["updated"]), d["known"], dict(d["failed"]), d["resumed"], d["requests"], d["complete"],
                   list(d.get("superseded", [])))

    def as_dict(self) -> dict:
        return {"source": self.source, "query": self.query, "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat(), "new": self.new, "updated": self.updated, "known": self.known,
                "failed": self.failed, "resumed": self.resumed, "requests": self.requests,
                "complete": self.complete, "superseded": self.superseded}


def _store(corpus: Path, manifest: dict[str, dict], hit: Hit, data: bytes, state: FetchState) -> str:
    """Write one paper; returns "new", "updated" or "same". A changed file is versioned, not lost."""
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    path = corpus / f"{hit.paper_id}.xml"
    row = manifest.get(hit.paper_id, {})
    version = int(row.get("version") or 0)
    outcome = "new"
    if path.exists():
        old = path.read_bytes()
        if hashlib.sha256(old).hexdigest() == sha:
            outcome = "same"
        else:
            keep = corpus / VERSIONS_DIR / f"{hit.paper_id}.v{max(version, 1)}.xml"
            keep.parent.mkdir(exist_ok=True)
            _write_atomic(keep, old)
            outcome = "updated"
    if outcome != "same":
        _write_atomic(path, data)
        version = version + 1 if outcome == "updated" else max(version, 1)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    manifest[hit.paper_id] = {
        "doc_id": hit.paper_id, "file": path.name, "title": hit.title, "journal": hit.journal, "year": hit.year,
        "doi": hit.doi, "licence": hit.licence, "sha256": sha, "pmid": hit.pmid, "pmcid": hit.pmcid,
        "source": hit.source, "version": str(version or 1), "fetched_at": stamp,
    }
    state.save_paper(hit.source, hit.paper_id, pmid=hit.pmid, pmcid=hit.pmcid, file=path.name, sha256=sha,
                     version=version or 1, status="ok", error="")
    return outcome


def _supersede_abstracts(corpus: Path, manifest: dict[str, dict], hit: Hit, state: FetchState) -> list[str]:
    """An abstract fetched earlier (PubMed) of the article whose full text just arrived leaves the
    corpus: one document per article, the richer form wins. Its file is kept, not deleted."""
    moved = []
    for row in state.same_article(hit.source, hit.pmid):
        if row["source"] != "pubmed":
            continue
        path = corpus / row["file"]
        if path.exists():
            keep = corpus / VERSIONS_DIR / f"{path.stem}.superseded{path.suffix}"
            keep.parent.mkdir(exist_ok=True)
            os.replace(path, keep)
        manifest.pop(row["paper_id"], None)
        state.save_paper(row["source"], row["paper_id"], status="superseded", error=f"full text {hit.paper_id}")
        moved.append(row["paper_id"])
    return moved


def parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise ValueError(f"dates are YYYY-MM-DD, not {text!r}")
    return dt.date.fromisoformat(text.strip())


def fetch(query: str, corpus: str | Path, kb, *, source: str = "europepmc", since: dt.date | None = None,
          max_papers: int | None = None, settings: FetchSettings | None = None,
          today: dt.date | None = None, sleep: Callable[[float], None] = time.sleep,
          progress: Callable[[str], None] | None = None) -> FetchSummary:
    """Bring the papers matching ``query`` that are new since the last fetch into ``corpus``.

    Raises :class:`FetchError` when the search itself fails for good (the state keeps the page
    reached, so the next call resumes); a failed paper is only recorded in the summary.
    """
    settings = settings or FetchSettings()
    corpus = Path(corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    state = FetchState(kb)
    client = PoliteClient(settings, sleep=sleep)
    engine = make_source(source, client)
    until = today or dt.date.today()
    saved = state.query_state(source, query) or {}
    resumed = saved.get("status") == "running" and since is None
    if resumed:
        since, until, position = saved.get("range_since"), saved.get("range_until") or until, saved.get("position") or ""
    else:
        if since is None and saved.get("last_until"):
            since = saved["last_until"] - dt.timedelta(days=OVERLAP_DAYS)
        position = ""
    summary = FetchSummary(source, query, since, until, resumed=resumed)
    manifest = read_manifest(corpus)
    state.save_query(source, query, status="running", position=position, range_since=since, range_until=until,
                     message="")
    try:
        while True:
            current = position
            page = engine.search(query, since, until, current)
            todo = []
            for hit in page.hits:
                known = state.paper(source, hit.paper_id)
                richer = [r for r in state.same_article(source, hit.pmid)
                          if r["source"] == "europepmc" and (corpus / r["file"]).exists()]
                if known and known["status"] == "ok" and (corpus / known["file"]).exists():
                    summary.known += 1
                elif source == "pubmed" and richer:
                    summary.known += 1  # its full text is already in the corpus: the richer form wins
                elif max_papers is None or len(summary.new) + len(summary.updated) + len(todo) < max_papers:
                    todo.append(hit)
            fetched = engine.fetch(todo)
            for hit in todo:
                got = fetched[hit.paper_id]
                if isinstance(got, FetchError):
                    summary.failed[hit.paper_id] = str(got)
                    state.save_paper(source, hit.paper_id, pmid=hit.pmid, pmcid=hit.pmcid, status="error",
                                     error=str(got))
                    continue
                outcome = _store(corpus, manifest, hit, got, state)
                if source == "europepmc":
                    summary.superseded += _supersede_abstracts(corpus, manifest, hit, state)
                if outcome == "new":
                    summary.new.append(hit.paper_id)
                elif outcome == "updated":
                    summary.updated.append(hit.paper_id)
                else:
                    summary.known += 1
            if todo:
                write_manifest(corpus, manifest)
            full = max_papers is not None and len(summary.new) + len(summary.updated) >= max_papers
            if full and not page.done:
                # --max stopped it inside this page: the next fetch asks for this page again.
                summary.complete = False
                break
            position = page.next_position
            if page.done:
                break
            state.save_query(source, query, status="running", position=position)
            if progress:
                progress(f"{len(summary.new)} new so far")
    except (FetchError, ValueError) as exc:
        state.save_query(source, query, status="running", position=position, message=str(exc))
        summary.requests = client.requests
        client.close()
        raise FetchError(f"{exc} (the next fetch resumes from the page reached)") from exc
    client.close()
    summary.requests = client.requests
    if summary.complete:
        state.save_query(source, query, status="idle", position="", last_until=until, range_since=None,
                         range_until=None)
    else:
        # --max stopped it: keep the page reached, so the next fetch continues instead of skipping.
        state.save_query(source, query, status="running", position=position)
    return summary

