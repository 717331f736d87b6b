"""Fetch, then refresh, as one Prefect flow: a shell over :func:`mirkb.fetch.fetch` and the refresh flow.

A search that fails for good fails the fetch task (its state keeps the page reached); the refresh
still runs over what the corpus holds, and the summary carries the fetch's outcome.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from flows.refresh import refresh_flow


@task(name="fetch-papers", task_run_name="fetch {source}: {query}")
def fetch_papers(query: str, corpus: str, kb: str, source: str, since: str | None, max_papers: int | None,
                 rate: float) -> dict:
    from mirkb.fetch import FetchSettings, fetch, parse_date

    summary = fetch(query, corpus, kb, source=source, since=parse_date(since), max_papers=max_papers,
                    settings=FetchSettings(rate=rate))
    create_markdown_artifact(key="mirkb-fetch-summary", markdown="```\n" + summary.text() + "\n```",
                             description=f"mirkb fetch {source}")
    return summary.as_dict()


@flow(name="mirkb-fetch-refresh")
def fetch_refresh_flow(query: str, corpus: str, kb: str, gold_dir: str | None = None, source: str = "europepmc",
                       since: str | None = None, max_papers: int | None = None, rate: float = 3.0) -> dict:
    state = fetch_papers(query, corpus, kb, source, since, max_papers, rate, return_state=True)
    fetched = state.result() if state.is_completed() else {"error": str(state.message or state.name)}
    summary = refresh_flow(corpus=corpus, kb=kb, gold_dir=gold_dir)
    summary["fetch"] = fetched
    return summary
