"""Sentence boundaries that survive PDF text: et al., Fig. 2, i.e., vs., citation brackets."""

import pytest

from extractors.nlp import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def sentences(nlp, text):
    return [s.text.strip() for s in nlp(text).sents if s.text.strip()]


@pytest.mark.parametrize(
    "text",
    [
        "As Smith et al. reported, miR-933 was high in glioma.",
        "As shown in Fig. 2, miR-933 was high in glioma.",
        "Some miRNAs, i.e. miR-933 and miR-934, were high in glioma.",
        "Levels were higher in glioma vs. controls for miR-933.",
        "miR-933 was high in glioma [23, 107], as others found [5].",
        "Exosomes (e.g. those from glioma cells) carried miR-933.",
    ],
)
def test_abbreviations_and_citations_do_not_split(nlp, text):
    assert len(sentences(nlp, text)) == 1


def test_real_boundaries_split(nlp):
    got = sentences(nlp, "miR-933 was high [12]. miR-934 was low. The third one ends here.")
    assert got == ["miR-933 was high [12].", "miR-934 was low.", "The third one ends here."]


def test_a_line_break_between_paragraphs_or_after_a_heading_splits(nlp):
    assert sentences(nlp, "Glioma\nmiR-933 was high.") == ["Glioma", "miR-933 was high."]
