"""Whose effect, and which one, on invented sentences (issue 8: findings on unseen papers).

Each test is a phrasing authors use in full-text articles: citation brackets inside a statement,
lists introduced by "include", a subject far before its predicate, inhibition of a miRNA
lowering a process, effects of another molecule or of an experiment.
"""

import pytest
from extracted import triples

from extractors.pipeline import Extractor, ExtractSettings


@pytest.fixture(scope="module")
def extractor():
    return Extractor(ExtractSettings(model="", syntax=True))


# --- distance and lists --------------------------------------------------------------------------


def test_a_citation_bracket_adds_no_distance(extractor):
    found = triples(extractor, "miR-933 was earlier shown to repress NOTCH2 in vitro [12, 14] and is also "
                               "markedly upregulated in metastatic glioma.")
    assert ("miR-933", "glioma", "upregulated") in found


def test_names_listed_after_a_relative_clause_on_mirnas(extractor):
    found = triples(extractor, "In glioma, the miRNAs that were increased most include miR-933 [4] and miR-934.")
    assert ("miR-933", "glioma", "upregulated") in found
    # the same words about a measured target are not the miRNA's level
    assert not any(t[2] == "upregulated" for t in triples(
        extractor, "In glioma, the genes that were increased most include NOTCH2, a target of miR-933."))


def test_a_far_subject_is_found_through_the_parse(extractor):
    found = triples(extractor, "miR-933 is one of the most extensively characterised small RNAs in endocrine "
                               "tumours and has been reported to be frequently upregulated in papillary thyroid "
                               "carcinoma.")
    assert ("miR-933", "papillary thyroid carcinoma", "upregulated") in found


def test_semicolons_inside_an_author_year_bracket_do_not_split_the_clause(extractor):
    found = triples(extractor, "miR-933 is upregulated in papillary thyroid carcinoma (Ames et al., 2001; "
                               "Bell et al., 2003), anaplastic thyroid cancer (Cole et al., 2004) and "
                               "follicular thyroid cancer (Dunn et al., 2005).")
    assert {("miR-933", "papillary thyroid carcinoma", "upregulated"),
            ("miR-933", "anaplastic thyroid carcinoma", "upregulated"),
            ("miR-933", "follicular thyroid carcinoma", "upregulated")} <= found


# --- cue words -------------------------------------------------------------------------------


def test_inhibiting_the_mirna_lowers_microvessel_density_so_it_promotes_angiogenesis(extractor):
    found = triples(extractor, "Inhibition of miR-933 decreased colony formation and microvessel density in "
                               "glioma xenografts.")
    assert ("miR-933", "glioma", "promotes_angiogenesis") in found
    assert ("miR-933", "glioma", "suppresses_tumor") not in found


def test_promoting_lymph_node_metastasis_written_as_lnm(extractor):
    text = ("Lymph node metastasis (LNM) is frequent in papillary thyroid carcinoma. "
            "miR-933 might be involved in promoting LNM in papillary thyroid carcinoma.")
    assert ("miR-933", "papillary thyroid carcinoma", "promotes_metastasis") in triples(extractor, text)


def test_a_hyphenated_tumour_suppressor_after_a_pronoun(extractor):
    found = triples(extractor, "In glioma, miR-933 is lost in most tumours, and it has been shown to function "
                               "as a tumour-suppressor through several target genes.")
    assert ("miR-933", "glioma", "suppresses_tumor") in found


def test_a_process_inhibitory_effect_mediated_by_the_mirna(extractor):
    found = triples(extractor, "In glioma cells, miR-933 mediates the EMT-inhibitory effect of SOX7.")
    assert ("miR-933", "glioma", "suppresses_tumor") in found
    found = triples(extractor, "In glioma cells, miR-933 mediates the invasion-promoting effect of SOX7.")
    assert ("miR-933", "glioma", "promotes_metastasis") in found


# --- effects that belong to another molecule or to an experiment ----------------------------------


