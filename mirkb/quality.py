"""Measured quality: the extractor on the seed reviews (against gold/), the dev abstracts and the
dev full-text articles (JATS, two-pass gold), each set scored with the project's scorer.

``python -m mirkb.quality`` prints the figures; ``--record`` writes them to ``bench/quality.json``,
the file the regression test reads (it fails when strict micro-F1 falls more than 0.02 below it).
The scorer judges the extractor, so this module only orchestrates: extract, then score.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from mirkb.scoring import Row, load_gold, score
from mirkb.settings import REPO_ROOT, default_corpus, default_gold

RECORD = REPO_ROOT / "bench" / "quality.json"
TOLERANCE = 0.02


def default_devset() -> Path:
    return REPO_ROOT.parent / "shared" / "devsets" / "mirna_corpus_abstracts"


def default_fulltext() -> Path:
    return REPO_ROOT.parent / "shared" / "devsets" / "fulltext_jats"


def _rows(mentions) -> list[Row]:
    return [Row(m.doc_id, m.mirna, m.cancer, m.effect, m.source, m.evidence) for m in mentions]


def extract_files(extractor, paths: list[Path]) -> list[Row]:
    from extractors.ingest import load_document

    rows: list[Row] = []
    for path in paths:
        rows.extend(_rows(extractor.extract(load_document(path))))
    return rows


def seed_quality(extractor, corpus: Path, gold: Path):
    """Evaluation of the extractor on every corpus document that has a gold file."""
    gold_rows, gold_docs = load_gold(gold)
    paths = [corpus / f"{doc}.txt" for doc in gold_docs]
    return score(extract_files(extractor, paths), gold_rows, gold_docs)


def load_dev_gold(devset: Path) -> tuple[list[Row], list[str]]:
    """Dev pairs (effect "any") plus the negatives a review found to be real relations, as optional."""
    rows = []
    for name, keep in (("gold_pairs.tsv", lambda r: True), ("negatives.tsv", lambda r: r["optional"] == "1")):
        with (devset / name).open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                if keep(r):
                    rows.append(Row(r["doc_id"], r["mirna"], r["cancer"], "any", "text",
                                    optional=r["optional"] == "1" or name == "negatives.tsv"))
    docs = sorted(p.stem for p in (devset / "docs").glob("*.txt"))
    return rows, docs


def dev_quality(extractor, devset: Path):
    """Pair-level evaluation over all dev documents: a pair in a document without gold is a FP."""
    gold_rows, docs = load_dev_gold(devset)
    preds = extract_files(extractor, sorted((devset / "docs").glob("*.txt")))
    return score(preds, gold_rows, docs, docs=docs)


def fulltext_quality(extractor, devset: Path):
    """Full-text articles (JATS) against their two-pass gold, closed over the gold's documents."""
    gold_rows, docs = load_gold(devset / "gold.tsv")
    preds = extract_files(extractor, [devset / "docs" / f"{doc}.xml" for doc in docs])
    return score(preds, gold_rows, docs, docs=docs)


def cooccurrence_rows(extractor, doc) -> list:
    """The sentence co-occurrence baseline for one document, as scorer rows.

    Every miRNA x every (non-generic) cancer x every effect that any cue in the sentence could
    give, over exactly the sentences mirkb reads, with mirkb's own recognisers: it isolates what
    the relation rules add. Text only (it reads sentences, not table rows).
    """
    from extractors.relations import PROCESS_EFFECTS
    from mirkb.scoring import Row

    tables = extractor._tables(doc) if extractor.settings.tables else []
    rows = set()
    # the same sentences mirkb reads (passage by passage), headings left out as before
    for view in extractor.sentences(doc, tables):
        if view.in_heading:
            continue
        mirnas, cancers, sent_cues = view.mirnas, view.cancers, view.cues
        names = {n for s in mirnas for n in s._.mirnas}
        concepts = {c._.cancer.canonical for c in cancers if c._.cancer is not None and not c._.cancer.generic}
        if not names or not concepts:
            continue
        occupied = {i for s in mirnas + cancers for i in range(s.start, s.end)}
        effects = set()
        for cue in sent_cues:
            if any(i in occupied for i in range(cue.start, cue.end)):
                continue
            if cue.kind == "process":
                effects.add(PROCESS_EFFECTS.get((cue.category, "+")))
            elif cue.kind in {"expression", "marker", "role"}:
                effects.add("diagnostic_marker" if cue.effect == "biomarker" else cue.effect)
        effects.discard(None)
        effects.discard("")
        rows.update((m, c, e) for m in names for c in concepts for e in effects)
    return [Row(doc.doc_id, m, c, e, "text") for m, c, e in sorted(rows)]


