"""``mirkb kb``: look into the knowledge base — stats, query, export, diff between runs."""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys

DESCRIPTION = """\
Look into the knowledge base that `mirkb run` keeps (schema: docs/KB.md).

  stats   documents by status, mentions, supported triples by effect, top miRNAs and cancers
  query   triples with their support (documents, mentions) and evidence sentences
  export  every mention with its triple id and support, as CSV or Parquet
  diff    triples gained and lost between two runs (run ids from `mirkb kb stats` or `kb runs`)
  runs    the runs recorded, with their counts

examples:
  mirkb kb stats
  mirkb kb query --mirna hsa-mir-21-5p --cancer "breast cancer"
  mirkb kb query --effect prognostic_marker --format csv > prognostic.csv
  mirkb kb export --out out/kb.parquet
  mirkb kb diff 3 4
"""

QUERY_COLUMNS = ("triple_id", "mirna", "cancer", "cancer_id", "effect", "n_documents", "n_mentions",
                 "first_seen", "last_seen", "documents", "evidence")


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--kb", metavar="PATH|URL",
                        help="knowledge base: SQLite path or SQLAlchemy URL (default: $MIRKB_KB, else "
                             "data/mirkb.sqlite in the checkout)")
    parser = subparsers.add_parser(
        "kb", help="knowledge base: stats, query, export, diff between runs", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="kb_command", metavar="SUBCOMMAND")

    p = sub.add_parser("stats", parents=[common], help="documents, mentions, triples by effect, top names")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--top", type=int, default=10, metavar="N", help="how many top miRNAs and cancers (10; 0 for none)")
    p.set_defaults(func=stats)

    p = sub.add_parser("query", parents=[common], help="triples with support counts and evidence")
    p.add_argument("--mirna", help="any spelling TRIPLES.md §2 accepts (mir-21, hsa-miR-21-5p, microRNA-21)")
    p.add_argument("--cancer", help='canonical cancer name, case-insensitive ("breast cancer")')
    p.add_argument("--effect", help="one of the §4 effects")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table (for reading), csv (for Excel/pandas) or json")
    p.add_argument("--limit", type=int, metavar="N", help="at most N triples, most supported first")
    p.add_argument("--evidence", type=int, default=3, metavar="N",
                   help="evidence rows per triple (3; 0 for none). The csv `documents` column always "
                        "lists every supporting document")
    p.set_defaults(func=query)

    p = sub.add_parser("export", parents=[common], help="all mentions with triple ids, to CSV or Parquet")
    p.add_argument("--out", required=True, metavar="FILE.csv|FILE.parquet", help="file to write")
    p.set_defaults(func=export)

    p = sub.add_parser("diff", parents=[common], help="triples gained and lost between two runs")
    p.add_argument("run_a", type=int, metavar="RUN_A")
    p.add_argument("run_b", type=int, metavar="RUN_B")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=diff)

    p = sub.add_parser("runs", parents=[common], help="the runs recorded, newest last")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=list_runs)
    parser.set_defaults(func=lambda args: _no_subcommand(parser))
    # Output piped into `head` must end quietly (see run_piped); cli.main may apply it to every command.
    for action in sub.choices.values():
        action.set_defaults(func=quiet_on_broken_pipe(action.get_default("func")))


def _no_subcommand(parser) -> int:
    parser.print_help()
    return 2


# -- output into a pipe that closes early (`mirkb kb runs --format json | head`) ---------------------

#: Exit status after the reader went away: 128 + SIGPIPE, what `cat big | head` gives for `cat`.
BROKEN_PIPE_STATUS = 141


