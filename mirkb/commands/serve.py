"""``mirkb serve``: run the refresh flow on a schedule with Prefect."""

from __future__ import annotations

import argparse

from mirkb.commands.run import add_corpus_kb_arguments, resolve_corpus_kb

DESCRIPTION = """\
Serve the refresh flow (the same work as `mirkb run`) on a cron schedule with Prefect, until
interrupted (Ctrl-C). Each scheduled run refreshes --kb from --corpus and records its summary as a
Markdown artifact ("mirkb-refresh-summary").

Where runs are scheduled and recorded:
  default            no server needed: Prefect starts a temporary local API in this process
                     (~15-20 s at start-up) and the schedule lives as long as `mirkb serve` does.
  a Prefect server   point at it first, e.g. `prefect server start` elsewhere, then
                       export PREFECT_API_URL=http://127.0.0.1:4200/api
                     (or `prefect config set PREFECT_API_URL=...`); the deployment, its runs and
                     their artifacts then show in that server's UI.

examples:
  mirkb serve --cron "0 6 * * *"
  PREFECT_API_URL=http://prefect.lab:4200/api mirkb serve --cron "*/30 * * * *" --corpus /data/papers
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="refresh the knowledge base on a cron schedule with Prefect",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cron", required=True, metavar="EXPR",
                        help='cron expression in the server\'s time zone, e.g. "0 6 * * *" (06:00 daily)')
    add_corpus_kb_arguments(parser)
    parser.add_argument("--gold", metavar="DIR", help="gold folder (default: $MIRKB_GOLD, else gold/)")
    parser.add_argument("--name", default="mirkb-refresh-scheduled", help="deployment name in Prefect")
    parser.set_defaults(func=serve)


def check_cron(expr: str) -> str:
    """The cron expression, or UsageError before Prefect spends its start-up time."""
    from mirkb.cli import UsageError

    fields = expr.split()
    if len(fields) != 5:
        raise UsageError(f"--cron needs 5 fields (minute hour day month weekday), got {expr!r}")
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=expr)
    except ValueError as exc:
        raise UsageError(f"invalid --cron {expr!r}: not a cron expression Prefect accepts") from exc
    return expr


def serve(args) -> int:
    from mirkb import settings

    cron = check_cron(args.cron)
    corpus, kb = resolve_corpus_kb(args)
    from flows.refresh import refresh_flow

    refresh_flow.serve(
        name=args.name,
        cron=cron,
        parameters={"corpus": str(corpus), "kb": kb, "gold_dir": args.gold or str(settings.default_gold())},
    )
    return 0
