"""The corpus manifest: loading, verifying a folder against it, and ``mirkb corpus``."""

from __future__ import annotations

import hashlib

import pytest

from mirkb import corpus as mc
from mirkb import settings
from mirkb.cli import main

HEADER = ",".join(mc.MANIFEST_COLUMNS) + "\n"


def manifest_for(tmp_path, files: dict[str, bytes]):
    """A corpus folder holding ``files`` and a manifest listing them; returns (folder, manifest path)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = [HEADER]
    for name, data in files.items():
        (folder / name).write_bytes(data)
        stem = name.rsplit(".", 1)[0]
        lines.append(f"{stem},{name},An invented review,Invented J,2024,10.0000/{stem},CC BY 4.0,"
                     f"{hashlib.sha256(data).hexdigest()}\n")
    path = tmp_path / "manifest.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return folder, path


def test_a_folder_matching_its_manifest_has_no_problems(tmp_path):
    folder, path = manifest_for(tmp_path, {"a.txt": b"miR-1 in glioma.\n", "b.txt": b"miR-2 in glioma.\n"})
    assert mc.verify_corpus(folder, mc.load_manifest(path)) == []


def test_missing_changed_and_extra_files_are_reported_with_extra_only_a_warning(tmp_path):
    folder, path = manifest_for(tmp_path, {"a.txt": b"one\n", "b.txt": b"two\n", "c.txt": b"three\n"})
    (folder / "a.txt").unlink()
    (folder / "b.txt").write_bytes(b"two, edited\n")
    (folder / "new.txt").write_bytes(b"not listed\n")
    (folder / "README.md").write_text("notes are not documents")
    problems = mc.verify_corpus(folder, mc.load_manifest(path))
    assert [(p.kind, p.file, p.is_error) for p in problems] == [
        ("missing", "a.txt", True), ("changed", "b.txt", True), ("extra", "new.txt", False)]


def test_a_manifest_with_a_bad_sha256_names_the_file_and_line(tmp_path):
    path = tmp_path / "manifest.csv"
    path.write_text(HEADER + "a,a.txt,T,J,2024,10.0/a,CC BY 4.0,not-a-hash\n", encoding="utf-8")
    with pytest.raises(mc.ManifestError, match=r"manifest.csv:2: sha256"):
        mc.load_manifest(path)


def test_the_shipped_manifest_is_well_formed_and_matches_the_shared_corpus_when_present():
    entries = mc.load_manifest()
    assert {e.doc_id for e in entries} == {"li2022_jtm_20_6", "yin2021_jtm_19_312"}
    assert {e.licence for e in entries} == {"CC BY 4.0"}
    assert all(e.file == f"{e.doc_id}.txt" and e.doi.startswith("10.1186/") for e in entries)
    shared = settings.REPO_ROOT.parent / "shared" / "corpus"
    if shared.is_dir():  # the texts stay outside the repository; where they are, they must match
        assert mc.verify_corpus(shared, entries) == []


def test_corpus_check_exits_1_and_says_what_is_missing(tmp_path, monkeypatch, capsys):
    folder, path = manifest_for(tmp_path, {"a.txt": b"one\n", "b.txt": b"two\n"})
    monkeypatch.setattr(settings, "default_manifest", lambda: path)
    (folder / "b.txt").unlink()
    assert main(["corpus", "check", "--corpus", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "ok       a.txt" in out and "MISSING  b.txt" in out and "FAILED: 1 ok, 1 missing" in out


def test_corpus_check_reads_the_folder_from_the_environment(tmp_path, monkeypatch, capsys):
    folder, path = manifest_for(tmp_path, {"a.txt": b"one\n"})
    monkeypatch.setattr(settings, "default_manifest", lambda: path)
    monkeypatch.setenv("MIRKB_CORPUS", str(folder))
    assert main(["corpus", "check"]) == 0
    assert "OK: 1 ok, 0 missing, 0 changed, 0 extra" in capsys.readouterr().out


def test_corpus_check_without_any_corpus_folder_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.delenv("MIRKB_CORPUS", raising=False)
    monkeypatch.setattr(settings, "default_corpus", lambda: None)
    assert main(["corpus", "check"]) == 2
    assert "no corpus folder: pass --corpus DIR or set MIRKB_CORPUS" in capsys.readouterr().err


def test_corpus_list_prints_one_line_per_document(capsys):
    assert main(["corpus", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(mc.load_manifest())
    assert any(line.startswith("li2022_jtm_20_6\t2022\tJ Transl Med\t10.1186/") for line in lines)
