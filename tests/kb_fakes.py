"""A fast, predictable stand-in for the extractor, for knowledge-base and refresh tests.

It reads invented sentences of one shape ("<cancer>: miR-N was <cue>.") so a test knows exactly
which triples a corpus holds, whatever the state of the real NLP. ``FAKE_SLEEP`` (seconds per
document) and ``FAKE_CONFIG`` (its config_id) come from the environment so subprocesses can set them.
"""

from __future__ import annotations

import os
import re
import time

from extractors.schema import Mention

CUES = {"raised": "upregulated", "lowered": "downregulated", "spurs growth": "promotes_growth",
        "flags": "diagnostic_marker"}
CANCERS = {"breast cancer": "DOID:1612", "gastric cancer": "DOID:10534", "glioma": "DOID:3070"}
_MIR = re.compile(r"\bmiR-\d+[a-z]?\b")


class FakeExtractor:
    def __init__(self, config_id: str | None = None, sleep: float | None = None):
        self.config_id = config_id or os.environ.get("FAKE_CONFIG", "fake-1")
        self.sleep = float(os.environ.get("FAKE_SLEEP", "0")) if sleep is None else sleep
        self.calls = 0

    def extract(self, doc):
        self.calls += 1
        if self.sleep:
            time.sleep(self.sleep)
        found, pos = [], 0
        for line in doc.text.splitlines(keepends=True):
            cancer = next((c for c in CANCERS if c in line), None)
            for cue, effect in CUES.items():
                if cancer and cue in line:
                    for m in _MIR.finditer(line):
                        found.append(Mention(doc.doc_id, m.group(0), cancer, CANCERS[cancer], effect,
                                             line.strip(), pos, pos + len(line.rstrip("\n")), "text",
                                             False, f"fake:{cue}"))
            pos += len(line)
        return found


def make() -> FakeExtractor:
    """Factory for ``MIRKB_EXTRACTOR=kb_fakes:make``."""
    return FakeExtractor()


def sentence(mirna: str, cancer: str, cue: str) -> str:
    return f"In {cancer}, {mirna} was {cue} in the samples we invented.\n"


def write_corpus(folder, n: int, start: int = 0) -> dict[str, set[tuple[str, str, str]]]:
    """n small text documents; returns doc_id -> the triples the fake extractor finds in it."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    cancers, cues = list(CANCERS), list(CUES)
    for i in range(start, start + n):
        doc_id = f"doc{i:03d}"
        lines, triples = [f"An invented title number {i}\n"], set()
        for j in range(3):
            mirna, cancer, cue = f"miR-{100 + (i * 3 + j) % 7}", cancers[(i + j) % 3], cues[j % 4]
            lines.append(sentence(mirna, cancer, cue))
            triples.add((mirna, cancer, CUES[cue]))
        (folder / f"{doc_id}.txt").write_text("".join(lines), encoding="utf-8")
        expected[doc_id] = triples
    return expected


def factory(model: str = "", tables: bool = True) -> FakeExtractor:
    """Factory for ``mirkb.batch.set_extractor_factory`` (settings ignored)."""
    return FakeExtractor()
