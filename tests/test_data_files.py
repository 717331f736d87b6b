"""Every shipped data file loads and has the record shape its loader checks."""

import json
from importlib import resources

import pytest

from extractors.cancer import LexiconError, load_lexicon, load_other_diseases
from extractors.mirna import known_numbers
from extractors.relations import PROCESS_EFFECTS, load_cue_records
from extractors.schema import EFFECTS


def test_cancer_lexicon_covers_every_ontology_term_and_spec_name():
    lexicon = load_lexicon()
    ids = {c.id for c in lexicon.concepts.values() if c.id.startswith("DOID:")}
    # the slim's 730 terms (one obsolete, which obonet leaves out) plus the NCIt subset's cancer
    # subtypes and benign neoplasms
    assert len(ids) > 2000
    assert "DOID:0050865" in ids and not lexicon.concepts["tongue squamous cell carcinoma"].benign
    assert lexicon.concepts["pituitary adenoma"].benign
    for name in ("lung cancer", "non-small cell lung carcinoma", "gastric cancer", "Merkel cell carcinoma",
                 "castration-resistant prostate cancer", "high-grade serous ovarian carcinoma"):
        assert name in lexicon.concepts
    assert lexicon.concepts["castration-resistant prostate cancer"].id == ""  # never an invented id
    assert lexicon.concepts["cancer"].generic


def test_lexicon_meta_names_the_ontology_release():
    meta = json.loads(resources.files("extractors.data").joinpath("cancer_lexicon.meta.json").read_text())
    assert meta["source"].startswith("doid/releases/")
    assert any("NCIthesaurus" in s for s in meta["sources"]) and any("cancer_slim" in s for s in meta["sources"])


def test_cell_line_table_has_at_least_forty_lines():
    names = {n.replace("-", "").replace(" ", "") for n in load_lexicon().cell_lines}
    assert len(names) >= 40


def test_mirbase_numbers_include_known_and_exclude_absent():
    numbers = known_numbers()
    assert {"21", "155", "1246", "200"} <= numbers and "2" not in numbers


def test_cue_records_have_known_kinds_and_effects():
    records = load_cue_records()
    assert records
    for rec in records:
        if rec["kind"] in {"role", "expression", "marker"}:
            assert rec["effect"] in EFFECTS or rec["effect"] == "biomarker", rec["id"]
        if rec["kind"] == "polarity":
            assert rec["polarity"] in {"+", "-"}
    assert set(PROCESS_EFFECTS.values()) <= set(EFFECTS)


def test_bad_lexicon_record_names_file_and_line(monkeypatch):
    import extractors.cancer as cancer

    monkeypatch.setattr(cancer, "_read_data", lambda name: '{"canonical": "x"}\n')
    cancer.load_lexicon.cache_clear()
    try:
        with pytest.raises(LexiconError, match=r"cancer_lexicon.jsonl:1: missing key"):
            cancer.load_lexicon()
    finally:
        cancer.load_lexicon.cache_clear()


def test_table_column_names_load_with_known_roles():
    from extractors.tables import _COLUMN_NAMES, _ROLES

    assert _COLUMN_NAMES and {role for _, role in _COLUMN_NAMES} <= _ROLES
    assert {"mirna", "cancer", "effect", "ref"} <= {role for _, role in _COLUMN_NAMES}


def test_other_diseases_are_neither_cancers_nor_roots():
    others = load_other_diseases()
    assert others["alzheimer's disease"].id.startswith("DOID:") and others["alzheimer's disease"].generic
    words = load_lexicon().words
    assert not set(others) & set(words)  # no form is both a cancer and another disease
    assert "disease" not in others and "syndrome" not in others
