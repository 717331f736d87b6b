"""``mirkb extract`` through the command line's entry point, with the fake extractor (and one real run)."""

from __future__ import annotations

import sys

import kb_fakes
import pandas as pd
import pytest

from extractors.schema import EFFECTS
from mirkb import batch as eb
from mirkb.cli import main


class ExplodingExtractor(kb_fakes.FakeExtractor):
    """Fails on any text containing BOOM, as an extractor bug would on one odd document."""

    def extract(self, doc):
        if "BOOM" in doc.text:
            raise RuntimeError("invented extractor failure")
        return super().extract(doc)


@pytest.fixture
def fake():
    eb.set_extractor_factory(lambda model, tables: ExplodingExtractor())
    yield
    eb.set_extractor_factory(None)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "docs"
    expected = kb_fakes.write_corpus(folder, 2)
    return folder, expected


def test_folder_gives_csv_with_section5_columns_and_the_fake_triples(fake, corpus, tmp_path, capsys):
    folder, expected = corpus
    out = tmp_path / "mentions.csv"
    assert main(["extract", str(folder), "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert tuple(frame.columns) == eb.EXTRACT_COLUMNS
    found = {d: set(zip(g.mirna, g.cancer, g.effect, strict=True)) for d, g in frame.groupby("doc_id")}
    assert found == expected
    err = capsys.readouterr().err
    assert "2 read, 0 failed" in err and "start-up" in err and "upregulated" in err
    assert not eb.errors_path(out).exists()


def test_bad_documents_are_listed_and_written_beside_the_output_with_exit_1(fake, corpus, tmp_path, capsys):
    folder, expected = corpus
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (folder / "boom.txt").write_text("In glioma, miR-9 was raised. BOOM\n", encoding="utf-8")
    out = tmp_path / "mentions.csv"

    assert main(["extract", str(folder), "--out", str(out)]) == 1

    assert set(pd.read_csv(out).doc_id) == set(expected)
    errors = pd.read_csv(eb.errors_path(out))
    assert tuple(errors.columns) == eb.ERROR_COLUMNS
    assert dict(zip(errors.doc_id, errors.stage, strict=True)) == {
        "empty": "ingest", "binary": "ingest", "broken": "ingest", "boom": "extract"}
    err = capsys.readouterr().err
    assert "2 read, 4 failed" in err and "failed: boom [extract] RuntimeError" in err


def test_a_clean_rerun_removes_the_stale_errors_file(fake, corpus, tmp_path):
    folder, _ = corpus
    out = tmp_path / "mentions.csv"
    eb.errors_path(out).write_text("doc_id,path,stage,message\nold,old.txt,ingest,stale\n")
    assert main(["extract", str(folder), "--out", str(out), "--quiet"]) == 0
    assert not eb.errors_path(out).exists()


def test_two_files_with_one_doc_id_keep_the_first_and_report_the_second(fake, tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "same.txt").write_text(kb_fakes.sentence("miR-7", "glioma", "raised"))
    out = tmp_path / "m.csv"
    assert main(["extract", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out)]) == 1
    errors = pd.read_csv(eb.errors_path(out))
    assert list(errors.path) == [str(tmp_path / "b" / "same.txt")]
    assert "duplicate doc_id" in errors.message[0]
    assert len(pd.read_csv(out)) == 1


def test_parquet_output_round_trips_the_rows(fake, corpus, tmp_path):
    folder, expected = corpus
    out = tmp_path / "mentions.parquet"
    assert main(["extract", str(folder), "--out", str(out)]) == 0
    frame = pd.read_parquet(out)
    assert tuple(frame.columns) == eb.EXTRACT_COLUMNS
    assert set(frame.doc_id) == set(expected)


def test_parquet_without_pyarrow_is_a_usage_error_before_any_extraction(fake, corpus, tmp_path, monkeypatch,
                                                                         capsys):
    folder, _ = corpus
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes ``import pyarrow`` raise ImportError
    assert main(["extract", str(folder), "--out", str(tmp_path / "m.parquet")]) == 2
    assert "Parquet output needs pyarrow" in capsys.readouterr().err
    assert not (tmp_path / "m.parquet").exists()


@pytest.mark.parametrize("args, message", [
    (["{tmp}/nowhere", "--out", "{tmp}/m.csv"], "no such file or folder"),
    (["{docs}", "--out", "{tmp}/m.tsv"], "unknown suffix '.tsv'"),
    (["{docs}", "--out", "{tmp}/no-folder/m.csv"], "does not exist"),
    (["{tmp}/empty-folder", "--out", "{tmp}/m.csv"], "no documents"),
])
def test_bad_arguments_exit_2_with_a_clear_message(fake, corpus, tmp_path, capsys, args, message):
    folder, _ = corpus
    (tmp_path / "empty-folder").mkdir()
    argv = ["extract", *(a.format(tmp=tmp_path, docs=folder) for a in args)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_missing_paths_or_out_exit_2(fake, tmp_path):
    for argv in (["extract", "--out", str(tmp_path / "m.csv")], ["extract", str(tmp_path)]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2


def test_real_extractor_on_an_invented_text_gives_a_full_row(tmp_path):
    eb.set_extractor_factory(None)
    doc = tmp_path / "invented.txt"
    doc.write_text(
        "We studied hepatoblastoma samples from an invented cohort.\n"
        "In hepatoblastoma, miR-21 promotes cell proliferation and invasion.\n"
        "The samples were stored at minus eighty degrees.\n",
        encoding="utf-8",
    )
    out = tmp_path / "real.csv"
    assert main(["extract", str(doc), "--out", str(out), "--quiet"]) == 0
    frame = pd.read_csv(out, keep_default_na=False)
    assert tuple(frame.columns) == eb.EXTRACT_COLUMNS
    hits = frame[(frame.mirna == "miR-21") & (frame.cancer == "hepatoblastoma")]
    assert len(hits) >= 1
    row = hits.iloc[0]
    assert row.doc_id == "invented" and row.effect in EFFECTS and row.source == "text"
    assert row.cancer_id.startswith("DOID:") and row.rule
    text = doc.read_text(encoding="utf-8")
    assert "miR-21" in text[row.start:row.end]


@pytest.fixture
def umask_022():
    import os

    old = os.umask(0o022)
    yield
    os.umask(old)


def test_output_and_errors_files_get_the_usual_mode_not_the_temporary_files_600(fake, corpus, tmp_path,
                                                                                 umask_022):
    folder, _ = corpus
    (folder / "empty.txt").write_bytes(b"")
    out = tmp_path / "mentions.csv"
    assert main(["extract", str(folder), "--out", str(out), "--quiet"]) == 1
    assert out.stat().st_mode & 0o777 == 0o644
    assert eb.errors_path(out).stat().st_mode & 0o777 == 0o644


def test_parquet_output_gets_the_usual_mode(fake, corpus, tmp_path, umask_022):
    folder, _ = corpus
    out = tmp_path / "mentions.parquet"
    assert main(["extract", str(folder), "--out", str(out), "--quiet"]) == 0
    assert out.stat().st_mode & 0o777 == 0o644


def test_rewriting_an_output_keeps_the_mode_the_user_gave_it(fake, corpus, tmp_path, umask_022):
    folder, _ = corpus
    out = tmp_path / "mentions.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    assert main(["extract", str(folder), "--out", str(out), "--quiet"]) == 0
    assert out.stat().st_mode & 0o777 == 0o640 and "doc_id" in out.read_text()
