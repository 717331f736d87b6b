"""Prepare the GENIA UD treebank for ``spacy convert`` (``make model`` runs this first).

The treebank's column 4 (UPOS) holds Penn Treebank tags, which spaCy refuses as UPOS: they are
kept in column 5 (the tag the tagger learns) and column 4 is blanked. Splits (see the
treebank's README): ``future_use`` and ``dev`` are for training; the last ``--heldout``
sentences of ``dev`` are kept apart to pick the best checkpoint; ``test`` is only ever scored.

Usage: python scripts/genia_prepare.py ../shared/treebanks/genia_ud build/genia
       python scripts/genia_prepare.py --attribute extractors/data/genia_parser   (after training)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SOURCE = {
    "name": "GENIA treebank in Universal Dependencies (allenai/genia-dependency-trees, commit a155b14)",
    "url": "https://github.com/allenai/genia-dependency-trees",
    "license": "CC BY 3.0",
    "author": "Corpus annotations (c) GENIA Project",
}


def sentences(path: Path) -> list[list[str]]:
    out, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                out.append(current)
            current = []
        elif not line.startswith("#"):
            current.append(line)
    if current:
        out.append(current)
    return out


def blank_upos(sentence: list[str]) -> list[str]:
    rows = []
    for line in sentence:
        cols = line.split("\t")
        if len(cols) != 10:
            raise ValueError(f"not a CoNLL-U token line: {line!r}")
        cols[3] = "_"
        rows.append("\t".join(cols))
    return rows


def write(path: Path, sents: list[list[str]]) -> None:
    path.write_text("".join("\n".join(blank_upos(s)) + "\n\n" for s in sents), encoding="utf-8")


def attribute(model_dir: Path) -> None:
    """Name the treebank, its licence and its authors in the trained pipeline's meta.json."""
    path = model_dir / "meta.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(name="mirkb_genia_parser", license="CC BY 3.0 (training annotations (c) GENIA Project)",
                description="POS tagger + dependency parser for mirkb, trained on GENIA UD (future_use + dev)",
                sources=[SOURCE])
    path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("treebank", type=Path, nargs="?")
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--heldout", type=int, default=300, help="dev sentences kept to select the checkpoint")
    parser.add_argument("--attribute", type=Path, metavar="MODEL_DIR", help="write the source and licence into meta.json")
    args = parser.parse_args(argv)
    if args.attribute:
        attribute(args.attribute)
        return
    if args.treebank is None or args.out is None:
        parser.error("give the treebank folder and the output folder")
    args.out.mkdir(parents=True, exist_ok=True)
    dev = sentences(args.treebank / "dev.conllu")
    train = sentences(args.treebank / "future_use.conllu") + dev[:-args.heldout]
    write(args.out / "train.conllu", train)
    write(args.out / "dev.conllu", dev[-args.heldout:])
    write(args.out / "test.conllu", sentences(args.treebank / "test.conllu"))
    print(f"train {len(train)}, dev {args.heldout}, test sentences written to {args.out}")


if __name__ == "__main__":
    main()
