"""Which cancer a name resolves to (issue 8): an abbreviation whose long form the lexicon reads only
in part, the slim term over an NCIt-only term for a name with a site word inserted, conjuncts
sharing one head, and cell lines that the document's own disease or a transfection places. Every
sentence and document is invented."""

import pytest
from extracted import triples

from extractors.pipeline import Extractor


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def cancers(extractor, text):
    doc = extractor.nlp(text)
    return [(s.text, s._.cancer.canonical) for s in doc.spans["cancer"]]


def test_abbreviation_of_a_long_form_read_in_part_names_its_cancer(extractor):
    # the lexicon holds "tongue squamous cell carcinoma" but not the whole long form
    text = ("Oral tongue squamous cell carcinoma (OTSCC) grows fast. "
            "miR-21 was upregulated in OTSCC tissues compared with normal tissues.")
    assert triples(extractor, text) == {("miR-21", "oral squamous cell carcinoma", "upregulated")}


def test_long_form_whose_head_is_not_a_cancer_defines_no_cancer(extractor):
    text = "Glioma-derived exosomes (GDEs) were collected. GDEs carried miR-21."
    assert [c for w, c in cancers(extractor, text) if w == "GDEs"] == []


def test_general_word_after_the_name_keeps_it_the_head(extractor):
    text = "Osteosarcoma tumours (OSTs) were studied. miR-21 was upregulated in OSTs compared with normal bone."
    assert triples(extractor, text) == {("miR-21", "osteosarcoma", "upregulated")}


@pytest.mark.parametrize(("text", "expected"), [
    # a slim name with a site word inserted: the slim term, not the NCIt-only "tongue squamous cell carcinoma"
    ("Oral tongue squamous cell carcinoma biopsies were cut.", "oral squamous cell carcinoma"),
    ("Oral cavity squamous cell carcinoma biopsies were cut.", "oral squamous cell carcinoma"),
    # written exactly as an NCIt-only term: that term (GUIDELINES 22)
    ("Tongue squamous cell carcinoma biopsies were cut.", "tongue squamous cell carcinoma"),
    # a histology word is not a site: the lexicon's whole name stands
    ("Acute myeloid leukemia blasts were sorted.", "acute myeloid leukemia"),
])
def test_slim_term_wins_when_a_site_word_is_inserted(extractor, text, expected):
    assert [c for _, c in cancers(extractor, text)] == [expected]


def test_grade_or_general_words_are_not_inserted_sites(extractor):
    assert [c for _, c in cancers(extractor, "the human brain tumour glioblastoma")] == ["glioblastoma"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Sera of breast and ovarian cancers were drawn.", ["breast cancer", "ovarian cancer"]),
    ("Sera of small cell and non-small cell lung cancer were drawn.",
     ["small cell lung carcinoma", "non-small cell lung carcinoma"]),
    ("Tissues of colon, prostate and gastric cancers were cut.", ["colon cancer", "prostate cancer", "gastric cancer"]),
    ("Tissues of head and neck/lung cancer were cut.", ["head and neck cancer", "lung cancer"]),
])
def test_conjuncts_sharing_one_head_each_name_a_type(extractor, text, expected):
    assert [c for _, c in cancers(extractor, text)] == expected


def test_abbreviation_of_a_coordinated_long_form_takes_the_first_slim_name(extractor):
    # "head and neck cancer" is a slim term, "oral cavity cancer" (for "oral cancer") is NCIt-only
    text = ("Head and neck/oral cancer (HNOC) is common. "
            "miR-21 promoted proliferation of HNOC cells.")
    assert triples(extractor, text) == {("miR-21", "head and neck cancer", "promotes_growth")}


def test_cell_line_of_another_lineage_than_the_titles_disease_names_no_cancer(extractor):
    text = ("miR-21 in gum cancer\n\n"
            "miR-21 promoted proliferation of KB1, KB2 and HeLa cells.")
    assert {c for _, c, _ in triples(extractor, text)} == set()
    # a title that names a benign neoplasm places the study as well
    text = ("miR-21 in pituitary adenoma\n\n"
            "Overexpression of miR-21 inhibited proliferation of HeLa cells.")
    assert triples(extractor, text) == set()


