"""Mentions say where the miRNA, the cancer and the cue sit inside their evidence (issue 10 §4)."""

from __future__ import annotations

import pytest

from extractors.pipeline import EvidenceOffsets
from extractors.schema import Document, Table
from extractors.tables import table_mentions


@pytest.fixture(scope="module")
def extractor():
    from extractors.pipeline import Extractor

    return Extractor()


def spans(m) -> tuple:
    return tuple(m.evidence[a:b] if (a, b) != (None, None) else None
                 for a, b in (m.mirna_span or (None, None), m.cancer_span or (None, None), m.cue_span or (None, None)))


def test_text_mentions_carry_offsets_inside_the_collapsed_evidence(extractor):
    # Runs of spaces and a line break inside the sentence: the evidence collapses them, offsets follow.
    text = ("An invented title\n\nIn our  invented cohort, high miR-155 predicted poor survival of\n"
            "non-small cell lung cancer (NSCLC) patients.\n")
    found = [m for m in extractor.extract(Document("d1", "/x.txt", "txt", text, "sha"))
             if m.mirna == "miR-155" and m.effect == "prognostic_marker"]
    assert found
    for m in found:
        assert "  " not in m.evidence and "\n" not in m.evidence
        mirna, cancer, cue = spans(m)
        assert mirna == "miR-155" and cancer == "non-small cell lung cancer" and cue and cue in m.evidence


def test_table_mentions_point_into_the_row_evidence():
    table = Table("Invented miRNAs in cancers", ["miRNA", "Cancer", "Role"],
                  [["miR-21 and miR-155", "Glioma", "Upregulated"], ["miR-34a", "", "tumour suppressor"]])
    got = {(m.mirna, m.effect): spans(m) for m in table_mentions("d1", table)}
    assert got[("miR-155", "upregulated")] == ("miR-155", "Glioma", "Upregulated")
    assert got[("miR-21", "upregulated")] == ("miR-21", "Glioma", "Upregulated")
    # the cancer carried down from the row above is not in this row: no offset rather than a wrong one
    assert got[("miR-34a", "suppresses_tumor")] == ("miR-34a", None, "tumour suppressor")


@pytest.mark.parametrize("text,span,expected", [
    ("miR-21 was  high", (12, 16), "high"),
    ("  miR-21\n\nwas high", (2, 8), "miR-21"),
    ("a \t b", (4, 5), "b"),
])
def test_evidence_offsets_follow_collapsed_whitespace(text, span, expected):
    offsets = EvidenceOffsets(text, base=100)
    start, end = offsets.span((100 + span[0], 100 + span[1]))
    assert offsets.evidence[start:end] == expected
    assert offsets.span(None) is None
