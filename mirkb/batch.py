"""The batch engine: everything ``mirkb extract``, ``mirkb run`` and the Prefect flows do with a batch.

1. **walk** (:func:`walk`): the one walker. Files and folders become :class:`Entry` items; what
   cannot be read as a file (a name that is not UTF-8, a symlink loop, a dangling link, a folder
   it may not list) becomes an entry with an error, so it gets an error line, never silence.
2. **plan** (:func:`plan`): a refresh hashes each file once and decides, from the knowledge base,
   what to do with it (new, changed, config, retry, unchanged). The same article twice (one stem,
   or one DOI/PMCID/PMID/title: :func:`choose_articles`) is read once, from the richest format; the
   other is reported as superseded (and, when an earlier run stored it, its triples are replaced).
3. **process** (:func:`process`): read and extract one document with this process's extractor
   (:func:`get_extractor`, built once per process); a failure comes back as a :class:`DocError`
   with its stage (``ingest``, ``extract``; ``store`` for the knowledge base), classified by
   :func:`classify`. :func:`results` runs many, in this process or in ``workers`` long-lived
   worker processes that each build the extractor once and take batches of documents.
4. **finish**: :class:`ExtractSummary` (``mirkb extract``) and :class:`RunSummary` (a refresh)
   with their text and Markdown forms.

:func:`extract` and :func:`refresh` chain them without Prefect; ``flows/`` wraps the same steps
in Prefect tasks. Nothing here imports Prefect. Results are streamed: rows go to the output file
(or the knowledge base) document by document, so memory does not grow with the corpus.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import itertools
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extractors.ingest import SUFFIXES
from extractors.schema import EFFECTS, OUTPUT_COLUMNS
from mirkb.tabular import OutputError, TableWriter, check_output  # noqa: F401 - re-exported

#: Environment variable naming an extractor factory as ``module:callable`` (called with no
#: arguments); it reaches worker processes, which is how tests swap in a fake extractor there.
EXTRACTOR_ENV = "MIRKB_EXTRACTOR"
ERROR_COLUMNS = ("doc_id", "path", "stage", "message")
REASONS = ("new", "changed", "config", "retry", "unchanged")
#: Which format of one article to read when several are present: the richest structure first.
FORMAT_RANK = {".nxml": 0, ".xml": 0, ".json": 1, ".pdf": 2, ".txt": 3}
#: Columns of a ``mirkb extract`` row: the mention's, then its article's identifiers (issue 10 §1).
ID_COLUMNS = ("pmid", "pmcid", "doi")
EXTRACT_COLUMNS = (*OUTPUT_COLUMNS, *ID_COLUMNS)
#: Documents a worker process takes at a time: large enough that a hand-off costs little next to
#: the extraction, small enough that two workers finish together.
BATCH_SIZE = 8

# -- the extractor, once per process --------------------------------------------------------------

_lock = threading.Lock()
_factory: Callable[[str, bool], object] | None = None
_extractors: dict[tuple[str, bool], object] = {}


def _default_factory(model: str, tables: bool):
    spec = os.environ.get(EXTRACTOR_ENV)
    if spec:
        module, _, attr = spec.partition(":")
        return getattr(importlib.import_module(module), attr or "Extractor")()
    from extractors.pipeline import Extractor, ExtractSettings

    # An empty model leaves ExtractSettings to read $MIRKB_MODEL, its single source of that default.
    settings = ExtractSettings(model=model, tables=tables) if model else ExtractSettings(tables=tables)
    return Extractor(settings)


def set_extractor_factory(factory: Callable[[str, bool], object] | None) -> None:
    """Build extractors with ``factory(model, tables)`` (None: the real one); drops cached ones."""
    global _factory
    with _lock:
        _factory = factory
        _extractors.clear()


def get_extractor(model: str = "", tables: bool = True):
    """This process's extractor for these settings (has ``config_id`` and ``extract(doc)``)."""
    with _lock:
        key = (model, tables)
        if key not in _extractors:
            _extractors[key] = (_factory or _default_factory)(model, tables)
        return _extractors[key]


# -- walk -----------------------------------------------------------------------------------------


def printable(path: str | Path) -> str:
    """``path`` as text that any file, database or terminal accepts (undecodable bytes as \\xNN)."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def doc_id_of(path: str | Path) -> str:
    """A document's id is its file stem (TRIPLES.md §5), printable."""
    return Path(printable(path)).stem


@dataclass(frozen=True)
class Entry:
    """One thing found by :func:`walk`: a file to read, or what stopped it being read (``error``)."""

    path: str
    error: str = ""

    @property
    def doc_id(self) -> str:
        return doc_id_of(self.path)


def _name_error(path: str) -> str:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return f"file name is not valid UTF-8: {os.fsencode(path)!r}; rename the file"
    return ""


def _walk_folder(root: str, found: list[tuple[str, Entry]]) -> None:
    """Every readable file under ``root`` (hidden ones skipped) into ``found`` as (relative, Entry)."""
    stack = [(root, (os.path.realpath(root),))]
    while stack:
        folder, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            rel = os.path.relpath(folder, root)
            found.append((rel, Entry(folder, f"cannot list folder: {exc.strerror or exc}")))
            continue
        for e in entries:
            if e.name.startswith("."):
                continue  # editor and VCS leftovers
            rel = os.path.relpath(e.path, root)
            try:
                is_link = e.is_symlink()
                if is_link and not os.path.exists(e.path):
                    target = os.readlink(e.path)
                    if os.path.realpath(e.path) in ancestors or _is_loop(e.path):
                        found.append((rel, Entry(e.path, f"symlink loop: {printable(target)}")))
                    else:
                        found.append((rel, Entry(e.path, f"dangling symlink to {printable(target)}")))
                    continue
                if e.is_dir():
                    real = os.path.realpath(e.path)
                    if real in ancestors:
                        found.append((rel, Entry(e.path, f"symlink loop: points back to {printable(real)}")))
                        continue
                    stack.append((e.path, (*ancestors, real)))
                    continue
                if os.path.splitext(e.name)[1].lower() not in SUFFIXES:
                    continue
                if not e.is_file():
                    found.append((rel, Entry(e.path, "not a regular file")))
                    continue
            except OSError as exc:
                found.append((rel, Entry(e.path, f"cannot read file: {exc.strerror or exc}")))
                continue
            found.append((rel, Entry(e.path, _name_error(e.path))))


