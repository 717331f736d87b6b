"""``mirkb extract``: extract §5 mention rows from files and folders into CSV or Parquet."""

from __future__ import annotations

import argparse
import sys
import time

DESCRIPTION = """\
Extract miRNA-cancer-effect mentions from documents into one table with the TRIPLES.md §5 columns
(doc_id, mirna, cancer, cancer_id, effect, evidence, start, end, source, hedged, rule).

PATH may be files or folders; folders are read recursively for .txt .pdf .xml .nxml .json.
The output is CSV (UTF-8, header row) or Parquet, chosen by the suffix of --out.

A document that cannot be read or extracted never stops the run: it is listed in the summary
on stderr and in FILE.errors.csv beside the output (doc_id, path, stage, message), and the exit
status is 1. With no failures the exit status is 0 and a stale FILE.errors.csv is removed.
Bad arguments (missing path, unknown --out suffix, missing output folder) exit with status 2.

examples:
  mirkb extract ../shared/corpus --out out/mentions.csv
  mirkb extract paper.pdf more-papers/ --out out/mentions.parquet --no-tables
"""


def register(subparsers) -> None:
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
    parser.set_defaults(func=run)


def run(args) -> int:
    from tqdm import tqdm

    from mirkb import extract_batch as eb
    from mirkb.cli import UsageError

    try:
        out = eb.check_output(args.out)
        files = list(eb.iter_documents(args.paths))
    except (eb.OutputError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from exc
    if not files:
        raise UsageError(f"no documents ({' '.join(sorted(eb.SUFFIXES))}) under {' '.join(args.paths)}")

    started = time.perf_counter()
    extractor = eb.get_extractor(args.model or "", tables=not args.no_tables)
    startup = time.perf_counter() - started

    show_bar = len(files) > 1 and not args.quiet and sys.stderr.isatty()
    with tqdm(total=len(files), unit="doc", file=sys.stderr, disable=not show_bar) as bar:
        def progress(result):
            bar.set_postfix_str(result.doc_id, refresh=False)
            bar.update(1)

        rows, errors, stats = eb.extract_paths(files, extractor, progress, startup_seconds=startup)
    errors_file = eb.write_output(rows, errors, out)

    if args.quiet:
        for e in errors:
            print(f"failed: {e.doc_id} [{e.stage}] {e.message} ({e.path})", file=sys.stderr)
    else:
        print(eb.summary_text(stats, errors, out, errors_file), file=sys.stderr)
    return 1 if errors else 0
