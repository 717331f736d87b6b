"""The ``mirkb`` command line: a thin face over extractors, scorer, flows and knowledge base."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from mirkb import __version__
from mirkb.commands import COMMANDS
from mirkb.errors import UsageError

__all__ = ["UsageError", "build_parser", "main"]

DESCRIPTION = """\
mirkb mines miRNA-cancer-effect triples from papers (text, PDF, JATS/PubMed XML, BioC JSON),
keeps every triple traceable to its sentence or table row, scores itself against hand-curated
gold (precision, recall, F1) and keeps a knowledge base of triples fresh as papers arrive.

Start with `mirkb run` (no flags): it extracts the default corpus into the SQLite knowledge
base and prints what changed and how well it scored. `mirkb <command> --help` explains each command.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mirkb", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"mirkb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"mirkb.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"mirkb.commands.{name}":
                raise
            continue  # a command not written yet
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Prefect's temporary server would try to send usage analytics; mirkb runs offline by default.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from mirkb import signals

    previous = signals.install()
    try:
        return _dispatch(args)
    finally:
        signals.restore(previous)


def _dispatch(args) -> int:
    from mirkb import signals

    try:
        from mirkb.commands.kb import run_piped

        code = run_piped(args.func, args)  # "mirkb … | head" ends quietly, not with a traceback
        signals.check()  # a flow engine that caught the interrupt and returned
        return code
    except UsageError as exc:
        print(f"mirkb {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        return _interrupted(args, exc)
    except Exception as exc:
        from mirkb.kb.store import KBError

        if signals.STOP.is_set():
            return _interrupted(args, exc)  # Prefect reports an interrupted flow as a crash
        if not isinstance(exc, KBError):
            raise
        print(f"mirkb {args.command}: error: {exc}", file=sys.stderr)
        return 2


def _interrupted(args, exc: BaseException) -> int:
    """Mark this process's open runs interrupted; exit 130 (Ctrl-C) or 143 (SIGTERM), like a shell."""
    from mirkb import signals

    closed = signals.close_runs_of_this_process()
    what = f"; run {', '.join(map(str, closed))} marked interrupted" if closed else ""
    name = signals.RECEIVED or "SIGINT"
    print(f"mirkb {args.command}: interrupted ({name}){what}", file=sys.stderr)
    return 143 if name == "SIGTERM" else 130


if __name__ == "__main__":
    sys.exit(main())
