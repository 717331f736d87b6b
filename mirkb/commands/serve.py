"""``mirkb serve``: refresh the knowledge base on a schedule (cron or interval), locally or via a Prefect server.

Without a Prefect server (no PREFECT_API_URL) mirkb keeps the schedule itself (:func:`run_schedule`):
``flow.serve`` cannot work there, because the temporary API Prefect starts in-process does not run
Prefect's scheduler service (only services marked for ephemeral servers run in it, and the scheduler
is not one, whatever PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED says), so a deployment served against
it is polled forever and never gets a run. With PREFECT_API_URL set the flow is served to that
server, whose scheduler creates the runs.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mirkb import signals
from mirkb.commands.run import add_corpus_kb_arguments, add_fetch_arguments, format_summary, resolve_corpus_kb

DESCRIPTION = """\
Refresh the knowledge base (the same work as `mirkb run`) on a schedule, until interrupted
(Ctrl-C): --cron EXPR (5 fields, in --timezone, default this machine's time zone) or --every SECONDS.

Which scheduler runs it depends on PREFECT_API_URL (environment or `prefect config set`):
  not set (default)  mirkb keeps the schedule itself, in this process: it prints the next run time,
                     sleeps until then and runs the refresh flow, printing each run's summary; runs
                     never overlap (a time that passes during a run is skipped). Each run is a Prefect
                     flow on a temporary local API (~15-20 s start-up at the first run, nothing kept
                     after exit); --no-prefect calls the plain functions instead (no Prefect at all).
                     Prefect's own scheduler is not used here: the temporary API does not run it.
  set                the flow is served to that Prefect server as deployment --name with this schedule;
                     the server's scheduler creates the runs and this process executes them; runs, logs
                     and "mirkb-refresh-summary" artifacts show in the server's UI. To use one:
                       prefect server start            (elsewhere, or on another machine)
                       export PREFECT_API_URL=http://127.0.0.1:4200/api
                     --no-prefect still uses the local scheduler; --max-runs needs it.

examples:
  mirkb serve --cron "0 6 * * *"                      # 06:00 every day, local time
  mirkb serve --every 60 --max-runs 1 --no-prefect    # one refresh in a minute, then exit (a check)
  PREFECT_API_URL=http://prefect.lab:4200/api mirkb serve --cron "*/30 * * * *" --corpus /data/papers
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="refresh the knowledge base on a schedule (local, or via a Prefect server)",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR",
                      help='cron expression (minute hour day month weekday), e.g. "0 6 * * *" (06:00 daily)')
    when.add_argument("--every", type=float, metavar="SECONDS", help="run every SECONDS seconds instead")
    parser.add_argument("--timezone", metavar="TZ",
                        help="IANA time zone of --cron, e.g. Europe/Berlin (default: this machine's)")
    parser.add_argument("--max-runs", type=int, metavar="N",
                        help="stop after N runs (local scheduler only; default: run until Ctrl-C)")
    parser.add_argument("--no-prefect", action="store_true",
                        help="local scheduler calling the plain functions (no Prefect start-up, no Prefect state)")
    add_corpus_kb_arguments(parser)
    parser.add_argument("--gold", metavar="DIR", help="gold folder (default: $MIRKB_GOLD, else gold/)")
    parser.add_argument("--name", default="mirkb-refresh-scheduled",
                        help="deployment name on the Prefect server (PREFECT_API_URL set)")
    add_fetch_arguments(parser)  # each scheduled run fetches new papers first, then refreshes
    parser.set_defaults(func=serve)


# -- the schedule -----------------------------------------------------------------------------------


def local_timezone() -> str:
    """This machine's IANA time zone name, else UTC."""
    try:
        import tzlocal

        return tzlocal.get_localzone_name() or "UTC"
    except Exception:  # noqa: BLE001 - tzlocal missing or the zone unreadable: UTC is a fine default
        return "UTC"


