"""Extract files and folders into a §5 table as a Prefect flow: a thin shell over mirkb.extract_batch.

Per document one task reads (ingest) and extracts (NLP, then relations) it through
:func:`mirkb.extract_batch.extract_document`; the flow then writes the rows with the same writer
as ``mirkb extract`` and leaves a Markdown summary artifact under a stable key.

Only an I/O error while reading is retried: a flaky share can recover, a parse bug cannot.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from prefect import flow, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from mirkb import extract_batch as eb

ARTIFACT_KEY = "mirkb-extract-summary"

# The spaCy pipeline is shared by the worker threads (built once per process) but is not known to be
# thread-safe, so extraction runs one document at a time; reading files and PDFs still overlaps.
_extract_lock = threading.Lock()


class _Serialised:
    def __init__(self, extractor):
        self._extractor = extractor

    def extract(self, doc):
        with _extract_lock:
            return self._extractor.extract(doc)


def _retry_on_io(_task, _run, state) -> bool:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the state's own exception, inspected not handled
        return isinstance(exc, OSError)
    return False


@task(name="extract-document", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_retry_on_io,
      task_run_name="{path.stem}")
def extract_document_task(path: Path, model: str, tables: bool) -> eb.DocResult:
    return eb.extract_document(path, _Serialised(eb.get_extractor(model, tables)), raise_io=True)


@flow(name="mirkb-extract", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=2))
def extract_flow(paths: list[str], out: str, model: str = "", tables: bool = True) -> dict:
    """Extract ``paths`` (files or folders) into ``out`` (.csv or .parquet); returns the run's stats."""
    out_path = eb.check_output(out)
    files = list(eb.iter_documents(paths))
    duplicates = eb.duplicate_doc_ids(files)
    todo = [p for p in files if p not in duplicates]

    started = time.perf_counter()
    eb.get_extractor(model, tables)  # built here, once, so start-up is not charged to the first document
    startup = time.perf_counter() - started

    started = time.perf_counter()
    futures = dict(zip(todo, extract_document_task.map(todo, unmapped(model), unmapped(tables)), strict=True))
    results = []
    for path in files:
        if path in duplicates:
            results.append(eb.failed(path, "ingest", duplicates[path]))
            continue
        try:
            results.append(futures[path].result())
        except Exception as exc:  # noqa: BLE001 - retries spent: record it against the document, go on
            stage = "ingest" if isinstance(exc, OSError) else "extract"
            results.append(eb.failed(path, stage, eb.error_message(exc)))
    rows, errors, stats = eb.collect(results, startup, time.perf_counter() - started)

    errors_file = eb.write_output(rows, errors, out_path)
    create_markdown_artifact(key=ARTIFACT_KEY, markdown=eb.summary_markdown(stats, errors, out_path),
                             description="mirkb extract: documents, failures, triples by effect, seconds")
    print(eb.summary_text(stats, errors, out_path, errors_file))
    return stats.as_dict() | {"out": str(out_path), "errors_file": str(errors_file) if errors_file else None,
                              "errors": [e.__dict__ for e in errors]}