def _is_loop(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == 40  # ELOOP
    return False


def walk(paths: Iterable[str | Path]) -> Iterator[Entry]:
    """Entries to read, in the order given; folders are walked recursively for the suffixes mirkb reads,
    in the order of their relative paths.

    A file named explicitly is kept whatever its suffix, so an unsupported one is reported against
    it rather than dropped. A file reached twice (through a link) is read once.
    Raises FileNotFoundError naming every path that does not exist, before anything is read.
    """
    paths = [os.fspath(p) for p in paths]
    missing = [printable(p) for p in paths if not os.path.lexists(p)]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(missing)}")
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            found: list[tuple[str, Entry]] = []
            _walk_folder(path, found)
            found.sort(key=lambda item: Path(item[0]).as_posix().encode("utf-8", "surrogateescape"))
            entries = [e for _, e in found]
        elif not os.path.exists(path):
            entries = [Entry(path, "dangling symlink" if os.path.islink(path) else "cannot read file")]
        else:
            entries = [Entry(path, _name_error(path))]
        for entry in entries:
            key = os.path.realpath(entry.path)
            if entry.error or key not in seen:
                seen.add(key)
                yield entry


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The readable files of :func:`walk` (for callers that only list, like ``corpus check``)."""
    for entry in walk(paths):
        if not entry.error:
            yield Path(entry.path)


# -- plan -----------------------------------------------------------------------------------------


@dataclass
class Planned:
    """One corpus entry and what the batch will do with it."""

    path: str
    doc_id: str
    sha256: str = ""
    reason: str = "new"  # one of REASONS
    #: why it cannot be read (from the walk, or a duplicate id): recorded as an ingest error
    note: str = ""
    #: another file already has this doc_id: its error must not touch that document's row
    duplicate: bool = False
    #: documents the file holds in the knowledge base (a multi-article file: one per article)
    n_docs: int = 1


@dataclass
class Superseded:
    """A document that is not (or no longer) read because another stands for its article.

    ``kind`` "format": the same article in another format (:mod:`mirkb.articles`) or with the same
    file name is read instead. "whole-file": an earlier release stored a multi-article file as one
    document; that document gives way to the file's articles.
    """

    doc_id: str
    path: str
    kept: str
    why: str = "read from the richer format"
    kind: str = "format"
    #: the knowledge base held its triples and this run removed them
    in_kb: bool = False

    @property
    def message(self) -> str:
        removed = "; its triples in the knowledge base were removed" if self.in_kb else ""
        if self.kind == "whole-file":
            return f"whole-file document {self.doc_id} replaced by {self.kept} ({self.why}){removed}"
        return f"same article as {self.kept} ({self.why}){removed}"

    @property
    def line(self) -> str:
        """One line of a run summary."""
        if self.kind == "whole-file":
            return f"replaced: {self.path}: {self.message}"
        return f"same article: {self.path} not read, {self.message}"


def file_sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


_SUFFIX_NAMES = {".nxml": "XML", ".xml": "XML", ".json": "BioC", ".pdf": "PDF", ".txt": "text"}


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def choose_formats(entries: list[Entry]) -> tuple[list[Entry], list[Superseded]]:
    """One entry per article: files sharing a stem (the doc_id) with different suffixes are one
    article in several formats (``paper.pdf`` beside ``jats/paper.nxml``); the richest
    (:data:`FORMAT_RANK`) is read, the others reported. Two files of one format and one stem stay
    a duplicate-id error (see :func:`plan`)."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        if not e.error:
            groups.setdefault(e.doc_id, []).append(e)
    dropped: dict[str, Superseded] = {}
    for group in groups.values():
        suffixes = {os.path.splitext(e.path)[1].lower() for e in group}
        if len(group) < 2 or len(suffixes) < 2:
            continue
        ranked = sorted(group, key=lambda e: FORMAT_RANK.get(_suffix(e.path), 9))
        best = FORMAT_RANK.get(_suffix(ranked[0].path), 9)
        for e in ranked[1:]:
            if FORMAT_RANK.get(_suffix(e.path), 9) != best:
                why = f"{_SUFFIX_NAMES.get(_suffix(ranked[0].path))} over {_SUFFIX_NAMES.get(_suffix(e.path))}; " \
                      "same file name"
                dropped[e.path] = Superseded(e.doc_id, printable(e.path), printable(ranked[0].path), why)
    kept = [e for e in entries if e.path not in dropped]
    return kept, list(dropped.values())


def plan(entries: Iterable[Entry], states: dict[str, dict] | None = None, config_id: str = "",
         hash_files: bool = True) -> list[Planned]:
    """Hash each file once and decide what to do with it, from ``states`` (doc_id → KB state).

    A second file with an id already used is an error against it (its rows would be
    indistinguishable from the first's, with offsets into another text).
    """
    states = states or {}
    by_file: dict[str, list[dict]] = {}  # path → KB states of the articles read from that file
    for doc_id, state in states.items():
        if state.get("path") and doc_id != doc_id_of(state["path"]):
            by_file.setdefault(state["path"], []).append(state)
    out, seen = [], {}
    for entry in entries:
        item = Planned(printable(entry.path), entry.doc_id, note=entry.error)
        if not item.note and hash_files:
            try:
                item.sha256 = file_sha256(entry.path)
            except OSError:
                pass  # process() reads it again and records the error
        stem_state = states.get(item.doc_id)
        item.reason = decide(item.sha256, stem_state, config_id)
        articles = by_file.get(item.path)
        if stem_state is not None and not (stem_state["status"] == "superseded"
                                           and stem_state.get("path") == item.path):
            articles = None
        if stem_state is not None and item.reason == "unchanged" and _whole_file(stem_state, entry.path):
            item.reason = "changed"  # an earlier release stored it as one document: read it per article
        if articles and not item.note:
            # A multi-article file: unchanged only if its bytes, the extractor and every article are.
            reasons = {decide(item.sha256, a, config_id) for a in articles}
            item.reason = next((r for r in ("retry", "changed", "config") if r in reasons), "unchanged")
            item.n_docs = len(articles)
        if item.note:
            item.reason = "new" if item.doc_id not in states else "changed"
        elif item.doc_id in seen:
            item.reason = "new" if item.doc_id not in states else "changed"
            item.note = f"duplicate doc_id {item.doc_id!r}: already used by {seen[item.doc_id]}"
            item.duplicate = True
        else:
            seen[item.doc_id] = item.path
        item.path = entry.path if not item.note else printable(entry.path)
        out.append(item)
    return out