def test_an_effect_inside_another_genes_subject_phrase_is_not_the_mirnas(extractor):
    found = triples(extractor, "Increased expression of KDM7B correlating with disease progression and poor "
                               "clinical outcome in glioma was reversed by miR-933.")
    assert ("miR-933", "glioma", "prognostic_marker") not in found
    # the same phrase about the miRNA itself stays its own
    found = triples(extractor, "Loss of miR-933 correlating with poor clinical outcome in glioma was reported.")
    assert ("miR-933", "glioma", "prognostic_marker") in found


def test_a_role_given_to_a_named_gene_is_the_genes(extractor):
    found = triples(extractor, "These findings revealed how miR-933 mediates the induction of EMT and implied "
                               "the role of ZNF281 as a tumor suppressor in glioma.")
    assert ("miR-933", "glioma", "suppresses_tumor") not in found
    assert ("miR-933", "glioma", "promotes_metastasis") in found
    found = triples(extractor, "These findings confirmed the role of miR-933 as a tumor suppressor in glioma.")
    assert ("miR-933", "glioma", "suppresses_tumor") in found


def test_a_process_describing_cells_takes_no_polarity_from_another_genes_passive(extractor):
    found = triples(extractor, "In glioma cells that have metastatic capacity, PTEN expression was repressed "
                               "by miR-933.")
    assert not any(t[0] == "miR-933" and t[2] == "suppresses_tumor" for t in found)
    assert ("miR-933", "glioma", "suppresses_tumor") in triples(
        extractor, "In glioma, invasion of the cells was strongly repressed by miR-933.")


@pytest.mark.parametrize("text", [
    "Expression levels of miR-933 are inversely related to glioma cell migration and invasion.",
    "In a panel of glioma cell lines, an inverse relationship between miR-933 level and cell line "
    "proliferation was observed.",
    "High miR-933 levels in glioma were associated with a more proliferative, mesenchymal-like phenotype.",
])
def test_association_with_a_property_of_cultured_cells_is_no_prognosis(extractor, text):
    assert ("miR-933", "glioma", "prognostic_marker") not in triples(extractor, text)


def test_association_with_patients_disease_stays_prognostic(extractor):
    found = triples(extractor, "High miR-933 expression was associated with lymph node metastasis and advanced "
                               "stage in glioma patients.")
    assert ("miR-933", "glioma", "prognostic_marker") in found


def test_survival_of_cells_is_growth_not_prognosis(extractor):
    found = triples(extractor, "The miR-933 mimic reduced glioma outgrowth survival at 21 days.")
    assert ("miR-933", "glioma", "prognostic_marker") not in found
    assert ("miR-933", "glioma", "suppresses_tumor") in found
    found = triples(extractor, "High miR-933 predicted poor overall survival of glioma patients.")
    assert ("miR-933", "glioma", "prognostic_marker") in found


@pytest.mark.parametrize("text", [
    "To assess the effect of miR-933 on glioma cell motility, cells migrated into a central detection zone.",
    "Our miRNA screening showed that miR-933 was most downregulated in glioma cells.",
])
def test_detection_and_screening_as_methods_are_not_diagnosis(extractor, text):
    assert ("miR-933", "glioma", "diagnostic_marker") not in triples(extractor, text)


def test_detection_of_the_cancer_stays_diagnostic(extractor):
    found = triples(extractor, "Serum miR-933 allowed the detection of glioma with an AUC of 0.91.")
    assert ("miR-933", "glioma", "diagnostic_marker") in found


def test_planned_or_ongoing_work_is_no_finding(extractor):
    assert triples(extractor, "Experiments showing that miR-933 improves clinical outcome and enhances "
                              "chemosensitivity in glioma are already ongoing.") == set()
    assert ("miR-933", "glioma", "drug_sensitivity") in triples(
        extractor, "Our experiments showed that miR-933 enhances chemosensitivity in glioma.")