@dataclass
class Schedule:
    """When to run: a cron expression in ``timezone``, or every ``every`` seconds from ``anchor``."""

    cron: str | None = None
    every: float | None = None
    timezone: str = "UTC"
    anchor: datetime | None = field(default=None, repr=False)

    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    def now(self) -> datetime:
        return datetime.now(self.tz())

    def next_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after ``moment`` (an aware datetime)."""
        if self.cron is not None:
            from cronsim import CronSim

            return next(CronSim(self.cron, moment.astimezone(self.tz()).replace(microsecond=0)))
        anchor = self.anchor or moment
        steps = math.floor((moment - anchor).total_seconds() / self.every) + 1
        return anchor + timedelta(seconds=steps * self.every)

    def describe(self) -> str:
        if self.cron is not None:
            return f'on cron "{self.cron}" ({self.timezone})'
        return f"every {self.every:g} s"


def make_schedule(args, now: datetime | None = None) -> Schedule:
    """The schedule the arguments ask for, or UsageError before anything slow starts."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from mirkb.errors import UsageError

    tzname = args.timezone or local_timezone()
    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(f"unknown --timezone {tzname!r}: give an IANA name such as Europe/Berlin") from exc
    if args.every is not None:
        if not math.isfinite(args.every) or args.every <= 0:
            raise UsageError("--every must be a positive number of seconds")
        start = now or datetime.now(ZoneInfo(tzname))
        return Schedule(every=args.every, timezone=tzname, anchor=start)
    return Schedule(cron=check_cron(args.cron), timezone=tzname)


def check_cron(expr: str) -> str:
    """The cron expression, or UsageError before anything slow starts."""
    from cronsim import CronSim, CronSimError

    from mirkb.errors import UsageError

    fields = expr.split()
    if len(fields) != 5:
        raise UsageError(f"--cron needs 5 fields (minute hour day month weekday), got {expr!r}")
    try:
        CronSim(expr, datetime.now())
    except CronSimError as exc:
        raise UsageError(f"invalid --cron {expr!r}: {exc}") from exc
    return expr


# -- the local scheduler ----------------------------------------------------------------------------


def run_schedule(schedule: Schedule, run_once: Callable[[], dict], *, max_runs: int | None = None,
                 now: Callable[[], datetime] | None = None, sleep: Callable[[float], None] = time.sleep,
                 out=None, err=None) -> int:
    """Run ``run_once`` at each fire time of ``schedule`` until ``max_runs`` runs (None: forever).

    Runs never overlap: the next time is computed after a run ends, so times that passed during a
    long run are skipped. A run that raises is reported and the schedule goes on. Returns 0 when
    every run completed, else 1.
    """
    now = now or schedule.now
    out, err = out or sys.stdout, err or sys.stderr
    runs = failures = 0
    while max_runs is None or runs < max_runs:
        fire = schedule.next_after(now())
        print(f"mirkb serve: next run at {fire:%Y-%m-%d %H:%M:%S %Z}", file=err, flush=True)
        while (remaining := (fire - now()).total_seconds()) > 0:
            sleep(min(remaining, 60.0))  # short naps: a suspended machine or a clock change is noticed
        runs += 1
        print(f"mirkb serve: run {runs} ({schedule.describe()}) started {now():%Y-%m-%d %H:%M:%S %Z}",
              file=err, flush=True)
        try:
            summary = run_once()
            signals.check()
            failures += summary.get("status") != "completed"
            print(format_summary(summary), file=out, flush=True)
        except Exception as exc:  # noqa: BLE001 - one failed refresh must not end the schedule
            signals.check()  # ...but an interrupted one ends it (Prefect reports it as a crash)
            failures += 1
            print(f"mirkb serve: run {runs} failed: {exc.__class__.__name__}: {exc}", file=err, flush=True)
    return 1 if failures else 0


