"""The refresh flow under Prefect (slow: the harness starts a local API), on the default runner.

Deselect with ``pytest -m "not prefect"``; everything else about the refresh is tested through
the plain functions of mirkb.batch in test_kb_reliability.py.
"""

from __future__ import annotations

import kb_fakes
import pytest

from flows import refresh as flow
from mirkb import batch
from mirkb.kb import KnowledgeBase


@pytest.mark.prefect
def test_refresh_flow_stores_documents_fails_the_bad_batch_and_leaves_a_summary_artifact(prefect_harness, tmp_path):
    from prefect.artifacts import Artifact
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    folder = tmp_path / "corpus"
    expected = kb_fakes.write_corpus(folder, 2)
    (folder / "zz_empty.txt").write_bytes(b"")
    kb_path = tmp_path / "kb.sqlite"
    batch.set_extractor_factory(kb_fakes.factory)
    try:
        state = flow.refresh_flow(corpus=str(folder), kb=str(kb_path), gold_dir=str(tmp_path / "no-gold"),
                                  batch_size=2, return_state=True)
        summary = state.result()
        (folder / "zz_empty.txt").unlink()
        again = flow.run(str(folder), str(kb_path), str(tmp_path / "no-gold"))
    finally:
        batch.set_extractor_factory(None)

    assert summary["status"] == "completed with errors"
    assert summary["documents"]["added"] == 2 and summary["documents"]["failed"] == 1
    assert summary["triples_added"] == len(set().union(*expected.values()))
    assert again["no_changes"] and again["documents"]["unchanged"] == 2
    with KnowledgeBase(kb_path) as kb:
        assert {d: s["status"] for d, s in kb.document_states().items()} == {
            "doc000": "ok", "doc001": "ok", "zz_empty": "failed"}

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    states = sorted(r.state.type.value for r in runs)
    assert states == ["COMPLETED", "FAILED"]  # two batches: the one with the empty file failed
    artifact = Artifact.get("mirkb-refresh-summary")
    assert artifact is not None and "No changes." in artifact.data
