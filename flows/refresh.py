"""Refresh the knowledge base from a corpus folder: plain functions, plus a thin Prefect flow.

The work is done by plain functions, so ``mirkb run --no-prefect``, the Prefect flow and the
tests run the same code:

1. :func:`find_documents` lists the corpus files mirkb reads (.txt .pdf .xml .nxml .json).
2. :func:`plan` decides per document, from its sha256 and the extractor's ``config_id``:
   ``new``, ``changed`` (bytes differ), ``config`` (extractor configuration changed), ``retry``
   (it failed last time) or ``unchanged`` (skipped).
3. :func:`process_document` reads and extracts one document and writes it in ONE transaction;
   bad input is recorded as an error against the document, never raised, so the batch goes on.
4. :func:`finish` scores the documents that have gold, records the run and reports what changed.

:func:`refresh` chains them; :func:`refresh_flow` is the same chain with one Prefect task per
document, retried only on I/O-type errors, and a Markdown artifact of the summary.

The extractor is built once per process by :func:`get_extractor`. Tests and alternative
pipelines replace it with :func:`set_extractor_factory` or the ``MIRKB_EXTRACTOR`` environment
variable (``module:callable``, called with no arguments), which also reaches subprocesses.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extractors.ingest import SUFFIXES, IngestError, doc_id_for, load_document, sha256_bytes
from mirkb import __version__
from mirkb.kb import DocumentInfo, KnowledgeBase

#: Environment variable naming an extractor factory as ``module:callable``.
EXTRACTOR_ENV = "MIRKB_EXTRACTOR"

REASONS = ("new", "changed", "config", "retry", "unchanged")

# -- the extractor, once per process ------------------------------------------------------------

_lock = threading.Lock()
_factory: Callable[[], object] | None = None
_extractor: object | None = None
_kbs: dict[str, KnowledgeBase] = {}


def _default_factory():
    spec = os.environ.get(EXTRACTOR_ENV)
    if spec:
        module, _, attr = spec.partition(":")
        return getattr(importlib.import_module(module), attr or "Extractor")()
    from extractors.pipeline import Extractor

    return Extractor()


def set_extractor_factory(factory: Callable[[], object] | None) -> None:
    """Use ``factory`` (None: the default) to build this process's extractor; drops the cached one."""
    global _factory, _extractor
    with _lock:
        _factory, _extractor = factory, None


def get_extractor():
    """This process's extractor (anything with ``config_id`` and ``extract(doc)``), built on first use."""
    global _extractor
    with _lock:
        if _extractor is None:
            _extractor = (_factory or _default_factory)()
        return _extractor


def get_kb(kb: str) -> KnowledgeBase:
    """One open KnowledgeBase per URL per process: opening migrates, which is not per-document work."""
    with _lock:
        if kb not in _kbs:
            _kbs[kb] = KnowledgeBase(kb)
        return _kbs[kb]


# -- planning -----------------------------------------------------------------------------------


@dataclass
class Planned:
    """One corpus file and what the refresh will do with it."""

    path: str
    doc_id: str
    sha256: str
    reason: str  # one of REASONS
    note: str = ""  # why it cannot be processed before reading (e.g. a duplicate doc_id)


@dataclass
class DocOutcome:
    doc_id: str
    path: str
    reason: str
    status: str  # "ok", "failed" or "skipped"
    stage: str = ""
    error: str = ""
    n_mentions: int = 0
    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