#: Formats of files that may hold several articles.
CONTAINER_FORMATS = ("pubmed", "bioc", "pubtator")


def _whole_file(state: dict, path: str) -> bool:
    """Whether ``state`` is a multi-article file that an earlier release stored as ONE document.

    Such a document has the file's stem as id, a container format and no identifiers (merged
    articles have none); only then is the file parsed, to count its articles.
    """
    if state.get("status") != "ok" or any(state.get(k) for k in ID_COLUMNS) or state.get("path") != printable(path):
        return False
    from extractors.ingest import load_documents
    from extractors.ingest.pubtator import looks_like_pubtator

    if state.get("format") not in CONTAINER_FORMATS:
        if state.get("format") != "txt":
            return False
        try:  # a PubTator file named .txt, which a release without the PubTator reader read as text
            with open(path, "rb") as fh:
                if not looks_like_pubtator(fh.read(4096)):
                    return False
        except OSError:
            return False

    try:
        return len(list(itertools.islice(load_documents(path), 2))) > 1
    except Exception:  # noqa: BLE001 - reading it for real reports the error
        return False


@dataclass
class ArticleChoice:
    """What :func:`choose_articles` decided."""

    items: list[Planned]
    superseded: list[Superseded] = field(default_factory=list)
    #: documents to mark superseded in the knowledge base now (their winner is not re-read)
    now: list[tuple[Superseded, dict]] = field(default_factory=list)
    #: winner doc_id → documents to mark superseded once the winner is stored
    pending: dict[str, list[tuple[Superseded, dict]]] = field(default_factory=dict)


def choose_articles(items: list[Planned], states: dict[str, dict] | None = None,
                    identify: Callable | None = None) -> ArticleChoice:
    """One document per article across formats and runs (:mod:`mirkb.articles`).

    Each single-article file is identified (DOI, PMCID, PMID, title): from the knowledge base when
    it holds the file unchanged, else by a light read (:func:`mirkb.articles.identify`). Files and
    knowledge-base documents that are the same article form a group; the richest is read, the others
    are left out and reported. A knowledge-base document that loses (a PDF stored by an earlier run,
    now that its JATS is here) is marked superseded, its triples removed, once the winner is stored.
    """
    from mirkb import articles

    identify = identify or articles.identify
    states = states or {}
    members: list[articles.Member] = []
    planned: dict[int, Planned] = {}
    for order, item in enumerate(items):
        if item.note or item.duplicate or item.n_docs > 1:
            continue
        state = states.get(item.doc_id)
        same_file = state is not None and state.get("path") == printable(item.path)
        unchanged = same_file and bool(item.sha256) and state.get("sha256") == item.sha256
        if unchanged and state.get("format") and state["status"] != "failed":
            ident = articles.Identity.of(state)
        else:
            ident = identify(item.path)
        if ident is None or not ident.known:
            continue
        member = articles.Member(item.doc_id, printable(item.path), ident, in_corpus=True,
                                 in_kb=same_file and state["status"] == "ok",
                                 bad=unchanged and state["status"] == "failed", order=order)
        members.append(member)
        planned[id(member)] = item
    in_corpus = {i.doc_id for i in items}
    for doc_id, state in states.items():
        if doc_id in in_corpus or state.get("status") != "ok" or doc_id != doc_id_of(state.get("path", "")):
            continue
        ident = articles.Identity.of(state)
        if ident.known:
            members.append(articles.Member(doc_id, state["path"], ident, in_corpus=False, in_kb=True,
                                           order=len(items)))
    choice = ArticleChoice(items=[])
    dropped: set[int] = set()
    for group in articles.groups(members):
        if not any(m.in_corpus for m in group):
            continue  # the knowledge base's own history is not this run's business
        picked = articles.choose(group)
        winner = picked.winner
        reread = winner.in_corpus and planned[id(winner)].reason != "unchanged"
        for loser, why in picked.losers:
            sup = Superseded(loser.doc_id, loser.path, winner.label, why)
            choice.superseded.append(sup)
            if loser.in_corpus:
                dropped.add(id(planned[id(loser)]))
            state = states.get(loser.doc_id)
            if state is not None and state.get("path") != loser.path:
                continue  # that id is another file's document: leave its row alone
            if state is not None and state["status"] == "superseded" and state.get("error") == sup.message \
                    and (not loser.in_corpus or state.get("sha256") == planned[id(loser)].sha256):
                continue  # already recorded as such
            row = _superseded_row(loser, planned.get(id(loser)), state)
            if reread:
                choice.pending.setdefault(winner.doc_id, []).append((sup, row))
            else:
                choice.now.append((sup, row))
    choice.items = [i for i in items if id(i) not in dropped]
    return choice


def _superseded_row(member, item: Planned | None, state: dict | None) -> dict:
    """The documents-row values of a superseded document (what the next run identifies it by)."""
    ident = member.identity
    row = {"doc_id": member.doc_id, "path": member.path, "format": ident.format, "title": ident.raw_title,
           "sha256": item.sha256 if item is not None else "", "pmid": ident.pmid, "pmcid": ident.pmcid,
           "doi": ident.doi}
    if state is not None:
        for key in ("title", "pmid", "pmcid", "doi", "sha256"):
            if state.get(key) and not (key == "sha256" and item is not None):
                row[key] = state[key]
    return row


def decide(sha256: str, state: dict | None, config_id: str) -> str:
    """What to do with a document whose bytes hash to ``sha256``, given what the KB knows of it."""
    if state is None:
        return "new"
    if state["status"] != "ok":
        return "retry"
    if state["sha256"] != sha256:
        return "changed"
    if state["config_id"] != config_id:
        return "config"
    return "unchanged"


# -- process one document -------------------------------------------------------------------------


@dataclass
class DocError:
    doc_id: str
    path: str
    stage: str  # "ingest", "extract" or "store"
    message: str


