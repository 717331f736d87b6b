"""One tiny knowledge base, gold and evidence site built from invented documents, shared by the
report tests (``from report_fixture import report_site``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

ALPHA = """Invented study of small RNAs

MicroRNA-21 was significantly upregulated in glioma tissues compared with normal brain.
High miR-155 expression predicted poor survival in patients with non-small cell lung cancer.
Overexpression of miR-34a inhibited proliferation of gastric cancer cells.
"""

BETA = """Another invented note

In breast cancer, hsa-miR-200c-3p was downregulated in tumour tissue.
Serum miR-21 is a diagnostic marker for glioma.
"""

GOLD_ALPHA = [
    ("miR-21", "glioma", "upregulated", "MicroRNA-21 was significantly upregulated", 3),
    ("miR-155", "non-small cell lung carcinoma", "upregulated", "High miR-155 expression predicted", 4),
    ("miR-34a", "gastric cancer", "suppresses_tumor", "Overexpression of miR-34a inhibited", 5),
]


@dataclass
class Built:
    corpus: Path
    kb: Path
    gold: Path
    site: Path


def write_gold(folder: Path, rows=GOLD_ALPHA, doc_id: str = "alpha") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["doc_id\tmirna\tcancer\teffect\tsource\toptional\tevidence\tline"]
    lines += [f"{doc_id}\t{m}\t{c}\t{e}\ttext\t0\t{ev}\t{line}" for m, c, e, ev, line in rows]
    (folder / f"{doc_id}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def report_site(tmp_path_factory) -> Built:
    """``mirkb run`` (real extractor, no Prefect) on two invented papers, then ``mirkb report``."""
    from mirkb.cli import main

    root = tmp_path_factory.mktemp("report")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (corpus / "beta.txt").write_text(BETA, encoding="utf-8")
    gold = root / "gold"
    write_gold(gold)
    kb = root / "kb.sqlite"
    assert main(["run", "--no-prefect", "--corpus", str(corpus), "--kb", str(kb), "--gold", str(root / "none")]) == 0
    site = root / "site"
    assert main(["report", "--kb", str(kb), "--out", str(site), "--gold", str(gold)]) == 0
    return Built(corpus, kb, gold, site)
