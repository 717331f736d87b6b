"""The refresh as a Prefect flow: a shell over :mod:`mirkb.batch` (which holds all of the logic).

Tasks take batches of documents (a task run costs a few ms and Prefect's SQLite store balks at
thousands of them). A batch with a failed document is a Failed task run; I/O-type errors are
retried, parse errors are not. The knowledge base is written by the flow, in this process.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from flows.common import batch_results, close_pools, retry_if_transient, task_runner
from mirkb import batch


@task(name="extract-documents", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=retry_if_transient,
      task_run_name="extract {items[0].doc_id} (+{n_more})")
def extract_documents(items: list[batch.Planned], model: str, tables: bool, n_more: int = 0,
                      workers: int = 1) -> list[batch.DocResult]:
    return batch_results(items, model, tables, workers)


# One thread by default: the spaCy pipeline is not known to be thread-safe (see flows.common).
@flow(name="mirkb-refresh", task_runner=ThreadPoolTaskRunner(max_workers=1))
def refresh_flow(corpus: str | None = None, kb: str | None = None, gold_dir: str | None = None,
                 workers: int = 1, batch_size: int = batch.BATCH_SIZE) -> dict:
    """Refresh the knowledge base from ``corpus`` (defaults from mirkb.settings)."""
    from mirkb import settings

    ctx = batch.begin(corpus or str(settings.default_corpus()), kb or settings.default_kb(),
                      gold_dir or str(settings.default_gold()))
    chunks = list(batch.chunks(ctx.todo, batch_size))
    futures = [extract_documents.submit(c, ctx.model, ctx.tables, len(c) - 1, workers) for c in chunks]
    for i, chunk in enumerate(chunks):
        for item, result in zip(chunk, collect(futures[i], chunk), strict=True):
            batch.store_all(ctx, item, result)
        futures[i] = None  # a stored batch's results are not kept: memory stays flat over the corpus
    summary = batch.finish(ctx)
    create_markdown_artifact(key="mirkb-refresh-summary", markdown=summary.to_markdown(),
                             description=f"mirkb refresh run {summary.run_id}")
    return summary.as_dict()


def collect(future, chunk: list[batch.Planned]) -> list[batch.DocResult]:
    """The results of a batch task, whether it completed or failed (retries spent)."""
    from flows.common import DocumentsFailed

    try:
        return future.result()
    except DocumentsFailed as exc:
        return exc.results
    except Exception as exc:  # noqa: BLE001 - retries spent: every document of the batch fails with it
        return [batch.failed(item, "ingest" if isinstance(exc, OSError) else "extract",
                             batch.classify(exc, "extract", item.doc_id, item.path).message) for item in chunk]


def run(corpus: str, kb: str, gold_dir: str | None, *, runner: str = "default", address: str | None = None,
        workers: int = 1) -> dict:
    """``refresh_flow`` on the chosen task runner (see :func:`flows.common.task_runner`)."""
    try:
        return refresh_flow.with_options(task_runner=task_runner(runner, address, workers))(
            corpus=corpus, kb=kb, gold_dir=gold_dir, workers=workers if runner == "default" else 1)
    finally:
        close_pools()
