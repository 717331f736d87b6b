"""The extract flow: one run under Prefect's test harness, plus its retry rule as plain functions."""

from __future__ import annotations

import errno
from pathlib import Path

import kb_fakes
import pandas as pd
import pytest
from prefect.states import Failed

from flows import common
from flows import extract as fe
from mirkb import batch


def test_a_flaky_read_is_raised_for_retry_and_a_parse_failure_is_not(tmp_path, monkeypatch):
    good = tmp_path / "a.txt"
    good.write_text(kb_fakes.sentence("miR-7", "glioma", "raised"))
    (tmp_path / "empty.txt").write_bytes(b"")
    empty = batch.process(tmp_path / "empty.txt", kb_fakes.FakeExtractor(), raise_transient=True)
    assert empty.error.stage == "ingest"

    def flaky(self):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(Path, "read_bytes", flaky)
    with pytest.raises(Exception) as raised:
        batch.process(good, kb_fakes.FakeExtractor(), raise_transient=True)
    assert batch.is_transient(raised.value)
    recorded = batch.process(good, kb_fakes.FakeExtractor())
    assert recorded.error.stage == "ingest" and "Input/output error" in recorded.error.message


def test_only_transient_errors_are_retried_and_a_failed_document_is_not():
    assert common.retry_if_transient(None, None, Failed(data=OSError(errno.EIO, "Input/output error")))
    assert not common.retry_if_transient(None, None, Failed(data=ValueError("a parse bug")))
    failed = batch.failed("x.txt", "ingest", "empty file")
    assert not common.retry_if_transient(None, None, Failed(data=common.DocumentsFailed([failed])))


def test_a_batch_with_a_failed_document_raises_with_every_result(tmp_path):
    kb_fakes.write_corpus(tmp_path, 1)
    (tmp_path / "empty.txt").write_bytes(b"")
    items = [batch.Planned(str(tmp_path / n), Path(n).stem) for n in ("doc000.txt", "empty.txt")]
    batch.set_extractor_factory(kb_fakes.factory)
    try:
        with pytest.raises(common.DocumentsFailed) as raised:
            common.batch_results(items, "", True)
    finally:
        batch.set_extractor_factory(None)
    ok, bad = raised.value.results
    assert ok.error is None and len(ok.mentions) == 3 and bad.error.message == "empty file"
    assert "empty [ingest] empty file" in str(raised.value)


@pytest.mark.prefect
def test_extract_flow_writes_the_rows_and_a_summary_artifact(prefect_harness, tmp_path):
    from prefect.artifacts import Artifact

    folder = tmp_path / "docs"
    expected = kb_fakes.write_corpus(folder, 2)
    (folder / "empty.txt").write_bytes(b"")
    out = tmp_path / "mentions.csv"
    batch.set_extractor_factory(kb_fakes.factory)
    try:
        stats = fe.run([str(folder)], str(out))
    finally:
        batch.set_extractor_factory(None)

    frame = pd.read_csv(out)
    assert tuple(frame.columns) == batch.EXTRACT_COLUMNS
    assert {d: set(zip(g.mirna, g.cancer, g.effect, strict=True)) for d, g in frame.groupby("doc_id")} == expected
    assert stats["read"] == 2 and stats["failed"] == 1
    assert pd.read_csv(batch.errors_path(out)).to_dict("records") == [
        {"doc_id": "empty", "path": str(folder / "empty.txt"), "stage": "ingest", "message": "empty file"}]
    assert stats["triples"] == sum(len(t) for t in expected.values())
    artifact = Artifact.get(fe.ARTIFACT_KEY)
    assert artifact is not None
    assert "# mirkb extract: completed with errors" in artifact.data
    assert "| upregulated | 2 |" in artifact.data and "| empty | ingest | empty file |" in artifact.data
