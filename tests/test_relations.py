"""Relation patterns: each effect's phrasing, coordination, negation, hedging (invented sentences)."""

import pytest
from extracted import triples

from extractors.pipeline import Extractor
from extractors.schema import Document


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def rows(extractor, text):
    doc = Document(doc_id="t", path="t.txt", format="txt", text=text, sha256="0")
    return extractor.extract(doc)


@pytest.mark.parametrize(
    ("text", "effect"),
    [
        ("Serum miR-933 was significantly elevated in glioma patients compared with controls.", "upregulated"),
        ("Levels of miR-933 were higher in glioma tissue than in normal brain.", "upregulated"),
        ("Exosomal miR-933 was downregulated in glioma tissue.", "downregulated"),
        ("miR-933 levels were lower in glioma than in healthy donors.", "downregulated"),
        ("Exosomal miR-933 promoted proliferation of glioma cells.", "promotes_growth"),
        ("Exosomal miR-933 enhanced migration and invasion of glioma cells.", "promotes_metastasis"),
        ("Glioma-derived miR-933 induced epithelial-mesenchymal transition.", "promotes_metastasis"),
        ("Glioma-derived miR-933 promoted tube formation of endothelial cells.", "promotes_angiogenesis"),
        ("Glioma-derived miR-933 drove M2 polarization of macrophages.", "modulates_microenvironment"),
        ("Exosomal miR-933 conferred resistance to temozolomide in glioma cells.", "drug_resistance"),
        ("Delivery of miR-933 increased sensitivity of glioma cells to cisplatin.", "drug_sensitivity"),
        ("miR-933 inhibited the invasion of glioma cells.", "suppresses_tumor"),
        ("miR-933 acts as a tumor suppressor in glioma.", "suppresses_tumor"),
        ("Plasma miR-933 could serve as a diagnostic marker for glioma.", "diagnostic_marker"),
        ("High miR-933 expression was associated with poor survival of glioma patients.", "prognostic_marker"),
    ],
)
def test_each_effect_phrasing(extractor, text, effect):
    assert ("miR-933", "glioma", effect) in triples(extractor, text)


def test_passive_process_takes_polarity_after_it(extractor):
    assert ("miR-933", "glioma", "suppresses_tumor") in triples(
        extractor, "In glioma cells transfected with miR-933, invasion was inhibited.")


def test_coordination_gives_each_mirna(extractor):
    got = triples(extractor, "miR-933 and miR-934 were upregulated in glioma tissue.")
    assert {("miR-933", "glioma", "upregulated"), ("miR-934", "glioma", "upregulated")} <= got


def test_one_sentence_gives_several_effects(extractor):
    got = triples(extractor, "miR-933 was elevated in glioma and correlated with poor prognosis.")
    assert {("miR-933", "glioma", "upregulated"), ("miR-933", "glioma", "prognostic_marker")} <= got


def test_whereas_splits_opposite_statements(extractor):
    got = triples(extractor, "In glioma, miR-933 was upregulated, whereas miR-934 was downregulated.")
    assert ("miR-933", "glioma", "upregulated") in got and ("miR-934", "glioma", "downregulated") in got
    assert ("miR-933", "glioma", "downregulated") not in got and ("miR-934", "glioma", "upregulated") not in got


def test_knockdown_inverts_polarity(extractor):
    got = triples(extractor, "Knockdown of miR-933 inhibited proliferation of glioma cells.")
    assert got == {("miR-933", "glioma", "promotes_growth")}


def test_a_target_reduced_by_the_mirna_is_not_its_level(extractor):
    got = triples(extractor, "In glioma cells, miR-933 reduced the expression of PTEN.")
    assert ("miR-933", "glioma", "downregulated") not in got


def test_sponged_mirna_takes_no_effect(extractor):
    assert triples(extractor, "In glioma, circXYZ promoted invasion by sponging miR-933.") == set()


@pytest.mark.parametrize(
    "text",
    [
        "Serum miR-933 was not associated with survival of glioma patients.",
        "miR-933 had no effect on invasion of glioma cells.",
    ],
)
def test_negated_statements_give_nothing(extractor, text):
    assert triples(extractor, text) == set()


def test_hedged_statement_counts_and_is_flagged(extractor):
    found = rows(extractor, "Plasma miR-933 may serve as a potential diagnostic biomarker for glioma.")
    assert found and all(m.hedged for m in found)
    assert not any(m.hedged for m in rows(extractor, "Plasma miR-933 distinguished glioma patients from controls."))


def test_no_cancer_no_triple(extractor):
    assert triples(extractor, "Exosomal miR-933 regulates TLR signalling and promotes proliferation.") == set()