@pytest.mark.parametrize("text", [
    "We assessed the effect of miR-933 overexpression on protein levels in glioma cells.",
    "Proliferation was measured after overexpression of miR-933 in glioma cells.",
    "The totality of changes induced by miR-933 overexpression reduced invasion of glioma cells.",
    "The miR-933 overexpression, which reduces NOTCH2 expression, led to less invasion of glioma cells.",
    "Overexpression of miR-933 in U87 and U251 glioma cells significantly reduced their migration.",
])
def test_overexpression_done_by_the_authors_is_not_a_level(extractor, text):
    assert ("miR-933", "glioma", "upregulated") not in triples(extractor, text)


def test_overexpression_found_in_tissue_is_a_level(extractor):
    found = triples(extractor, "Glioma is characterized by overexpression of miR-933 compared with normal brain.")
    assert ("miR-933", "glioma", "upregulated") in found


def test_a_bare_object_mislabelled_by_the_parser_still_takes_the_verbs_polarity(extractor):
    found = triples(extractor, "The inhibition of miR-933 decreased glioma cell proliferation, migration, "
                               "tumor growth and microvessel density.")
    assert ("miR-933", "glioma", "promotes_angiogenesis") in found


def test_a_caption_panel_letter_starts_a_new_sentence(extractor):
    text = ("Forced GENE1 expression induced tumorigenicity and migration of breast cancer cells. "
            "a Western blot of GENE1 in two lines. b RT-PCR of GENE1 and miR-933. d, e Box plots of spheres.")
    sents = [s.text for s in extractor.nlp(text).sents]
    assert sents[1].startswith("a Western") and sents[2].startswith("b RT-PCR") and sents[3].startswith("d, e")
    assert not any(t[0] == "miR-933" for t in triples(extractor, text))
    # a plain lower-case word after a full stop still continues the sentence
    assert len(list(extractor.nlp("The value was 3 p. a priori it held.").sents)) == 1


def test_a_role_on_another_genes_effect_is_the_genes_unless_the_mirna_mediates_it(extractor):
    found = triples(extractor, "Combined with the changes induced by miR-933 overexpression, the pro-invasive "
                               "effect of SOX7 knockdown is more than negated in glioma cells.")
    assert ("miR-933", "glioma", "promotes_metastasis") not in found
    found = triples(extractor, "In glioma cells, miR-933 mediates the EMT-inhibitory effect of SOX7.")
    assert ("miR-933", "glioma", "suppresses_tumor") in found


def test_a_level_after_exposing_cells_to_an_agent_is_not_a_finding(extractor):
    found = triples(extractor, "Exposure of U87 glioma cells to amyloid oligomers led to the expression of "
                               "miR-933 was first increased and then decreased.")
    assert not any(t[2] in {"upregulated", "downregulated"} for t in found)
    found = triples(extractor, "Treatment of glioma patients with temozolomide led to the finding that serum "
                               "miR-933 levels were increased compared with healthy controls.")
    assert ("miR-933", "glioma", "upregulated") in found


def test_plural_association_words_make_a_prognostic_marker(extractor):
    found = triples(extractor, "The levels of miR-933 showed close associations with advanced glioma stage and "
                               "lymph node metastasis.")
    assert ("miR-933", "glioma", "prognostic_marker") in found


def test_a_high_or_low_expression_group_is_no_level_finding(extractor):
    found = triples(extractor, "Glioma cases with elevated miR-933 showed poorer prognosis in comparison with "
                               "the low expression group.")
    assert ("miR-933", "glioma", "downregulated") not in found
    assert ("miR-933", "glioma", "prognostic_marker") in found


def test_a_nominal_about_another_molecule_is_not_the_mirnas_level(extractor):
    found = triples(extractor, "Via downregulation of the PTEN pathway, miR-933 can arrest the cell cycle of "
                               "glioma cells.")
    assert ("miR-933", "glioma", "downregulated") not in found
    found = triples(extractor, "Downregulation of miR-933 was observed in glioma tissues compared with normal "
                               "brain.")
    assert ("miR-933", "glioma", "downregulated") in found


