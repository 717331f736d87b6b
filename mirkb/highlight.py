"""Where the miRNA, the cancer and the cue of a triple are written inside its evidence.

The evidence report highlights these three spans. When a mention row carries its own spans
inside the evidence (``mirna_start``/``mirna_end``… as the knowledge base stores them, or
``mirna_span``… ``[start, end]`` as the extractor's Mention has them) they are used as given. Otherwise they are found again with the
extractor's own recognisers, never by searching the canonical name as a string — authors write
``microRNA-21``, ``hsa-miR-21-5p`` or ``NSCLC`` where the triple says ``miR-21`` and
``non-small cell lung carcinoma``:

- miRNA: :func:`extractors.mirna.find_mirnas` on the evidence, keeping the written mentions whose
  canonical names include the triple's miRNA (or, failing that, the same miRNA without its arm,
  or its family);
- cancer: the pipeline's cancer recogniser (lexicon, abbreviations, cell lines), keeping spans
  whose concept is the triple's cancer;
- cue: the relation cues of ``triggers.jsonl`` whose ids the ``rule`` names (``process:growth:up+``
  names the process cue ``growth`` and the polarity cue ``up``).

A cancer taken from a heading above the sentence (rule ending ``+heading``) or an abbreviation
defined elsewhere in the paper is not inside the evidence: nothing is marked, and the report
says so rather than guessing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

#: Labels used on the page, in the order the legend lists them.
LABELS: tuple[str, ...] = ("miRNA", "cancer", "cue")

_ARM = re.compile(r"-[35]p$")


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    label: str


def _stored_span(value) -> tuple[int, int] | None:
    """``[start, end]``, ``"start:end"``, ``"start-end"`` or a JSON list; None when absent/invalid."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, tuple | list) and any(v is None or v == "" for v in value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                return None
        else:
            parts = re.split(r"[:\-,]", text)
            value = parts if len(parts) == 2 else None
    try:
        start, end = (int(v) for v in value)
    except (TypeError, ValueError):
        return None
    return (start, end) if 0 <= start < end else None


def rule_cue_ids(rule: str) -> set[str]:
    """Cue ids a rule names: ``process:growth:up+`` → {growth, up}; ``table:…`` → none."""
    parts = (rule or "").split("+heading")[0].split(":")
    if len(parts) < 2 or parts[0] == "table":
        return set()
    ids = {parts[1]}
    if len(parts) > 2:
        ids.add(parts[2].rstrip("+-"))
    return {i for i in ids if i}


class Highlighter:
    """Finds the marks of evidence sentences; builds the spaCy pipeline once, on first use."""

    def __init__(self):
        self._nlp = None
        self._cues = None

    def _pipeline(self):
        if self._nlp is None:
            from extractors.nlp import build_nlp
            from extractors.relations import build_cue_matcher

            self._nlp = build_nlp()
            self._cues = build_cue_matcher(self._nlp)
        return self._nlp

    def marks(self, evidence: str, mirna: str, cancer: str, rule: str = "", stored: dict | None = None) -> list[Mark]:
        """Non-overlapping marks in ``evidence``, sorted by position."""
        if not evidence:
            return []
        stored = stored or {}
        found: list[Mark] = []
        given = {label: _stored_span(stored.get(f"{key}_span"))
                 or _stored_span((stored.get(f"{key}_start"), stored.get(f"{key}_end")))
                 for label, key in (("miRNA", "mirna"), ("cancer", "cancer"), ("cue", "cue"))}
        given = {label: span for label, span in given.items() if span and span[1] <= len(evidence)}
        if len(given) < 3:
            found.extend(self._recognise(evidence, mirna, cancer, rule, skip=set(given)))
        found.extend(Mark(s, e, label) for label, (s, e) in given.items())
        return _without_overlaps(found)

    def _recognise(self, evidence: str, mirna: str, cancer: str, rule: str, skip: set[str]) -> list[Mark]:
        from extractors.mirna import find_mirnas
        from extractors.relations import find_cues

        out: list[Mark] = []
        if "miRNA" not in skip:
            out.extend(_mirna_marks(find_mirnas(evidence), mirna))
        if skip >= {"cancer", "cue"}:
            return out
        doc = self._pipeline()(evidence)
        if "cancer" not in skip:
            for span in doc.spans.get("cancer", []):
                concept = getattr(span._, "cancer", None)
                if concept is not None and concept.canonical.casefold() == cancer.casefold():
                    out.append(Mark(span.start_char, span.end_char, "cancer"))
        wanted = rule_cue_ids(rule)
        if "cue" not in skip and wanted:
            matcher, records = self._cues
            names = [m for m in out if m.label != "cue"]
            for cue in find_cues(doc, matcher, records):
                if cue.id not in wanted:
                    continue
                start, end = doc[cue.start].idx, doc[cue.end - 1].idx + len(doc[cue.end - 1])
                if not any(m.start < end and start < m.end for m in names):
                    out.append(Mark(start, end, "cue"))
        return out


def _mirna_marks(mentions, mirna: str) -> list[Mark]:
    """Written mentions standing for ``mirna``: exact name first, else same name without arm/family."""
    exact = [m for m in mentions if mirna in m.names]
    if exact:
        return [Mark(m.start, m.end, "miRNA") for m in exact]
    base = _ARM.sub("", mirna).removesuffix(" family").removesuffix(" cluster")
    loose = [m for m in mentions
             if any(_ARM.sub("", n).removesuffix(" family").removesuffix(" cluster") == base for n in m.names)]
    return [Mark(m.start, m.end, "miRNA") for m in loose]


def _without_overlaps(marks: list[Mark]) -> list[Mark]:
    """Keep the first of overlapping marks in label order (miRNA, cancer, cue), then sort."""
    kept: list[Mark] = []
    for mark in sorted(marks, key=lambda m: (LABELS.index(m.label), m.start)):
        if not any(k.start < mark.end and mark.start < k.end for k in kept):
            kept.append(mark)
    return sorted(kept, key=lambda m: m.start)
