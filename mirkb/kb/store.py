"""The knowledge-base store: open (and migrate), write one document per transaction, read back.

SQLAlchemy Core only, every value a bound parameter, so the same code runs on the default
SQLite file and on a PostgreSQL URL. On SQLite each connection gets WAL journaling (readers never
block the writer) and a busy timeout (a second writer waits instead of failing), and write
transactions start with ``BEGIN IMMEDIATE`` so two refreshes on one file queue up rather than
deadlock when both upgrade a read lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
from mirkb.kb.schema import documents, errors, mentions, run_triples, runs, triples

#: How long (ms) an SQLite writer waits for another writer before giving up. A document's
#: transaction takes milliseconds, so a minute only runs out when something is stuck.
BUSY_TIMEOUT_MS = 60_000


def now() -> datetime:
    return datetime.now(UTC)


def triple_key(mirna: str, cancer: str, effect: str) -> str:
    """The normalised text a triple id is the hash of: parts trimmed, case-folded, joined by "|"."""
    return "|".join(part.strip().casefold() for part in (mirna, cancer, effect))


def triple_id(mirna: str, cancer: str, effect: str) -> str:
    """Stable id of a triple: sha256 of :func:`triple_key`, so a refresh updates rather than duplicates."""
    import hashlib

    return hashlib.sha256(triple_key(mirna, cancer, effect).encode("utf-8")).hexdigest()


def to_url(kb: str | Path) -> str:
    """An SQLAlchemy URL for ``kb``: URLs pass through; a plain path becomes an SQLite file URL."""
    text = str(kb)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


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


@dataclass
class WriteResult:
    """Triples that gained or lost their last support through one document's write."""

    gained: set[str] = field(default_factory=set)
    lost: set[str] = field(default_factory=set)
    n_mentions: int = 0


