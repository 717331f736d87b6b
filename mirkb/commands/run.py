"""``mirkb run``: refresh the knowledge base from a corpus folder and say what changed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DESCRIPTION = """\
Refresh the knowledge base from a corpus folder: every .txt .pdf .xml .nxml .json file in it
(recursively) is read, extracted and stored, one transaction per document. A document whose
bytes (sha256) and extractor configuration are unchanged since the last run is skipped; a
document that failed before is tried again. Bad files (unreadable, empty, binary, malformed)
never stop the batch: each gets an error row, the run is "completed with errors" and the exit
status is 1.

Printed at the end: documents added / changed / re-extracted / failed / unchanged, triples added
and removed, and, for documents with gold/<doc_id>.tsv, strict / pair / arm-lenient micro
precision, recall and F1. A second run over the same corpus changes nothing and says "no changes".

How it runs (the work itself is mirkb.batch in every case; the knowledge base is always written
by this process, one document at a time):
  default       as a Prefect flow (tasks of a few documents each, retries on I/O errors, a
                Markdown summary artifact). With PREFECT_API_URL set it reports to that Prefect
                server; without it Prefect starts a temporary local API first (~15-20 s).
  --runner dask the flow's tasks run on a Dask cluster: --dask-address tcp://host:8786, or
                without it a local cluster of --workers processes (needs prefect-dask).
  --no-prefect  the same functions called directly: no start-up cost and no Prefect state.
  --workers N   extract in N long-lived worker processes, each building the pipeline once.
Results in the knowledge base are identical whichever way it runs.

examples:
  mirkb run
  mirkb run --no-prefect --corpus ../shared/pdfs/jats --kb /tmp/test.sqlite
  mirkb run --kb postgresql+psycopg://user@host/mirkb --json
  mirkb run --no-prefect --workers 2
  mirkb run --runner dask --dask-address tcp://scheduler:8786 --kb postgresql+psycopg://user@host/mirkb
  mirkb run --fetch '"microRNA" AND cancer' --corpus papers/   # fetch new papers (mirkb fetch), then refresh

With --fetch QUERY the run first brings new open-access papers for QUERY into the corpus folder
(as `mirkb fetch` does: incremental, resumable; --source/--since/--max/--rate as there), then
refreshes; under Prefect both steps are one flow (mirkb-fetch-refresh). A fetch that fails is
reported and the refresh still runs over what the corpus holds (exit status 1).
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="refresh the knowledge base from the corpus and print what changed and the scores",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_corpus_kb_arguments(parser)
    parser.add_argument("--no-prefect", action="store_true",
                        help="run the plain functions directly instead of the Prefect flow (no start-up delay)")
    parser.add_argument("--gold", metavar="DIR",
                        help="gold folder of <doc_id>.tsv files (default: $MIRKB_GOLD, else gold/ of the checkout)")
    parser.add_argument("--json", action="store_true", help="print the run summary as one JSON object")
    add_execution_arguments(parser)
    add_fetch_arguments(parser)
    parser.set_defaults(func=run)


def add_fetch_arguments(parser) -> None:
    """--fetch QUERY and the fetch's options, shared with ``mirkb serve``."""
    from mirkb.commands.fetch import add_fetch_options

    group = parser.add_argument_group("fetching new papers first (see mirkb fetch --help)")
    group.add_argument("--fetch", metavar="QUERY", help="search and download new open-access papers for QUERY "
                       "into the corpus folder before refreshing")
    add_fetch_options(group)


def fetch_first(args, corpus: Path, kb: str) -> dict | None:
    """Run the fetch of ``--fetch`` (plain functions); its outcome goes into the run summary."""
    from mirkb.commands.fetch import settings_from
    from mirkb.fetch import FetchError, fetch, parse_date

    try:
        summary = fetch(args.fetch, corpus, kb, source=args.source, since=parse_date(args.since),
                        max_papers=args.max_papers, settings=settings_from(args))
    except FetchError as exc:
        print(f"mirkb run: fetch failed: {exc}", file=sys.stderr)
        return {"error": str(exc)}
    print(summary.text(), file=sys.stderr)
    return summary.as_dict()


def add_execution_arguments(parser) -> None:
    """--workers, --runner and --dask-address, shared with ``mirkb extract``."""
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes for extraction (default 1: in this process)")
    parser.add_argument("--runner", choices=("default", "dask"), default="default",
                        help="Prefect task runner: default (threads of this process) or dask")
    parser.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                        help="Dask scheduler to run on (--runner dask; default: a local cluster)")


