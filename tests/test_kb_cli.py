"""``mirkb run --no-prefect`` and ``mirkb kb …`` through the command line's entry point."""

from __future__ import annotations

import io
import json

import kb_fakes
import pandas as pd
import pytest

from mirkb import batch as rf
from mirkb.cli import main


@pytest.fixture
def kb_run(tmp_path, capsys):
    """A corpus of 3 invented documents refreshed once; returns (corpus, kb path)."""
    rf.set_extractor_factory(kb_fakes.factory)
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


def test_kb_export_refuses_a_suffix_it_cannot_read_without_format(kb_run, tmp_path, capsys):
    _, kb = kb_run
    assert main(["kb", "export", "--kb", str(kb), "--out", str(tmp_path / "out.docx")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert not (tmp_path / "out.docx").exists()
    assert main(["kb", "export", "--kb", str(kb), "--out", str(tmp_path / "out.docx"), "--format", "tsv"]) == 0
    assert len(pd.read_csv(tmp_path / "out.docx", sep="\t")) == 9


def test_kb_diff_between_runs(kb_run, tmp_path, capsys):
    folder, kb = kb_run
    (folder / "doc000.txt").write_text("Invented title\n" + kb_fakes.sentence("miR-999", "glioma", "flags"))
    main(["run", "--no-prefect", "--corpus", str(folder), "--kb", str(kb), "--gold", str(tmp_path / "no")])
    capsys.readouterr()
    assert main(["kb", "diff", "1", "2", "--kb", str(kb)]) == 0
    out = capsys.readouterr().out
    assert "+ miR-999 | glioma | diagnostic_marker" in out
    assert main(["kb", "diff", "1", "7", "--kb", str(kb)]) == 2


@pytest.fixture
def shared_support(tmp_path, capsys):
    """Document a backs three miR-21 triples; b and c back one of them again. Returns the KB path."""
    rf.set_extractor_factory(kb_fakes.factory)
    folder = tmp_path / "shared"
    folder.mkdir()
    s = kb_fakes.sentence
    (folder / "a.txt").write_text("Title a\n" + s("miR-21", "glioma", "raised") + s("miR-21", "glioma", "lowered")
                                  + s("miR-21", "breast cancer", "flags"))
    for name in ("b", "c"):
        (folder / f"{name}.txt").write_text(f"Title {name}\n" + s("miR-21", "glioma", "raised"))
    kb = tmp_path / "shared.sqlite"
    assert main(["run", "--no-prefect", "--corpus", str(folder), "--kb", str(kb),
                 "--gold", str(tmp_path / "no-gold")]) == 0
    capsys.readouterr()
    yield kb
    rf.set_extractor_factory(None)


def test_kb_stats_counts_distinct_supporting_documents_not_a_sum_over_triples(shared_support, capsys):
    # miR-21: 3 triples backed by 3+1+1 document links, but only by 3 distinct documents.
    assert main(["kb", "stats", "--json", "--kb", str(shared_support)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["top_mirnas"] == [{"name": "miR-21", "triples": 3, "document_support": 3}]
    cancers = {r["name"]: (r["triples"], r["document_support"]) for r in data["top_cancers"]}
    assert cancers == {"glioma": (2, 3), "breast cancer": (1, 1)}
    assert main(["kb", "stats", "--kb", str(shared_support)]) == 0
    out = capsys.readouterr().out
    assert [line.split() for line in out.splitlines() if line.strip().startswith("miR-21")] == [["miR-21", "3", "3"]]


def test_kb_stats_top_0_lists_no_names(shared_support, capsys):
    assert main(["kb", "stats", "--json", "--top", "0", "--kb", str(shared_support)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["top_mirnas"] == [] and data["top_cancers"] == [] and data["triples"]["total"] == 3


def test_kb_query_evidence_0_prints_no_evidence_rows(shared_support, capsys):
    kb = str(shared_support)
    assert main(["kb", "query", "--kb", kb, "--evidence", "0"]) == 0
    out = capsys.readouterr().out
    assert "miR-21 | glioma | upregulated  (3 document(s), 3 mention(s))" in out
    assert not [line for line in out.splitlines() if line.startswith("    ")]
    assert main(["kb", "query", "--kb", kb, "--evidence", "0", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert len(found) == 3 and all(t["evidence"] == [] for t in found)
    assert main(["kb", "query", "--kb", kb, "--evidence", "-1"]) == 2
    assert "--evidence must be 0 or more" in capsys.readouterr().err


def test_kb_query_csv_documents_lists_every_supporting_document_whatever_evidence_shows(shared_support,
                                                                                         capsys):
    for n in ("0", "1"):
        assert main(["kb", "query", "--kb", str(shared_support), "--format", "csv", "--evidence", n,
                     "--cancer", "glioma", "--effect", "upregulated"]) == 0
        frame = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
        assert list(frame["documents"]) == ["a;b;c"]
        assert len([e for e in frame["evidence"][0].split(" || ") if e]) == int(n)


def _piped_into_a_closed_reader(argv: list[str]) -> tuple[int, str]:
    """Run ``mirkb ARGV`` with stdout a pipe whose reader has already gone, like `| head` that quit."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "mirkb.cli", *argv], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("argv", [["kb", "stats", "--json"], ["kb", "runs", "--format", "json"],
                                  ["kb", "query", "--format", "csv"]])
def test_kb_output_into_a_closed_pipe_ends_quietly(kb_run, argv):
    _, kb = kb_run
    status, err = _piped_into_a_closed_reader([*argv, "--kb", str(kb)])
    assert status == 141, err
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err


def _outcome(status: str = "ok") -> rf.DocOutcome:
    return rf.DocOutcome("d", "d.txt", "new", status)


def test_progress_off_a_terminal_is_a_line_every_n_documents_and_one_at_the_end():
    stream = io.StringIO()
    shown = rf.Progress(5, stream=stream, every=2)
    for status in ("ok", "failed", "ok", "ok", "ok"):
        shown(_outcome(status))
    shown.close()
    assert stream.getvalue().splitlines() == [
        "refresh: 2/5 documents processed (1 failed)",
        "refresh: 4/5 documents processed (1 failed)",
        "refresh: 5/5 documents processed (1 failed)",
    ]


def test_progress_on_a_terminal_is_a_tqdm_bar():
    stream = io.StringIO()
    shown = rf.Progress(3, stream=stream, tty=True)
    for _ in range(3):
        shown(_outcome())
    assert shown.bar is not None and shown.bar.n == 3 == shown.bar.total
    shown.close()
    assert "refresh:" in stream.getvalue() and "0/3" in stream.getvalue() and "doc" in stream.getvalue()


def test_refresh_with_progress_reports_on_stderr_for_a_long_run_only(tmp_path, capsys):
    rf.set_extractor_factory(kb_fakes.factory)
    try:
        kb_fakes.write_corpus(tmp_path / "many", 50)
        summary = rf.refresh(tmp_path / "many", str(tmp_path / "kb.sqlite"), progress=True)
        assert summary.documents["added"] == 50
        assert "refresh: 50/50 documents processed (0 failed)" in capsys.readouterr().err
        kb_fakes.write_corpus(tmp_path / "few", 3)
        rf.refresh(tmp_path / "few", str(tmp_path / "kb2.sqlite"), progress=True)
        assert "refresh:" not in capsys.readouterr().err
    finally:
        rf.set_extractor_factory(None)


def test_kb_diff_last_shows_what_the_last_run_changed_with_evidence(kb_run, tmp_path, capsys):
    folder, kb = kb_run
    old = (folder / "doc000.txt").read_text()
    (folder / "doc000.txt").write_text("Invented title\n" + kb_fakes.sentence("miR-999", "glioma", "flags"))
    main(["run", "--no-prefect", "--corpus", str(folder), "--kb", str(kb), "--gold", str(tmp_path / "no")])
    capsys.readouterr()
    assert main(["kb", "diff", "--last", "--kb", str(kb)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("run 1 -> run 2: 1 gained, 3 lost")
    lines = out.splitlines()
    gained = lines.index("+ miR-999 | glioma | diagnostic_marker")
    assert lines[gained + 1].startswith("    doc000:15 [text] In glioma, miR-999 was flags")
    lost = [i for i, line in enumerate(lines) if line.startswith("- ")]
    assert len(lost) == 3
    for i in lost:  # each lost triple shows the sentence that used to support it
        assert lines[i + 1].startswith("    was: doc000:") and lines[i + 1].split("] ", 1)[1] in old
    assert main(["kb", "diff", "--last", "--kb", str(kb), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["run_a"], data["run_b"]) == (1, 2) and data["gained"][0]["evidence"][0]["doc_id"] == "doc000"
    assert main(["kb", "diff", "--kb", str(kb)]) == 2
    assert main(["kb", "diff", "1", "2", "--last", "--kb", str(kb)]) == 2


def test_kb_diff_last_after_a_single_run_compares_with_an_empty_kb(kb_run, capsys):
    _, kb = kb_run
    assert main(["kb", "diff", "--last", "--kb", str(kb), "--evidence", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("an empty knowledge base -> run 1: 9 gained, 0 lost")
    assert not [line for line in out.splitlines() if line.startswith("    ")]