class KnowledgeBase:
    """One open knowledge base. ``KnowledgeBase(url_or_path)`` migrates it to the current schema."""

    def __init__(self, kb: str | Path):
        self.url = to_url(kb)
        self.is_sqlite = make_url(self.url).get_backend_name() == "sqlite"
        self.engine = create_engine(self.url)
        if self.is_sqlite:
            _sqlite_events(self.engine)
        with self.write() as conn:
            self.migrated_from, self.version = schema.migrate(conn)

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
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -- documents --------------------------------------------------------------------------

    def document_states(self) -> dict[str, dict]:
        """doc_id → {sha256, config_id, status} of every known document (one query per run)."""
        q = select(documents.c.doc_id, documents.c.sha256, documents.c.config_id, documents.c.status)
        with self.read() as conn:
            return {r.doc_id: r._asdict() for r in conn.execute(q)}

    def _upsert_document(self, conn: Connection, info: DocumentInfo, run_id: int, config_id: str,
                         status: str, error: str) -> None:
        stamp = now()
        values = dict(
            path=info.path, format=info.format, sha256=info.sha256, title=info.title[:1000],
            last_ingested=stamp, status=status, error=error, config_id=config_id, last_run_id=run_id,
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
        """Swap a document's mentions and recount every triple it touched (old or new)."""
        old_ids = set(conn.execute(select(mentions.c.triple_id).where(mentions.c.doc_id == doc_id)).scalars())
        conn.execute(delete(mentions).where(mentions.c.doc_id == doc_id))
        stamp = now()
        rows, new_triples = [], {}
        for m in new:
            tid = triple_id(m.mirna, m.cancer, m.effect)
            new_triples.setdefault(tid, m)
            rows.append(dict(
                doc_id=doc_id, triple_id=tid, run_id=run_id, mirna=m.mirna, cancer=m.cancer,
                cancer_id=m.cancer_id or "", effect=m.effect, evidence=m.evidence, start=int(m.start),
                end=int(m.end), source=m.source, hedged=bool(m.hedged), rule=m.rule or "",
            ))
        affected = old_ids | set(new_triples)
        before = self._supported(conn, affected)
        existing = set(conn.execute(
            select(triples.c.triple_id).where(triples.c.triple_id.in_(list(new_triples)))
        ).scalars()) if new_triples else set()
        missing = [
            dict(triple_id=tid, mirna=m.mirna, cancer=m.cancer, cancer_id=m.cancer_id or "", effect=m.effect,
                 n_documents=0, n_mentions=0, first_seen=stamp, last_seen=stamp)
            for tid, m in new_triples.items() if tid not in existing
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
                conn.execute(update(triples).where(triples.c.triple_id == tid).values(**values))
        after = self._supported(conn, affected)
        return WriteResult(gained=after - before, lost=before - after, n_mentions=len(rows))

    def write_document(self, run_id: int, info: DocumentInfo, config_id: str,
                       found: list[Mention]) -> WriteResult:
        """Store one document's mentions in ONE transaction: a crash leaves the old state or the new."""
        with self.write() as conn:
            self._upsert_document(conn, info, run_id, config_id, "ok", "")
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
                "docs_failed": sum(d.status != "ok" for d in docs),
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

    def export_rows(self) -> list[dict]:
        """Every mention with its triple id and support counts: the knowledge base as one flat table."""
        cols = [mentions.c[name] for name in _MENTION_COLUMNS]
        q = (
            select(*cols, mentions.c.triple_id, mentions.c.run_id,
                   triples.c.n_documents.label("triple_documents"),
                   triples.c.n_mentions.label("triple_mentions"))
            .join(triples, triples.c.triple_id == mentions.c.triple_id)
            .order_by(mentions.c.doc_id, mentions.c.start, mentions.c.mention_id)
        )
        with self.read() as conn:
            return [r._asdict() for r in conn.execute(q)]

    def query_triples(self, mirna: str | None = None, cancer: str | None = None, effect: str | None = None,
                      limit: int | None = None, evidence_per_triple: int = 5) -> list[dict]:
        """Supported triples matching the filters (exact, case-insensitive), most supported first.

        Each result carries up to ``evidence_per_triple`` evidence rows (doc_id, evidence, start,
        end, source, hedged; none when it is 0) and ``documents``: the ids of EVERY document that
        supports the triple, sorted, however few evidence rows are shown.
        """
        if evidence_per_triple < 0:
            raise ValueError("evidence_per_triple must be 0 or more")
        conds = [triples.c.n_mentions > 0]
        if mirna:
            conds.append(func.lower(triples.c.mirna) == mirna.lower())
        if cancer:
            conds.append(func.lower(triples.c.cancer) == cancer.lower())
        if effect:
            conds.append(triples.c.effect == effect)
        q = (
            select(triples.c.triple_id, triples.c.mirna, triples.c.cancer, triples.c.cancer_id,
                   triples.c.effect, triples.c.n_documents, triples.c.n_mentions,
                   triples.c.first_seen, triples.c.last_seen)
            .where(and_(*conds))
            .order_by(triples.c.n_documents.desc(), triples.c.n_mentions.desc(), triples.c.mirna,
                      triples.c.cancer, triples.c.effect)
        )
        if limit:
            q = q.limit(limit)
        with self.read() as conn:
            found = [r._asdict() for r in conn.execute(q)]
            docs = self._supporting_documents(conn, [row["triple_id"] for row in found])
            for row in found:
                row["documents"] = docs.get(row["triple_id"], [])
                if not evidence_per_triple:
                    row["evidence"] = []
                    continue
                ev = conn.execute(
                    select(mentions.c.doc_id, mentions.c.evidence, mentions.c.start, mentions.c.end,
                           mentions.c.source, mentions.c.hedged)
                    .where(mentions.c.triple_id == row["triple_id"])
                    .order_by(mentions.c.doc_id, mentions.c.start)
                    .limit(evidence_per_triple)
                )
                row["evidence"] = [e._asdict() for e in ev]
        return found

    @staticmethod
    def _supporting_documents(conn: Connection, ids: list[str], chunk: int = 500) -> dict[str, list[str]]:
        """triple_id → sorted distinct doc_ids of its mentions (in chunks: bound-parameter limits)."""
        out: dict[str, list[str]] = {}
        for i in range(0, len(ids), chunk):
            q = (select(mentions.c.triple_id, mentions.c.doc_id).distinct()
                 .where(mentions.c.triple_id.in_(ids[i:i + chunk]))
                 .order_by(mentions.c.triple_id, mentions.c.doc_id))
            for r in conn.execute(q):
                out.setdefault(r.triple_id, []).append(r.doc_id)
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

            last = conn.execute(select(runs).order_by(runs.c.run_id.desc()).limit(1)).first()
            return {
                "documents": {"total": sum(by_status.values()), **by_status},
                "mentions": n_mentions,
                "triples": {"total": sum(by_effect.values()), "by_effect": by_effect},
                "top_mirnas": top_of(triples.c.mirna),
                "top_cancers": top_of(triples.c.cancer),
                "last_run": _jsonable(last._asdict()) if last else None,
                "schema_version": self.version,
            }

    def diff_runs(self, run_a: int, run_b: int) -> dict[str, list[dict]]:
        """Triples supported after ``run_b`` but not after ``run_a`` (gained), and the reverse (lost)."""
        with self.read() as conn:
            known = set(conn.execute(select(runs.c.run_id).where(runs.c.run_id.in_([run_a, run_b]))).scalars())
            absent = [r for r in (run_a, run_b) if r not in known]
            if absent:
                raise KeyError(f"no run with id {absent[0]}")

            def at(run_id):
                return set(conn.execute(
                    select(run_triples.c.triple_id).where(run_triples.c.run_id == run_id)).scalars())

            a, b = at(run_a), at(run_b)

            def describe(ids):
                if not ids:
                    return []
                q = (select(triples.c.triple_id, triples.c.mirna, triples.c.cancer, triples.c.cancer_id,
                            triples.c.effect)
                     .where(triples.c.triple_id.in_(sorted(ids)))
                     .order_by(triples.c.mirna, triples.c.cancer, triples.c.effect))
                return [r._asdict() for r in conn.execute(q)]

            return {"gained": describe(b - a), "lost": describe(a - b)}


_MENTION_COLUMNS = ("doc_id", "mirna", "cancer", "cancer_id", "effect", "evidence", "start", "end",
                    "source", "hedged", "rule")
#: Columns of ``mirkb kb export``: the §5 columns, then the triple they support and its support.
EXPORT_COLUMNS = (*_MENTION_COLUMNS, "triple_id", "run_id", "triple_documents", "triple_mentions")


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def open_kb(kb: str | Path | None = None) -> KnowledgeBase:
    """Open (creating or migrating) the knowledge base at ``kb``, default :func:`mirkb.settings.default_kb`."""
    from mirkb.settings import default_kb

    return KnowledgeBase(kb if kb is not None else default_kb())


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for the UTC ones stored; compare them as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
