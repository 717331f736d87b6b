"""The scorer agrees with itself: a gold file given as predictions scores 1.0 on its document."""

import json

import pytest

from mirkb.cli import main
from mirkb.settings import default_gold


@pytest.mark.parametrize("doc_id", ["li2022_jtm_20_6", "yin2021_jtm_19_312"])
def test_gold_file_as_predictions_scores_one(doc_id, capsys):
    status = main(["evaluate", "--pred", str(default_gold() / f"{doc_id}.tsv"), "--gold", str(default_gold()),
                   "--json"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    for level in ("strict", "pair", "arm_lenient"):
        doc = result[level]["all"]["documents"][doc_id]
        assert doc["fp"] == 0 and doc["fn"] == 0 and doc["f1"] == 1.0 and doc["tp"] > 0
