"""The knowledge-base store: open (and migrate), write one document per transaction, read back.

SQLAlchemy Core only, every value a bound parameter, so the same code runs on the default
SQLite file and on a PostgreSQL URL. On SQLite each connection gets WAL journaling (readers never
block the writer) and a busy timeout (a second writer waits instead of failing), and write
transactions start with ``BEGIN IMMEDIATE`` so two refreshes on one file queue up rather than
deadlock when both upgrade a read lock. On PostgreSQL every write transaction first takes one
transaction-scoped advisory lock (:data:`PG_WRITE_LOCK`), the same guarantee: writers queue, and a
document's delete-insert-recount never interleaves with another's (no deadlock, no duplicate triple).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.engine import make_url

from extractors.schema import Mention
from mirkb.kb import schema
from mirkb.kb.filters import TripleQuery
from mirkb.kb.schema import documents, errors, mentions, removed_mentions, run_triples, runs, triples

#: How long (ms) an SQLite writer waits for another writer before giving up. A document's
#: transaction takes milliseconds, so a minute only runs out when something is stuck.
BUSY_TIMEOUT_MS = 60_000


#: Key of the PostgreSQL advisory lock every write transaction holds (advisory locks are per database,
#: so this serialises the writers of one knowledge base and no other).
PG_WRITE_LOCK = 0x6D69726B62  # "mirkb"

#: What a NUL character becomes in any stored text (PostgreSQL text cannot hold NUL; SQLite can).
NUL_REPLACEMENT = "\ufffd"


class KBError(Exception):
    """A knowledge base that cannot be opened: the message says which and why, for the user."""


def now() -> datetime:
    return datetime.now(UTC)


def triple_key(mirna: str, cancer: str, effect: str) -> str:
    """The normalised text a triple id is the hash of: parts trimmed, case-folded, joined by "|"."""
    return "|".join(part.strip().casefold() for part in (mirna, cancer, effect))


def triple_id(mirna: str, cancer: str, effect: str) -> str:
    """Stable id of a triple: sha256 of :func:`triple_key`, so a refresh updates rather than duplicates."""
    import hashlib

    return hashlib.sha256(triple_key(mirna, cancer, effect).encode("utf-8")).hexdigest()


def to_url(kb: str | Path, create: bool = True) -> str:
    """An SQLAlchemy URL for ``kb``: URLs pass through; a plain path becomes an SQLite file URL.

    ``postgresql://`` (no driver named) means psycopg 3, the driver of the ``postgres`` extra. With
    ``create`` false, a path where no file exists is an error instead of a new knowledge base.
    """
    text = str(kb)
    if "://" in text:
        scheme, _, rest = text.partition("://")
        if scheme in ("postgresql", "postgres"):
            return f"postgresql+psycopg://{rest}"
        return text
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise KBError(f"{kb} is a folder, not a knowledge base file; give a file path such as "
                      f"{Path(text) / 'mirkb.sqlite'}")
    if not create and not path.exists():
        raise KBError(f"no knowledge base at {kb} (nothing created); check the path, or run "
                      f"`mirkb run --kb {kb}` to build one")
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KBError(f"cannot create the folder of knowledge base {kb}: {exc.strerror or exc}") from exc
    return f"sqlite:///{path}"


def _no_nul(value):
    """``value`` with NUL characters in any string replaced (recursing into parameter lists)."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_REPLACEMENT) if "\x00" in value else value
    if isinstance(value, dict):
        return {k: _no_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_no_nul(v) for v in value)
    return value


def _nul_events(engine: Engine) -> None:
    # Documents are cleaned when read (extractors.ingest.without_nul); this keeps any other text
    # (an error message quoting a file, a table cell) the same on every backend.
    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _clean(conn, cursor, statement, parameters, context, executemany):
        return statement, _no_nul(parameters)


