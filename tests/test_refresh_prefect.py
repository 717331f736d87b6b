"""The one test that runs the refresh flow under Prefect (slow: the harness starts a local API).

Deselect with ``pytest -m "not prefect"``; everything else about the refresh is tested through
the plain functions in test_kb_reliability.py.
"""

from __future__ import annotations

import kb_fakes
import pytest

from flows import refresh as rf
from mirkb.kb import KnowledgeBase


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.mark.prefect
def test_refresh_flow_under_prefect_stores_documents_and_leaves_a_summary_artifact(prefect_harness, tmp_path):
    from prefect.artifacts import Artifact

    folder = tmp_path / "corpus"
    expected = kb_fakes.write_corpus(folder, 2)
    kb_path = tmp_path / "kb.sqlite"
    rf.set_extractor_factory(kb_fakes.FakeExtractor)
    try:
        summary = rf.refresh_flow(corpus=str(folder), kb=str(kb_path), gold_dir=str(tmp_path / "no-gold"))
        again = rf.refresh_flow(corpus=str(folder), kb=str(kb_path), gold_dir=str(tmp_path / "no-gold"))
    finally:
        rf.set_extractor_factory(None)

    assert summary["status"] == "completed"
    assert summary["documents"]["added"] == 2
    assert summary["triples_added"] == len(set().union(*expected.values()))
    assert again["no_changes"] and again["documents"]["unchanged"] == 2
    with KnowledgeBase(kb_path) as kb:
        assert {d: s["status"] for d, s in kb.document_states().items()} == {"doc000": "ok", "doc001": "ok"}
    artifact = Artifact.get("mirkb-refresh-summary")
    assert artifact is not None and "No changes." in artifact.data
