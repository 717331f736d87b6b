"""Cancer recognition: ontology names, spec names, abbreviations, cell lines, specificity."""

import pytest

from extractors.cancer import choose_most_specific, load_lexicon
from extractors.nlp import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def cancers(nlp, text):
    doc = nlp(text)  # the spans live only as long as their doc
    return [s._.cancer.canonical for s in doc.spans["cancer"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tumours of stomach cancer patients were cut.", "gastric cancer"),  # §3 name wins over DO's
        ("Samples of gastric carcinoma were cut.", "stomach carcinoma"),  # a DO synonym of the child term
        ("Samples of lung non-small cell carcinoma were cut.", "non-small cell lung carcinoma"),
        ("Samples of non-small-cell lung cancer were cut.", "non-small cell lung carcinoma"),
        ("We studied glioblastoma multiforme biopsies.", "glioblastoma"),
        ("We studied medulloblastoma biopsies.", "medulloblastoma"),
        ("We studied breast cancers in mice.", "breast cancer"),
        ("We studied oesophageal squamous cell carcinoma.", "esophageal squamous cell carcinoma"),
        ("Cancer of the pancreas was studied.", "pancreatic cancer"),
        ("Serum of NSCLC patients was drawn.", "non-small cell lung carcinoma"),
        ("Urine of PCa patients was drawn.", "prostate cancer"),
        ("HCC-derived exosomes were collected.", "hepatocellular carcinoma"),
        ("Exosomes from A549 cells were collected.", "lung cancer"),
        ("Exosomes from MDA-MB-231 cells were collected.", "breast cancer"),
        ("Exosomes from HeLa cells were collected.", "cervical cancer"),
        ("Exosomes from K562 cells were collected.", "chronic myeloid leukemia"),
    ],
)
def test_names_abbreviations_and_cell_lines_normalise(nlp, text, expected):
    assert expected in cancers(nlp, text)


def test_cancer_ids_come_from_the_ontology(nlp):
    doc = nlp("Tissue from glioblastoma was stained.")
    assert doc.spans["cancer"][0]._.cancer.id == "DOID:3068"


@pytest.mark.parametrize("text", ["The cancer grew.", "Tumors and malignancies were common.", "Various cancers."])
def test_bare_cancer_or_tumour_is_never_a_type(nlp, text):
    assert cancers(nlp, text) == []


def test_abbreviation_is_case_sensitive(nlp):
    assert cancers(nlp, "We tested all samples.") == []  # "ALL" would be a leukaemia


def test_abbreviation_defined_in_the_document_is_resolved(nlp):
    doc = nlp("Gastric cancer (GC) is common. In GC, levels rose.")
    short = [s._.cancer.canonical for s in doc.spans["cancer"] if s.text == "GC"]
    assert short == ["gastric cancer", "gastric cancer"]


def test_undefined_ambiguous_abbreviation_is_not_a_type(nlp):
    assert cancers(nlp, "The GC content of the probe was high.") == []


def test_most_specific_type_wins():
    lex = load_lexicon()
    lung, nsclc = lex.concepts["lung cancer"], lex.concepts["non-small cell lung carcinoma"]
    assert choose_most_specific([lung, nsclc]) == [nsclc]
    assert choose_most_specific([lung, lex.concepts["breast cancer"]]) == [lung, lex.concepts["breast cancer"]]


def test_cell_line_takes_the_finer_type_the_document_names(nlp):
    doc = nlp("We studied non-small cell lung cancer. In A549 cells the probe was bright.")
    lines = [s._.cancer.canonical for s in doc.spans["cancer"] if s.text == "A549"]
    assert lines == ["non-small cell lung carcinoma"]


def test_transfection_host_cell_line_names_no_cancer(nlp):
    assert cancers(nlp, "The construct was transfected into HeLa cells.") == []


def test_apposed_names_keep_the_specific_head(nlp):
    assert cancers(nlp, "miR-933 was high in human brain tumour glioblastoma.") == ["glioblastoma"]


def test_type_missing_from_the_ontology_keeps_its_plain_name_and_no_id(nlp):
    doc = nlp("Low-grade astrocytomas were sampled.")
    (span,) = doc.spans["cancer"]
    assert (span._.cancer.canonical, span._.cancer.id) == ("astrocytoma", "")


def test_defined_abbreviation_overrides_the_ontology_reading(nlp):
    doc = nlp("Tonsil squamous cell carcinoma (SCC) was studied. In SCC, levels rose.")
    assert {s._.cancer.canonical for s in doc.spans["cancer"] if s.text == "SCC"} == {
        "tonsil squamous cell carcinoma"}