def _describe_open_error(url: str, exc: Exception) -> str:
    """What went wrong opening ``url``, in words, from a driver or SQLAlchemy error."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
    if isinstance(exc, NoSuchModuleError | ArgumentError):
        return (f"cannot open knowledge base {shown}: unknown database URL scheme or driver ({exc}); "
                "give an SQLite file path or a URL such as postgresql+psycopg://user@host/mirkb")
    if isinstance(exc, ModuleNotFoundError):
        return (f"cannot open knowledge base {shown}: its database driver is not installed ({exc.name}); "
                'for PostgreSQL: pip install "mirkb[postgres]"')
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if url.startswith("sqlite"):
        return f"cannot open knowledge base {shown}: not a usable SQLite database ({detail})"
    return f"cannot open knowledge base {shown}: cannot connect or not a mirkb database ({detail})"


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN itself, so writes can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        # WAL + NORMAL stays consistent after a crash; only the last commit may be lost on power loss.
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("mirkb_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@dataclass
class DocumentInfo:
    """What the store keeps about a document besides its mentions."""

    doc_id: str
    path: str
    sha256: str
    format: str = ""
    title: str = ""
    pmid: str = ""
    pmcid: str = ""
    doi: str = ""
    #: What the reader repaired (bad bytes, NUL characters); kept in ``documents.error`` of an ok row.
    warnings: list[str] = field(default_factory=list)

    def update_from(self, doc) -> None:
        """Take what an ingested document knows; a field it does not have (yet) keeps its value."""
        for name in ("format", "title", "sha256", *IDENTIFIERS):
            value = getattr(doc, name, None)
            if value:
                setattr(self, name, str(value).strip())
        self.warnings = list(getattr(doc, "warnings", None) or [])


#: Article identifiers a document may carry (issue 10 §1).
IDENTIFIERS = ("pmid", "pmcid", "doi")
#: Offsets inside the evidence that a mention may carry, as (start, end) pairs on the Mention.
SPAN_KINDS = ("mirna", "cancer", "cue")


def _span(m, kind: str) -> tuple[int | None, int | None]:
    span = getattr(m, f"{kind}_span", None)
    if not span or len(span) != 2 or span[0] is None or span[1] is None:
        return None, None
    start, end = int(span[0]), int(span[1])
    if not 0 <= start < end <= len(m.evidence):
        return None, None  # an offset outside its evidence helps no reader: keep the row, drop the span
    return start, end


def mention_values(m) -> dict:
    """The columns a Mention fills, reading the newer fields defensively (older extractors lack them)."""
    values = dict(
        mirna=m.mirna, cancer=m.cancer, cancer_id=m.cancer_id or "", effect=m.effect, evidence=m.evidence,
        start=int(m.start), end=int(m.end), source=m.source, hedged=bool(m.hedged), rule=m.rule or "",
        mirna_id=getattr(m, "mirna_id", None) or None, mirna_status=getattr(m, "mirna_status", None) or None,
        passage=getattr(m, "passage", None) or None,
    )
    for kind in SPAN_KINDS:
        values[f"{kind}_start"], values[f"{kind}_end"] = _span(m, kind)
    return values


@dataclass
class WriteResult:
    """Triples that gained or lost their last support through one document's write."""

    gained: set[str] = field(default_factory=set)
    lost: set[str] = field(default_factory=set)
    n_mentions: int = 0