@dataclass
class DocResult:
    """One document read and extracted (or the error that stopped it)."""

    doc_id: str
    path: str
    mentions: list = field(default_factory=list)
    error: DocError | None = None
    format: str = ""
    title: str = ""
    sha256: str = ""
    #: article identifiers, when the reader found them (issue 10 §1)
    pmid: str = ""
    pmcid: str = ""
    doi: str = ""
    warnings: list = field(default_factory=list)  # what the reader repaired (bad bytes, NUL)
    #: a file with several articles: one result per article (this one only carries the file)
    articles: list[DocResult] = field(default_factory=list)

    @property
    def rows(self) -> list[dict]:
        ids = {k: getattr(self, k) for k in ID_COLUMNS}
        return [m.as_row() | ids for m in self.mentions]

    def each(self) -> list[DocResult]:
        """The documents of this result: its articles, or itself."""
        return self.articles or [self]


# Retrying cannot bring back a missing file or grant a permission; EIO, ESTALE, timeouts can heal.
_PERMANENT_OS_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def is_transient(exc: BaseException) -> bool:
    """Whether trying again may help: an I/O error that can heal, a timeout, a locked database."""
    from extractors.ingest import IngestError

    for candidate in (exc, exc.__cause__):
        if isinstance(candidate, OSError) and not isinstance(candidate, _PERMANENT_OS_ERRORS):
            return True
        if isinstance(candidate, TimeoutError):
            return True
    if isinstance(exc, IngestError):
        return False
    try:
        from sqlalchemy.exc import OperationalError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, OperationalError)


def classify(exc: BaseException, stage: str, doc_id: str, path: str) -> DocError:
    """The one error classifier: a clear message for ``exc`` raised at ``stage``."""
    from extractors.ingest import IngestError

    text = str(exc).strip() or exc.__class__.__name__
    if isinstance(exc, IngestError):
        message = text
    elif isinstance(exc, OSError):
        message = f"cannot read file: {exc.strerror or text}"
    elif isinstance(exc, MemoryError):
        message = "out of memory on this document"
    else:
        message = f"{exc.__class__.__name__}: {text}"
    return DocError(doc_id, printable(path), stage, printable(message))


def failed(item: Planned | Entry | str | Path, stage: str, message: str) -> DocResult:
    path = item.path if isinstance(item, Planned | Entry) else str(item)
    doc_id = doc_id_of(path)
    return DocResult(doc_id, printable(path), error=DocError(doc_id, printable(path), stage, message))


def process(item: Planned | str | Path, extractor, *, raise_transient: bool = False) -> DocResult:
    """Read and extract one document; any failure comes back as ``DocResult.error``.

    With ``raise_transient`` an error that a retry may cure (:func:`is_transient`) is raised
    instead, so a caller with retries can try again.
    """
    from extractors.ingest import IngestError, load_documents

    if not isinstance(item, Planned):
        item = Planned(str(item), doc_id_of(item))
    if item.note:
        return failed(item, "ingest", item.note)
    try:
        docs = list(load_documents(item.path))
        if not docs:
            raise IngestError("no article found in the file")
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        if raise_transient and is_transient(exc):
            raise
        result = DocResult(item.doc_id, printable(item.path), sha256=item.sha256)
        result.error = classify(exc, "ingest", item.doc_id, item.path)
        return result
    if len(docs) == 1:
        return _extract_one(item, docs[0], extractor, raise_transient)
    # Each article is its own document: an article that fails does not fail its neighbours.
    return DocResult(item.doc_id, printable(item.path), sha256=item.sha256,
                     articles=[_extract_one(item, doc, extractor, raise_transient) for doc in docs])


def _extract_one(item: Planned, doc, extractor, raise_transient: bool) -> DocResult:
    ids = {k: str(getattr(doc, k, "") or "") for k in ID_COLUMNS}
    try:
        mentions = extractor.extract(doc)
    except Exception as exc:  # noqa: BLE001 - one bad document must never stop the batch
        if raise_transient and is_transient(exc):
            raise
        result = DocResult(doc.doc_id, printable(item.path), sha256=item.sha256, format=doc.format,
                           title=doc.title, **ids)
        result.error = classify(exc, "extract", doc.doc_id, item.path)
        return result
    return DocResult(doc.doc_id, printable(item.path), mentions=list(mentions), format=doc.format,
                     title=doc.title, sha256=item.sha256 or doc.sha256,
                     **ids,
                     warnings=list(getattr(doc, "warnings", None) or []))


def process_batch(items: list[Planned], model: str = "", tables: bool = True, *,
                  raise_transient: bool = False) -> list[DocResult]:
    """Several documents with this process's extractor: the unit of work of a worker or a task."""
    extractor = get_extractor(model, tables)
    return [process(item, extractor, raise_transient=raise_transient) for item in items]


# -- many documents: in this process or in worker processes ----------------------------------------


def _init_worker(factory, model: str, tables: bool) -> None:
    # Workers are started fresh (spawn): nothing of the parent's threads or locks is inherited.
    set_extractor_factory(factory)
    get_extractor(model, tables)


def chunks(items: list, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


class Workers:
    """``n`` long-lived worker processes, each building the extractor once; batches go to them.

    Started with ``spawn`` so a parent that already runs threads (Prefect) forks nothing unsafe.
    """

    def __init__(self, n: int, model: str = "", tables: bool = True):
        import multiprocessing

        self.n, self.model, self.tables = n, model, tables
        self.pool = ProcessPoolExecutor(
            n, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker,
            initargs=(_factory, model, tables))

    def submit(self, items: list[Planned], raise_transient: bool = False) -> Future:
        return self.pool.submit(process_batch, items, self.model, self.tables, raise_transient=raise_transient)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def results(items: list[Planned], model: str = "", tables: bool = True, workers: int = 1,
            batch_size: int = BATCH_SIZE) -> Iterator[tuple[Planned, DocResult]]:
    """Each item with its result, in order; with ``workers`` > 1 in worker processes.

    At most ``2 × workers`` batches are in flight, so finished results never pile up in memory.
    A worker that dies (killed, out of memory) fails the documents of its batch, not the run.
    """
    if workers <= 1 or len(items) <= 1:
        extractor = get_extractor(model, tables) if items else None
        for item in items:
            yield item, process(item, extractor)
        return
    from collections import deque

    with Workers(workers, model, tables) as pool:
        pending: deque[tuple[list[Planned], Future]] = deque()
        batches = chunks(items, batch_size)
        for batch in itertools.islice(batches, 2 * workers):
            pending.append((batch, pool.submit(batch)))
        while pending:
            batch, future = pending.popleft()
            try:
                done = future.result()
            except Exception as exc:  # noqa: BLE001 - a dead worker: its documents fail, the run goes on
                done = [failed(item, "extract", f"worker failed: {exc.__class__.__name__}: {exc}")
                        for item in batch]
            nxt = next(batches, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(nxt)))
            yield from zip(batch, done, strict=True)


