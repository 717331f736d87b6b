#!/usr/bin/env python3
"""Table triples scored per detected table shape (strict and pair, TRIPLES.md §7).

Each flattened table the detector finds in a seed document claims the gold table rows whose line
falls inside its span; predictions are assigned by the shape in their ``rule``. Usage:
    .venv/bin/python bench/tables_by_shape.py
"""

from __future__ import annotations

from collections import defaultdict

from extractors.ingest import load_document
from extractors.pipeline import Extractor
from extractors.tables import find_text_tables
from mirkb.scoring import load_gold
from mirkb.settings import default_corpus, default_gold


def main() -> None:
    extractor = Extractor()
    gold_rows, docs = load_gold(default_gold())
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"strict": [0, 0, 0], "pair": [0, 0, 0]})
    for doc_id in docs:
        doc = load_document(default_corpus() / f"{doc_id}.txt")
        text = doc.text
        tables = find_text_tables(text)
        spans = [(text.count("\n", 0, t.start) + 1, text.count("\n", 0, t.end) + 1, t.shape) for t in tables]
        preds = [m for m in extractor.extract(doc) if m.source == "table"]
        for first, last, shape in spans:
            gold = [g for g in gold_rows if g.doc_id == doc_id and g.source == "table" and first <= g.line <= last]
            mine = [m for m in preds if f":{shape}:" in m.rule and first <= text.count("\n", 0, m.start) + 1 <= last]
            for level, key in (("strict", lambda r: (r.mirna, r.cancer, r.effect)), ("pair", lambda r: (r.mirna, r.cancer))):
                must = {key(g) for g in gold if not g.optional}
                maybe = {key(g) for g in gold if g.optional} - must
                got = {key(m) for m in mine}
                counts = tally[f"{doc_id} {shape} (lines {first}-{last})"][level]
                counts[0] += len(got & must)
                counts[1] += len(got - must - maybe)
                counts[2] += len(must - got)
    print("| table | level | TP | FP | FN | P | R | F1 |\n|---|---|---|---|---|---|---|---|")
    for name, levels in tally.items():
        for level, (tp, fp, fn) in levels.items():
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            print(f"| {name} | {level} | {tp} | {fp} | {fn} | {p:.3f} | {r:.3f} | {f:.3f} |")


if __name__ == "__main__":
    main()