def _local_runner(corpus: str, kb: str, gold: str, use_prefect: bool, fetch: dict | None = None
                  ) -> Callable[[], dict]:
    """One scheduled run: the refresh, after a fetch of new papers when ``fetch`` (flow parameters) is given."""
    if fetch and use_prefect:
        def run_fetch_flow() -> dict:
            from flows.fetch import fetch_refresh_flow

            return fetch_refresh_flow(corpus=corpus, kb=kb, gold_dir=gold, **fetch)

        return run_fetch_flow
    if fetch:
        def run_fetch_plain() -> dict:
            from mirkb import batch
            from mirkb.fetch import FetchError, FetchSettings, parse_date
            from mirkb.fetch import fetch as fetch_papers

            try:
                got = fetch_papers(fetch["query"], corpus, kb, source=fetch["source"],
                                   since=parse_date(fetch["since"]), max_papers=fetch["max_papers"],
                                   settings=FetchSettings(rate=fetch["rate"]))
                print(got.text(), file=sys.stderr, flush=True)
            except FetchError as exc:
                print(f"mirkb serve: fetch failed: {exc}", file=sys.stderr, flush=True)
            return batch.refresh(corpus, kb, gold, progress=True).as_dict()

        return run_fetch_plain
    if use_prefect:
        def run_flow() -> dict:
            from flows import refresh

            return refresh.refresh_flow(corpus=corpus, kb=kb, gold_dir=gold)

        return run_flow

    def run_plain() -> dict:
        from mirkb import batch

        return batch.refresh(corpus, kb, gold, progress=True).as_dict()

    return run_plain


def prefect_api_url() -> str | None:
    """The Prefect server this process reports to (PREFECT_API_URL from env or profile), if any."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


# -- the command ------------------------------------------------------------------------------------


def serve(args) -> int:
    from mirkb import settings
    from mirkb.errors import UsageError

    if args.max_runs is not None and args.max_runs < 1:
        raise UsageError("--max-runs must be at least 1")
    schedule = make_schedule(args)
    corpus, kb = resolve_corpus_kb(args)
    gold = args.gold or str(settings.default_gold())
    server = None if args.no_prefect else prefect_api_url()
    if server:
        if args.max_runs is not None:
            raise UsageError(f"--max-runs needs the local scheduler; PREFECT_API_URL is set ({server}): "
                             "unset it or add --no-prefect")
        return serve_on_server(schedule, args.name, {"corpus": str(corpus), "kb": kb, "gold_dir": gold},
                               fetch_parameters(args))
    how = "plain functions" if args.no_prefect else "a Prefect flow on a temporary local API"
    print(f"mirkb serve: local scheduler (no PREFECT_API_URL{'; --no-prefect' if args.no_prefect else ''}): "
          f"refreshing {kb} from {corpus} {schedule.describe()} as {how}"
          f"{f', {args.max_runs} run(s)' if args.max_runs else '; Ctrl-C to stop'}", file=sys.stderr, flush=True)
    return run_schedule(schedule, _local_runner(str(corpus), kb, gold, not args.no_prefect, fetch_parameters(args)),
                        max_runs=args.max_runs)


def fetch_parameters(args) -> dict | None:
    """The fetch's flow parameters from ``--fetch QUERY`` and its options, or None without it."""
    if not args.fetch:
        return None
    return {"query": args.fetch, "source": args.source, "since": args.since, "max_papers": args.max_papers,
            "rate": args.rate}


def serve_on_server(schedule: Schedule, name: str, parameters: dict, fetch: dict | None = None) -> int:
    """Serve the refresh flow (or, with ``fetch``, the fetch-then-refresh flow) to the configured
    Prefect server; its scheduler creates the runs."""
    from prefect.schedules import Cron, Interval

    from flows import refresh

    if schedule.cron is not None:
        when = Cron(schedule.cron, timezone=schedule.timezone)
    else:
        when = Interval(timedelta(seconds=schedule.every), timezone=schedule.timezone)
    if fetch:
        from flows.fetch import fetch_refresh_flow

        fetch_refresh_flow.serve(name=name, schedules=[when], parameters={**parameters, **fetch})
        return 0
    refresh.refresh_flow.serve(name=name, schedules=[when], parameters=parameters)
    return 0
