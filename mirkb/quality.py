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
    devset = default_devset()
    if devset.is_dir():
        figures["dev_pair"] = dev_quality(extractor, devset).result("pair", "all").micro.to_dict()
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
    return figures


def _row(label: str, c: dict) -> str:
    return f"| {label} | {c['p']:.3f} | {c['r']:.3f} | {c['f1']:.3f} | {c['tp']} | {c['fp']} | {c['fn']} |"


def markdown(figures: dict) -> str:
    """The README's quality tables, rendered from recorded figures (nothing is re-measured)."""
    head = "| {} | P | R | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|"
    out = ["Seed reviews, micro-averaged over both documents:", "", head.format("level / source")]
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
