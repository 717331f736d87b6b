"""Extract files and folders into a §5 table as a Prefect flow: a shell over :mod:`mirkb.batch`.

Batch tasks read and extract; the flow writes the rows as each batch arrives (the same streamed,
atomic writer as ``mirkb extract``) and leaves a Markdown summary artifact under a stable key.
"""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from flows.common import close_pools, task_runner
from flows.refresh import collect, extract_documents
from mirkb import batch

ARTIFACT_KEY = "mirkb-extract-summary"


# One thread by default: the spaCy pipeline is not known to be thread-safe (see flows.common).
@flow(name="mirkb-extract", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def extract_flow(paths: list[str], out: str, model: str = "", tables: bool = True, workers: int = 1,
                 batch_size: int = batch.BATCH_SIZE) -> dict:
    """Extract ``paths`` (files or folders) into ``out`` (.csv or .parquet); returns the run's summary."""
    out_path = batch.check_output(out)
    items, superseded = batch.extract_plan(paths)
    chunks = list(batch.chunks(items, batch_size))
    futures = [extract_documents.submit(c, model, tables, len(c) - 1, workers) for c in chunks]

    def stream():
        for i, chunk in enumerate(chunks):
            yield from zip(chunk, collect(futures[i], chunk), strict=True)
            futures[i] = None

    summary = batch.extract(items, out_path, model, tables, superseded=superseded, result_stream=stream())
    create_markdown_artifact(key=ARTIFACT_KEY, markdown=summary.to_markdown(),
                             description="mirkb extract: documents, failures, triples by effect, seconds")
    print(summary.to_text())
    return summary.as_dict()


def run(paths: list[str], out: str, model: str = "", tables: bool = True, *, runner: str = "default",
        address: str | None = None, workers: int = 1) -> dict:
    try:
        return extract_flow.with_options(task_runner=task_runner(runner, address, workers))(
            paths=paths, out=out, model=model, tables=tables, workers=workers if runner == "default" else 1)
    finally:
        close_pools()
