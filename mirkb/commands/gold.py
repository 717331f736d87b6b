"""``mirkb gold``: validate the gold files and count what they hold."""

from __future__ import annotations

import argparse

CHECK_DESCRIPTION = """\
Validate gold TSVs (the top-level <doc_id>.tsv files of the gold folder; gold/parts/ holds drafts):
the TRIPLES.md §6 columns, doc_id equal to the file stem, canonical miRNA (§2) and cancer (§3)
names, effects from §4, source text/table, optional 0/1, a line inside the document on which (or on
the next two lines; 40 for tables) the miRNA is written, and no duplicate
(mirna, cancer, effect, source) in a document. Exit status 1 when any problem is found.
"""

STATS_DESCRIPTION = """\
Count gold triples per document, per source and per effect, non-optional and optional.
--markdown prints the tables the README includes.
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "gold",
        help="validate the gold files (check) or count their triples (stats)",
        description="Work with the hand-curated gold set (gold/<doc_id>.tsv).",
    )
    actions = parser.add_subparsers(dest="gold_command", metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="validate gold TSVs against the contract and the corpus text",
        description=CHECK_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--gold", metavar="DIR|FILE", help="gold folder or one TSV (default: $MIRKB_GOLD, else gold/)"
    )
    check.add_argument(
        "--corpus",
        metavar="DIR",
        help="folder of <doc_id>.txt texts the lines refer to (default: $MIRKB_CORPUS, else ../shared/corpus)",
    )
    check.set_defaults(func=run_check)
    stats = actions.add_parser(
        "stats",
        help="count gold triples per document, source and effect",
        description=STATS_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    stats.add_argument(
        "--gold", metavar="DIR|FILE", help="gold folder or one TSV (default: $MIRKB_GOLD, else gold/)"
    )
    stats.add_argument("--markdown", action="store_true", help="print Markdown tables")
    stats.set_defaults(func=run_stats)
    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser) -> int:
    from mirkb.errors import UsageError

    raise UsageError("choose an action: check or stats (see mirkb gold --help)")


def _gold_path(args):
    from pathlib import Path

    from mirkb import settings
    from mirkb.errors import UsageError

    gold = Path(args.gold) if args.gold else settings.default_gold()
    if not gold.exists():
        raise UsageError(f"gold not found: {gold}")
    return gold


def run_check(args) -> int:
    from pathlib import Path

    from mirkb.errors import UsageError
    from mirkb.goldcheck import check_gold
    from mirkb.scoring import gold_files

    gold = _gold_path(args)
    if args.corpus and not Path(args.corpus).is_dir():
        raise UsageError(f"corpus folder not found: {args.corpus}")
    files = gold_files(gold)
    if not files:
        raise UsageError(f"no gold TSV files in {gold}")
    try:
        problems = check_gold(gold, Path(args.corpus) if args.corpus else None)
    except ValueError as exc:  # a malformed lexicon record names its file and line
        raise UsageError(str(exc)) from exc
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {len(files)} gold file(s)")
        return 1
    print(f"ok: {len(files)} gold file(s), no problems")
    return 0


def gold_stats(rows) -> dict:
    """Counts of gold rows (one per unique triple and source) keyed for the three tables."""
    from collections import Counter

    per_doc: Counter = Counter()
    per_source: Counter = Counter()
    per_effect: Counter = Counter()
    for row in rows:
        kind = "optional" if row.optional else "counted"
        per_doc[(row.doc_id, row.source, kind)] += 1
        per_source[(row.source, kind)] += 1
        per_effect[(row.effect, row.source, kind)] += 1
    return {"documents": per_doc, "sources": per_source, "effects": per_effect}


def render_stats(rows, docs, markdown: bool) -> str:
    from mirkb.scoring import EFFECTS, SOURCES

    stats = gold_stats(rows)
    head = ["text", "table", "total", "optional"]

    def cells(counter, prefix) -> list[int]:
        text = counter[(*prefix, "text", "counted")]
        table = counter[(*prefix, "table", "counted")]
        optional = counter[(*prefix, "text", "optional")] + counter[(*prefix, "table", "optional")]
        return [text, table, text + table, optional]

    documents = [(doc, cells(stats["documents"], (doc,))) for doc in docs]
    effects_seen = list(EFFECTS) + sorted({e for e, _, _ in stats["effects"]} - set(EFFECTS))
    effects = [(e, cells(stats["effects"], (e,))) for e in effects_seen]
    total = [sum(c[i] for _, c in documents) for i in range(4)]
    sources = [(s, stats["sources"][(s, "counted")], stats["sources"][(s, "optional")]) for s in SOURCES]

    out: list[str] = []
    if markdown:
        def table(first, body):
            out.extend(["| " + " | ".join([first, *head]) + " |", "|" + "---|" * (len(head) + 1)])
            out.extend("| " + " | ".join([name, *map(str, c)]) + " |" for name, c in body)
            out.append("")

        out += ["Gold triples (non-optional by source, and optional).", ""]
        table("document", documents + [("**all**", total)])
        out += ["| source | triples | optional |", "|---|---|---|"]
        out += [f"| {s} | {n} | {o} |" for s, n, o in sources]
        out.append("")
        table("effect", effects)
    else:
        def table(first, body):
            width = max([len(first)] + [len(name) for name, _ in body])
            out.append(f"{first:{width}s} " + " ".join(f"{h:>8s}" for h in head))
            out.extend(f"{name:{width}s} " + " ".join(f"{v:8d}" for v in c) for name, c in body)
            out.append("")

        table("document", documents + [("all", total)])
        out.append("source     triples optional")
        out.extend(f"{s:10s} {n:7d} {o:8d}" for s, n, o in sources)
        out.append("")
        table("effect", effects)
    return "\n".join(out).rstrip() + "\n"


def run_stats(args) -> int:
    from mirkb.errors import UsageError
    from mirkb.scoring import ScoringInputError, load_gold

    gold = _gold_path(args)
    try:
        rows, docs = load_gold(gold)
    except ScoringInputError as exc:
        raise UsageError(str(exc)) from exc
    if not docs:
        raise UsageError(f"no gold TSV files in {gold}")
    print(render_stats(rows, docs, args.markdown), end="")
    return 0
