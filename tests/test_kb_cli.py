"""``mirkb run --no-prefect`` and ``mirkb kb …`` through the command line's entry point."""

from __future__ import annotations

import io
import json

import kb_fakes
import pandas as pd
import pytest

from flows import refresh as rf
from mirkb.cli import main


@pytest.fixture
def kb_run(tmp_path, capsys):
    """A corpus of 3 invented documents refreshed once; returns (corpus, kb path)."""
    rf.set_extractor_factory(kb_fakes.FakeExtractor)
    folder = tmp_path / "corpus"
    kb_fakes.write_corpus(folder, 3)
    kb = tmp_path / "kb.sqlite"
    assert main(["run", "--no-prefect", "--corpus", str(folder), "--kb", str(kb),
                 "--gold", str(tmp_path / "no-gold")]) == 0
    capsys.readouterr()
    yield folder, kb
    rf.set_extractor_factory(None)


def test_run_prints_counts_then_no_changes_on_the_second_run(kb_run, tmp_path, capsys):
    folder, kb = kb_run
    assert main(["run", "--no-prefect", "--corpus", str(folder), "--kb", str(kb),
                 "--gold", str(tmp_path / "no-gold")]) == 0
    out = capsys.readouterr().out
    assert "0 added, 0 changed" in out and "3 unchanged" in out and "no changes" in out


def test_run_exits_1_when_a_document_fails(kb_run, tmp_path, capsys):
    folder, kb = kb_run
    (folder / "empty.txt").write_bytes(b"")
    assert main(["run", "--no-prefect", "--corpus", str(folder), "--kb", str(kb),
                 "--gold", str(tmp_path / "no-gold")]) == 1
    out = capsys.readouterr().out
    assert "completed with errors" in out and "empty [ingest] empty file" in out


def test_run_with_missing_corpus_is_a_usage_error(tmp_path, capsys):
    assert main(["run", "--no-prefect", "--corpus", str(tmp_path / "nowhere"), "--kb",
                 str(tmp_path / "kb.sqlite")]) == 2
    assert "corpus folder not found" in capsys.readouterr().err


def test_kb_stats_json(kb_run, capsys):
    _, kb = kb_run
    assert main(["kb", "stats", "--json", "--kb", str(kb)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == {"total": 3, "ok": 3}
    assert data["mentions"] == 9


def test_kb_query_accepts_any_mirna_spelling(kb_run, capsys):
    _, kb = kb_run
    assert main(["kb", "query", "--kb", str(kb), "--mirna", "hsa-mir-101", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found and {t["mirna"] for t in found} == {"miR-101"}
    assert all(t["evidence"] and "miR-101" in t["evidence"][0]["evidence"] for t in found)


def test_kb_query_csv_opens_in_pandas(kb_run, capsys):
    _, kb = kb_run
    assert main(["kb", "query", "--kb", str(kb), "--cancer", "Glioma", "--format", "csv", "--limit", "2"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(frame) == 2 and set(frame["cancer"]) == {"glioma"}
    assert {"n_documents", "n_mentions", "evidence"} <= set(frame.columns)


def test_kb_query_rejects_an_unknown_effect(kb_run, capsys):
    _, kb = kb_run
    assert main(["kb", "query", "--kb", str(kb), "--effect", "cures_everything"]) == 2
    assert "unknown effect" in capsys.readouterr().err


def test_kb_export_csv_opens_in_pandas(kb_run, tmp_path):
    _, kb = kb_run
    out = tmp_path / "export.csv"
    assert main(["kb", "export", "--kb", str(kb), "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert len(frame) == 9
    assert list(frame.columns[:11]) == ["doc_id", "mirna", "cancer", "cancer_id", "effect", "evidence", "start",
                                        "end", "source", "hedged", "rule"]
    assert frame.groupby("triple_id")["triple_mentions"].first().sum() == 9


def test_kb_export_parquet_round_trips_or_says_why_not(kb_run, tmp_path, capsys):
    # pyarrow is broken in some environments (built against another NumPy): then the command must
    # say so plainly and exit 1, not print a traceback.
    _, kb = kb_run
    out = tmp_path / "export.parquet"
    try:
        import pyarrow  # noqa: F401

        usable = True
    except ImportError:
        usable = False
    status = main(["kb", "export", "--kb", str(kb), "--out", str(out)])
    if usable:
        assert status == 0 and len(pd.read_parquet(out)) == 9
    else:
        assert status == 1 and "cannot write Parquet" in capsys.readouterr().err


def test_kb_export_refuses_other_suffixes(kb_run, tmp_path, capsys):
    _, kb = kb_run
    assert main(["kb", "export", "--kb", str(kb), "--out", str(tmp_path / "out.xlsx")]) == 2
    assert ".csv or .parquet" in capsys.readouterr().err


def test_kb_diff_between_runs(kb_run, tmp_path, capsys):
    folder, kb = kb_run
    (folder / "doc000.txt").write_text("Invented title\n" + kb_fakes.sentence("miR-999", "glioma", "flags"))
    main(["run", "--no-prefect", "--corpus", str(folder), "--kb", str(kb), "--gold", str(tmp_path / "no")])
    capsys.readouterr()
    assert main(["kb", "diff", "1", "2", "--kb", str(kb)]) == 0
    out = capsys.readouterr().out
    assert "+ miR-999 | glioma | diagnostic_marker" in out
    assert main(["kb", "diff", "1", "7", "--kb", str(kb)]) == 2
