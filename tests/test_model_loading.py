"""The optional statistical model: loaded when installed, merged under the rules, absent is fine."""

import logging

import spacy

from extractors.nlp import build_nlp


def _save_tiny_model(path):
    # A stand-in for a scispacy NER model: an entity ruler that labels two disease names.
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "DISEASE", "pattern": "medulloblastomas"},  # a form the lexicon also knows
        {"label": "DISEASE", "pattern": "lung"},  # overlaps a rule span: the rules must win
    ])
    nlp.to_disk(path)


def test_configured_model_is_loaded_and_merged(tmp_path):
    _save_tiny_model(tmp_path / "tiny")
    nlp = build_nlp(model=str(tmp_path / "tiny"))
    assert "mirkb_model_entities" in nlp.pipe_names
    doc = nlp("Samples of medulloblastomas and lung cancer were compared.")
    names = [(s.text, s._.cancer.canonical) for s in doc.spans["cancer"]]
    assert ("medulloblastomas", "medulloblastoma") in names
    assert ("lung cancer", "lung cancer") in names  # rule span kept whole, model's "lung" dropped


def test_missing_model_falls_back_and_logs_once(caplog):
    with caplog.at_level(logging.WARNING, logger="extractors.nlp"):
        first = build_nlp(model="no_such_model_xyz")
        build_nlp(model="no_such_model_xyz")
    assert "mirkb_model_entities" not in first.pipe_names
    assert sum("not installed" in r.message for r in caplog.records) == 1
    doc = first("Serum from glioma patients.")
    assert [s._.cancer.canonical for s in doc.spans["cancer"]] == ["glioma"]
