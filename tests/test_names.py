"""Names (issue 8 §3): NCIt subtypes, benign neoplasms, plural/possessive abbreviations, Unicode
dashes, Let-7, OncomiR-, over-expressed, oncosuppressor, apposition, cell lines placed by the
sentence. Every sentence is invented."""

import pytest
from extracted import triples

from extractors.cancer import DASHES, load_lexicon
from extractors.mirna import find_mirnas
from extractors.pipeline import Extractor


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def cancers(extractor, text):
    doc = extractor.nlp(text)
    return [s._.cancer.canonical for s in doc.spans["cancer"]]


def test_subtype_only_in_the_ncit_subset_keeps_its_name_and_doid(extractor):
    doc = extractor.nlp("Biopsies of tongue squamous cell carcinoma were stained.")
    [span] = doc.spans["cancer"]
    assert span._.cancer.canonical == "tongue squamous cell carcinoma"
    assert span._.cancer.id.startswith("DOID:")
    # it sits under the slim's head and neck squamous cell carcinoma, for "most specific" choices
    assert load_lexicon().concepts["head and neck squamous cell carcinoma"].is_broader_than(span._.cancer)


@pytest.mark.parametrize("text", ["Pituitary adenoma samples were cut.", "Ten lipomas were excised.",
                                  "A breast papilloma was found."])
def test_benign_neoplasms_are_recognised_but_never_a_cancer(extractor, text):
    assert cancers(extractor, text) == []


def test_benign_neoplasm_name_hides_the_cancer_word_inside_it(extractor):
    lex = load_lexicon()
    assert lex.words["pituitary adenoma"].benign and lex.words["pituitary adenoma"].generic
    assert triples(extractor, "miR-21 was upregulated in pituitary adenoma compared with normal tissue.") == set()


def test_slim_names_still_win_over_the_ncit_wording(extractor):
    assert cancers(extractor, "Colorectal carcinoma tissues were cut.") == ["colorectal cancer"]
    assert cancers(extractor, "Stomach cancer tissues were cut.") == ["gastric cancer"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Samples of triple negative breast cancer were cut.", "triple-negative breast cancer"),
    ("Samples of triple-negative breast carcinoma were cut.", "triple-negative breast cancer"),
    ("Samples of papillary thyroid cancer were cut.", "papillary thyroid carcinoma"),
])
def test_hyphen_or_space_and_cancer_or_carcinoma_name_one_subtype(extractor, text, expected):
    assert cancers(extractor, text) == [expected]


def test_two_word_body_system_names_do_not_swap_cancer_for_carcinoma(extractor):
    assert "gastrointestinal carcinoma" not in cancers(extractor, "Gastrointestinal cancer was studied.")


@pytest.mark.parametrize("dash", list(DASHES))
def test_every_unicode_dash_inside_cancer_and_mirna_names(extractor, dash):
    text = f"miR{dash}21 was higher in non{dash}small cell lung cancer than in normal lung."
    assert ("miR-21", "non-small cell lung carcinoma", "upregulated") in triples(extractor, text)
    assert cancers(extractor, f"Exosomes of MDA{dash}MB{dash}231 cells.") == ["breast cancer"]


def test_plural_and_possessive_abbreviations(extractor):
    assert cancers(extractor, "Twenty CRCs and the HCC's margins were cut.") == [
        "colorectal cancer", "hepatocellular carcinoma"]
    assert cancers(extractor, "Oral squamous cell carcinoma (XSCC) is common. Ten XSCCs were cut.")[-1] == \
        "oral squamous cell carcinoma"


@pytest.mark.parametrize(("text", "expected"), [
    ("Let-7a and LET-7b fell", [("let-7a",), ("let-7b",)]),
    ("OncomiR-21 and oncomir-155 rose", [("miR-21",), ("miR-155",)]),
    ("miR-21, a miRNA that rises, and miR-155", [("miR-21",), ("miR-155",)]),
    ("miR-200a, b, and c were low", [("miR-200a", "miR-200b", "miR-200c")]),
])
def test_mirna_spellings_and_apposition(text, expected):
    assert [m.names for m in find_mirnas(text)] == expected


def test_over_expressed_and_oncosuppressor(extractor):
    assert ("miR-221", "gastric cancer", "upregulated") in triples(
        extractor, "miR-221 was over-expressed in gastric cancer tissues compared with normal tissues.")
    assert ("miR-221", "gastric cancer", "suppresses_tumor") in triples(
        extractor, "miR-221 acts as an oncosuppressor in gastric cancer.")


@pytest.mark.parametrize("text", ["In the lung cancer cell line H1299, miR-221 was over-expressed.",
                                  "miR-221 was over-expressed in H1299 (a lung cancer cell line)."])
def test_cell_line_placed_by_the_sentence_keeps_the_sentence_cancer(extractor, text):
    assert {c for _, c, _ in triples(extractor, text)} == {"lung cancer"}


def test_cell_line_alone_still_names_its_cancer(extractor):
    assert {c for _, c, _ in triples(extractor, "miR-221 promoted invasion of H1299 cells.")} == {
        "non-small cell lung carcinoma"}