# -- mirkb extract ----------------------------------------------------------------------------------


@dataclass
class ExtractSummary:
    documents: int = 0
    read: int = 0
    failed: int = 0
    rows: int = 0
    #: unique (doc_id, mirna, cancer, effect) per effect, in the §4 order
    triples_by_effect: dict[str, int] = field(default_factory=dict)
    startup_seconds: float = 0.0
    extract_seconds: float = 0.0
    #: sentences the extractor read (0 when the extractor does not count them)
    sentences: int = 0
    errors: list[DocError] = field(default_factory=list)
    superseded: list[Superseded] = field(default_factory=list)
    out: str = ""
    errors_file: str = ""

    @property
    def triples(self) -> int:
        return sum(self.triples_by_effect.values())

    def add(self, result: DocResult) -> None:
        self.documents += 1
        if result.error is not None:
            self.failed += 1
            self.errors.append(result.error)
            return
        self.read += 1
        self.rows += len(result.mentions)
        counts = Counter(self.triples_by_effect)
        counts.update(e for *_, e in {(m.mirna, m.cancer, m.effect) for m in result.mentions})
        order = [e for e in EFFECTS if e in counts] + sorted(set(counts) - set(EFFECTS))
        self.triples_by_effect = {e: counts[e] for e in order}

    def as_dict(self) -> dict:
        return asdict(self) | {"triples": self.triples}

    def _effects_text(self) -> str:
        return ", ".join(f"{e} {n}" for e, n in self.triples_by_effect.items()) or "none"

    def to_text(self) -> str:
        where = f" to {self.out}" if self.out else ""
        lines = [
            f"documents: {self.read} read, {self.failed} failed (of {self.documents}); "
            f"{self.sentences} sentences",
            f"rows: {self.rows} mention rows, {self.triples} triples (unique per document) written{where}",
            f"triples by effect: {self._effects_text()}",
            f"seconds: start-up {self.startup_seconds:.1f}, extraction {self.extract_seconds:.1f}",
        ]
        lines += [s.line for s in self.superseded]
        lines += [f"failed: {e.doc_id} [{e.stage}] {e.message} ({e.path})" for e in self.errors]
        if self.errors_file:
            lines.append(f"errors written to {self.errors_file}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        status = "completed with errors" if self.errors else "completed"
        md = [f"# mirkb extract: {status}", ""]
        if self.out:
            md += [f"Output `{self.out}`.", ""]
        md += [
            "| documents | read | failed | mention rows | triples | start-up s | extraction s |",
            "|---|---|---|---|---|---|---|",
            f"| {self.documents} | {self.read} | {self.failed} | {self.rows} | {self.triples} "
            f"| {self.startup_seconds:.1f} | {self.extract_seconds:.1f} |",
            "",
        ]
        if self.triples_by_effect:
            md += ["| effect | triples |", "|---|---|"]
            md += [f"| {e} | {n} |" for e, n in self.triples_by_effect.items()]
            md.append("")
        if self.superseded:
            md += ["| not read | same article as | why |", "|---|---|---|"]
            md += [f"| {s.path} | {s.kept} | {s.why} |" for s in self.superseded]
            md.append("")
        if self.errors:
            md += ["| document | stage | error |", "|---|---|---|"]
            md += [f"| {e.doc_id} | {e.stage} | {e.message.replace('|', '/')} |" for e in self.errors]
        return "\n".join(md)


def errors_path(out: Path) -> Path:
    """``FILE.errors.csv`` beside ``FILE.csv`` or ``FILE.parquet``."""
    return Path(out).with_suffix(".errors.csv")


OUTPUT_TYPES = {"start": "int", "end": "int", "hedged": "bool"}


def extract_plan(paths: Iterable[str | Path]) -> tuple[list[Planned], list[Superseded]]:
    """What ``mirkb extract`` will read: walked, one file per article, duplicate ids flagged."""
    entries, superseded = choose_formats(list(walk(paths)))
    choice = choose_articles(plan(entries, hash_files=False))
    return choice.items, superseded + choice.superseded


def extract(items: list[Planned], out: str | Path, model: str = "", tables: bool = True, workers: int = 1,
            superseded: list[Superseded] | None = None,
            on_result: Callable[[DocResult], None] | None = None,
            result_stream: Iterator[tuple[Planned, DocResult]] | None = None) -> ExtractSummary:
    """Extract ``items`` into ``out`` (rows written document by document) and ``FILE.errors.csv``.

    A stale errors file from an earlier run is removed, so its presence always means this run failed
    somewhere. Both files appear only when the run ends (atomic rename): an interrupted run leaves
    the old output. ``result_stream`` replaces the in-process/worker execution (the Prefect flow).
    """
    out = Path(out)
    summary = ExtractSummary(out=str(out), superseded=list(superseded or []))
    started = time.perf_counter()
    if result_stream is None:
        extractor = get_extractor(model, tables)
        summary.startup_seconds = time.perf_counter() - started
        before = getattr(extractor, "sentences_read", 0)
        stream = results(items, model, tables, workers)
    else:
        extractor, before, stream = None, 0, result_stream
    started = time.perf_counter()
    with TableWriter(out, EXTRACT_COLUMNS, OUTPUT_TYPES) as writer:
        for _item, file_result in stream:
            for result in file_result.each():
                writer.write(result.rows)
                summary.add(result)
                if on_result:
                    on_result(result)
        writer.commit()
    summary.extract_seconds = time.perf_counter() - started
    if extractor is not None and workers <= 1:
        summary.sentences = getattr(extractor, "sentences_read", 0) - before
    err_file = errors_path(out)
    if summary.errors:
        from mirkb.tabular import write_table

        write_table((asdict(e) for e in summary.errors), ERROR_COLUMNS, err_file)
        summary.errors_file = str(err_file)
    else:
        err_file.unlink(missing_ok=True)
    return summary


# -- refresh: the knowledge base ---------------------------------------------------------------------

_kbs: dict[str, object] = {}


def get_kb(kb: str):
    """One open KnowledgeBase per URL per process: opening migrates, which is not per-document work."""
    from mirkb.kb import KnowledgeBase

    with _lock:
        if kb not in _kbs:
            _kbs[kb] = KnowledgeBase(kb)
        return _kbs[kb]


@dataclass
class DocOutcome:
    doc_id: str
    path: str
    reason: str
    status: str  # "ok" or "failed"
    stage: str = ""
    error: str = ""
    n_mentions: int = 0
    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


class RunLease:
    """Marks a refresh as alive for as long as its process lives, so the next run can tell a killed
    run ("running" forever) from one still going.

    SQLite: a byte-range lock at offset ``run_id`` of ``<kb>.runs.lock`` (released by the kernel
    when the process dies). PostgreSQL: a session advisory lock held on a connection of its own.
    Other databases: no lease (a killed run is never marked).
    """

    _held: set[tuple[str, int]] = set()  # leases of this process (POSIX locks do not conflict with our own)
    _PG_KEY = 0x6D69726B  # "mirk": the advisory-lock namespace of run leases

    def __init__(self, store, run_id: int):
        self.store, self.run_id = store, run_id
        self._fh = self._conn = None

    @staticmethod
    def _lock_file(store) -> Path | None:
        from sqlalchemy.engine import make_url

        db = make_url(store.url).database
        return Path(f"{db}.runs.lock") if store.is_sqlite and db and db != ":memory:" else None

    def acquire(self) -> RunLease:
        path = self._lock_file(self.store)
        if path is not None:
            self._fh = open(path, "a+b")  # noqa: SIM115 - held for the run's lifetime
            fcntl.lockf(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self.run_id)
        elif self.store.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            self._conn = self.store.engine.connect()
            self._conn.execute(text("SELECT pg_advisory_lock(:k, :r)"), {"k": self._PG_KEY, "r": self.run_id})
            self._conn.commit()
        RunLease._held.add((self.store.url, self.run_id))
        return self

    def release(self) -> None:
        RunLease._held.discard((self.store.url, self.run_id))
        if self._fh is not None:
            fcntl.lockf(self._fh, fcntl.LOCK_UN, 1, self.run_id)
            self._fh.close()
            self._fh = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @classmethod
    def is_dead(cls, store, run_id: int) -> bool | None:
        """True when no process holds ``run_id``'s lease; None when this database cannot tell."""
        if (store.url, run_id) in cls._held:
            return False
        path = cls._lock_file(store)
        if path is not None:
            with open(path, "a+b") as fh:
                try:
                    fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, run_id)
                except OSError:
                    return False
                fcntl.lockf(fh, fcntl.LOCK_UN, 1, run_id)
                return True
        if store.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            with store.engine.connect() as conn:
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k, :r)"),
                                   {"k": cls._PG_KEY, "r": run_id}).scalar()
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k, :r)"), {"k": cls._PG_KEY, "r": run_id})
                conn.commit()
                return bool(got)
        return None


