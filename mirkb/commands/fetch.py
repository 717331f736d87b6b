"""``mirkb fetch``: bring new open-access papers for a query into a corpus folder."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """\
Search Europe PMC (open-access full text, JATS XML) or PubMed (abstracts, NCBI E-utilities) for
QUERY and write every paper not fetched before into the corpus folder, one file per paper
(PMC<id>.xml or PMID<id>.xml), with its metadata in DIR/manifest.csv. The next `mirkb run
--corpus DIR` extracts them.

The fetch is incremental: the knowledge base remembers, per query and source, the date up to
which the last fetch completed, and the next one asks only for papers from then on (--since
overrides it). A paper already fetched is not asked for again; a paper whose text changed is
kept as a new version (the old file moves to DIR/.mirkb-versions/). A fetch that dies half-way
resumes from the page it reached. A paper whose payload is bad is reported and the others go on
(exit status 1); a search that fails after retries exits with status 1 and resumes next time.

The client is polite: --rate requests per second (default 3, NCBI's limit without an API key),
retries with backoff on 429 and 5xx (Retry-After honoured), timeouts, and a user agent naming
mirkb (with $MIRKB_EMAIL as contact when set; $NCBI_API_KEY is sent to NCBI when set).
$MIRKB_EUROPEPMC_URL and $MIRKB_EUTILS_URL point the client at another server (a mirror, a test).

examples:
  mirkb fetch --query '"microRNA" AND cancer' --since 2026-11-01 --corpus papers/
  mirkb fetch --query 'miR-21 AND glioma' --source pubmed --max 200 --corpus papers/
  mirkb run --fetch '"microRNA" AND cancer' --corpus papers/      # fetch, then refresh
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "fetch", help="search and download new open-access papers into a corpus folder (incremental)",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--query", required=True, help="the search, in the source's own query syntax")
    add_fetch_options(parser)
    parser.add_argument("--corpus", metavar="DIR", required=True, help="folder the papers are written to")
    parser.add_argument("--kb", metavar="PATH|URL",
                        help="knowledge base that remembers what was fetched (default: $MIRKB_KB, else "
                             "data/mirkb.sqlite in the checkout)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(func=run)


def add_fetch_options(parser) -> None:
    """Options shared with ``mirkb run --fetch``."""
    from mirkb.fetch import SOURCES

    parser.add_argument("--source", choices=SOURCES, default="europepmc",
                        help="europepmc: open-access full text as JATS (default); pubmed: abstracts")
    parser.add_argument("--since", metavar="YYYY-MM-DD",
                        help="only papers from this date on (default: where the last fetch of this query ended)")
    parser.add_argument("--max", type=int, metavar="N", dest="max_papers",
                        help="fetch at most N new papers this time (the next fetch goes on from there)")
    parser.add_argument("--rate", type=float, default=3.0, metavar="R",
                        help="requests per second at most (default 3)")


def settings_from(args):
    from mirkb.fetch import FetchSettings

    if args.rate <= 0:
        from mirkb.errors import UsageError

        raise UsageError("--rate must be a positive number of requests per second")
    return FetchSettings(rate=args.rate)


def run(args) -> int:
    from mirkb.fetch import FetchError, fetch, parse_date
    from mirkb.settings import default_kb

    try:
        since = parse_date(args.since)
    except ValueError as exc:
        from mirkb.errors import UsageError

        raise UsageError(f"--since: {exc}") from exc
    if args.max_papers is not None and args.max_papers < 1:
        from mirkb.errors import UsageError

        raise UsageError("--max must be at least 1")
    try:
        summary = fetch(args.query, args.corpus, args.kb or default_kb(), source=args.source, since=since,
                        max_papers=args.max_papers, settings=settings_from(args),
                        progress=lambda msg: print(msg, file=sys.stderr))
    except FetchError as exc:
        print(f"mirkb fetch: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary.as_dict(), indent=1) if args.json else summary.text())
    return 1 if summary.failed else 0