def find_documents(corpus: str | Path) -> list[Path]:
    """Files under ``corpus`` (recursively, hidden ones skipped) that mirkb reads, in a stable order."""
    root = Path(corpus)
    if not root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {root}")
    found = [
        p for p in root.rglob("*")
        if p.suffix.lower() in SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


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


def plan(paths: list[Path], states: dict[str, dict], config_id: str) -> list[Planned]:
    """Hash every file and decide what to do with it (reading bytes is cheap next to extraction)."""
    out, seen = [], {}
    for path in paths:
        doc_id = doc_id_for(path)
        try:
            sha = sha256_bytes(path.read_bytes())
        except OSError:
            sha = ""  # process_document reads it again and records the error
        item = Planned(str(path), doc_id, sha, decide(sha, states.get(doc_id), config_id))
        if doc_id in seen:
            # Two files with one stem would overwrite each other's mentions on every run.
            item.reason = "new" if doc_id not in states else "changed"
            item.note = f"duplicate doc_id {doc_id!r}: already used by {seen[doc_id]}"
        else:
            seen[doc_id] = str(path)
        out.append(item)
    return out


# -- one document -------------------------------------------------------------------------------

#: Exceptions where trying again can help (a file on a flaky share, a locked database).
def is_transient(exc: BaseException) -> bool:
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, IngestError):
        return False
    return isinstance(exc, OSError | TimeoutError | OperationalError)


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text if isinstance(exc, IngestError) else f"{exc.__class__.__name__}: {text}"


def process_document(kb: KnowledgeBase, run_id: int, item: Planned, extractor, *,
                     raise_transient: bool = False) -> DocOutcome:
    """Read, extract and store one document; any failure is recorded against it and returned.

    With ``raise_transient`` an I/O-type error (see :func:`is_transient`) is raised instead of
    recorded, so a caller with retries (the Prefect task) can try again; the caller records it
    with :func:`fail_document` once retries are spent.
    """
    config_id = extractor.config_id
    info = DocumentInfo(doc_id=item.doc_id, path=item.path, sha256=item.sha256)
    if item.note:
        # Only the error is logged: the document row belongs to the first file with this id.
        kb.record_error(run_id, item.doc_id, item.path, "ingest", item.note)
        return DocOutcome(item.doc_id, item.path, item.reason, "failed", stage="ingest", error=item.note)
    stage = "ingest"
    try:
        doc = load_document(item.path)
        info.format, info.title, info.sha256 = doc.format, doc.title, doc.sha256
        stage = "extract"
        found = extractor.extract(doc)
        stage = "store"
        result = kb.write_document(run_id, info, config_id, found)
    except Exception as exc:  # noqa: BLE001 - one bad document must never stop the batch
        if raise_transient and is_transient(exc):
            raise
        return fail_document(kb, run_id, item, config_id, stage, _message(exc), info=info)
    return DocOutcome(item.doc_id, item.path, item.reason, "ok", n_mentions=result.n_mentions,
                      gained=sorted(result.gained), lost=sorted(result.lost))


def fail_document(kb: KnowledgeBase, run_id: int, item: Planned, config_id: str, stage: str, message: str,
                  info: DocumentInfo | None = None) -> DocOutcome:
    info = info or DocumentInfo(doc_id=item.doc_id, path=item.path, sha256=item.sha256)
    result = kb.record_failure(run_id, info, config_id, stage, message)
    return DocOutcome(item.doc_id, item.path, item.reason, "failed", stage=stage, error=message,
                      lost=sorted(result.lost))


# -- the run ------------------------------------------------------------------------------------


@dataclass
class RunContext:
    """What :func:`begin` hands to the per-document work and to :func:`finish`."""

    kb_url: str
    corpus: str
    gold_dir: str | None
    run_id: int
    config_id: str
    started: float
    before: set[str]
    items: list[Planned]

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
        if self.errors:
            md += ["| document | stage | error |", "|---|---|---|"]
            md += [f"| {e['doc_id']} | {e['stage']} | {e['message'].replace('|', '/')} |" for e in self.errors]
        return "\n".join(md)


def _metrics_lines(metrics: dict | None) -> list[str]:
    if not metrics:
        return []
    head = f"scores (micro) on {metrics.get('documents', '?')} document(s) with gold:"
    out = [head]
    for level, label in (("strict", "strict"), ("pair", "pair"), ("arm_lenient", "arm-lenient")):
        m = metrics.get(level)
        if m:
            out.append(f"  {label:<12} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f}")
    return out