def mark_interrupted_runs(store) -> list[int]:
    """Close every "running" run whose process is gone as "interrupted", with what it wrote."""
    closed = []
    for run in store.runs():
        if run["status"] == "running" and RunLease.is_dead(store, run["run_id"]):
            store.mark_interrupted(run["run_id"])
            closed.append(run["run_id"])
    return closed


@dataclass
class RunContext:
    """What :func:`begin` hands to the per-document work and to :func:`finish`."""

    kb_url: str
    corpus: str
    gold_dir: str | None
    run_id: int
    config_id: str
    model: str
    tables: bool
    started: float
    before: set[str]
    items: list[Planned]
    superseded: list[Superseded] = field(default_factory=list)
    interrupted: list[int] = field(default_factory=list)
    lease: RunLease | None = None
    #: doc_id → KB state at the start (an article of a re-read file decides its own outcome)
    states: dict[str, dict] = field(default_factory=dict)
    #: winner doc_id → knowledge-base documents it supersedes once stored (:func:`choose_articles`)
    pending: dict[str, list[tuple[Superseded, dict]]] = field(default_factory=dict)
    docs: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("added", "changed", "reextracted", "failed", "unchanged"), 0))

    @property
    def todo(self) -> list[Planned]:
        return [i for i in self.items if i.reason != "unchanged"]


