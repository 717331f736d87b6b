"""What the Prefect shells share: the retry predicate, the batch failure, the task runner choice."""

from __future__ import annotations

import threading

from mirkb import batch

RUNNERS = ("default", "dask")


class DocumentsFailed(Exception):
    """A batch in which some documents failed: the task run is Failed, the results travel with it."""

    def __init__(self, results: list[batch.DocResult]):
        self.results = results
        failed = [d.error for r in results for d in r.each() if d.error is not None]
        super().__init__("; ".join(f"{e.doc_id} [{e.stage}] {e.message}" for e in failed))

    def __reduce__(self):  # pickled across processes by Dask
        return (DocumentsFailed, (self.results,))


def retry_if_transient(_task, _run, state) -> bool:
    """Retry a task only for errors a retry may cure (I/O that can heal, a locked database)."""
    try:
        state.result()
    except DocumentsFailed:
        return False
    except Exception as exc:  # noqa: BLE001 - the state's own exception, inspected not handled
        return batch.is_transient(exc)
    return False


_pool_lock = threading.Lock()
_pools: dict[tuple[int, str, bool], batch.Workers] = {}


def batch_results(items: list[batch.Planned], model: str, tables: bool, workers: int = 1) -> list[batch.DocResult]:
    """Extract a batch (in worker processes when ``workers`` > 1); raise DocumentsFailed if any failed."""
    if workers > 1:
        with _pool_lock:
            pool = _pools.get((workers, model, tables))
            if pool is None:
                pool = _pools[(workers, model, tables)] = batch.Workers(workers, model, tables)
        results = pool.submit(items, raise_transient=True).result()
    else:
        results = batch.process_batch(items, model, tables, raise_transient=True)
    if any(d.error is not None for r in results for d in r.each()):
        raise DocumentsFailed(results)
    return results


def close_pools() -> None:
    with _pool_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


def task_runner(runner: str = "default", address: str | None = None, workers: int = 1):
    """The task runner: ``default`` runs batch tasks on threads of this process (``workers`` of them,
    each handing its batch to a worker process when ``workers`` > 1); ``dask`` runs them on a Dask
    cluster (``address`` tcp://host:8786, or a local cluster of ``workers`` processes)."""
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": max(1, workers), "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    if runner != "default":
        raise ValueError(f"unknown task runner {runner!r}; use one of {', '.join(RUNNERS)}")
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=max(1, workers))