def test_non_cancer_disease_is_not_a_cancer(extractor):
    assert triples(extractor, "miR-933 was elevated in patients with Alzheimer's disease.") == set()


def test_section_heading_sets_the_cancer(extractor):
    text = "Results\n\nGlioma\nSerum miR-933 was elevated in patients compared with controls.\n"
    assert ("miR-933", "glioma", "upregulated") in triples(extractor, text)


def test_rows_carry_evidence_offsets_and_rule(extractor):
    text = "Intro line.\n\nExosomal miR-933 promoted proliferation of glioma cells."
    (row,) = rows(extractor, text)
    assert text[row.start:row.end].startswith("Exosomal miR-933")
    assert row.source == "text" and row.rule and row.cancer_id == "DOID:3070"


def test_sentence_starting_with_a_lower_case_mirna_is_split(extractor):
    text = "Expression of miR-933 and miR-934 was studied in glioma. miR-934 was downregulated in glioma."
    got = triples(extractor, text)
    assert ("miR-934", "glioma", "downregulated") in got
    assert ("miR-933", "glioma", "downregulated") not in got


def test_adjacent_expression_word_binds_to_its_own_name(extractor):
    got = triples(extractor, "miR-933 upregulation and miR-934 downregulation in human glioma.")
    assert got == {("miR-933", "glioma", "upregulated"), ("miR-934", "glioma", "downregulated")}


def test_stratified_levels_give_a_marker_not_an_expression_change(extractor):
    got = triples(extractor, "High miR-933 levels were associated with shorter survival in glioma.")
    assert ("miR-933", "glioma", "prognostic_marker") in got
    assert ("miR-933", "glioma", "upregulated") not in got


def test_sensitivity_of_a_test_is_diagnostic(extractor):
    got = triples(extractor, "Serum miR-933 detected glioma with a sensitivity of 90%.")
    assert ("miR-933", "glioma", "diagnostic_marker") in got
    assert ("miR-933", "glioma", "drug_sensitivity") not in got


def test_endothelial_proliferation_is_angiogenesis(extractor):
    got = triples(extractor, "Glioma exosomal miR-933 promoted proliferation of endothelial cells.")
    assert ("miR-933", "glioma", "promotes_angiogenesis") in got
    assert ("miR-933", "glioma", "promotes_growth") not in got


def test_polarity_reaches_across_a_list_of_processes(extractor):
    got = triples(extractor, "In glioma, miR-933 promotes cell migration, invasion, and tumor angiogenesis.")
    assert {("miR-933", "glioma", "promotes_metastasis"), ("miR-933", "glioma", "promotes_angiogenesis")} <= got


def test_low_levels_invert_like_knockdown(extractor):
    got = triples(extractor, "Glioma exosomes carrying low levels of miR-933 accelerated invasion.")
    assert ("miR-933", "glioma", "suppresses_tumor") in got
    assert ("miR-933", "glioma", "promotes_metastasis") not in got


def test_expression_word_binds_to_the_nearest_list_only(extractor):
    text = ("miR-933 and miR-934 were up-regulated in human glioma, and studies of let-7a and miR-935 "
            "followed in other fields.")
    got = triples(extractor, text)
    assert {("miR-933", "glioma", "upregulated"), ("miR-934", "glioma", "upregulated")} <= got
    assert ("miR-935", "glioma", "upregulated") not in got


def test_experimental_overexpression_is_not_an_expression_finding(extractor):
    got = triples(extractor, "In glioma cells, exogenous overexpression of miR-933 inhibited proliferation.")
    assert ("miR-933", "glioma", "upregulated") not in got
    assert ("miR-933", "glioma", "suppresses_tumor") in got


def test_expression_word_modifying_another_noun_is_not_a_level(extractor):
    got = triples(extractor, "miR-933 had significant downregulation in glioma and an elevated risk of relapse.")
    assert ("miR-933", "glioma", "downregulated") in got
    assert ("miR-933", "glioma", "upregulated") not in got


def test_word_before_a_list_covers_the_list(extractor):
    got = triples(extractor, "High miR-933 and miR-934 amounts were found in glioma exosomes compared with controls.")
    assert {("miR-933", "glioma", "upregulated"), ("miR-934", "glioma", "upregulated")} <= got


def test_heading_naming_two_types_sets_no_context(extractor):
    text = "Results\n\nGlioma and melanoma\nSerum miR-933 was elevated in patients compared with controls.\n"
    assert triples(extractor, text) == set()


def test_respectively_pairs_lists_with_cancers_in_order(extractor):
    text = ("miR-933, miR-934, but also miR-935 were downregulated in serum of glioma patients and "
            "melanoma patients, respectively.")
    got = triples(extractor, text)
    assert {("miR-933", "glioma", "downregulated"), ("miR-934", "glioma", "downregulated"),
            ("miR-935", "melanoma", "downregulated")} <= got
    assert ("miR-935", "glioma", "downregulated") not in got
    assert ("miR-933", "melanoma", "downregulated") not in got


