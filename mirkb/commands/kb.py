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
  export  every mention with its triple id, support and identifiers: csv tsv xlsx parquet bioc pubtator hmdd
  diff    triples gained and lost between two runs (`--last`: what the last run changed, with evidence)
  runs    the runs recorded, with their counts

examples:
  mirkb kb stats
  mirkb kb query --mirna miR-21 --arms --cancer NSCLC
  mirkb kb query --mirna miR-200 --family --cancer DOID:1612 --source text --min-docs 2
  mirkb kb query --effect prognostic_marker --format csv > prognostic.csv
  mirkb kb export --out out/kb.xlsx
  mirkb kb export --cancer "lung cancer" --format bioc --out out/lung.json
  mirkb kb diff --last
  mirkb kb diff 3 4
"""

QUERY_HELP = """\
Supported triples, most supported first, with their evidence.

A cancer is read with the extractor's lexicon: a name, synonym, abbreviation or DOID, and its
subtypes in the Disease Ontology come with it ("lung cancer" also finds non-small cell lung
carcinoma and lung adenocarcinoma) unless --exact. A miRNA is any spelling §2 accepts; a written
arm stays part of the name unless --arms; --family takes every letter, copy and arm of the number.
Support counts and evidence come from the evidence that passes --source, --hedged, --doc, --run.
"""


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

    from mirkb.commands import kb_query

    p = sub.add_parser("query", parents=[common], help="triples with support counts and evidence",
                       description=QUERY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    kb_query.add_filter_arguments(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table (for reading), csv (for Excel/pandas) or json")
    p.add_argument("--limit", type=int, metavar="N", help="at most N triples, most supported first")
    p.add_argument("--evidence", type=int, default=3, metavar="N",
                   help="evidence rows per triple (3; 0 for none). The csv `documents` column always "
                        "lists every supporting document")
    p.set_defaults(func=kb_query.query)

    from mirkb.kb.export import FORMATS

    p = sub.add_parser("export", parents=[common], help="mentions with triple ids and identifiers, in "
                                                        + "/".join(FORMATS))
    p.add_argument("--out", required=True, metavar="FILE",
                   help="file to write; its suffix gives the format unless --format is given (.csv .tsv .xlsx "
                        ".parquet .json/.bioc.json → BioC, .pubtator, .hmdd.tsv)")
    p.add_argument("--format", choices=FORMATS,
                   help="csv (UTF-8 with BOM, for Excel), tsv, xlsx (triples + evidence sheets), parquet, "
                        "bioc (BioC JSON), pubtator, hmdd (HMDD/miRCancer-style TSV)")
    kb_query.add_filter_arguments(p)
    p.set_defaults(func=export)

    p = sub.add_parser("diff", parents=[common], help="triples gained and lost between two runs (--last: the "
                                                      "last run)")
    p.add_argument("run_a", type=int, nargs="?", metavar="RUN_A")
    p.add_argument("run_b", type=int, nargs="?", metavar="RUN_B")
    p.add_argument("--last", action="store_true", help="what the last finished run changed (vs the run before)")
    p.add_argument("--evidence", type=int, default=None, metavar="N",
                   help="evidence rows per triple: what supports a gained triple, what a lost one had "
                        "(default 2 with --last, else 0)")
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

    return open_kb(args.kb, create=False)  # reading a mistyped path must not create a new KB


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
    print("documents with: " + ", ".join(f"{k.upper()} {v}" for k, v in data["documents_with"].items()))
    print(f"mentions: {data['mentions']}"
          + (" (miRBase: " + ", ".join(f"{k} {v}" for k, v in sorted(data["mentions_by_mirna_status"].items()))
             + ")" if data["mentions"] else ""))
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


def _write_csv(stream, rows: list[dict], columns) -> None:
    import csv

    writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def export(args) -> int:
    from pathlib import Path

    from mirkb.commands.kb_query import build_query
    from mirkb.errors import UsageError
    from mirkb.kb import export as ex
    from mirkb.kb.store import EXPORT_COLUMNS

    out = Path(args.out)
    fmt = args.format or ex.infer_format(out)
    if fmt is None:
        raise UsageError(f"cannot tell the format from {out.name!r}: give --format ({', '.join(ex.FORMATS)}) "
                         "or an --out ending in .csv, .tsv, .xlsx, .parquet, .json, .pubtator or .hmdd.tsv")
    with _open(args) as kb:
        where, _notes = build_query(args, kb)
        rows = kb.export_rows(where)
    try:
        ex.write(rows, out, fmt, EXPORT_COLUMNS)
    except ex.ExportError as exc:
        print(f"mirkb kb export: {exc}", file=sys.stderr)
        return 1
    n_triples = len({r["triple_id"] for r in rows})
    print(f"wrote {len(rows)} mention(s) of {n_triples} triple(s) to {out} ({fmt})")
    return 0


def diff(args) -> int:
    from mirkb.commands.kb_query import format_evidence
    from mirkb.errors import UsageError

    if args.last == (args.run_a is not None) or (args.run_a is None) != (args.run_b is None):
        raise UsageError("give two run ids (kb diff RUN_A RUN_B) or --last")
    evidence = args.evidence if args.evidence is not None else (2 if args.last else 0)
    if evidence < 0:
        raise UsageError("--evidence must be 0 or more")
    with _open(args) as kb:
        try:
            run_a, run_b = kb.last_runs() if args.last else (args.run_a, args.run_b)
            changes = kb.diff_runs(run_a, run_b, evidence_per_triple=evidence)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from exc
    rows = [{"change": kind, **t} for kind in ("gained", "lost") for t in changes[kind]]
    if args.format == "json":
        json.dump({"run_a": run_a, "run_b": run_b, **changes}, sys.stdout, indent=2, default=str)
        print()
    elif args.format == "csv":
        for row in rows:
            row["evidence"] = " || ".join(e["evidence"] for e in row.get("evidence", []))
            row["documents"] = ";".join(dict.fromkeys(e["doc_id"] for e in row.get("evidence", [])))
        _write_csv(sys.stdout, rows, ("change", "triple_id", "mirna", "mirna_id", "cancer", "cancer_id", "effect",
                                      "documents", "evidence"))
    else:
        since = f"run {run_a}" if run_a is not None else "an empty knowledge base"
        print(f"{since} -> run {run_b}: {len(changes['gained'])} gained, {len(changes['lost'])} lost")
        for doc in changes.get("superseded", []):
            print(f"superseded in run {doc['run_id']}: {doc['doc_id']} ({doc['path']}): {doc['message']}")
        for row in rows:
            mark = "+" if row["change"] == "gained" else "-"
            print(f"{mark} {row['mirna']} | {row['cancer']} | {row['effect']}")
            for ev in row.get("evidence", []):
                print("    " + ("was: " if mark == "-" else "") + format_evidence(ev))
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
