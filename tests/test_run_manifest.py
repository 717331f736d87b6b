"""`mirkb run` says clearly when a manifest file is missing or changed (and stays quiet otherwise)."""

from mirkb.commands.run import warn_against_manifest
from mirkb.corpus import load_manifest


def _copy_corpus(src, dst, entries):
    for e in entries:
        (dst / e.file).write_bytes((src / e.file).read_bytes())


def test_changed_and_missing_files_are_reported(tmp_path, capsys):
    from mirkb.settings import default_corpus

    entries = load_manifest()
    _copy_corpus(default_corpus(), tmp_path, entries[:1])
    with (tmp_path / entries[0].file).open("a", encoding="utf-8") as fh:
        fh.write("\nan extra line\n")
    warn_against_manifest(tmp_path)
    err = capsys.readouterr().err
    assert f"{entries[0].file}: changed" in err
    assert f"{entries[1].file}: missing" in err


def test_unchanged_corpus_gives_no_warning(tmp_path, capsys):
    from mirkb.settings import default_corpus

    entries = load_manifest()
    _copy_corpus(default_corpus(), tmp_path, entries)
    warn_against_manifest(tmp_path)
    assert capsys.readouterr().err == ""


def test_another_corpus_is_not_compared(tmp_path, capsys):
    (tmp_path / "paper.txt").write_text("miR-21 was high in glioma.", encoding="utf-8")
    warn_against_manifest(tmp_path)
    assert capsys.readouterr().err == ""
