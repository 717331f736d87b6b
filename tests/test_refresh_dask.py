"""The refresh flow on a local Dask cluster (2 worker processes) gives exactly the default runner's KB."""

from __future__ import annotations

import os
from pathlib import Path

import kb_fakes
import pytest

from flows import refresh as flow
from mirkb import batch
from mirkb.kb import KnowledgeBase


def _kb(path) -> tuple[dict, dict]:
    with KnowledgeBase(path) as kb:
        triples = {(t["mirna"], t["cancer"], t["effect"]): (t["n_documents"], t["n_mentions"])
                   for t in kb.query_triples(evidence_per_triple=0)}
        docs = {d: (s["status"], s["sha256"]) for d, s in kb.document_states().items()}
    return triples, docs


@pytest.mark.prefect
def test_refresh_on_a_local_dask_cluster_gives_the_kb_of_the_default_runner(prefect_harness, tmp_path, monkeypatch):
    pytest.importorskip("prefect_dask", reason="prefect-dask is a dependency; reinstall with make install")
    folder = tmp_path / "corpus"
    kb_fakes.write_corpus(folder, 24)
    (folder / "empty.txt").write_bytes(b"")
    # Dask's worker processes build their own extractor: the fake reaches them through the environment.
    monkeypatch.setenv(batch.EXTRACTOR_ENV, "kb_fakes:make")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))
    batch.set_extractor_factory(None)

    dask = flow.run(str(folder), str(tmp_path / "dask.sqlite"), None, runner="dask", workers=2)
    extracted_here = batch.get_extractor().calls  # built here for its config_id; used on the workers
    default = flow.run(str(folder), str(tmp_path / "default.sqlite"), None)

    assert dask["documents"] == default["documents"] == {
        "added": 24, "changed": 0, "reextracted": 0, "failed": 1, "unchanged": 0}
    assert dask["triples_added"] == default["triples_added"] > 0
    assert _kb(tmp_path / "dask.sqlite") == _kb(tmp_path / "default.sqlite")
    assert extracted_here == 0