def baseline_quality(extractor, paths: list[Path], gold_rows: list[Row], docs: list[str], closed: bool):
    """The co-occurrence baseline over ``paths``, scored like the pipeline on the same set."""
    from extractors.ingest import load_document

    rows = [r for p in paths for r in cooccurrence_rows(extractor, load_document(p))]
    return score(rows, gold_rows, docs, docs=docs if closed else None)


def measure(extractor=None) -> dict:
    from extractors.pipeline import Extractor

    started = time.perf_counter()
    extractor = extractor or Extractor()
    built = time.perf_counter()
    figures: dict = {"startup_seconds": round(built - started, 2)}
    corpus = default_corpus()
    if corpus is not None:
        t0 = time.perf_counter()
        seeds = seed_quality(extractor, corpus, default_gold())
        figures["seed_seconds"] = round(time.perf_counter() - t0, 2)
        for level in ("strict", "pair", "arm_lenient"):
            for scope in ("text", "table", "all"):
                figures[f"seed_{level}_{scope}"] = seeds.result(level, scope).micro.to_dict()
        figures["seed_per_document_strict_all"] = {
            doc: c.to_dict() for doc, c in seeds.result("strict", "all").documents.items()}
        figures["seed_per_effect_strict_all"] = {e: c.to_dict() for e, c in seeds.per_effect.items()}
        gold_rows, gold_docs = load_gold(default_gold())
        base = baseline_quality(extractor, [corpus / f"{d}.txt" for d in gold_docs], gold_rows, gold_docs, False)
        for level in ("strict", "pair"):
            figures[f"seed_{level}_text_baseline"] = base.result(level, "text").micro.to_dict()
    devset = default_devset()
    if devset.is_dir():
        figures["dev_pair"] = dev_quality(extractor, devset).result("pair", "all").micro.to_dict()
        dev_gold, dev_docs = load_dev_gold(devset)
        base = baseline_quality(extractor, sorted((devset / "docs").glob("*.txt")), dev_gold, dev_docs, True)
        figures["dev_pair_baseline"] = base.result("pair", "all").micro.to_dict()
    fulltext = default_fulltext()
    if fulltext.is_dir():
        t0 = time.perf_counter()
        ft = fulltext_quality(extractor, fulltext)
        figures["fulltext_seconds"] = round(time.perf_counter() - t0, 2)
        for level in ("strict", "pair", "arm_lenient"):
            for scope in ("text", "table", "all"):
                figures[f"fulltext_{level}_{scope}"] = ft.result(level, scope).micro.to_dict()
        for level in ("strict", "pair"):
            figures[f"fulltext_per_document_{level}_all"] = {
                doc: c.to_dict() for doc, c in ft.result(level, "all").documents.items()}
        ft_gold, ft_docs = load_gold(fulltext / "gold.tsv")
        base = baseline_quality(extractor, [fulltext / "docs" / f"{d}.xml" for d in ft_docs], ft_gold, ft_docs, True)
        for level in ("strict", "pair"):
            figures[f"fulltext_{level}_text_baseline"] = base.result(level, "text").micro.to_dict()
    return figures


def _row(label: str, c: dict) -> str:
    return f"| {label} | {c['p']:.3f} | {c['r']:.3f} | {c['f1']:.3f} | {c['tp']} | {c['fp']} | {c['fn']} |"