def begin(corpus: str | Path, kb: str, gold_dir: str | Path | None = None) -> RunContext:
    """Open the KB, build the extractor, open a run row and plan every document."""
    from mirkb.kb import to_url

    kb_url = to_url(kb)
    store = get_kb(kb_url)
    extractor = get_extractor()
    paths = find_documents(corpus)
    run_id = store.start_run(extractor.config_id, str(corpus), __version__)
    items = plan(paths, store.document_states(), extractor.config_id)
    return RunContext(kb_url=kb_url, corpus=str(corpus), gold_dir=str(gold_dir) if gold_dir else None,
                      run_id=run_id, config_id=extractor.config_id, started=time.monotonic(),
                      before=store.supported_triple_ids(), items=items)


_OUTCOME_KEY = {"new": "added", "retry": "added", "changed": "changed", "config": "reextracted"}


def finish(ctx: RunContext, outcomes: list[DocOutcome]) -> RunSummary:
    """Score documents with gold, close the run row and report what changed since :func:`begin`."""
    store = get_kb(ctx.kb_url)
    docs = {"added": 0, "changed": 0, "reextracted": 0, "failed": 0, "unchanged": 0}
    for item in ctx.items:
        if item.reason == "unchanged":
            docs["unchanged"] += 1
    for out in outcomes:
        docs["failed" if out.status == "failed" else _OUTCOME_KEY[out.reason]] += 1
    after = store.supported_triple_ids()
    added, removed = after - ctx.before, ctx.before - after
    metrics = evaluate(store, [i.doc_id for i in ctx.items], ctx.gold_dir)
    errors = store.run_errors(ctx.run_id)
    status = "completed with errors" if docs["failed"] else "completed"
    n_mentions = store.stats(top=0)["mentions"]
    counts = {f"docs_{k}": v for k, v in docs.items()} | {
        "triples_added": len(added), "triples_removed": len(removed), "n_mentions": n_mentions}
    store.finish_run(ctx.run_id, status, counts, metrics)
    return RunSummary(
        run_id=ctx.run_id, status=status, config_id=ctx.config_id, corpus=ctx.corpus, kb=ctx.kb_url,
        documents=docs, triples_added=len(added), triples_removed=len(removed), triples_total=len(after),
        n_mentions=n_mentions, seconds=time.monotonic() - ctx.started,
        errors=[{k: e[k] for k in ("doc_id", "path", "stage", "message")} for e in errors],
        metrics=metrics, added=sorted(added), removed=sorted(removed),
    )