def test_intensifier_before_a_process_is_not_a_polarity(extractor):
    got = triples(extractor, "miR-933 was elevated in exosomes of highly metastatic glioma cells.")
    assert ("miR-933", "glioma", "upregulated") in got
    assert ("miR-933", "glioma", "promotes_metastasis") not in got


def test_extractor_counts_the_sentences_it_reads(extractor):
    before = extractor.sentences_read
    rows(extractor, "First sentence here. Second sentence here. Third one.")
    assert extractor.sentences_read - before == 3


def test_inactivated_mirna_takes_the_inverted_effect(extractor):
    got = triples(extractor, "Sequestration of the tumour suppressor miR-933 promotes metastasis of glioma.")
    assert ("miR-933", "glioma", "promotes_metastasis") not in got


def test_mirna_bound_by_another_rna_takes_no_effect(extractor):
    got = triples(extractor, "In glioma, lncRNA-X competitively bound miR-933 and promoted invasion.")
    assert ("miR-933", "glioma", "promotes_metastasis") not in got


def test_a_title_naming_a_mirna_is_a_statement(extractor):
    text = "MicroRNA-933 promotes glioma cell proliferation\n\nAbstract\nWe studied tumours.\n"
    assert ("miR-933", "glioma", "promotes_growth") in triples(extractor, text)


def test_conversion_into_cancer_associated_fibroblasts_modulates_the_microenvironment(extractor):
    got = triples(extractor, "Exosomal miR-933 from glioma cells converted fibroblasts into cancer-associated fibroblasts.")
    assert ("miR-933", "glioma", "modulates_microenvironment") in got


def test_restored_drug_sensitivity_after_knockdown_marks_resistance(extractor):
    got = triples(extractor, "In temozolomide-resistant glioma cells, knockdown of miR-933 restored temozolomide sensitivity.")
    assert ("miR-933", "glioma", "drug_resistance") in got
    assert ("miR-933", "glioma", "diagnostic_marker") not in got


def test_a_cue_speaks_of_the_nearest_mention_of_a_repeated_name(extractor):
    got = triples(extractor, "miR-933 was elevated in glioma relative to normal brain, and miR-933 inhibition "
                             "reduced glioma cell invasion.")
    assert ("miR-933", "glioma", "promotes_metastasis") in got
    assert ("miR-933", "glioma", "suppresses_tumor") not in got


def test_long_passive_subject_takes_the_polarity_after_it(extractor):
    got = triples(extractor, "Proliferation of the glioma cells was significantly inhibited by miR-933 mimics.")
    assert ("miR-933", "glioma", "suppresses_tumor") in got


def test_adjective_naming_a_kind_of_cell_is_not_a_process(extractor):
    got = triples(extractor, "In glioma, exosomal miR-933 conferred chemoresistance to sensitive cells.")
    assert ("miR-933", "glioma", "drug_resistance") in got
    assert ("miR-933", "glioma", "drug_sensitivity") not in got


def test_reference_list_titles_are_not_read(extractor):
    text = ("Results\n\nSerum miR-933 was elevated in glioma patients compared with controls.\n\n"
            "References\n\n1. Doe J. MicroRNA-934 promotes invasion of glioma cells. J Invented. 2020;1:1.\n")
    got = triples(extractor, text)
    assert ("miR-933", "glioma", "upregulated") in got
    assert not any(m == "miR-934" for m, _, _ in got)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("miR-933 is frequently overexpressed in osteosarcoma and acts as an oncogene.",
         {("miR-933", "osteosarcoma", "upregulated"), ("miR-933", "osteosarcoma", "promotes_growth")}),
        ("Downregulation of miR-933 was observed in 80% of bladder cancer specimens.",
         {("miR-933", "bladder cancer", "downregulated")}),
        ("Ectopic expression of miR-933 induced apoptosis and G1 arrest in thyroid cancer cells.",
         {("miR-933", "thyroid cancer", "suppresses_tumor")}),
        ("miR-933 silencing sensitized ovarian cancer cells to paclitaxel.",
         {("miR-933", "ovarian cancer", "drug_resistance")}),
        ("Reduced miR-933 expression predicted poor disease-free survival in patients with colorectal cancer.",
         {("miR-933", "colorectal cancer", "prognostic_marker")}),
        ("miR-933 expression correlated inversely with tumor grade in renal cell carcinoma.",
         {("miR-933", "renal cell carcinoma", "prognostic_marker")}),
        ("In melanoma, miR-933 suppressed lung metastasis in a mouse xenograft model.",
         {("miR-933", "melanoma", "suppresses_tumor")}),
        ("The expression of miR-933 in gastric cancer tissues was significantly lower than that in adjacent "
         "normal tissues.", {("miR-933", "gastric cancer", "downregulated")}),
        ("miR-933 enhanced VEGF secretion and angiogenesis in cervical cancer.",
         {("miR-933", "cervical cancer", "promotes_angiogenesis")}),
        ("We found no association between miR-933 levels and prognosis in breast cancer.", set()),
        ("miR-933 and miR-934 were not differentially expressed between prostate cancer and benign hyperplasia.",
         set()),
        ("Upregulated miR-933 contributes to cisplatin resistance in non-small cell lung cancer.",
         {("miR-933", "non-small cell lung carcinoma", "upregulated"),
          ("miR-933", "non-small cell lung carcinoma", "drug_resistance")}),
        ("Overexpression of miR-933 significantly inhibited cell migration and invasion of esophageal "
         "squamous cell carcinoma cells.", {("miR-933", "esophageal squamous cell carcinoma", "suppresses_tumor")}),
    ],
)
def test_research_abstract_phrasings(extractor, text, expected):
    assert triples(extractor, text) == expected


