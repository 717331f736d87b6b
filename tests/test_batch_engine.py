"""The batch engine (mirkb.batch): hostile file names and folders, streaming, killed runs, one article twice."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import kb_fakes
import pandas as pd
import pytest

from extractors.schema import Mention
from mirkb import batch
from mirkb.cli import main
from mirkb.kb import KnowledgeBase

BAD_NAME = b"x\xe9\xff.txt"


@pytest.fixture(autouse=True)
def fake_extractor():
    batch.set_extractor_factory(kb_fakes.factory)
    yield
    batch.set_extractor_factory(None)


def _bad_name_file(folder: Path) -> None:
    path = os.path.join(os.fsencode(folder), BAD_NAME)
    with open(path, "wb") as fh:
        fh.write(kb_fakes.sentence("miR-5", "glioma", "raised").encode())


def test_a_file_name_that_is_not_utf8_is_one_error_in_extract_and_run(tmp_path, capsys):
    folder = tmp_path / "docs"
    expected = kb_fakes.write_corpus(folder, 2)
    _bad_name_file(folder)
    out = tmp_path / "m.csv"

    assert main(["extract", str(folder), "--out", str(out)]) == 1
    frame = pd.read_csv(out)
    assert set(frame.doc_id) == set(expected)
    errors = pd.read_csv(batch.errors_path(out)).to_dict("records")
    assert len(errors) == 1 and errors[0]["stage"] == "ingest"
    assert "not valid UTF-8" in errors[0]["message"] and "\\xe9\\xff" in errors[0]["path"]
    assert "not valid UTF-8" in capsys.readouterr().err

    summary = batch.refresh(folder, tmp_path / "kb.sqlite")
    assert summary.documents["added"] == 2 and summary.documents["failed"] == 1
    assert [e["doc_id"] for e in summary.errors] == ["x\\xe9\\xff"]
    assert "not valid UTF-8" in summary.to_text()


def test_symlink_loops_dangling_links_and_unlistable_folders_each_get_an_error(tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    kb_fakes.write_corpus(folder, 1)
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)  # a loop through a folder link
    (folder / "self.txt").symlink_to(folder / "self.txt")  # a link to itself
    (folder / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (folder / "locked").mkdir()
    (folder / "locked" / "secret.txt").write_text("unseen")
    real_scandir = os.scandir

    def scandir(path):
        if os.fspath(path).endswith("locked"):  # root reads any folder: refuse it the way a mode 000 would
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    entries = {Path(e.path).name: e.error for e in batch.walk([folder])}
    assert entries["doc000.txt"] == ""
    assert entries["back"].startswith("symlink loop")
    assert entries["self.txt"].startswith("symlink loop")
    assert entries["gone.txt"].startswith("dangling symlink")
    assert entries["locked"] == "cannot list folder: Permission denied"
    summary = batch.refresh(folder, tmp_path / "kb.sqlite")
    assert summary.documents["added"] == 1 and summary.documents["failed"] == 4


class Wordy(kb_fakes.FakeExtractor):
    """Many long mention rows per document, so holding every row would show in memory."""

    def extract(self, doc):
        return [Mention(doc.doc_id, f"miR-{i}", "glioma", "DOID:3070", "upregulated", "x" * 2000, 0, 1, "text",
                        False, "fake") for i in range(100)]


def _peak_of_extract(folder: Path, n: int, out: Path) -> int:
    kb_fakes.write_corpus(folder, n)
    batch.set_extractor_factory(lambda *_: Wordy())
    items, _ = batch.extract_plan([folder])
    batch.get_extractor()
    tracemalloc.start()
    try:
        summary = batch.extract(items, out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert summary.rows == 100 * n


def test_extract_memory_does_not_grow_with_the_corpus(tmp_path):
    _peak_of_extract(tmp_path / "warm", 2, tmp_path / "warm.csv")  # one-time imports and caches
    small = _peak_of_extract(tmp_path / "small", 5, tmp_path / "small.csv")
    large = _peak_of_extract(tmp_path / "large", 50, tmp_path / "large.csv")
    assert len(pd.read_csv(tmp_path / "large.csv")) == 5000
    # Holding the rows would add their ~10 MB of evidence; per-document bookkeeping and garbage
    # not yet collected (it depends on what the suite ran before) stay far below a fifth of that.
    assert large < small + 0.2 * 5000 * 2000, (small, large)


def test_parquet_output_is_written_in_row_groups_and_reads_back(tmp_path, monkeypatch):
    monkeypatch.setattr(batch.TableWriter, "ROW_GROUP", 150)
    kb_fakes.write_corpus(tmp_path / "docs", 4)
    batch.set_extractor_factory(lambda *_: Wordy())
    items, _ = batch.extract_plan([tmp_path / "docs"])
    batch.extract(items, tmp_path / "m.parquet")
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "m.parquet")
    assert table.num_rows == 400 and pq.ParquetFile(tmp_path / "m.parquet").num_row_groups >= 2
    assert str(table.schema.field("start").type) == "int64" and str(table.schema.field("hedged").type) == "bool"


def test_a_killed_run_is_marked_interrupted_with_what_it_wrote_by_the_next_run(tmp_path):
    folder = tmp_path / "docs"
    expected = kb_fakes.write_corpus(folder, 4)
    kb_path = tmp_path / "kb.sqlite"
    ctx = batch.begin(folder, str(kb_path))
    for item, result in list(batch.results(ctx.todo))[:2]:
        batch.store(ctx, item, result)
    # The process dies here: its lease goes with it (released by the kernel; here by hand).
    ctx.lease.release()
    with KnowledgeBase(kb_path) as kb:
        assert kb.run(ctx.run_id)["status"] == "running"

    summary = batch.refresh(folder, kb_path)
    assert summary.interrupted_runs == [ctx.run_id]
    assert f"run {ctx.run_id} was interrupted" in summary.to_text()
    with KnowledgeBase(kb_path) as kb:
        killed = kb.run(ctx.run_id)
        assert killed["status"] == "interrupted" and killed["ended"] is not None
        assert (killed["docs_added"], killed["docs_failed"]) == (2, 0)
        assert killed["triples_added"] == len(expected["doc000"] | expected["doc001"])
        gained = kb.diff_runs(ctx.run_id, summary.run_id)["gained"]
    assert summary.documents["added"] == 2 and summary.documents["unchanged"] == 2
    assert len(gained) == summary.triples_added


def test_a_run_still_going_is_not_marked_interrupted(tmp_path):
    folder = tmp_path / "docs"
    kb_fakes.write_corpus(folder, 2)
    kb_path = tmp_path / "kb.sqlite"
    ctx = batch.begin(folder, str(kb_path))  # alive: holds its lease
    summary = batch.refresh(folder, kb_path)
    assert summary.interrupted_runs == []
    with KnowledgeBase(kb_path) as kb:
        assert kb.run(ctx.run_id)["status"] == "running"
    ctx.lease.release()


def test_the_same_article_as_pdf_and_jats_is_read_once_from_the_jats_and_reported(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "paper.txt").write_text(kb_fakes.sentence("miR-1", "glioma", "raised"))
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4 not read")
    kept, superseded = batch.choose_formats(list(batch.walk([folder])))
    assert [Path(e.path).name for e in kept] == ["paper.pdf"]
    assert [Path(s.path).name for s in superseded] == ["paper.txt"]
    summary = batch.refresh(folder, tmp_path / "kb.sqlite")
    assert summary.documents["failed"] == 1  # the (invented, broken) PDF, not a duplicate-id error
    assert "duplicate" not in summary.to_text()
    assert "same article: " in summary.to_text() and "paper.txt not read" in summary.to_text()


def _triples(kb_path) -> dict:
    with KnowledgeBase(kb_path) as kb:
        return {(t["mirna"], t["cancer"], t["effect"]): t["n_documents"] for t in kb.query_triples(evidence_per_triple=0)}


def test_two_worker_processes_give_exactly_the_knowledge_base_of_one(tmp_path):
    folder = tmp_path / "docs"
    kb_fakes.write_corpus(folder, 20)
    (folder / "empty.txt").write_bytes(b"")
    one = batch.refresh(folder, tmp_path / "one.sqlite")
    two = batch.refresh(folder, tmp_path / "two.sqlite", workers=2)
    assert two.documents == one.documents and two.errors[0]["message"] == "empty file"
    assert _triples(tmp_path / "two.sqlite") == _triples(tmp_path / "one.sqlite")
    out = tmp_path / "m.csv"
    assert main(["extract", str(folder), "--out", str(out), "--workers", "2", "--quiet"]) == 1
    assert len(pd.read_csv(out)) == one.n_mentions


def test_no_prefect_never_imports_flows_and_commands_do_not_import_the_cli(tmp_path):
    import subprocess
    import sys

    kb_fakes.write_corpus(tmp_path / "docs", 1)
    code = (
        "import sys\n"
        "import mirkb.commands.run, mirkb.commands.extract, mirkb.commands.serve, mirkb.commands.kb\n"
        "assert 'mirkb.cli' not in sys.modules, 'a command imports the cli'\n"
        "from mirkb.cli import main\n"
        f"status = main(['run', '--no-prefect', '--corpus', {str(tmp_path / 'docs')!r}, "
        f"'--kb', {str(tmp_path / 'kb.sqlite')!r}])\n"
        "loaded = sorted(m for m in sys.modules if m == 'flows' or m.startswith(('flows.', 'prefect')))\n"
        "assert status == 0 and not loaded, (status, loaded[:5])\n"
    )
    env = {**os.environ, batch.EXTRACTOR_ENV: "kb_fakes:make",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_article_identifiers_travel_from_the_document_to_the_knowledge_base(tmp_path, monkeypatch):
    from extractors import ingest

    folder = tmp_path / "docs"
    kb_fakes.write_corpus(folder, 1)
    real = ingest.load_documents

    def with_ids(path):
        for doc in real(path):
            doc.pmid, doc.doi = "12345", "10.1000/invented"
            yield doc

    monkeypatch.setattr(ingest, "load_documents", with_ids)
    result = batch.process(folder / "doc000.txt", kb_fakes.FakeExtractor())
    assert (result.pmid, result.doi, result.pmcid) == ("12345", "10.1000/invented", "")
    batch.refresh(folder, tmp_path / "kb.sqlite")
    with KnowledgeBase(tmp_path / "kb.sqlite") as kb, kb.read() as conn:
        from sqlalchemy import select

        from mirkb.kb.schema import documents
        row = conn.execute(select(documents.c.pmid, documents.c.doi)).one()
    assert tuple(row) == ("12345", "10.1000/invented")
