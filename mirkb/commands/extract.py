"""``mirkb extract``: extract §5 mention rows from files and folders into CSV or Parquet."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Extract miRNA-cancer-effect mentions from documents into one table with the TRIPLES.md §5 columns
(doc_id, mirna, cancer, cancer_id, effect, evidence, start, end, source, hedged, rule).

PATH may be files or folders; folders are read recursively for .txt .pdf .xml .nxml .json.
The output is CSV (UTF-8, header row) or Parquet, chosen by the suffix of --out.

A document that cannot be read or extracted never stops the run: it is listed in the summary
on stderr and in FILE.errors.csv beside the output (doc_id, path, stage, message), and the exit
status is 1. With no failures the exit status is 0 and a stale FILE.errors.csv is removed.
Bad arguments (missing path, unknown --out suffix, missing output folder) exit with status 2.
Rows are written document by document (memory does not grow with the corpus); the output file
appears, complete, when the run ends. --workers N extracts in N worker processes; --prefect runs
the same engine as a Prefect flow (--runner dask for a Dask cluster).

examples:
  mirkb extract ../shared/corpus --out out/mentions.csv
  mirkb extract paper.pdf more-papers/ --out out/mentions.parquet --no-tables
  mirkb extract big-folder/ --out out/mentions.parquet --workers 2
"""


def register(subparsers) -> None:
    from mirkb.commands.run import add_execution_arguments

    parser = subparsers.add_parser(
        "extract",
        help="extract mention rows (§5) from files or folders into CSV or Parquet",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to read")
    parser.add_argument("--out", required=True, metavar="FILE", help="output file: FILE.csv or FILE.parquet")
    parser.add_argument("--model", metavar="NAME",
                        help="installed spaCy/scispacy model merged with the rules (default: $MIRKB_MODEL, "
                             "else none: rules and lexicons only)")
    parser.add_argument("--no-tables", action="store_true", help="read running text only, not tables")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar and no summary; failed documents are still listed")
    parser.add_argument("--prefect", action="store_true",
                        help="run as a Prefect flow (batch tasks, retries, a summary artifact); "
                             "default: plain functions, no Prefect start-up")
    add_execution_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from tqdm import tqdm

    from mirkb import batch
    from mirkb.commands.run import check_execution_arguments
    from mirkb.errors import UsageError

    args.no_prefect = not args.prefect
    check_execution_arguments(args)
    try:
        out = batch.check_output(args.out)
        items, superseded = batch.extract_plan(args.paths)
    except (batch.OutputError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from exc
    if not items:
        raise UsageError(f"no documents ({' '.join(sorted(batch.SUFFIXES))}) under {' '.join(args.paths)}")
    model, tables = args.model or "", not args.no_tables

    if args.prefect:
        from flows import extract as flow

        summary = batch.ExtractSummary(**{
            k: v for k, v in flow.run(args.paths, str(out), model, tables, runner=args.runner,
                                      address=args.dask_address, workers=args.workers).items()
            if k != "triples"})
        summary.errors = [batch.DocError(**e) for e in summary.errors]
        summary.superseded = [batch.Superseded(**s) for s in summary.superseded]
    else:
        show_bar = len(items) > 1 and not args.quiet and sys.stderr.isatty()
        with tqdm(total=len(items), unit="doc", file=sys.stderr, disable=not show_bar) as bar:
            def progress(result):
                bar.set_postfix_str(result.doc_id, refresh=False)
                bar.update(1)

            summary = batch.extract(items, out, model, tables, workers=args.workers, superseded=superseded,
                                    on_result=progress)

    if args.quiet:
        for e in summary.errors:
            print(f"failed: {e.doc_id} [{e.stage}] {e.message} ({e.path})", file=sys.stderr)
    elif not args.prefect:
        print(summary.to_text(), file=sys.stderr)
    return 1 if summary.errors else 0