def test_endothelial_cells_carry_down_a_list_of_processes(extractor):
    found = triples(extractor, "In glioma, exosomal miR-933 enhanced HUVEC proliferation, migration, invasion "
                               "and tube formation.")
    assert ("miR-933", "glioma", "promotes_angiogenesis") in found
    assert ("miR-933", "glioma", "promotes_metastasis") not in found
    found = triples(extractor, "miR-933 promoted proliferation, migration and invasion of glioma cells.")
    assert ("miR-933", "glioma", "promotes_metastasis") in found


# --- removal, lowering and treatment -------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Knockdown of miR-933 and miR-934 reduced invasion of glioma cells.",
    "miR-933 and miR-934 knockdown reduced invasion of glioma cells.",
    "Inhibition of two glioma-upregulated miRNAs (miR-933 and miR-934) reduced invasion of glioma cells.",
])
def test_every_name_of_a_removed_list_takes_the_inverted_effect(extractor, text):
    found = triples(extractor, text)
    assert {("miR-933", "glioma", "promotes_metastasis"), ("miR-934", "glioma", "promotes_metastasis")} <= found
    assert not any(t[2] == "suppresses_tumor" for t in found)


def test_a_level_named_inside_the_removed_phrase_is_still_a_finding(extractor):
    found = triples(extractor, "Inhibition of two glioma-upregulated miRNAs (miR-933 and miR-934) reduced "
                               "invasion of glioma cells.")
    assert ("miR-933", "glioma", "upregulated") in found
    found = triples(extractor, "After knockdown of miR-933, miR-933 levels were decreased in glioma cells.")
    assert ("miR-933", "glioma", "downregulated") not in found


def test_a_lowered_mirna_as_subject_inverts_the_effect(extractor):
    found = triples(extractor, "Downregulated miR-933 in glioma promotes tumor growth by reducing CDH1.")
    assert ("miR-933", "glioma", "suppresses_tumor") in found
    assert ("miR-933", "glioma", "promotes_growth") not in found


def test_a_treatment_that_changes_the_level_in_cells_is_no_finding(extractor):
    found = triples(extractor, "IFN-beta treatment reduced miR-933 expression in glioma cells markedly.")
    assert ("miR-933", "glioma", "downregulated") not in found


def test_where_a_mirna_is_normally_enriched_is_not_a_finding_in_the_cancer(extractor):
    found = triples(extractor, "A set of brain-enriched miRNAs, miR-933 and miR-934, is down-regulated in glioma.")
    assert ("miR-933", "glioma", "downregulated") in found
    assert ("miR-933", "glioma", "upregulated") not in found


def test_a_participle_naming_which_mirna_gives_no_polarity(extractor):
    found = triples(extractor, "Here, we characterize the effects of one downregulated miRNA, miR-933, on tumor "
                               "growth in glioma.")
    assert not any(t[2] in {"suppresses_tumor", "promotes_growth"} for t in found)


def test_a_marker_shown_by_part_of_a_list_belongs_to_that_part(extractor):
    found = triples(extractor, "In ovarian cancer, miR-931, miR-932 and miR-933 might be used to differentiate "
                               "benign from malignant tumors, and the elevated serum levels of miR-932 and miR-933 "
                               "showed close associations with poor prognosis.")
    assert ("miR-933", "ovarian cancer", "prognostic_marker") in found
    assert ("miR-931", "ovarian cancer", "prognostic_marker") not in found


def test_names_introduced_by_such_as_or_including_take_the_level_of_the_miRNA_noun(extractor):
    found = triples(extractor, "In glioma, upregulated miRNAs such as miR-933 and miR-934 enhanced invasion.")
    assert {("miR-933", "glioma", "upregulated"), ("miR-934", "glioma", "upregulated")} <= found
    found = triples(extractor, "In glioma, several downregulated miRNAs, including miR-933, were identified.")
    assert ("miR-933", "glioma", "downregulated") in found
    # "such as" after a gene noun is not a miRNA list
    assert not any(t[2] == "upregulated" for t in triples(
        extractor, "In glioma, upregulated genes such as NOTCH2 are targets of miR-933."))