class KnowledgeBase:
    """One open knowledge base. ``KnowledgeBase(url_or_path)`` migrates it to the current schema."""

    def __init__(self, kb: str | Path, create: bool = True):
        """Open ``kb``; with ``create`` false a missing SQLite file is a :class:`KBError`, not a new KB.

        Anything that stops the knowledge base from opening (unknown scheme, missing driver, a
        file that is not a database, a server that does not answer) is a :class:`KBError`.
        """
        from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

        self.url = to_url(kb, create=create)
        try:
            self.is_sqlite = make_url(self.url).get_backend_name() == "sqlite"
            self.engine = create_engine(self.url)
        except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
            raise KBError(_describe_open_error(self.url, exc)) from exc
        if self.is_sqlite:
            _sqlite_events(self.engine)
        _nul_events(self.engine)
        try:
            with self.write() as conn:
                self.migrated_from, self.version = schema.migrate(conn)
        except DBAPIError as exc:
            self.engine.dispose()
            raise KBError(_describe_open_error(self.url, exc)) from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: all or nothing, committed on exit, rolled back on any exception."""
        with self.engine.connect() as conn:
            conn.execution_options(mirkb_write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.execute(select(func.pg_advisory_xact_lock(PG_WRITE_LOCK)))
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -- documents --------------------------------------------------------------------------

    def document_states(self) -> dict[str, dict]:
        """doc_id → {path, sha256, config_id, status, error, format, title, pmid, pmcid, doi} of every
        known document (one query per run): what a refresh plans with and identifies articles by."""
        q = select(documents.c.doc_id, documents.c.path, documents.c.sha256, documents.c.config_id,
                   documents.c.status, documents.c.error, documents.c.format, documents.c.title,
                   *[documents.c[name] for name in IDENTIFIERS])
        with self.read() as conn:
            return {r.doc_id: _blank_nulls(r._asdict()) for r in conn.execute(q)}

    def _upsert_document(self, conn: Connection, info: DocumentInfo, run_id: int, config_id: str,
                         status: str, error: str) -> None:
        stamp = now()
        values = dict(
            path=info.path, format=info.format, sha256=info.sha256, title=info.title[:1000],
            last_ingested=stamp, status=status, error=error, config_id=config_id, last_run_id=run_id,
            **{name: getattr(info, name, "") or None for name in IDENTIFIERS},
        )
        found = conn.execute(
            update(documents).where(documents.c.doc_id == info.doc_id).values(**values)
        ).rowcount
        if not found:
            conn.execute(insert(documents).values(doc_id=info.doc_id, first_ingested=stamp, **values))

    def _supported(self, conn: Connection, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        q = select(triples.c.triple_id).where(triples.c.triple_id.in_(ids), triples.c.n_mentions > 0)
        return set(conn.execute(q).scalars())

    def _replace_mentions(self, conn: Connection, doc_id: str, run_id: int,
                          new: list[Mention]) -> WriteResult:
        """Swap a document's mentions and recount every triple it touched (old or new).

        Evidence that goes away is logged in ``removed_mentions`` under this run, so ``kb diff``
        can show why a triple was lost.
        """
        old = conn.execute(
            select(mentions.c.triple_id, mentions.c.evidence, mentions.c.start, mentions.c.end, mentions.c.source)
            .where(mentions.c.doc_id == doc_id)
        ).all()
        old_ids = {r.triple_id for r in old}
        conn.execute(delete(mentions).where(mentions.c.doc_id == doc_id))
        stamp = now()
        rows, new_triples = [], {}
        for m in new:
            tid = triple_id(m.mirna, m.cancer, m.effect)
            values = mention_values(m)
            known = new_triples.get(tid)
            if known is None or (values["mirna_id"] and not known["mirna_id"]):
                new_triples[tid] = values
            rows.append(dict(doc_id=doc_id, triple_id=tid, run_id=run_id, **values))
        kept = {(r["triple_id"], r["start"], r["end"]) for r in rows}
        gone = [dict(run_id=run_id, doc_id=doc_id, triple_id=r.triple_id, evidence=r.evidence, start=r.start,
                     end=r.end, source=r.source)
                for r in old if (r.triple_id, r.start, r.end) not in kept]
        if gone:
            conn.execute(insert(removed_mentions), gone)
        affected = old_ids | set(new_triples)
        before = self._supported(conn, affected)
        existing = set(conn.execute(
            select(triples.c.triple_id).where(triples.c.triple_id.in_(list(new_triples)))
        ).scalars()) if new_triples else set()
        missing = [
            dict(triple_id=tid, mirna=v["mirna"], cancer=v["cancer"], cancer_id=v["cancer_id"], effect=v["effect"],
                 mirna_id=v["mirna_id"], n_documents=0, n_mentions=0, first_seen=stamp, last_seen=stamp)
            for tid, v in new_triples.items() if tid not in existing
        ]
        if missing:
            conn.execute(insert(triples), missing)
        if rows:
            conn.execute(insert(mentions), rows)
        if affected:
            counts = {
                r.triple_id: (r.n_docs, r.n_mentions)
                for r in conn.execute(
                    select(
                        mentions.c.triple_id,
                        func.count(func.distinct(mentions.c.doc_id)).label("n_docs"),
                        func.count().label("n_mentions"),
                    ).where(mentions.c.triple_id.in_(list(affected))).group_by(mentions.c.triple_id)
                )
            }
            for tid in affected:
                n_docs, n_mentions = counts.get(tid, (0, 0))
                values = dict(n_documents=n_docs, n_mentions=n_mentions)
                if tid in new_triples:
                    values["last_seen"] = stamp
                    if new_triples[tid]["mirna_id"]:
                        values["mirna_id"] = new_triples[tid]["mirna_id"]
                conn.execute(update(triples).where(triples.c.triple_id == tid).values(**values))
        after = self._supported(conn, affected)
        return WriteResult(gained=after - before, lost=before - after, n_mentions=len(rows))

    def write_document(self, run_id: int, info: DocumentInfo, config_id: str,
                       found: list[Mention]) -> WriteResult:
        """Store one document's mentions in ONE transaction: a crash leaves the old state or the new."""
        with self.write() as conn:
            note = "; ".join(f"warning: {w}" for w in info.warnings)
            self._upsert_document(conn, info, run_id, config_id, "ok", note)
            return self._replace_mentions(conn, info.doc_id, run_id, found)

    def record_failure(self, run_id: int, info: DocumentInfo, config_id: str, stage: str,
                       message: str) -> WriteResult:
        """Mark a document failed, log the error, and drop its mentions.

        The mentions go because the knowledge base holds what the corpus *now* supports; a file
        that cannot be read supports nothing. A failed document is retried on every run.
        """
        with self.write() as conn:
            conn.execute(insert(errors).values(
                run_id=run_id, doc_id=info.doc_id, path=info.path, stage=stage, message=message, at=now(),
            ))
            self._upsert_document(conn, info, run_id, config_id, "failed", message)
            return self._replace_mentions(conn, info.doc_id, run_id, [])

    def supersede_document(self, run_id: int, info: DocumentInfo, config_id: str, message: str) -> int:
        """Mark a document superseded by another that stands for the same article (status
        "superseded", ``message`` saying by which and why) and remove its mentions in ONE transaction;
        the removed evidence is logged for ``kb diff``. Returns how many mentions it had."""
        with self.write() as conn:
            n = conn.execute(select(func.count()).select_from(mentions)
                             .where(mentions.c.doc_id == info.doc_id)).scalar_one()
            self._upsert_document(conn, info, run_id, config_id, "superseded", message)
            self._replace_mentions(conn, info.doc_id, run_id, [])
            return n

    def superseded_between(self, run_a: int | None, run_b: int) -> list[dict]:
        """Documents that runs after ``run_a`` up to ``run_b`` marked superseded (and still are)."""
        lo = run_a if run_a is not None else 0
        q = (select(documents.c.doc_id, documents.c.path, documents.c.last_run_id.label("run_id"),
                    documents.c.error.label("message"))
             .where(documents.c.status == "superseded", documents.c.last_run_id > lo,
                    documents.c.last_run_id <= run_b)
             .order_by(documents.c.last_run_id, documents.c.doc_id))
        with self.read() as conn:
            return [r._asdict() for r in conn.execute(q)]

    def record_error(self, run_id: int, doc_id: str, path: str, stage: str, message: str) -> None:
        """Log an error that concerns a file but must not touch its document's row (e.g. a duplicate id)."""
        with self.write() as conn:
            conn.execute(insert(errors).values(
                run_id=run_id, doc_id=doc_id, path=path, stage=stage, message=message, at=now(),
            ))

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, config_id: str, corpus: str, mirkb_version: str) -> int:
        with self.write() as conn:
            return conn.execute(
                insert(runs).values(
                    started=now(), status="running", mirkb_version=mirkb_version, config_id=config_id,
                    corpus=corpus,
                ).returning(runs.c.run_id)
            ).scalar_one()

    def finish_run(self, run_id: int, status: str, counts: dict[str, int], metrics: dict | None) -> None:
        """Close a run and snapshot the supported triples for later ``kb diff``."""
        allowed = {c.name for c in runs.columns}
        values = {k: int(v) for k, v in counts.items() if k in allowed}
        with self.write() as conn:
            conn.execute(update(runs).where(runs.c.run_id == run_id).values(
                ended=now(), status=status, metrics=json.dumps(metrics) if metrics else None, **values,
            ))
            conn.execute(delete(run_triples).where(run_triples.c.run_id == run_id))
            conn.execute(
                insert(run_triples).from_select(
                    ["run_id", "triple_id"],
                    select(literal(run_id, Integer), triples.c.triple_id).where(triples.c.n_mentions > 0),
                )
            )

    def mark_interrupted(self, run_id: int) -> dict[str, int]:
        """Close a run whose process died as "interrupted", with the counts of what it actually wrote.

        Documents whose last write was this run are counted as added (first seen by it), changed or
        failed; triples gained and lost are against the snapshot of the run before it; the run gets a
        snapshot of the triples supported now, so ``kb diff`` against it shows what it left.
        """
        with self.write() as conn:
            run = conn.execute(select(runs).where(runs.c.run_id == run_id)).first()
            if run is None or run.status != "running":
                return {}
            docs = conn.execute(select(documents.c.status, documents.c.first_ingested, documents.c.last_ingested)
                                .where(documents.c.last_run_id == run_id)).all()
            started = _aware(run.started)
            counts = {
                "docs_added": sum(d.status == "ok" and _aware(d.first_ingested) >= started for d in docs),
                "docs_changed": sum(d.status == "ok" and _aware(d.first_ingested) < started for d in docs),
                "docs_failed": sum(d.status == "failed" for d in docs),
            }
            now_ids = set(conn.execute(select(triples.c.triple_id).where(triples.c.n_mentions > 0)).scalars())
            prev = conn.execute(select(func.max(run_triples.c.run_id)).where(run_triples.c.run_id < run_id)).scalar()
            before = set(conn.execute(select(run_triples.c.triple_id).where(run_triples.c.run_id == prev))
                         .scalars()) if prev is not None else set()
            counts |= {"triples_added": len(now_ids - before), "triples_removed": len(before - now_ids),
                       "n_mentions": conn.execute(select(func.count()).select_from(mentions)).scalar_one()}
            ended = max((_aware(d.last_ingested) for d in docs), default=started)
            conn.execute(update(runs).where(runs.c.run_id == run_id).values(
                status="interrupted", ended=ended, **counts))
            conn.execute(delete(run_triples).where(run_triples.c.run_id == run_id))
            if now_ids:
                conn.execute(insert(run_triples), [{"run_id": run_id, "triple_id": t} for t in sorted(now_ids)])
            return counts

    def mirna_names(self) -> list[str]:
        """The distinct miRNA names of supported triples (what ``--arms``/``--family`` widen over)."""
        with self.read() as conn:
            return list(conn.execute(select(triples.c.mirna).distinct().where(triples.c.n_mentions > 0)).scalars())

    def supported_triple_ids(self) -> set[str]:
        with self.read() as conn:
            return set(conn.execute(select(triples.c.triple_id).where(triples.c.n_mentions > 0)).scalars())

    def runs(self) -> list[dict]:
        with self.read() as conn:
            return [r._asdict() for r in conn.execute(select(runs).order_by(runs.c.run_id))]

    def run(self, run_id: int) -> dict | None:
        with self.read() as conn:
            row = conn.execute(select(runs).where(runs.c.run_id == run_id)).first()
            return row._asdict() if row else None

    def run_errors(self, run_id: int) -> list[dict]:
        with self.read() as conn:
            q = select(errors).where(errors.c.run_id == run_id).order_by(errors.c.error_id)
            return [r._asdict() for r in conn.execute(q)]

    # -- reading ----------------------------------------------------------------------------

    def mentions_of(self, doc_ids: Iterable[str]) -> list[dict]:
        """Mention rows (§5 columns) of some documents, for scoring against gold."""
        ids = list(doc_ids)
        if not ids:
            return []
        cols = [mentions.c[name] for name in _MENTION_COLUMNS]
        q = select(*cols).where(mentions.c.doc_id.in_(ids)).order_by(mentions.c.doc_id, mentions.c.start)
        with self.read() as conn:
            return [r._asdict() for r in conn.execute(q)]

    def export_rows(self, where: TripleQuery | None = None) -> list[dict]:
        """Every mention (or those ``where`` selects) with its triple, support and document identifiers:
        the knowledge base as one flat table."""
        where = where or TripleQuery()
        cols = [mentions.c[name] for name in _MENTION_COLUMNS + _NEW_MENTION_COLUMNS]
        q = (
            select(*cols, mentions.c.triple_id, mentions.c.run_id,
                   triples.c.n_documents.label("triple_documents"),
                   triples.c.n_mentions.label("triple_mentions"),
                   *[documents.c[name] for name in IDENTIFIERS], documents.c.title)
            .select_from(_JOINED)
            .where(and_(*where.triple_conditions(), *where.mention_conditions()))
            .order_by(mentions.c.doc_id, mentions.c.start, mentions.c.mention_id)
        )
        if where.min_documents > 1:
            q = q.where(triples.c.triple_id.in_(self._triples_with_support(where)))
        with self.read() as conn:
            return [_blank_nulls(r._asdict()) for r in conn.execute(q)]

    @staticmethod
    def _triples_with_support(where: TripleQuery):
        n_docs = func.count(func.distinct(mentions.c.doc_id))
        return (select(mentions.c.triple_id).select_from(_JOINED)
                .where(and_(*where.triple_conditions(), *where.mention_conditions()))
                .group_by(mentions.c.triple_id).having(n_docs >= where.min_documents))

    def query_triples(self, mirna: str | None = None, cancer: str | None = None, effect: str | None = None,
                      limit: int | None = None, evidence_per_triple: int = 5,
                      where: TripleQuery | None = None) -> list[dict]:
        """Supported triples matching the filters, most supported first.

        ``mirna``/``cancer`` match one name exactly (case-insensitive); ``where`` (a
        :class:`TripleQuery`) takes sets of names, DOIDs and the evidence filters. ``n_documents``
        and ``n_mentions`` count the evidence that passes the filters (the triple's whole support
        when there are none). Each result carries up to ``evidence_per_triple`` evidence rows and
        ``documents``/``pmids``: EVERY matching supporting document, however few rows are shown.
        """
        if evidence_per_triple < 0:
            raise ValueError("evidence_per_triple must be 0 or more")
        where = where or TripleQuery()
        if mirna:
            where = replace(where, mirnas=[mirna])
        if cancer:
            where = replace(where, cancers=[cancer], cancer_ids=None)
        if effect:
            where = replace(where, effect=effect)
        conds = [*where.triple_conditions(), *where.mention_conditions()]
        n_docs = func.count(func.distinct(mentions.c.doc_id))
        n_mentions = func.count(mentions.c.mention_id)
        tcols = [triples.c.triple_id, triples.c.mirna, triples.c.mirna_id, triples.c.cancer, triples.c.cancer_id,
                 triples.c.effect, triples.c.first_seen, triples.c.last_seen]
        q = (
            select(*tcols, n_docs.label("n_documents"), n_mentions.label("n_mentions"))
            .select_from(_JOINED)
            .where(and_(*conds))
            .group_by(*tcols)
            .having(n_docs >= max(1, where.min_documents))
            .order_by(n_docs.desc(), n_mentions.desc(), triples.c.mirna, triples.c.cancer, triples.c.effect)
        )
        if limit:
            q = q.limit(limit)
        with self.read() as conn:
            found = [_blank_nulls(r._asdict()) for r in conn.execute(q)]
            ids = [row["triple_id"] for row in found]
            docs = self._supporting_documents(conn, ids, where)
            evidence = self._evidence(conn, ids, where, evidence_per_triple) if evidence_per_triple else {}
            for row in found:
                support = docs.get(row["triple_id"], [])
                row["documents"] = [d for d, _ in support]
                row["pmids"] = [p for _, p in support if p]
                row["evidence"] = evidence.get(row["triple_id"], [])
        return found

    @staticmethod
    def _evidence(conn: Connection, ids: list[str], where: TripleQuery, per_triple: int,
                  chunk: int = 500) -> dict[str, list[dict]]:
        """triple_id → its first ``per_triple`` matching evidence rows (by document, offset), one query per chunk."""
        out: dict[str, list[dict]] = {}
        for i in range(0, len(ids), chunk):
            rank = func.row_number().over(partition_by=mentions.c.triple_id,
                                          order_by=(mentions.c.doc_id, mentions.c.start, mentions.c.mention_id))
            ranked = (select(mentions.c.triple_id, *[mentions.c[name] for name in _EVIDENCE_COLUMNS],
                             documents.c.pmid, rank.label("rank"))
                      .select_from(_JOINED)
                      .where(mentions.c.triple_id.in_(ids[i:i + chunk]), *where.mention_conditions())
                      .subquery())
            q = (select(*[c for c in ranked.c if c.name != "rank"]).where(ranked.c.rank <= per_triple)
                 .order_by(ranked.c.triple_id, ranked.c.rank))
            for r in conn.execute(q):
                row = _blank_nulls(r._asdict())
                out.setdefault(row.pop("triple_id"), []).append(row)
        return out

    @staticmethod
    def _supporting_documents(conn: Connection, ids: list[str], where: TripleQuery | None = None,
                              chunk: int = 500) -> dict[str, list[tuple[str, str]]]:
        """triple_id → sorted distinct (doc_id, pmid) of its (matching) mentions, in chunks: bound-parameter limits."""
        conds = where.mention_conditions() if where else []
        out: dict[str, list[tuple[str, str]]] = {}
        for i in range(0, len(ids), chunk):
            q = (select(mentions.c.triple_id, mentions.c.doc_id, documents.c.pmid).distinct()
                 .select_from(_JOINED)
                 .where(mentions.c.triple_id.in_(ids[i:i + chunk]), *conds)
                 .order_by(mentions.c.triple_id, mentions.c.doc_id))
            for r in conn.execute(q):
                out.setdefault(r.triple_id, []).append((r.doc_id, r.pmid or ""))
        return out

    def stats(self, top: int = 10) -> dict:
        """Documents by status, mentions, supported triples by effect, most supported miRNAs and cancers."""
        live = triples.c.n_mentions > 0
        with self.read() as conn:
            by_status = dict(conn.execute(
                select(documents.c.status, func.count()).group_by(documents.c.status)).all())
            n_mentions = conn.execute(select(func.count()).select_from(mentions)).scalar_one()
            by_effect = dict(conn.execute(
                select(triples.c.effect, func.count()).where(live).group_by(triples.c.effect)
                .order_by(func.count().desc(), triples.c.effect)).all())

            def top_of(col):
                # Supported triples per name, and the DISTINCT documents with a mention of any of
                # them (a paper backing three triples of one miRNA counts once, not three times).
                if top <= 0:
                    return []
                n_triples = func.count(func.distinct(triples.c.triple_id))
                q = (select(col, n_triples.label("n"), func.count(func.distinct(mentions.c.doc_id)).label("docs"))
                     .select_from(triples.join(mentions, mentions.c.triple_id == triples.c.triple_id))
                     .where(live).group_by(col).order_by(n_triples.desc(), col).limit(top))
                return [{"name": r[0], "triples": r.n, "document_support": int(r.docs or 0)}
                        for r in conn.execute(q)]

            identified = {name: conn.execute(select(func.count()).select_from(documents)
                                             .where(documents.c[name].is_not(None), documents.c[name] != "")
                                             ).scalar_one() for name in IDENTIFIERS}
            # grouped on the plain column: PostgreSQL will not match two bound-parameter coalesces
            by_mirna_status = {status or "not recorded": n for status, n in conn.execute(
                select(mentions.c.mirna_status, func.count()).group_by(mentions.c.mirna_status)).all()}
            last = conn.execute(select(runs).order_by(runs.c.run_id.desc()).limit(1)).first()
            return {
                "documents": {"total": sum(by_status.values()), **by_status},
                "mentions": n_mentions,
                "documents_with": identified,
                "mentions_by_mirna_status": by_mirna_status,
                "triples": {"total": sum(by_effect.values()), "by_effect": by_effect},
                "top_mirnas": top_of(triples.c.mirna),
                "top_cancers": top_of(triples.c.cancer),
                "last_run": _jsonable(last._asdict()) if last else None,
                "schema_version": self.version,
            }

    def last_runs(self) -> tuple[int | None, int]:
        """(the run before the last finished run or None, the last finished run): what ``kb diff --last`` compares.

        A run still going (or killed: ``ended`` NULL) is passed over, since its snapshot is missing.
        """
        with self.read() as conn:
            last = conn.execute(select(func.max(runs.c.run_id)).where(runs.c.ended.is_not(None))).scalar()
            if last is None:
                raise KeyError("no finished run in this knowledge base")
            prev = conn.execute(select(func.max(runs.c.run_id))
                                .where(runs.c.run_id < last, runs.c.ended.is_not(None))).scalar()
            return prev, last

    def diff_runs(self, run_a: int | None, run_b: int, evidence_per_triple: int = 0) -> dict[str, list[dict]]:
        """Triples supported after ``run_b`` but not after ``run_a`` (gained), and the reverse (lost).

        ``run_a`` None compares with an empty knowledge base. With ``evidence_per_triple`` each
        gained triple carries evidence it has now, and each lost triple the evidence that runs
        after ``run_a`` up to ``run_b`` removed (``removed_mentions``).
        """
        with self.read() as conn:
            wanted = [r for r in (run_a, run_b) if r is not None]
            known = set(conn.execute(select(runs.c.run_id).where(runs.c.run_id.in_(wanted))).scalars())
            absent = [r for r in wanted if r not in known]
            if absent:
                raise KeyError(f"no run with id {absent[0]}")

            def at(run_id):
                if run_id is None:
                    return set()
                return set(conn.execute(
                    select(run_triples.c.triple_id).where(run_triples.c.run_id == run_id)).scalars())

            a, b = at(run_a), at(run_b)

            def describe(ids):
                if not ids:
                    return []
                q = (select(triples.c.triple_id, triples.c.mirna, triples.c.mirna_id, triples.c.cancer,
                            triples.c.cancer_id, triples.c.effect)
                     .where(triples.c.triple_id.in_(sorted(ids)))
                     .order_by(triples.c.mirna, triples.c.cancer, triples.c.effect))
                return [_blank_nulls(r._asdict()) for r in conn.execute(q)]

            gained, lost = describe(b - a), describe(a - b)
            superseded = self.superseded_between(run_a, run_b)
            if evidence_per_triple:
                for t in gained:
                    t["evidence"] = [_blank_nulls(r._asdict()) for r in conn.execute(
                        select(*[mentions.c[name] for name in _EVIDENCE_COLUMNS], documents.c.pmid)
                        .select_from(_JOINED).where(mentions.c.triple_id == t["triple_id"])
                        .order_by(mentions.c.run_id.desc(), mentions.c.doc_id, mentions.c.start)
                        .limit(evidence_per_triple))]
                lo = run_a if run_a is not None else 0
                for t in lost:
                    t["evidence"] = [_blank_nulls(r._asdict()) for r in conn.execute(
                        select(removed_mentions.c.doc_id, removed_mentions.c.evidence, removed_mentions.c.start,
                               removed_mentions.c.end, removed_mentions.c.source, removed_mentions.c.run_id,
                               documents.c.pmid)
                        .select_from(removed_mentions.outerjoin(
                            documents, documents.c.doc_id == removed_mentions.c.doc_id))
                        .where(removed_mentions.c.triple_id == t["triple_id"], removed_mentions.c.run_id > lo,
                               removed_mentions.c.run_id <= run_b)
                        .order_by(removed_mentions.c.run_id.desc(), removed_mentions.c.doc_id,
                                  removed_mentions.c.start)
                        .limit(evidence_per_triple))]
            return {"gained": gained, "lost": lost, "superseded": superseded}


