"""Quality must not fall: the extractor on both seed reviews, the dev abstracts and the dev
full-text articles, scored.

The figures recorded in bench/quality.json come from ``python -m mirkb.quality --record``; a
change that lowers strict micro-F1 on the seeds (or pair F1 on the dev abstracts, or strict/pair F1 on the dev full-text articles) by more than 0.02
fails here. Improve, then record the new figures.
"""

import json

import pytest

from mirkb.quality import (
    RECORD,
    TOLERANCE,
    default_devset,
    default_fulltext,
    dev_quality,
    fulltext_quality,
    seed_quality,
)
from mirkb.settings import default_corpus, default_gold


@pytest.fixture(scope="module")
def extractor():
    from extractors.pipeline import Extractor

    return Extractor()


@pytest.fixture(scope="module")
def recorded():
    return json.loads(RECORD.read_text(encoding="utf-8"))


def test_seed_strict_f1_has_not_fallen(extractor, recorded):
    corpus = default_corpus()
    assert corpus is not None, "the seed corpus (../shared/corpus) is needed for the regression test"
    seeds = seed_quality(extractor, corpus, default_gold())
    for scope in ("text", "all"):
        now = seeds.result("strict", scope).micro.f1
        assert now >= recorded[f"seed_strict_{scope}"]["f1"] - TOLERANCE, (scope, now)


def test_dev_pair_f1_has_not_fallen(extractor, recorded):
    devset = default_devset()
    assert devset.is_dir(), "the dev abstracts (../shared/devsets) are needed for the regression test"
    now = dev_quality(extractor, devset).result("pair", "all").micro.f1
    assert now >= recorded["dev_pair"]["f1"] - TOLERANCE, now


def test_fulltext_f1_has_not_fallen(extractor, recorded):
    devset = default_fulltext()
    assert devset.is_dir(), "the dev full-text articles (../shared/devsets) are needed for the regression test"
    ft = fulltext_quality(extractor, devset)
    for level in ("strict", "pair"):
        now = ft.result(level, "all").micro.f1
        assert now >= recorded[f"fulltext_{level}_all"]["f1"] - TOLERANCE, (level, now)


def test_markdown_renders_the_recorded_figures(recorded):
    from mirkb.quality import markdown

    text = markdown(recorded)
    assert f"{recorded['seed_strict_all']['f1']:.3f}" in text and "| strict / all |" in text