def test_cell_line_of_the_titles_lineage_still_names_its_cancer(extractor):
    text = ("miR-21 in non-small cell lung cancer\n\n"
            "miR-21 promoted proliferation of A549 cells.")
    assert triples(extractor, text) == {("miR-21", "non-small cell lung carcinoma", "promotes_growth")}


def test_cell_lines_listed_after_into_are_hosts(extractor):
    assert cancers(extractor, "The mimic was introduced into the KB1, KB2 and HeLa cells.") == []
    assert [c for _, c in cancers(extractor, "The mimic raised growth of KB1, KB2 and HeLa cells.")] == [
        "cervical cancer"]


def test_table_context_reads_abbreviations_as_the_recogniser_does(extractor):
    from extractors.table_model import document_context

    sdocs = list(extractor.nlp.pipe(["Oral tongue squamous cell carcinoma (OTSCC) and head and neck/oral cancer "
                                     "(HNOC) were studied."]))
    ctx = document_context("", sdocs)
    assert ctx.abbreviations["OTSCC"].canonical == "oral squamous cell carcinoma"
    assert ctx.abbreviations["HNOC"].canonical == "head and neck cancer"


def test_more_specific_type_of_the_part_read_wins_with_a_site_word_inserted(extractor):
    # "renal carcinoma" is read whole, "collecting duct carcinoma" (under it) only with "renal" removed
    assert [c for _, c in cancers(extractor, "Samples of collecting duct renal carcinoma were cut.")] == [
        "collecting duct carcinoma"]


def test_known_short_form_keeps_its_reading_when_the_long_form_is_read_in_part(extractor):
    found = cancers(extractor, "Head and neck squamous carcinoma (HNSCC) samples were cut. HNSCC grows.")
    assert [c for w, c in found if w == "HNSCC"] == ["head and neck squamous cell carcinoma"] * 2


def test_short_form_defined_as_something_else_is_not_the_lexicons_cancer(extractor):
    text = ("Plates were coated with poly-L-lysine (PLL).\n\n"
            "miR-21 was upregulated in cells grown on PLL compared with glass.")
    assert triples(extractor, text) == set()
    # a short form needs capitals: a lower-case one is not read as the cancer of its long form
    assert [w for w, _ in cancers(extractor, "Serum of lung cancer patients (lcp) was drawn; lcp had it.")] == [
        "lung cancer"]


@pytest.mark.parametrize(("text", "expected"), [
    # the ontology names the site by its noun ("larynx cancer"), authors by its adjective
    ("Biopsies of laryngeal cancer were cut.", ("larynx cancer", "DOID:2596")),
    ("Biopsies of esophageal adenocarcinoma were cut.", ("esophagus adenocarcinoma", "DOID:4914")),
    ("Biopsies of high-grade gliomas were cut.", ("glioma", "DOID:3070")),
    # absent from both ontology files: the plain name, no id (TRIPLES.md §3)
    ("Biopsies of ependymoma were cut.", ("ependymoma", "")),
])
def test_what_authors_write_for_an_ontology_term(extractor, text, expected):
    doc = extractor.nlp(text)
    assert [(s._.cancer.canonical, s._.cancer.id) for s in doc.spans["cancer"]] == [expected]


def test_cell_line_in_a_paper_on_another_disease_names_no_cancer(extractor):
    text = ("miR-21 and neuronal loss in Alzheimer's disease\n\n"
            "miR-21 promoted proliferation of SH-SY5Y cells.")
    assert triples(extractor, text) == set()
    # with no disease in the title, the line still names its cancer (TRIPLES.md §3)
    text = "miR-21 and neuronal loss\n\nmiR-21 promoted proliferation of SH-SY5Y cells."
    assert {c for _, c, _ in triples(extractor, text)} == {"neuroblastoma"}