def check_execution_arguments(args) -> None:
    from mirkb.errors import UsageError

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.no_prefect and args.runner != "default":
        raise UsageError("--runner dask needs Prefect: drop --no-prefect")
    if args.dask_address and args.runner != "dask":
        raise UsageError("--dask-address goes with --runner dask")


def add_corpus_kb_arguments(parser) -> None:
    """--corpus and --kb, shared with ``mirkb serve``."""
    parser.add_argument("--corpus", metavar="DIR",
                        help="folder of documents (default: $MIRKB_CORPUS, else ../shared/corpus)")
    parser.add_argument("--kb", metavar="PATH|URL",
                        help="knowledge base: an SQLite file path or an SQLAlchemy URL "
                             "(default: $MIRKB_KB, else data/mirkb.sqlite in the checkout)")


def resolve_corpus_kb(args) -> tuple[Path, str]:
    from mirkb import settings
    from mirkb.errors import UsageError

    corpus = Path(args.corpus) if args.corpus else settings.default_corpus()
    if corpus is None:
        raise UsageError("no corpus folder: pass --corpus DIR or set MIRKB_CORPUS")
    if not corpus.is_dir():
        raise UsageError(f"corpus folder not found: {corpus}")
    kb = args.kb or settings.default_kb()
    check_kb(kb)
    return corpus, kb


def check_kb(kb: str) -> None:
    """Open (create, migrate) the knowledge base now, so a bad --kb is a one-line error before any
    Prefect start-up or extraction rather than a traceback from inside the flow."""
    from mirkb.kb import KnowledgeBase

    KnowledgeBase(kb).close()


def run(args) -> int:
    from mirkb import settings

    check_execution_arguments(args)
    if args.fetch:
        from mirkb.errors import UsageError
        from mirkb.fetch import parse_date

        try:
            parse_date(args.since)
        except ValueError as exc:
            raise UsageError(f"--since: {exc}") from exc
        if args.runner != "default":
            raise UsageError("--fetch runs with the default task runner")
        if args.corpus:
            Path(args.corpus).mkdir(parents=True, exist_ok=True)  # a first fetch starts an empty corpus
    corpus, kb = resolve_corpus_kb(args)
    gold = args.gold or str(settings.default_gold())
    warn_against_manifest(corpus)
    fetched = None
    if args.fetch and not args.no_prefect:
        from flows.fetch import fetch_refresh_flow

        summary = fetch_refresh_flow(args.fetch, str(corpus), kb, gold, source=args.source, since=args.since,
                                     max_papers=args.max_papers, rate=args.rate)
        fetched = summary.pop("fetch", None)
        if fetched and "error" not in fetched:
            from mirkb.fetch import FetchSummary

            print(FetchSummary.from_dict(fetched).text(), file=sys.stderr)
        elif fetched:
            print(f"mirkb run: fetch failed: {fetched['error']}", file=sys.stderr)
    elif args.no_prefect:
        from mirkb import batch

        if args.fetch:
            fetched = fetch_first(args, corpus, kb)
        summary = batch.refresh(corpus, kb, gold, progress=True, workers=args.workers).as_dict()
    else:
        from flows import refresh

        summary = refresh.run(str(corpus), kb, gold, runner=args.runner, address=args.dask_address,
                              workers=args.workers)
    if args.json:
        json.dump({**summary, "fetch": fetched} if args.fetch else summary, sys.stdout, indent=2, default=str)
        print()
    else:
        print(format_summary(summary))
    fetch_ok = not args.fetch or (fetched is not None and "error" not in fetched and not fetched.get("failed"))
    return 0 if summary["status"] == "completed" and fetch_ok else 1


def warn_against_manifest(corpus) -> None:
    """When the folder is the manifest's corpus, say clearly which listed files are missing or changed.

    A folder that holds none of the manifest's files is another corpus: nothing to compare. The run
    goes on either way (the knowledge base records what it read, with its sha256).
    """
    from mirkb.corpus import ManifestError, load_manifest, verify_corpus

    try:
        entries = load_manifest()
    except (ManifestError, OSError):
        return
    if not any((corpus / e.file).exists() for e in entries):
        return
    for problem in verify_corpus(corpus, entries):
        if problem.kind in {"missing", "changed"}:
            print(f"mirkb run: warning: {problem.file}: {problem.kind}: {problem.message}", file=sys.stderr)


def format_summary(summary: dict) -> str:
    """The same text as ``RunSummary.to_text`` from the plain dict a Prefect flow returns."""
    from mirkb.batch import RunSummary

    return RunSummary.from_dict(summary).to_text()
