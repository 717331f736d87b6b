"""The syntax step (extractors/syntax.py): whose effect, which polarity, which parser.

Sentences are invented. The extractor with the bundled GENIA parser is built once for the module.
"""

from __future__ import annotations

import logging
import random

import pytest
import spacy
from extracted import triples
from spacy.training import Example

from extractors import syntax
from extractors.pipeline import Extractor, ExtractSettings


@pytest.fixture(scope="module")
def extractor():
    return Extractor(ExtractSettings(model="", syntax=True))


# --- whose effect ----------------------------------------------------------------------------


def test_another_molecule_as_subject_keeps_its_effect(extractor):
    # the gene promotes invasion; the miRNA is only its object
    found = triples(extractor, "ZNF281 promotes invasion of gastric cancer cells and represses miR-662.")
    assert not any(t[0] == "miR-662" for t in found)


def test_drug_as_subject_keeps_its_effect(extractor):
    found = triples(extractor, "Carboplatin induced apoptosis of ovarian cancer cells that express miR-214.")
    assert not any(t[0] == "miR-214" for t in found)


def test_sponging_lncrna_keeps_its_effect(extractor):
    found = triples(extractor, "The lncRNA LINC01234 promotes proliferation of gastric cancer cells by sponging "
                               "miR-204-5p.")
    assert not any(t[0] == "miR-204-5p" for t in found)


def test_pathway_as_subject_is_not_one_member(extractor):
    found = triples(extractor, "The miR-21/PDCD4 axis promotes invasion in glioma.")
    assert ("miR-21", "glioma", "promotes_metastasis") not in found


def test_role_word_on_another_molecule(extractor):
    found = triples(extractor, "In melanoma, miR-211 mediates some effects of oncogenic BRAF signalling.")
    assert ("miR-211", "melanoma", "promotes_growth") not in found


def test_role_word_on_the_mirna_survives_another_subject(extractor):
    # GUIDELINES 4: "sponges tumour-suppressive miR-900" states the miRNA's own role
    found = triples(extractor, "In lung cancer, FECR1 promotes metastasis through inactivation of tumor suppressor "
                               "miR-584-3p.")
    assert ("miR-584-3p", "lung cancer", "suppresses_tumor") in found


def test_mirna_as_subject_keeps_its_effect(extractor):
    found = triples(extractor, "miR-21 was shown to promote invasion in colorectal cancer.")
    assert found == {("miR-21", "colorectal cancer", "promotes_metastasis")}


# --- polarity --------------------------------------------------------------------------------


def test_inhibiting_verb_over_a_process_gives_the_opposite_effect(extractor):
    found = triples(extractor, "Furthermore, miR-448 significantly inhibits MALAT1-mediated oncogenic and "
                               "metastatic potential in breast cancer.")
    assert found == {("miR-448", "breast cancer", "suppresses_tumor")}


def test_process_in_another_clause_takes_no_polarity_from_the_main_verb(extractor):
    # "metastatic" describes the patients' disease; "higher" describes the miRNA's level
    found = triples(extractor, "Serum miR-330-3p levels are higher in lung adenocarcinoma patients with brain "
                               "metastasis than in those without metastasis.")
    assert ("miR-330-3p", "lung adenocarcinoma", "upregulated") in found
    assert ("miR-330-3p", "lung adenocarcinoma", "promotes_metastasis") not in found


# --- coordination ----------------------------------------------------------------------------


def test_coordinated_subjects_each_get_the_effect_and_an_object_does_not(extractor):
    found = triples(extractor, "miR-221 and miR-222 enhance invasion of glioma cells and repress miR-34a.")
    assert ("miR-221", "glioma", "promotes_metastasis") in found
    assert ("miR-222", "glioma", "promotes_metastasis") in found
    assert ("miR-34a", "glioma", "promotes_metastasis") not in found


# --- the parse itself ------------------------------------------------------------------------


def test_citations_are_left_out_of_the_parse(extractor):
    doc = extractor.nlp("miR-340 downregulation promotes melanoma progression [61] (Li et al., 2019).")
    sent = next(doc.sents)
    skipped = {doc[i].text for i in syntax.citation_tokens(sent)}
    assert skipped == {"[", "61", "]", "(", "Li", "et", "al.", ",", "2019", ")"}
    parse = extractor.parser(sent, list(doc.spans["mirna"]))
    assert "61" not in [t.text for t in parse.doc]


def test_multi_token_name_is_one_word_for_the_parser(extractor):
    doc = extractor.nlp("miR-331-3p inhibits invasion.")
    spans = list(doc.spans["mirna"])
    parse = extractor.parser(next(doc.sents), spans)
    assert parse.token(spans[0].start).text == "miR-331-3p"
    assert len({parse.index[i] for i in range(spans[0].start, spans[0].end)}) == 1


# --- which parser ----------------------------------------------------------------------------


def _save_tiny_parser(path):
    """A stand-in for an installed scispacy model: a pipeline with a (barely) trained parser."""
    nlp = spacy.blank("en")
    nlp.add_pipe("parser")
    words = ["miR-1", "inhibits", "growth", "."]
    ref = spacy.tokens.Doc(nlp.vocab, words=words, heads=[1, 1, 1, 1], deps=["nsubj", "ROOT", "dobj", "punct"])
    examples = [Example(nlp.make_doc("miR-1 inhibits growth ."), ref)]
    random.seed(0)
    nlp.initialize(lambda: examples)
    nlp.to_disk(path)


def test_a_user_model_with_a_parser_is_used_for_the_syntax_step(tmp_path):
    _save_tiny_parser(tmp_path / "tiny_parser")
    parser = syntax.load_parser(str(tmp_path / "tiny_parser"))
    assert parser.source == str(tmp_path / "tiny_parser")
    assert "parser" in parser.nlp.pipe_names


def test_a_user_model_without_a_parser_falls_back_to_the_bundled_one(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler")
    nlp.to_disk(tmp_path / "ner_only")
    assert syntax.load_parser(str(tmp_path / "ner_only")).source == syntax.BUNDLED


def test_a_missing_model_falls_back_to_the_bundled_parser_and_says_so(caplog):
    with caplog.at_level(logging.INFO, logger="extractors.syntax"):
        parser = syntax.load_parser("no_such_scispacy_model_xyz")
    assert parser.source == syntax.BUNDLED
    assert {"tok2vec", "tagger", "parser"} <= set(parser.nlp.pipe_names)
    assert any("not installed" in r.message for r in caplog.records)


def test_syntax_off_builds_no_parser_and_changes_the_config_id(extractor):
    off = Extractor(ExtractSettings(model="", syntax=False))
    assert off.parser is None
    assert extractor.parser is not None and extractor.parser.source == syntax.BUNDLED
    assert off.config_id != extractor.config_id