_MENTION_COLUMNS = ("doc_id", "mirna", "cancer", "cancer_id", "effect", "evidence", "start", "end",
                    "source", "hedged", "rule")
#: Columns of ``mirkb kb export``: the §5 columns, then the triple they support and its support.
_NEW_MENTION_COLUMNS = ("mirna_id", "mirna_status", "passage",
                        *[f"{kind}_{end}" for kind in SPAN_KINDS for end in ("start", "end")])
#: Evidence rows of ``kb query`` and ``kb diff``.
_EVIDENCE_COLUMNS = ("doc_id", "evidence", "start", "end", "source", "hedged", "passage", "mirna_id",
                     "mirna_status", "run_id", *[f"{kind}_{end}" for kind in SPAN_KINDS for end in ("start", "end")])
EXPORT_COLUMNS = (*_MENTION_COLUMNS, "triple_id", "run_id", "triple_documents", "triple_mentions",
                  *_NEW_MENTION_COLUMNS, *IDENTIFIERS, "title")
_JOINED = mentions.join(triples, triples.c.triple_id == mentions.c.triple_id).join(
    documents, documents.c.doc_id == mentions.c.doc_id)


def _blank_nulls(row: dict) -> dict:
    """Identifier and passage columns read "" when unknown, so CSV, JSON and tables agree; offsets stay None."""
    for key in (*IDENTIFIERS, "mirna_id", "mirna_status", "passage", "title"):
        if key in row and row[key] is None:
            row[key] = ""
    return row


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def open_kb(kb: str | Path | None = None, create: bool = True) -> KnowledgeBase:
    """Open (creating or migrating) the knowledge base at ``kb``, default :func:`mirkb.settings.default_kb`.

    Commands that only read pass ``create=False``: a mistyped path is an error, not a new empty KB.
    """
    from mirkb.settings import default_kb

    return KnowledgeBase(kb if kb is not None else default_kb(), create=create)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for the UTC ones stored; compare them as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
