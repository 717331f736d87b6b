"""``mirkb report``: the knowledge base as a static HTML site to read evidence in."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Write the knowledge base as a static HTML site that opens from disk (no server, nothing loaded
from the network):

  index.html           every triple, to filter (text, effect, source, verdict) and sort
  triples/<id>.html    each triple's evidence sentences with the miRNA, cancer and cue highlighted
  evaluation.html      (when gold covers documents of the KB) TP, FP and FN side by side, near
                       misses labelled, the rule that fired, and the per-effect chart

examples:
  mirkb report --out site/
  mirkb report --kb /tmp/test.sqlite --out /tmp/site --no-gold
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="the knowledge base as a static HTML site (evidence highlighted, evaluation)",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--kb", metavar="PATH|URL",
                        help="knowledge base (default: $MIRKB_KB, else data/mirkb.sqlite in the checkout)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the site into")
    parser.add_argument("--gold", metavar="DIR|FILE",
                        help="gold to score the KB's documents against (default: $MIRKB_GOLD, else gold/)")
    parser.add_argument("--no-gold", action="store_true", help="no evaluation page, no verdicts")
    parser.set_defaults(func=run)


def kb_mentions(kb) -> list[dict]:
    """Every mention row of the knowledge base (§5 columns, triple id, any stored spans)."""
    return [dict(row) for row in kb.export_rows()]


def run(args) -> int:
    from pathlib import Path

    from mirkb import settings
    from mirkb.errors import UsageError

    kb_arg = args.kb or settings.default_kb()
    if "://" not in str(kb_arg) and not Path(kb_arg).is_file():
        raise UsageError(f"knowledge base not found: {kb_arg} (run `mirkb run` first, or give --kb)")
    from mirkb.kb import open_kb

    with open_kb(kb_arg) as kb:
        mentions = kb_mentions(kb)
    evaluation = gold_rows = None
    if not args.no_gold:
        gold = Path(args.gold) if args.gold else settings.default_gold()
        if args.gold and not gold.exists():
            raise UsageError(f"gold not found: {gold}")
        if gold.exists():
            from mirkb.scoring import ScoringInputError, load_gold, score
            from mirkb.site import to_rows

            try:
                gold_rows, gold_docs = load_gold(gold)
            except ScoringInputError as exc:
                raise UsageError(str(exc)) from exc
            present = {m["doc_id"] for m in mentions}
            docs = [d for d in gold_docs if d in present]
            if docs:
                evaluation = score(to_rows(mentions), gold_rows, gold_docs, docs=docs)
    from mirkb.site import build_site

    try:
        pages = build_site(Path(args.out), mentions, evaluation=evaluation, gold=gold_rows)
    except OSError as exc:
        raise UsageError(f"cannot write the site to {args.out}: {exc}") from exc
    n_triples = len(pages) - 1 - (evaluation is not None)
    scored = f", evaluation of {len(evaluation.documents)} document(s)" if evaluation else ""
    print(f"report: {n_triples} triple page(s){scored}; open {pages[0]}")
    return 0