class Progress:
    """Per-document progress of a refresh on ``stream`` (stderr): a tqdm bar on a terminal, else one
    line every ``every`` documents and one at the end (nothing for a run shorter than ``every``).

    Call it with each :class:`DocOutcome`, then :meth:`close`.
    """

    def __init__(self, total: int, stream=None, every: int = 50, tty: bool | None = None):
        import sys

        self.total, self.every, self.done, self.failed = total, max(1, every), 0, 0
        self.stream = stream if stream is not None else sys.stderr
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            tty = bool(isatty and isatty())
        self.bar = None
        if tty and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", desc="refresh", file=self.stream, leave=False,
                            dynamic_ncols=True)

    def __call__(self, outcome: DocOutcome) -> None:
        self.done += 1
        self.failed += outcome.status == "failed"
        if self.bar is not None:
            self.bar.update(1)
            if self.failed:
                self.bar.set_postfix(failed=self.failed, refresh=False)
        elif self.done % self.every == 0 or (self.done == self.total and self.total >= self.every):
            print(f"refresh: {self.done}/{self.total} documents processed ({self.failed} failed)",
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def refresh(corpus: str | Path, kb: str, gold_dir: str | Path | None = None,
            on_document: Callable[[DocOutcome], None] | None = None, progress: bool = False) -> RunSummary:
    """Refresh ``kb`` from ``corpus`` without Prefect: same functions, one document after another.

    ``progress`` shows :class:`Progress` on stderr over the documents to process.
    """
    ctx = begin(corpus, kb, gold_dir)
    store, extractor = get_kb(ctx.kb_url), get_extractor()
    todo = ctx.todo
    shown = Progress(len(todo)) if progress else None
    outcomes = []
    try:
        for item in todo:
            outcome = process_document(store, ctx.run_id, item, extractor)
            outcomes.append(outcome)
            if shown is not None:
                shown(outcome)
            if on_document:
                on_document(outcome)
    finally:
        if shown is not None:
            shown.close()
    return finish(ctx, outcomes)


# -- scoring adapter ------------------------------------------------------------------------------


def gold_files(gold_dir: str | Path | None, doc_ids: list[str]) -> dict[str, Path]:
    """doc_id → gold/<doc_id>.tsv for the documents that have one."""
    if not gold_dir:
        return {}
    base = Path(gold_dir)
    return {d: base / f"{d}.tsv" for d in doc_ids if (base / f"{d}.tsv").is_file()}


def evaluate(store: KnowledgeBase, doc_ids: list[str], gold_dir: str | Path | None) -> dict | None:
    """Micro scores (§7, text and table together) of the KB's mentions for the documents with gold.

    Scoring is :mod:`mirkb.scoring`'s job (it must not share code with the extractors); this is a
    small adapter to it that returns None when no document has gold, or when the scorer is absent
    or cannot read the gold (the run itself must not fail over its evaluation).
    Result: ``{"documents": n, "strict"|"pair"|"arm_lenient": {precision, recall, f1, tp, fp, fn}}``.
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
            for m in store.mentions_of(golds)
        ]
        result = scoring.score(predicted, gold_rows, gold_docs, docs=list(golds))
        out: dict = {"documents": len(golds)}
        for level in ("strict", "pair", "arm_lenient"):
            c = result.result(level, "all").micro
            out[level] = {"precision": c.p, "recall": c.r, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn}
        return out
    except (ImportError, AttributeError, KeyError, ValueError):
        return None


# -- Prefect ------------------------------------------------------------------------------------

try:
    from prefect import flow, task
    from prefect.artifacts import create_markdown_artifact
    from prefect.task_runners import ThreadPoolTaskRunner
except ImportError:  # the plain functions above work without Prefect installed
    flow = task = None


def _retry_if_transient(_task, _run, state) -> bool:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the state's own exception, inspected not handled
        return is_transient(exc)
    return False


if flow is not None:

    @task(name="refresh-document", retries=2, retry_delay_seconds=[1, 5],
          retry_condition_fn=_retry_if_transient, task_run_name="{item.doc_id}")
    def refresh_document(item: Planned, run_id: int, kb_url: str) -> DocOutcome:
        return process_document(get_kb(kb_url), run_id, item, get_extractor(), raise_transient=True)

    # One worker: the extractor is CPU-bound (threads gain nothing under the GIL) and not known to be
    # thread-safe; the tasks are there for retries, logs and the UI, not for parallelism.
    @flow(name="mirkb-refresh", task_runner=ThreadPoolTaskRunner(max_workers=1))
    def refresh_flow(corpus: str | None = None, kb: str | None = None, gold_dir: str | None = None) -> dict:
        """Refresh the knowledge base from ``corpus`` (defaults from mirkb.settings): one task per document."""
        from mirkb import settings

        corpus = corpus or str(settings.default_corpus())
        kb = kb or settings.default_kb()
        gold_dir = gold_dir or str(settings.default_gold())
        ctx = begin(corpus, kb, gold_dir)
        futures = [refresh_document.submit(item, ctx.run_id, ctx.kb_url) for item in ctx.todo]
        outcomes = []
        for item, future in zip(ctx.todo, futures, strict=True):
            try:
                outcomes.append(future.result())
            except Exception as exc:  # noqa: BLE001 - retries spent: record it and go on
                outcomes.append(fail_document(get_kb(ctx.kb_url), ctx.run_id, item, ctx.config_id,
                                              "extract", _message(exc)))
        summary = finish(ctx, outcomes)
        create_markdown_artifact(key="mirkb-refresh-summary", markdown=summary.to_markdown(),
                                 description=f"mirkb refresh run {summary.run_id}")
        return summary.as_dict()
else:  # pragma: no cover - Prefect is a dependency; this keeps --no-prefect usable without it
    refresh_flow = None