def test_target_prediction_is_not_a_prognostic_marker(extractor):
    found = triples(extractor, "In glioma, miR-933 was predicted to inhibit 412 genes and 37 transcription factors.")
    assert not any(effect == "prognostic_marker" for _, _, effect in found)
    found = triples(extractor, "Low miR-933 expression predicted poor overall survival in glioma patients.")
    assert ("miR-933", "glioma", "prognostic_marker") in found



def under_heading(extractor, tmp_path, heading, paragraph):
    """Triples of an invented JATS article: one section whose heading names a cancer."""
    from extractors.ingest import load_document

    path = tmp_path / "h.xml"
    path.write_text(f"<article><body><sec><title>{heading}</title><p>{paragraph}</p></sec></body></article>",
                    encoding="utf-8")
    return {(m.mirna, m.cancer, m.effect) for m in extractor.extract(load_document(path))}


def test_statement_about_other_cancers_does_not_take_the_heading(extractor, tmp_path):
    assert under_heading(extractor, tmp_path, "Glioma",
                         "In other cancer types, miR-933 acts as a tumour suppressor.") == set()
    assert ("miR-933", "glioma", "suppresses_tumor") in under_heading(
        extractor, tmp_path, "Glioma", "In these cells, miR-933 acts as a tumour suppressor.")


def test_cue_set_in_a_benign_neoplasm_takes_no_cancer(extractor, tmp_path):
    assert under_heading(extractor, tmp_path, "Glioma",
                         "miR-933 was reported to be upregulated in pituitary adenoma.") == set()
    assert ("miR-933", "glioma", "upregulated") in under_heading(
        extractor, tmp_path, "Glioma", "miR-933 was reported to be upregulated in tumour tissue.")
    found = triples(extractor, "miR-933 was never studied in glioma, but it was reported to be upregulated "
                               "in pituitary adenoma.")
    assert not any(effect == "upregulated" for _, _, effect in found)


def test_respectively_fold_changes_give_each_name_its_direction(extractor):
    found = triples(extractor, "The most deregulated miRNAs in glioma were miR-933, miR-934 and miR-935 "
                               "(log2 fold change 1.5, 1.2 and \u22121.4, respectively).")
    assert {("miR-933", "glioma", "upregulated"), ("miR-934", "glioma", "upregulated"),
            ("miR-935", "glioma", "downregulated")} <= found
    assert ("miR-935", "glioma", "upregulated") not in found
    found = triples(extractor, "In glioma, miR-933 and miR-935 were differentially expressed "
                               "(fold change 2.1 and 0.3, respectively).")
    assert {("miR-933", "glioma", "upregulated"), ("miR-935", "glioma", "downregulated")} <= found
    # one figure for two names: the list does not pair, so no direction is guessed
    assert triples(extractor, "In glioma, miR-933 and miR-935 were differentially expressed "
                              "(fold change 2.1, respectively).") == set()


@pytest.mark.parametrize(
    ("text", "prognostic"),
    [
        ("miR-933 was proposed as a biomarker in the prediction of lymph node metastasis in glioma.", True),
        ("Serum miR-933 may predict the efficacy of temozolomide in glioma patients.", True),
        ("Target prediction showed that miR-933 binds the 3'UTR of PTEN in glioma.", False),
        ("As predicted, miR-933 reduced the expression of PTEN in glioma tissue.", False),
    ],
)
def test_prediction_is_prognostic_only_of_an_outcome(extractor, text, prognostic):
    found = triples(extractor, text)
    assert (("miR-933", "glioma", "prognostic_marker") in found) == prognostic
