"""Issue 11 items 3, 6 and 8: NUL characters, bad bytes and UTF-16, and clear messages for bad paths.

Invented text only. The refreshes use the fake extractor (tests/kb_fakes.py), so the triples each
document holds are known exactly.
"""

from __future__ import annotations

import codecs
import json
import sqlite3

import kb_fakes
import pytest

from extractors.ingest import IngestError, load_document
from extractors.ingest.text import decode_text_with_warnings
from mirkb import batch as rf
from mirkb.cli import main

GOOD = "An invented title\n" + kb_fakes.sentence("miR-21", "breast cancer", "raised")


@pytest.fixture
def fake_extractor():
    rf.set_extractor_factory(kb_fakes.factory)
    yield
    rf.set_extractor_factory(None)


# -- item 6: one bad byte, UTF-16 ---------------------------------------------------------------------


def test_one_invalid_byte_replaces_that_byte_only_and_warns():
    text = "Tumour β-catenin in Müller cells. " + GOOD
    decoded, warnings = decode_text_with_warnings(text.encode("utf-8") + b"\xff\n")
    # Latin-1 for the whole file would turn β and ü into two characters each.
    assert decoded == text + "\ufffd\n"
    assert len(warnings) == 1 and "1 invalid byte" in warnings[0]


def test_valid_utf8_has_no_warning():
    assert decode_text_with_warnings(GOOD.encode("utf-8")) == (GOOD, [])


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_with_a_bom_is_read_not_called_binary(tmp_path, bom, codec):
    path = tmp_path / "u16.txt"
    path.write_bytes(bom + GOOD.encode(codec))
    doc = load_document(path)
    assert doc.text == GOOD and doc.warnings == []


def test_binary_without_bom_is_still_refused(tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(b"\x7fELF\x00\x00\x01" * 50)
    with pytest.raises(IngestError, match="binary"):
        load_document(path)


def test_refresh_keeps_the_triples_of_a_file_with_one_bad_byte_and_records_the_warning(
        tmp_path, fake_extractor):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "stray.txt").write_bytes("Größe — ".encode() + GOOD.encode() + b"\xfe\n")
    summary = rf.refresh(corpus, str(tmp_path / "kb.sqlite"))
    assert summary.status == "completed"
    with sqlite3.connect(tmp_path / "kb.sqlite") as db:
        status, error = db.execute("select status, error from documents").fetchone()
        evidence = [r[0] for r in db.execute("select evidence from mentions")]
    assert status == "ok" and error.startswith("warning: not valid UTF-8")
    assert evidence == ["In breast cancer, miR-21 was raised in the samples we invented."]


# -- item 3: NUL characters ----------------------------------------------------------------------------


def test_nul_in_bioc_title_and_text_is_replaced_one_for_one(tmp_path):
    passages = [{"offset": 0, "infons": {"type": "title"}, "text": "A title\u0000 with a NUL"},
                {"offset": 30, "infons": {"type": "paragraph"}, "text": "miR-21\u0000 rose in glioma."}]
    path = tmp_path / "nul.json"
    path.write_text(json.dumps({"documents": [{"id": "1", "passages": passages}]}), encoding="utf-8")
    doc = load_document(path)
    assert "\x00" not in doc.text and "\x00" not in doc.title
    assert "miR-21\ufffd rose in glioma." in doc.text
    assert len(doc.warnings) == 1 and "NUL character(s) replaced by U+FFFD" in doc.warnings[0]


def test_nul_far_into_a_text_file_is_stored_replaced_on_sqlite(tmp_path, fake_extractor):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    filler = "Background words that say nothing about any microRNA at all.\n" * 200  # past the 8 KB sniff
    line = "In glioma, miR-9 was lowered\x00 in the samples we invented.\n"
    (corpus / "late_nul.txt").write_text("Title\n" + filler + line, encoding="utf-8")
    summary = rf.refresh(corpus, str(tmp_path / "kb.sqlite"))
    assert summary.status == "completed"
    with sqlite3.connect(tmp_path / "kb.sqlite") as db:
        evidence = [r[0] for r in db.execute("select evidence from mentions")]
        error = db.execute("select error from documents").fetchone()[0]
    assert evidence == ["In glioma, miR-9 was lowered\ufffd in the samples we invented."]
    assert "NUL" in error


def test_store_replaces_nul_in_any_text_it_writes(tmp_path):
    from mirkb.kb import KnowledgeBase

    kb = KnowledgeBase(tmp_path / "kb.sqlite")
    run_id = kb.start_run("c", "corpus\x00", "0")
    kb.record_error(run_id, "d", "p", "ingest", "bad \x00 byte")
    assert kb.run_errors(run_id)[0]["message"] == "bad \ufffd byte"
    assert kb.run(run_id)["corpus"] == "corpus\ufffd"
    kb.close()


# -- item 8: clear messages -----------------------------------------------------------------------------


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_kb_stats_on_a_mistyped_path_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "typo" / "mirkb.sqlit"
    assert main(["kb", "stats", "--kb", str(missing)]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "no knowledge base at" in err
    assert not missing.exists() and not missing.parent.exists()


def test_kb_that_is_not_a_database(tmp_path, capsys):
    notes = tmp_path / "notes.sqlite"
    notes.write_text("these are my notes, not a database\n" * 100)
    assert main(["kb", "stats", "--kb", str(notes)]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "not a usable SQLite database" in err
    assert notes.read_text().startswith("these are my notes")


def test_kb_that_is_a_folder(tmp_path, capsys):
    assert main(["kb", "stats", "--kb", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "is a folder" in err


def test_kb_with_an_unknown_scheme(capsys):
    assert main(["kb", "stats", "--kb", "mongo://localhost/mirkb"]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "unknown database URL scheme" in err


def test_kb_on_an_unreachable_server(capsys):
    pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is in requirements-dev.lock")
    # Port 9 on loopback (discard): nothing listens, the connection is refused at once.
    assert main(["kb", "stats", "--kb", "postgresql://nobody:secret@127.0.0.1:9/mirkb"]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "cannot connect" in err and "secret" not in err


def test_run_with_a_bad_kb_fails_before_reading_anything(tmp_path, capsys, fake_extractor):
    corpus = tmp_path / "corpus"
    kb_fakes.write_corpus(corpus, 1)
    assert main(["run", "--no-prefect", "--corpus", str(corpus), "--kb", "mongo://x/y"]) == 2
    _no_traceback(capsys.readouterr().err)


def test_extract_to_an_unwritable_out_fails_before_extracting(tmp_path, capsys, monkeypatch):
    from mirkb import batch

    def no_extractor(*_a, **_k):
        raise AssertionError("the extractor was built before --out was checked")

    monkeypatch.setattr(batch, "get_extractor", no_extractor)
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    # /proc refuses new files even to root, for whom permission bits would not.
    assert main(["extract", str(tmp_path / "a.txt"), "--out", "/proc/mirkb-test-out.csv"]) == 2
    err = capsys.readouterr().err
    _no_traceback(err)
    assert "cannot write" in err