#: (label, figures key of mirkb, key of the baseline, target) for the summary table; the baseline
#: reads sentences only, so it stands beside mirkb's text figures.
SUMMARY_ROWS = (
    ("seed reviews (2), strict, all sources", "seed_strict_all", None, ">= 0.93"),
    ("seed reviews (2), strict, text", "seed_strict_text", "seed_strict_text_baseline", ""),
    ("seed reviews (2), pair, text", "seed_pair_text", "seed_pair_text_baseline", ""),
    ("dev abstracts (201), pair", "dev_pair", "dev_pair_baseline", ">= 0.85"),
    ("dev full text (5 JATS), strict, all sources", "fulltext_strict_all", None, ">= 0.75"),
    ("dev full text (5 JATS), pair, all sources", "fulltext_pair_all", None, ">= 0.85"),
    ("dev full text (5 JATS), strict, text", "fulltext_strict_text", "fulltext_strict_text_baseline", ""),
    ("dev full text (5 JATS), strict, table", "fulltext_strict_table", None, ""),
    ("dev full text (5 JATS), pair, text", "fulltext_pair_text", "fulltext_pair_text_baseline", ""),
)


def summary_table(figures: dict) -> list[str]:
    """The three sets in one table, each beside the co-occurrence baseline where it applies."""
    out = ["The three sets, beside the sentence co-occurrence baseline measured in the same run "
           "(issue targets where one is set):", "",
           "| set, level, source | mirkb P | R | F1 | baseline P | R | F1 | target F1 |",
           "|---|---|---|---|---|---|---|---|"]
    for label, key, base_key, target in SUMMARY_ROWS:
        if key not in figures:
            continue
        a, b = figures[key], figures.get(base_key) if base_key else None
        base = f"{b['p']:.3f} | {b['r']:.3f} | {b['f1']:.3f}" if b else "— | — | —"
        out.append(f"| {label} | {a['p']:.3f} | {a['r']:.3f} | {a['f1']:.3f} | {base} | {target or '—'} |")
    return out


def markdown(figures: dict) -> str:
    """The README's quality tables, rendered from recorded figures (nothing is re-measured)."""
    head = "| {} | P | R | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|"
    out = summary_table(figures)
    out += ["", "Seed reviews, micro-averaged over both documents:", "", head.format("level / source")]
    for level in ("strict", "pair", "arm_lenient"):
        for scope in ("text", "table", "all"):
            out.append(_row(f"{level.replace('_', '-')} / {scope}", figures[f"seed_{level}_{scope}"]))
    out += ["", "Per document (strict, all sources):", "", head.format("document")]
    out += [_row(doc, c) for doc, c in figures["seed_per_document_strict_all"].items()]
    out += ["", "Per effect (strict, all sources):", "", head.format("effect")]
    out += [_row(effect, c) for effect, c in figures["seed_per_effect_strict_all"].items()]
    if "dev_pair" in figures:
        out += ["", "Dev abstracts (201 PubMed abstracts, pair level, every document scored):", "",
                head.format("set"), _row("dev abstracts", figures["dev_pair"])]
    if "fulltext_strict_all" in figures:
        out += ["", "Dev full-text articles (5 JATS research articles, two-pass gold, closed over the 5):", "",
                head.format("level / source")]
        for level in ("strict", "pair", "arm_lenient"):
            for scope in ("text", "table", "all"):
                out.append(_row(f"{level.replace('_', '-')} / {scope}", figures[f"fulltext_{level}_{scope}"]))
        for level in ("strict", "pair"):
            out += ["", f"Dev full-text, per document ({level}, all sources):", "", head.format("document")]
            out += [_row(doc, c) for doc, c in figures[f"fulltext_per_document_{level}_all"].items()]
    out += ["", f"Start-up (building the pipeline, no Prefect): {figures['startup_seconds']} s; "
            f"extracting both seed reviews after start-up: {figures.get('seed_seconds', '?')} s (one core)."]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help=f"write the figures to {RECORD}")
    parser.add_argument("--markdown", action="store_true",
                        help=f"print the recorded figures of {RECORD.name} as the README's tables (no measuring)")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(RECORD.read_text(encoding="utf-8"))))
        return 0
    figures = measure()
    print(json.dumps(figures, indent=1))
    if args.record:
        RECORD.parent.mkdir(exist_ok=True)
        RECORD.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded in {RECORD}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
