"""Refresh reliability: crashes, concurrent runs, bad input, re-runs and extractor changes.

The fake extractor (tests/kb_fakes.py) keeps these tests independent of NLP quality and fast;
the subprocess tests run tests/refresh_helper.py, which sleeps per document when asked so a test
can kill it in the middle of extraction.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import kb_fakes
import pytest

from mirkb import batch as rf
from mirkb.kb import KnowledgeBase

HELPER = Path(__file__).with_name("refresh_helper.py")


@pytest.fixture(autouse=True)
def fake_extractor():
    rf.set_extractor_factory(kb_fakes.factory)
    yield
    rf.set_extractor_factory(None)


def helper(corpus, kb, sleep: float) -> subprocess.Popen:
    env = {**os.environ, "FAKE_SLEEP": str(sleep), "FAKE_CONFIG": "fake-1"}
    return subprocess.Popen([sys.executable, str(HELPER), str(corpus), str(kb)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def triple_table(kb_path) -> dict[tuple[str, str, str], tuple[int, int]]:
    with KnowledgeBase(kb_path) as kb:
        return {(t["mirna"], t["cancer"], t["effect"]): (t["n_documents"], t["n_mentions"])
                for t in kb.query_triples()}


def assert_documents_whole(kb_path, expected: dict[str, set]) -> None:
    """Every stored document has exactly the mentions the fake extractor finds in it, once."""
    with KnowledgeBase(kb_path) as kb:
        for doc_id, state in kb.document_states().items():
            rows = kb.mentions_of([doc_id])
            if state["status"] == "ok":
                assert {(r["mirna"], r["cancer"], r["effect"]) for r in rows} == expected[doc_id]
                assert len(rows) == len(expected[doc_id]), f"{doc_id} has duplicate or partial mentions"
            else:
                assert rows == []


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    return folder, kb_fakes.write_corpus(folder, 8)


@pytest.fixture
def reference(corpus, tmp_path):
    """The triples an uninterrupted run produces on the corpus."""
    folder, _ = corpus
    rf.refresh(folder, tmp_path / "reference.sqlite")
    return triple_table(tmp_path / "reference.sqlite")


def test_sigkill_during_extraction_leaves_whole_documents_and_next_run_completes(corpus, reference, tmp_path):
    folder, expected = corpus
    kb_path = tmp_path / "kb.sqlite"
    proc = helper(folder, kb_path, sleep=0.4)
    deadline = time.monotonic() + 15
    written = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if kb_path.exists():
                with KnowledgeBase(kb_path) as kb:
                    written = len(kb.document_states())
                if written >= 2:
                    break
            time.sleep(0.1)
        assert proc.poll() is None, "the refresh finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert 2 <= written < len(expected)

    assert_documents_whole(kb_path, expected)
    with KnowledgeBase(kb_path) as kb:
        assert kb.runs()[0]["status"] == "running" and kb.runs()[0]["ended"] is None

    summary = rf.refresh(folder, kb_path)
    assert summary.status == "completed"
    assert summary.documents["unchanged"] >= 2
    with KnowledgeBase(kb_path) as kb:
        killed = kb.runs()[0]
    assert summary.interrupted_runs == [killed["run_id"]] and killed["status"] == "interrupted"
    assert killed["docs_added"] == summary.documents["unchanged"] and killed["ended"] is not None
    assert summary.documents["added"] == len(expected) - summary.documents["unchanged"]
    assert triple_table(kb_path) == reference
    assert_documents_whole(kb_path, expected)


def test_two_refreshes_at_once_on_one_sqlite_file_both_finish_without_duplicates(corpus, reference, tmp_path):
    folder, expected = corpus
    kb_path = tmp_path / "kb.sqlite"
    procs = [helper(folder, kb_path, sleep=0.15) for _ in range(2)]
    results = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert json.loads(out)["status"] == "completed"
    assert_documents_whole(kb_path, expected)
    assert triple_table(kb_path) == reference
    with KnowledgeBase(kb_path) as kb:
        assert len(kb.document_states()) == len(expected)
        assert [r["status"] for r in kb.runs()] == ["completed", "completed"]


def test_bad_files_are_recorded_and_good_ones_land(corpus, tmp_path):
    folder, expected = corpus
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n an invented, truncated PDF")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "cut.xml").write_bytes(b"<article><body><p>an invented sentence")
    kb_path = tmp_path / "kb.sqlite"

    summary = rf.refresh(folder, kb_path)

    assert summary.status == "completed with errors" and summary.exit_code == 1
    assert summary.documents["added"] == len(expected) and summary.documents["failed"] == 4
    messages = {e["doc_id"]: (e["stage"], e["message"]) for e in summary.errors}
    assert messages["empty"] == ("ingest", "empty file")
    assert messages["blob"][0] == "ingest" and "binary" in messages["blob"][1]
    assert messages["broken"][0] == "ingest" and "PDF" in messages["broken"][1]
    assert messages["cut"][0] == "ingest" and "malformed XML" in messages["cut"][1]
    with KnowledgeBase(kb_path) as kb:
        states = kb.document_states()
        assert {d for d, s in states.items() if s["status"] == "failed"} == {"empty", "blob", "broken", "cut"}
        assert len(kb.run_errors(summary.run_id)) == 4
    assert_documents_whole(kb_path, expected)
    assert "completed with errors" in summary.to_text()


def test_a_second_run_changes_nothing_and_says_so(corpus, tmp_path):
    folder, _ = corpus
    kb_path = tmp_path / "kb.sqlite"
    first = rf.refresh(folder, kb_path)
    extractor = rf.get_extractor()
    calls = extractor.calls
    second = rf.refresh(folder, kb_path)
    assert first.triples_added > 0 and not first.no_changes
    assert second.no_changes and "no changes" in second.to_text()
    assert second.documents["unchanged"] == 8
    assert extractor.calls == calls  # nothing was extracted again


def test_changed_file_is_re_extracted_and_triples_gained_and_lost_are_counted(corpus, tmp_path):
    folder, expected = corpus
    kb_path = tmp_path / "kb.sqlite"
    rf.refresh(folder, kb_path)
    before = triple_table(kb_path)
    # Replace doc000's statements with one triple no other document has.
    (folder / "doc000.txt").write_text("Invented title\n" + kb_fakes.sentence("miR-999", "glioma", "flags"))
    lost = {t for t in expected["doc000"] if before[t][0] == 1}

    summary = rf.refresh(folder, kb_path)

    assert summary.documents == {"added": 0, "changed": 1, "reextracted": 0, "failed": 0, "unchanged": 7}
    assert (summary.triples_added, summary.triples_removed) == (1, len(lost))
    after = triple_table(kb_path)
    assert ("miR-999", "glioma", "diagnostic_marker") in after
    assert not lost & set(after)


def test_extractor_config_change_re_extracts_everything_and_diff_shows_it(corpus, tmp_path):
    folder, _ = corpus
    kb_path = tmp_path / "kb.sqlite"
    first = rf.refresh(folder, kb_path)

    class Narrower(kb_fakes.FakeExtractor):
        """A "new version" that no longer reports growth promotion."""

        def extract(self, doc):
            return [m for m in super().extract(doc) if m.effect != "promotes_growth"]

    rf.set_extractor_factory(lambda *_: Narrower(config_id="fake-2"))
    second = rf.refresh(folder, kb_path)

    assert second.documents["reextracted"] == 8 and second.documents["unchanged"] == 0
    assert second.triples_removed > 0 and second.triples_added == 0
    with KnowledgeBase(kb_path) as kb:
        changes = kb.diff_runs(first.run_id, second.run_id)
        assert {t["effect"] for t in changes["lost"]} == {"promotes_growth"}
        assert changes["gained"] == []
        assert {s["config_id"] for s in kb.document_states().values()} == {"fake-2"}


def test_a_previously_failed_document_is_retried(tmp_path):
    folder = tmp_path / "corpus"
    kb_fakes.write_corpus(folder, 1)
    (folder / "late.txt").write_bytes(b"")
    kb_path = tmp_path / "kb.sqlite"
    assert rf.refresh(folder, kb_path).documents["failed"] == 1
    (folder / "late.txt").write_text(kb_fakes.sentence("miR-321", "glioma", "raised"))
    summary = rf.refresh(folder, kb_path)
    assert summary.status == "completed" and summary.documents["added"] == 1
    assert ("miR-321", "glioma", "upregulated") in triple_table(kb_path)


def test_documents_with_gold_are_scored_and_the_metrics_recorded(corpus, tmp_path):
    folder, expected = corpus
    gold = tmp_path / "gold"
    gold.mkdir()
    right, *_ = sorted(expected["doc000"])
    rows = ["doc_id\tmirna\tcancer\teffect\tsource\toptional\tevidence\tline",
            f"doc000\t{right[0]}\t{right[1]}\t{right[2]}\ttext\t0\tinvented\t2",
            "doc000\tmiR-998\tglioma\tupregulated\ttext\t0\tinvented\t3"]
    (gold / "doc000.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    summary = rf.refresh(folder, tmp_path / "kb.sqlite", gold_dir=gold)

    strict = summary.metrics["strict"]
    assert summary.metrics["documents"] == 1
    assert (strict["tp"], strict["fp"], strict["fn"]) == (1, 2, 1)  # 3 found, 1 right, 1 missed
    assert "strict       P=0.333 R=0.500" in summary.to_text()
    with KnowledgeBase(tmp_path / "kb.sqlite") as kb:
        assert json.loads(kb.run(summary.run_id)["metrics"])["strict"]["tp"] == 1
