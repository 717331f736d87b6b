"""Findings, not experiments (issue 8 §5, GUIDELINES 28-30), on invented sentences."""

import pytest

from extractors.pipeline import Extractor
from extractors.schema import Document


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def effects(extractor, text):
    return {(m.mirna, m.cancer, m.effect) for m in extractor.extract(Document("t", "t.txt", "txt", text, "0"))}


@pytest.mark.parametrize("text", [
    "Gastric cancer cells transfected with miR-221 mimics showed increased miR-221 levels.",
    "miR-221 was overexpressed in gastric cancer cells by lentiviral infection.",
    "Treatment with cisplatin increased miR-221 expression in lung cancer cells.",
    "miR-221 was upregulated in glioma cells treated with temozolomide.",
    "miR-221 was induced by HOXA9 overexpression in glioma cells.",
    "After transfection, miR-221 expression was elevated in A549 cells.",
])
def test_a_level_the_authors_set_is_not_an_up_or_down_finding(extractor, text):
    assert not {e for _, _, e in effects(extractor, text)} & {"upregulated", "downregulated"}


def test_the_effect_a_manipulation_reveals_still_counts(extractor):
    assert ("miR-221", "glioma", "suppresses_tumor") in effects(
        extractor, "Overexpression of miR-221 inhibited invasion of glioma cells.")


def test_treatment_words_about_patients_do_not_hide_a_finding(extractor):
    assert ("miR-221", "gastric cancer", "upregulated") in effects(
        extractor, "In patients treated with surgery, serum miR-221 was higher in gastric cancer than in "
                   "healthy controls.")


@pytest.mark.parametrize("text", [
    "miR-221 was higher in HPV-positive than in HPV-negative cervical cancer.",
    "miR-221 was higher in luminal than in basal breast cancer.",
])
def test_two_subgroups_of_one_cancer_give_no_up_or_down_row(extractor, text):
    assert not {e for _, _, e in effects(extractor, text)} & {"upregulated", "downregulated"}


@pytest.mark.parametrize("text", [
    "miR-221 was higher in metastatic than in primary melanoma.",
    "miR-221 was higher in melanoma than in normal skin.",
    "miR-221 was upregulated in melanoma tissues compared with adjacent normal tissues.",
])
def test_advanced_disease_and_controls_still_give_the_row(extractor, text):
    assert ("miR-221", "melanoma", "upregulated") in effects(extractor, text)


def test_a_finding_coordinated_with_an_experiment_is_kept(extractor):
    assert ("miR-221", "gastric cancer", "downregulated") in effects(
        extractor, "miR-221 was downregulated in gastric cancer tissues, and transfection of miR-221 "
                   "mimics inhibited proliferation.")
