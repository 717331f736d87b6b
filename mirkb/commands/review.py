"""``mirkb review``: export a sheet of triples for a curator, import the verdicts as gold rows."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
The curator's review loop.

  export  one row per triple and document: the evidence, the document's line and offsets, the
          rule, whether it is already in the gold, and empty columns to fill: verdict
          (accepted / rejected / fixed), mirna_fixed, cancer_fixed, effect_fixed, optional, note
  import  turn the verdicts into gold rows (TRIPLES.md §6): accepted -> the row as it is;
          fixed -> the row with the corrected parts; rejected or empty -> nothing

Import checks every row before writing anything: if any row is bad, each is reported with its
line in the sheet, no gold file changes and the exit status is 1. Rows already in the gold are
skipped, so importing the same sheet twice adds nothing.

examples:
  mirkb review export --out review.xlsx
  mirkb review export --kb /tmp/test.sqlite --doc paper1 --out review.csv
  mirkb review import review.xlsx --gold gold/
  mirkb review import review.csv --gold gold/ --dry-run
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "review", help="review sheet out (CSV/XLSX), curator's verdicts back in as gold rows",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="review_command", metavar="ACTION")
    export = sub.add_parser("export", help="write a review sheet (.csv or .xlsx) of the KB's triples")
    export.add_argument("--kb", metavar="PATH|URL",
                        help="knowledge base (default: $MIRKB_KB, else data/mirkb.sqlite in the checkout)")
    export.add_argument("--out", required=True, metavar="FILE", help="the sheet: .csv (UTF-8 with BOM) or .xlsx")
    export.add_argument("--doc", action="append", metavar="DOC_ID", help="only this document (repeatable)")
    export.add_argument("--gold", metavar="DIR",
                        help="gold, to mark rows already curated (default: $MIRKB_GOLD, else gold/)")
    export.set_defaults(func=run_export)
    imp = sub.add_parser("import", help="turn a reviewed sheet's verdicts into gold rows")
    imp.add_argument("sheet", metavar="SHEET", help="a sheet from `mirkb review export`, with verdicts")
    imp.add_argument("--gold", required=True, metavar="DIR", help="gold folder: rows go to DIR/<doc_id>.tsv")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.set_defaults(func=run_import)
    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser) -> int:
    parser.print_help()
    return 2


def run_export(args) -> int:
    from pathlib import Path

    from mirkb import settings
    from mirkb.errors import UsageError

    out = Path(args.out)
    if out.suffix.lower() not in {".csv", ".xlsx"}:
        raise UsageError(f"--out must end in .csv or .xlsx, not {out.name!r}")
    if not out.parent.is_dir():
        raise UsageError(f"output folder not found: {out.parent}")
    kb_arg = args.kb or settings.default_kb()
    if "://" not in str(kb_arg) and not Path(kb_arg).is_file():
        raise UsageError(f"knowledge base not found: {kb_arg} (run `mirkb run` first, or give --kb)")
    from sqlalchemy import select

    from mirkb.kb import open_kb
    from mirkb.kb.schema import documents
    from mirkb.review import gold_keys, sheet_rows, write_sheet

    with open_kb(kb_arg) as kb:
        mentions = kb.export_rows()
        with kb.read() as conn:
            paths = {r.doc_id: r.path for r in conn.execute(select(documents.c.doc_id, documents.c.path))}
    if args.doc:
        wanted = set(args.doc)
        mentions = [m for m in mentions if m["doc_id"] in wanted]
    gold = Path(args.gold) if args.gold else settings.default_gold()
    rows = sheet_rows(mentions, paths, gold_keys(gold))
    write_sheet(out, rows)
    n_gold = sum(1 for r in rows if r["in_gold"])
    print(f"review sheet: {len(rows)} row(s) ({n_gold} already in the gold) written to {out}")
    return 0


def run_import(args) -> int:
    from pathlib import Path

    from mirkb.errors import UsageError
    from mirkb.review import SheetError, import_sheet

    try:
        result = import_sheet(Path(args.sheet), Path(args.gold), dry_run=args.dry_run)
    except SheetError as exc:
        raise UsageError(str(exc)) from exc
    for note in result.rejected_in_gold:
        print(f"note: {note}", file=sys.stderr)
    if not result.ok:
        for problem in result.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(result.problems)} problem(s): nothing was written; fix the sheet and import it again",
              file=sys.stderr)
        return 1
    verb = "would add" if args.dry_run else "added"
    docs = sorted({r["doc_id"] for r in result.added})
    print(f"{verb} {len(result.added)} gold row(s) ({result.accepted} accepted, {result.fixed} fixed) "
          f"to {len(docs)} file(s) in {args.gold}; {result.rejected} rejected, {result.already} already in "
          f"the gold, {result.unreviewed} not reviewed")
    return 0