def on_broken_pipe() -> int:
    """The reader of stdout is gone: point stdout at /dev/null so the flush at exit cannot fail again
    (which prints "Exception ignored ... BrokenPipeError"), and return :data:`BROKEN_PIPE_STATUS`."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout without a real descriptor (tests, IDEs)
        pass
    return BROKEN_PIPE_STATUS


def run_piped(func, args) -> int:
    """``func(args)`` as an exit status, its output flushed, ending quietly if stdout's reader went away.

    The flush belongs inside: a small output sits in the buffer until exit, where a closed pipe
    would otherwise raise outside any handler.
    """
    try:
        status = int(func(args) or 0)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return on_broken_pipe()


def quiet_on_broken_pipe(func):
    """``func`` wrapped by :func:`run_piped` (idempotent)."""
    if func is None or getattr(func, "_mirkb_piped", False):
        return func

    @functools.wraps(func)
    def wrapper(args):
        return run_piped(func, args)

    wrapper._mirkb_piped = True
    return wrapper


def _open(args):
    from mirkb.kb import open_kb

    return open_kb(args.kb)


def canonical_mirna(text: str) -> str:
    """The §2 canonical name of what the user typed; as typed when it cannot be read as one."""
    from extractors.mirna import normalize_mirna

    return normalize_mirna(text) or text.strip()


def stats(args) -> int:
    if args.top < 0:
        from mirkb.errors import UsageError

        raise UsageError("--top must be 0 or more")
    with _open(args) as kb:
        data = kb.stats(top=args.top)
    if args.json:
        json.dump(data, sys.stdout, indent=2, default=str)
        print()
        return 0
    docs = data["documents"]
    print(f"documents: {docs['total']} ({', '.join(f'{k} {v}' for k, v in docs.items() if k != 'total') or 'none'})")
    print(f"mentions: {data['mentions']}")
    print(f"triples: {data['triples']['total']}")
    for effect, n in data["triples"]["by_effect"].items():
        print(f"  {effect:<28} {n}")
    for key, label in (("top_mirnas", "top miRNAs"), ("top_cancers", "top cancers")):
        if data[key]:
            print(f"{label} (triples, supporting documents):")
            for row in data[key]:
                print(f"  {row['name']:<32} {row['triples']:>5} {row['document_support']:>5}")
    last = data["last_run"]
    if last:
        print(f"last run: {last['run_id']} {last['status']} at {last['started']}")
    return 0


def query(args) -> int:
    from mirkb.errors import UsageError

    if args.effect:
        from extractors.schema import EFFECTS

        if args.effect not in EFFECTS:
            raise UsageError(f"unknown effect {args.effect!r}; one of: {', '.join(EFFECTS)}")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.evidence < 0:
        raise UsageError("--evidence must be 0 or more")
    mirna = canonical_mirna(args.mirna) if args.mirna else None
    with _open(args) as kb:
        found = kb.query_triples(mirna=mirna, cancer=args.cancer, effect=args.effect, limit=args.limit,
                                 evidence_per_triple=args.evidence)
    if args.format == "json":
        json.dump(found, sys.stdout, indent=2, default=str)
        print()
    elif args.format == "csv":
        rows = [_flat(t) for t in found]
        _write_csv(sys.stdout, rows, QUERY_COLUMNS)
    else:
        if not found:
            print("no triples match")
        for t in found:
            print(f"{t['mirna']} | {t['cancer']} | {t['effect']}  "
                  f"({t['n_documents']} document(s), {t['n_mentions']} mention(s))")
            for ev in t["evidence"]:
                print(f"    {ev['doc_id']}:{ev['start']} [{ev['source']}] {ev['evidence']}")
    return 0


def _flat(t: dict) -> dict:
    """One CSV row per triple: evidence sentences joined so a spreadsheet keeps one line per triple.

    ``documents`` lists every supporting document (from the store), not only those of the evidence shown.
    """
    row = {k: t[k] for k in QUERY_COLUMNS if k in t}
    row["documents"] = ";".join(t["documents"])
    row["evidence"] = " || ".join(e["evidence"] for e in t["evidence"])
    return row


def _write_csv(stream, rows: list[dict], columns) -> None:
    import csv

    writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def export(args) -> int:
    from pathlib import Path

    import pandas as pd

    from mirkb.errors import UsageError

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UsageError(f"--out must end in .csv or .parquet, not {suffix or '(none)'!r}")
    with _open(args) as kb:
        rows = kb.export_rows()
    from mirkb.kb.store import EXPORT_COLUMNS

    frame = pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.to_csv(out, index=False, encoding="utf-8")
    else:
        try:
            frame.to_parquet(out, index=False)
        except ImportError as exc:
            # A broken pyarrow install (e.g. built for another NumPy) should read as such, not as a bug.
            print(f"mirkb kb export: cannot write Parquet: {exc.__cause__ or exc}", file=sys.stderr)
            print("write CSV instead (--out FILE.csv) or repair pyarrow", file=sys.stderr)
            return 1
    print(f"wrote {len(frame)} mention(s) of {frame['triple_id'].nunique()} triple(s) to {out}")
    return 0


def diff(args) -> int:
    from mirkb.errors import UsageError

    with _open(args) as kb:
        try:
            changes = kb.diff_runs(args.run_a, args.run_b)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from exc
    rows = [{"change": kind, **t} for kind in ("gained", "lost") for t in changes[kind]]
    if args.format == "json":
        json.dump(changes, sys.stdout, indent=2)
        print()
    elif args.format == "csv":
        _write_csv(sys.stdout, rows, ("change", "triple_id", "mirna", "cancer", "cancer_id", "effect"))
    else:
        print(f"run {args.run_a} -> run {args.run_b}: {len(changes['gained'])} gained, "
              f"{len(changes['lost'])} lost")
        for row in rows:
            mark = "+" if row["change"] == "gained" else "-"
            print(f"{mark} {row['mirna']} | {row['cancer']} | {row['effect']}")
    return 0


def list_runs(args) -> int:
    with _open(args) as kb:
        rows = kb.runs()
    columns = ("run_id", "started", "ended", "status", "config_id", "docs_added", "docs_changed",
               "docs_reextracted", "docs_failed", "docs_unchanged", "triples_added", "triples_removed")
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2, default=str)
        print()
    elif args.format == "csv":
        _write_csv(sys.stdout, rows, columns)
    else:
        for r in rows:
            print(f"{r['run_id']:>4}  {r['started']:%Y-%m-%d %H:%M}  {r['status']:<22} "
                  f"docs +{r['docs_added']} ~{r['docs_changed'] + r['docs_reextracted']} "
                  f"!{r['docs_failed']} ={r['docs_unchanged']}  "
                  f"triples +{r['triples_added']} -{r['triples_removed']}")
    return 0