@dataclass
class RunSummary:
    run_id: int
    status: str  # "completed" or "completed with errors"
    config_id: str
    corpus: str
    kb: str
    documents: dict[str, int]
    triples_added: int
    triples_removed: int
    triples_total: int
    n_mentions: int
    seconds: float
    errors: list[dict] = field(default_factory=list)
    metrics: dict | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    superseded: list[dict] = field(default_factory=list)
    interrupted_runs: list[int] = field(default_factory=list)

    @property
    def no_changes(self) -> bool:
        d = self.documents
        return not (d["added"] or d["changed"] or d["reextracted"] or d["failed"]
                    or self.triples_added or self.triples_removed)

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "completed" else 1

    def as_dict(self) -> dict:
        return asdict(self) | {"no_changes": self.no_changes}

    @classmethod
    def from_dict(cls, summary: dict) -> RunSummary:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in summary.items() if k in names})

    def to_text(self) -> str:
        d = self.documents
        lines = [
            f"mirkb run {self.run_id}: {self.status} in {self.seconds:.1f} s (extractor {self.config_id})",
            f"documents: {d['added']} added, {d['changed']} changed, {d['reextracted']} re-extracted "
            f"(extractor changed), {d['failed']} failed, {d['unchanged']} unchanged",
            f"triples: {self.triples_added} added, {self.triples_removed} removed "
            f"({self.triples_total} supported, {self.n_mentions} mentions in the knowledge base)",
        ]
        if self.no_changes:
            lines.append("no changes: every document was already up to date")
        lines += _metrics_lines(self.metrics)
        for run_id in self.interrupted_runs:
            lines.append(f"note: run {run_id} was interrupted (its process is gone); marked as such")
        lines += [Superseded(**s).line for s in self.superseded]
        for err in self.errors:
            lines.append(f"error: {err['doc_id']} [{err['stage']}] {err['message']}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        d = self.documents
        rows = [
            "| documents | added | changed | re-extracted | failed | unchanged |",
            "|---|---|---|---|---|---|",
            f"| {sum(d.values())} | {d['added']} | {d['changed']} | {d['reextracted']} | {d['failed']} "
            f"| {d['unchanged']} |",
        ]
        md = [f"# mirkb refresh, run {self.run_id}: {self.status}", "",
              f"Corpus `{self.corpus}`, extractor `{self.config_id}`, {self.seconds:.1f} s.", "", *rows, "",
              f"Triples: **{self.triples_added} added**, **{self.triples_removed} removed**; "
              f"{self.triples_total} supported by {self.n_mentions} mentions.", ""]
        if self.no_changes:
            md += ["No changes.", ""]
        if self.metrics:
            md += ["| level | P | R | F1 |", "|---|---|---|---|"]
            for level in ("strict", "pair", "arm_lenient"):
                m = self.metrics.get(level)
                if m:
                    md.append(f"| {level} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |")
            md.append("")
        if self.superseded:
            md += ["| not read or replaced | kept instead | why |", "|---|---|---|"]
            md += [f"| {s['path']} | {s['kept']} | {s['why']}{'; its triples removed' if s['in_kb'] else ''} |"
                   for s in self.superseded]
            md.append("")
        if self.errors:
            md += ["| document | stage | error |", "|---|---|---|"]
            md += [f"| {e['doc_id']} | {e['stage']} | {e['message'].replace('|', '/')} |" for e in self.errors]
        return "\n".join(md)


def _metrics_lines(metrics: dict | None) -> list[str]:
    if not metrics:
        return []
    out = [f"scores (micro) on {metrics.get('documents', '?')} document(s) with gold:"]
    for level, label in (("strict", "strict"), ("pair", "pair"), ("arm_lenient", "arm-lenient")):
        m = metrics.get(level)
        if m:
            out.append(f"  {label:<12} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f}")
    return out


def begin(corpus: str | Path, kb: str, gold_dir: str | Path | None = None, model: str = "",
          tables: bool = True) -> RunContext:
    """Open the KB, build the extractor, close runs that were killed, open a run row and plan."""
    from mirkb import __version__
    from mirkb.kb import to_url

    if not Path(corpus).is_dir():
        raise FileNotFoundError(f"corpus folder not found: {printable(corpus)}")
    kb_url = to_url(kb)
    store = get_kb(kb_url)
    extractor = get_extractor(model, tables)
    interrupted = mark_interrupted_runs(store)
    entries, superseded = choose_formats(list(walk([corpus])))
    run_id = store.start_run(extractor.config_id, printable(corpus), __version__)
    lease = RunLease(store, run_id).acquire()
    states = store.document_states()
    choice = choose_articles(plan(entries, states, extractor.config_id), states)
    items = choice.items
    ctx = RunContext(kb_url=kb_url, corpus=printable(corpus), gold_dir=str(gold_dir) if gold_dir else None,
                     run_id=run_id, config_id=extractor.config_id, model=model, tables=tables,
                     started=time.monotonic(), before=store.supported_triple_ids(), items=items,
                     superseded=superseded + choice.superseded, interrupted=interrupted, lease=lease,
                     states=states, pending=choice.pending)
    for sup, row in choice.now:
        supersede(ctx, sup, row)
    ctx.docs["unchanged"] = sum(i.n_docs for i in items if i.reason == "unchanged")
    return ctx


_OUTCOME_KEY = {"new": "added", "retry": "added", "changed": "changed", "config": "reextracted",
                "unchanged": "unchanged"}


def store_all(ctx: RunContext, item: Planned, result: DocResult) -> list[DocOutcome]:
    """:func:`store` every document of one file's result (each article of a multi-article file).

    An article keeps its own outcome (new, changed, ...) from what the KB knew of it. An article
    that has gone from a changed file stays in the KB, as a file that has gone from the corpus does.
    """
    if not result.articles:
        out = [store(ctx, item, result)]
    else:
        out = []
        for article in result.articles:
            reason = decide(item.sha256, ctx.states.get(article.doc_id), ctx.config_id)
            out.append(store(ctx, Planned(item.path, article.doc_id, item.sha256, reason), article))
        _replace_whole_file(ctx, item, out)
    for outcome in out:
        for sup, row in ctx.pending.pop(outcome.doc_id, []) if outcome.status == "ok" else []:
            supersede(ctx, sup, row)
    return out


def supersede(ctx: RunContext, sup: Superseded, row: dict) -> None:
    """Mark a knowledge-base document superseded (its mentions removed, logged for ``kb diff``)."""
    from mirkb.kb import DocumentInfo

    info = DocumentInfo(**row)
    try:
        removed = get_kb(ctx.kb_url).supersede_document(ctx.run_id, info, ctx.config_id, sup.message)
    except Exception as exc:  # noqa: BLE001 - the winner is stored; this document simply stays as it was
        err = classify(exc, "store", sup.doc_id, sup.path)
        get_kb(ctx.kb_url).record_error(ctx.run_id, err.doc_id, err.path, err.stage, err.message)
        return
    sup.in_kb = removed > 0


def _replace_whole_file(ctx: RunContext, item: Planned, outcomes: list[DocOutcome]) -> None:
    """A multi-article file that an earlier release stored as ONE document (id = file stem): once its
    articles are stored, that document's triples go (issue 10 §1), reported in the run summary."""
    state = ctx.states.get(item.doc_id)
    ids = [o.doc_id for o in outcomes]
    if (state is None or state.get("path") != printable(item.path) or state["status"] == "superseded"
            or item.doc_id in ids or not any(o.status == "ok" for o in outcomes)):
        return
    shown = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
    sup = Superseded(item.doc_id, printable(item.path), f"its {len(ids)} articles ({shown})",
                     "one document per article", kind="whole-file")
    row = {k: state.get(k) or "" for k in ("doc_id", "path", "format", "title", "sha256", *ID_COLUMNS)}
    supersede(ctx, sup, row | {"doc_id": item.doc_id, "sha256": item.sha256 or row["sha256"]})
    ctx.superseded.append(sup)


def store(ctx: RunContext, item: Planned, result: DocResult) -> DocOutcome:
    """Write one document's result to the knowledge base in ONE transaction (stage ``store``)."""
    from mirkb.kb import DocumentInfo

    kb = get_kb(ctx.kb_url)
    info = DocumentInfo(doc_id=result.doc_id, path=result.path, sha256=result.sha256 or item.sha256,
                        format=result.format, title=result.title)
    info.update_from(result)  # the article identifiers (PMID, PMCID, DOI) when the result carries them
    error = result.error
    if error is None:
        try:
            written = kb.write_document(ctx.run_id, info, ctx.config_id, result.mentions)
        except Exception as exc:  # noqa: BLE001 - a store failure fails this document, not the batch
            error = classify(exc, "store", result.doc_id, result.path)
        else:
            ctx.docs[_OUTCOME_KEY[item.reason]] += 1
            return DocOutcome(result.doc_id, result.path, item.reason, "ok", n_mentions=written.n_mentions,
                              gained=sorted(written.gained), lost=sorted(written.lost))
    ctx.docs["failed"] += 1
    if item.duplicate:
        # Only the error is logged: the document row belongs to the first file with this id.
        kb.record_error(ctx.run_id, error.doc_id, error.path, error.stage, error.message)
        return DocOutcome(error.doc_id, error.path, item.reason, "failed", stage=error.stage, error=error.message)
    lost = kb.record_failure(ctx.run_id, info, ctx.config_id, error.stage, error.message).lost
    return DocOutcome(error.doc_id, error.path, item.reason, "failed", stage=error.stage, error=error.message,
                      lost=sorted(lost))


def finish(ctx: RunContext) -> RunSummary:
    """Score documents with gold, close the run row and report what changed since :func:`begin`."""
    kb = get_kb(ctx.kb_url)
    docs = dict(ctx.docs)
    after = kb.supported_triple_ids()
    added, removed = after - ctx.before, ctx.before - after
    metrics = evaluate(kb, [i.doc_id for i in ctx.items], ctx.gold_dir)
    errors = kb.run_errors(ctx.run_id)
    status = "completed with errors" if docs["failed"] else "completed"
    n_mentions = kb.stats(top=0)["mentions"]
    counts = {f"docs_{k}": v for k, v in docs.items()} | {
        "triples_added": len(added), "triples_removed": len(removed), "n_mentions": n_mentions}
    kb.finish_run(ctx.run_id, status, counts, metrics)
    if ctx.lease is not None:
        ctx.lease.release()
    return RunSummary(
        run_id=ctx.run_id, status=status, config_id=ctx.config_id, corpus=ctx.corpus, kb=ctx.kb_url,
        documents=docs, triples_added=len(added), triples_removed=len(removed), triples_total=len(after),
        n_mentions=n_mentions, seconds=time.monotonic() - ctx.started,
        errors=[{k: e[k] for k in ("doc_id", "path", "stage", "message")} for e in errors],
        metrics=metrics, added=sorted(added), removed=sorted(removed),
        superseded=[asdict(s) for s in ctx.superseded], interrupted_runs=ctx.interrupted,
    )


class Progress:
    """Per-document progress on ``stream`` (stderr): a tqdm bar on a terminal, else one line every
    ``every`` documents and one at the end (nothing for a run shorter than ``every``).

    Call it with each outcome (anything with ``status``), then :meth:`close`.
    """

    def __init__(self, total: int, stream=None, every: int = 50, tty: bool | None = None, desc: str = "refresh"):
        self.total, self.every, self.done, self.failed, self.desc = total, max(1, every), 0, 0, desc
        self.stream = stream if stream is not None else sys.stderr
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            tty = bool(isatty and isatty())
        self.bar = None
        if tty and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", desc=desc, file=self.stream, leave=False, dynamic_ncols=True)

    def __call__(self, outcome) -> None:
        self.done += 1
        self.failed += getattr(outcome, "status", "") == "failed"
        if self.bar is not None:
            self.bar.update(1)
            if self.failed:
                self.bar.set_postfix(failed=self.failed, refresh=False)
        elif self.done % self.every == 0 or (self.done == self.total and self.total >= self.every):
            print(f"{self.desc}: {self.done}/{self.total} documents processed ({self.failed} failed)",
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def refresh(corpus: str | Path, kb: str, gold_dir: str | Path | None = None,
            on_document: Callable[[DocOutcome], None] | None = None, progress: bool = False,
            workers: int = 1, model: str = "", tables: bool = True) -> RunSummary:
    """Refresh ``kb`` from ``corpus`` without Prefect; ``workers`` > 1 extracts in worker processes
    (the knowledge base is written here, in this process). ``progress`` shows :class:`Progress`."""
    ctx = begin(corpus, kb, gold_dir, model, tables)
    todo = ctx.todo
    shown = Progress(len(todo)) if progress else None
    try:
        for item, result in results(todo, model, tables, workers):
            outcomes = store_all(ctx, item, result)
            if shown is not None:
                shown(next((o for o in outcomes if o.status == "failed"), outcomes[-1]))
            if on_document:
                for outcome in outcomes:
                    on_document(outcome)
    finally:
        if shown is not None:
            shown.close()
    return finish(ctx)


# -- scoring adapter ------------------------------------------------------------------------------


def gold_files(gold_dir: str | Path | None, doc_ids: list[str]) -> dict[str, Path]:
    """doc_id → gold/<doc_id>.tsv for the documents that have one."""
    if not gold_dir:
        return {}
    base = Path(gold_dir)
    return {d: base / f"{d}.tsv" for d in doc_ids if (base / f"{d}.tsv").is_file()}


def evaluate(kb, doc_ids: list[str], gold_dir: str | Path | None) -> dict | None:
    """Micro scores (§7, text and table together) of the KB's mentions for the documents with gold.

    Scoring is :mod:`mirkb.scoring`'s job (it must not share code with the extractors); this is a
    small adapter to it that returns None when no document has gold, or when the scorer is absent
    or cannot read the gold (the run itself must not fail over its evaluation).
    """
    golds = gold_files(gold_dir, doc_ids)
    if not golds:
        return None
    try:
        from mirkb import scoring

        gold_rows, gold_docs = [], []
        for path in golds.values():
            rows, docs = scoring.load_gold(path)
            gold_rows += rows
            gold_docs += docs
        predicted = [
            scoring.Row(doc_id=m["doc_id"], mirna=m["mirna"], cancer=m["cancer"], effect=m["effect"],
                        source=m["source"], evidence=m["evidence"], start=m["start"])
            for m in kb.mentions_of(golds)
        ]
        result = scoring.score(predicted, gold_rows, gold_docs, docs=list(golds))
        out: dict = {"documents": len(golds)}
        for level in ("strict", "pair", "arm_lenient"):
            c = result.result(level, "all").micro
            out[level] = {"precision": c.p, "recall": c.r, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn}
        return out
    except (ImportError, AttributeError, KeyError, ValueError):
        return None

