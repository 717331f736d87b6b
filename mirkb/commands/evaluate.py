"""``mirkb evaluate``: score a predictions file against the gold (TRIPLES.md §7)."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Score extracted triples against hand-curated gold, as TRIPLES.md §7 says: per document, the set of
unique predicted (mirna, cancer, effect) triples against the unique non-optional gold triples;
optional gold triples count neither as missed nor as wrong. Precision, recall and F1 are given per
document and micro-averaged, at three levels:

  strict       mirna, cancer and effect all equal
  pair         mirna and cancer equal, effect ignored
  arm_lenient  as strict, with a trailing -5p/-3p dropped on both sides (miR-21-5p = miR-21)

and for text triples, table triples and all of them together.

Which documents count (--docs): `gold` (default) scores the documents that have a gold file;
predictions in other documents are listed as not scored. `all-predicted` also scores every
predicted document, so a triple in a document without gold is a false positive.

examples:
  mirkb evaluate --pred out/mentions.csv
  mirkb evaluate --pred out/mentions.parquet --gold gold/ --json
  mirkb evaluate --pred out/mentions.csv --report out/report --source text
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score predictions against the gold (P/R/F1, strict, pair and arm-lenient)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--pred", required=True, metavar="FILE", help="predictions: CSV or Parquet with the §5 columns"
    )
    parser.add_argument(
        "--gold",
        metavar="DIR|FILE",
        help="gold: a folder of <doc_id>.tsv files (top level only) or one TSV "
        "(default: $MIRKB_GOLD, else gold/ of the checkout)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument(
        "--report",
        metavar="DIR",
        help="also write report.md, fp.csv, fn.csv, per_effect.png and the HTML evidence report "
        "(index.html, evaluation.html, triples/) into DIR",
    )
    parser.add_argument(
        "--source",
        choices=("text", "table", "all"),
        help="show only this source (default: text, table and all)",
    )
    parser.add_argument(
        "--docs",
        choices=("gold", "all-predicted"),
        default="gold",
        help="which documents count (default: gold; see above)",
    )
    parser.set_defaults(func=run)


def _format(counts) -> str:
    return (
        f"{counts.tp:5d} {counts.fp:5d} {counts.fn:5d}  "
        f"{counts.p:6.3f} {counts.r:6.3f} {counts.f1:6.3f}"
    )


def render_text(evaluation, scopes: tuple[str, ...]) -> str:
    from mirkb.scoring import LEVELS

    head = f"{'':12s} {'':6s} {'TP':>5s} {'FP':>5s} {'FN':>5s}  {'P':>6s} {'R':>6s} {'F1':>6s}"
    lines = ["micro-averaged", head]
    for level in LEVELS:
        for scope in scopes:
            lines.append(f"{level:12s} {scope:6s} " + _format(evaluation.result(level, scope).micro))
    width = max((len(doc) for doc in evaluation.documents), default=8)
    for scope in scopes:
        lines += ["", f"per document (strict, {scope})"]
        lines.append(f"{'':{width}s} {'TP':>5s} {'FP':>5s} {'FN':>5s}  {'P':>6s} {'R':>6s} {'F1':>6s}")
        for doc, counts in evaluation.result("strict", scope).documents.items():
            lines.append(f"{doc:{width}s} " + _format(counts))
    if evaluation.unscored:
        lines += ["", "predicted documents not scored (no gold; use --docs all-predicted to count them):"]
        lines += [f"  {doc}: {n} unique triples" for doc, n in evaluation.unscored.items()]
    return "\n".join(lines)


def run(args) -> int:
    import json
    from pathlib import Path

    from mirkb import settings
    from mirkb.errors import UsageError
    from mirkb.scoring import SCOPES, ScoringInputError, evaluate_files

    gold = Path(args.gold) if args.gold else settings.default_gold()
    pred = Path(args.pred)
    if not pred.is_file():
        raise UsageError(f"predictions file not found: {pred}")
    if not gold.exists():
        raise UsageError(f"gold not found: {gold} (give --gold DIR or FILE)")
    try:
        evaluation = evaluate_files(pred, gold, all_predicted=args.docs == "all-predicted")
    except ScoringInputError as exc:
        raise UsageError(str(exc)) from exc
    if not evaluation.documents:
        raise UsageError(f"no gold documents in {gold} (expected <doc_id>.tsv files)")

    scopes = (args.source,) if args.source else SCOPES
    if args.json:
        print(json.dumps(evaluation.to_dict(scopes), indent=2))
    else:
        print(render_text(evaluation, scopes))
    if args.report:
        from mirkb.report import write_report

        try:
            paths = write_report(Path(args.report), evaluation)
            paths += _write_site(Path(args.report), pred, gold, evaluation)
        except OSError as exc:
            raise UsageError(f"cannot write report to {args.report}: {exc}") from exc
        if not args.json:
            print("\nreport: " + ", ".join(str(p) for p in paths))
    return 0


def _write_site(directory, pred, gold, evaluation) -> list:
    """The HTML evidence report beside the Markdown one: only its entry pages are listed."""
    from mirkb.scoring import load_gold
    from mirkb.site import build_site, read_mentions

    gold_rows, _ = load_gold(gold)
    pages = build_site(directory, read_mentions(pred), evaluation=evaluation, gold=gold_rows,
                       chart=directory / "per_effect.png")
    return [p for p in pages if p.name in {"index.html", "evaluation.html"}]
