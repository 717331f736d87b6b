"""The knowledge-base schema, in one place, and the migrations that bring an older file up to date.

Every table and column is declared once below. A column or table added after the first release
carries ``info={"added_in": N}``; that single mark drives both directions:

* a fresh knowledge base is created at the latest version with ``metadata.create_all``;
* a knowledge base stamped with an older version gets, for each later version in turn, the
  tables and columns marked with it (``ALTER TABLE … ADD COLUMN`` built from the declaration
  itself), then any data step registered in :data:`DATA_STEPS`.

So adding a column means declaring it with the next ``added_in`` and bumping
:data:`SCHEMA_VERSION`; nothing is written twice. ``create_schema(conn, version=1)`` builds
the tables as an older release did, which is how the migration is tested.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.schema import CreateColumn

#: Version written by this release. Bump it together with the ``added_in`` marks.
SCHEMA_VERSION = 3

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: a one-row table
    Column("version", Integer, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("doc_id", String(255), primary_key=True),
    Column("path", Text, nullable=False),
    Column("format", String(16), nullable=False, default=""),
    Column("sha256", String(64), nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("first_ingested", DateTime(timezone=True), nullable=False),
    Column("last_ingested", DateTime(timezone=True), nullable=False),
    # "ok", "failed", or "superseded" (another document stands for its article; no mentions)
    Column("status", String(16), nullable=False),
    Column("error", Text, nullable=False, default=""),
    Column("config_id", String(64), nullable=False, default=""),
    # Which run last wrote the document: lets `kb stats` and a reader of a run tell fresh from old.
    Column("last_run_id", Integer, nullable=True, info={"added_in": 2}),
    # Article identifiers where the source gives them (PubMed/PMC XML, BioC, PubTator, a PDF's DOI).
    Column("pmid", String(32), nullable=True, info={"added_in": 3}),
    Column("pmcid", String(32), nullable=True, info={"added_in": 3}),
    Column("doi", String(255), nullable=True, info={"added_in": 3}),
)

triples = Table(
    "triples",
    metadata,
    # sha256 of the normalised "mirna|cancer|effect": a refresh updates a triple, never duplicates it.
    Column("triple_id", String(64), primary_key=True),
    Column("mirna", String(64), nullable=False),
    Column("cancer", String(255), nullable=False),
    Column("cancer_id", String(32), nullable=False, default=""),
    Column("effect", String(64), nullable=False),
    # Zero once no document supports it any more; the row stays so first_seen survives a re-find.
    Column("n_documents", Integer, nullable=False, default=0),
    Column("n_mentions", Integer, nullable=False, default=0),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    # miRBase accession (MIMAT…) of the name, as the last write that knew it gave it.
    Column("mirna_id", String(32), nullable=True, info={"added_in": 3}),
    Index("ix_triples_mirna", "mirna"),
    Index("ix_triples_cancer", "cancer"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("started", DateTime(timezone=True), nullable=False),
    Column("ended", DateTime(timezone=True), nullable=True),  # NULL: still running, or killed
    Column("status", String(32), nullable=False),  # running / completed / completed with errors
    Column("mirkb_version", String(32), nullable=False),
    Column("config_id", String(64), nullable=False),
    Column("corpus", Text, nullable=False, default=""),
    Column("docs_added", Integer, nullable=False, default=0),
    Column("docs_changed", Integer, nullable=False, default=0),
    Column("docs_reextracted", Integer, nullable=False, default=0),
    Column("docs_failed", Integer, nullable=False, default=0),
    Column("docs_unchanged", Integer, nullable=False, default=0),
    Column("triples_added", Integer, nullable=False, default=0),
    Column("triples_removed", Integer, nullable=False, default=0),
    Column("n_mentions", Integer, nullable=False, default=0),
    # Scores of the documents that have gold (JSON text), NULL when none had gold.
    Column("metrics", Text, nullable=True, info={"added_in": 2}),
)

mentions = Table(
    "mentions",
    metadata,
    Column("mention_id", Integer, primary_key=True, autoincrement=True),
    Column("doc_id", String(255), ForeignKey("documents.doc_id", ondelete="CASCADE"), nullable=False),
    Column("triple_id", String(64), ForeignKey("triples.triple_id"), nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("mirna", String(64), nullable=False),
    Column("cancer", String(255), nullable=False),
    Column("cancer_id", String(32), nullable=False, default=""),
    Column("effect", String(64), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("source", String(8), nullable=False),
    Column("hedged", Boolean, nullable=False, default=False),
    Column("rule", String(128), nullable=False, default=""),
    # miRBase accession and how the written name maps to it: current, previous, ambiguous, unknown.
    Column("mirna_id", String(32), nullable=True, info={"added_in": 3}),
    Column("mirna_status", String(16), nullable=True, info={"added_in": 3}),
    # Where the evidence sits: title, abstract, body, caption or table.
    Column("passage", String(16), nullable=True, info={"added_in": 3}),
    # Offsets of the miRNA, the cancer and the cue inside `evidence` (NULL when the extractor gave none):
    # what BioC/PubTator exports and the report's highlighting need.
    *[Column(f"{what}_{end}", Integer, nullable=True, info={"added_in": 3})
      for what in ("mirna", "cancer", "cue") for end in ("start", "end")],
    Index("ix_mentions_doc", "doc_id"),
    Index("ix_mentions_triple", "triple_id"),
    Index("ix_mentions_run", "run_id"),
)

errors = Table(
    "errors",
    metadata,
    Column("error_id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("doc_id", String(255), nullable=False),
    Column("path", Text, nullable=False, default=""),
    Column("stage", String(32), nullable=False),  # "ingest", "extract", "store"
    Column("message", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_errors_run", "run_id"),
)

# The supported triples as a run left them, so `kb diff RUN_A RUN_B` works after later runs.
run_triples = Table(
    "run_triples",
    metadata,
    Column("run_id", Integer, primary_key=True),
    Column("triple_id", String(64), primary_key=True),
    info={"added_in": 2},
)

# Evidence a run took away (a document re-extracted or failed): `kb diff` shows why a triple was lost.
removed_mentions = Table(
    "removed_mentions",
    metadata,
    Column("removed_id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("doc_id", String(255), nullable=False),
    Column("triple_id", String(64), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("source", String(8), nullable=False),
    Index("ix_removed_run", "run_id"),
    info={"added_in": 3},
)


def added_in(item) -> int:
    return int(item.info.get("added_in", 1))


def _create_at_version(conn: Connection, version: int) -> None:
    """Create the tables as release ``version`` had them (columns with a later mark left out)."""
    old = MetaData()
    for table in metadata.sorted_tables:
        if added_in(table) > version:
            continue
        cols = [c._copy() for c in table.columns if added_in(c) <= version]
        Table(table.name, old, *cols)
    old.create_all(conn)


def create_schema(conn: Connection, version: int = SCHEMA_VERSION) -> None:
    """Create every table at ``version`` (the latest unless a test asks for an older one) and stamp it."""
    if version == SCHEMA_VERSION:
        metadata.create_all(conn)
    else:
        _create_at_version(conn, version)
    conn.execute(insert(schema_version).values(id=1, version=version))


def current_version(conn: Connection) -> int | None:
    """The version stamped in the file, or None for an empty database."""
    if not inspect(conn).has_table("schema_version"):
        return None
    return conn.execute(select(schema_version.c.version).where(schema_version.c.id == 1)).scalar_one_or_none()


def _add_column(conn: Connection, table: Table, column: Column) -> None:
    # DDL cannot take bound parameters; names and types come from the declarations above, never from input.
    ddl = CreateColumn(column).compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE {conn.dialect.identifier_preparer.format_table(table)} ADD COLUMN {ddl}")


def _backfill_v2(conn: Connection) -> None:
    # Older runs had no snapshot; the best record of them is today's supported triples under the last run.
    last = conn.execute(select(func.max(runs.c.run_id))).scalar()
    if last is None:
        return
    rows = conn.execute(select(triples.c.triple_id).where(triples.c.n_mentions > 0)).scalars().all()
    if rows:
        conn.execute(insert(run_triples), [{"run_id": last, "triple_id": t} for t in rows])
    conn.execute(update(documents).values(last_run_id=last))


#: Data steps run after a version's tables and columns exist.
DATA_STEPS: dict[int, Callable[[Connection], None]] = {2: _backfill_v2}


def migrate(conn: Connection) -> tuple[int | None, int]:
    """Bring the database on ``conn`` to :data:`SCHEMA_VERSION`; returns (version found, version now).

    Runs inside the caller's transaction, so a migration that fails leaves the file as it was
    (SQLite and PostgreSQL both roll back DDL).
    """
    found = current_version(conn)
    if found is None:
        create_schema(conn)
        return None, SCHEMA_VERSION
    if found > SCHEMA_VERSION:
        raise RuntimeError(
            f"knowledge base has schema version {found}, newer than this mirkb ({SCHEMA_VERSION}); upgrade mirkb"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        for table in metadata.sorted_tables:
            if added_in(table) == version:
                table.create(conn)
            elif added_in(table) < version:
                for column in table.columns:
                    if added_in(column) == version:
                        _add_column(conn, table, column)
        step = DATA_STEPS.get(version)
        if step:
            step(conn)
        conn.execute(update(schema_version).where(schema_version.c.id == 1).values(version=version))
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    return found, SCHEMA_VERSION
