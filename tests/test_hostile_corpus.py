"""Issue 11 "done when": a hostile corpus beside two good documents, on SQLite and PostgreSQL.

Every bad input of the issue sits beside two good invented documents. The good documents get
exactly their triples; each unreadable input gets one error row with a clear message, and the
batch goes on; inputs that can be repaired (one bad byte, a late NUL, UTF-16 with a BOM) are read,
with their own triples, and a warning on the document where something was replaced. The refresh
uses the fake extractor (tests/kb_fakes.py), so the expected triples are exact.
"""

from __future__ import annotations

import codecs
import os

import kb_fakes
import pytest
from sqlalchemy import create_engine, text

from mirkb import batch


def _sentence(mirna, cancer, cue):
    return kb_fakes.sentence(mirna, cancer, cue)


def build(corpus, monkeypatch) -> tuple[set, dict]:
    """The corpus; returns (expected (doc_id, mirna, cancer, effect) rows, file name -> error keyword)."""
    corpus.mkdir()
    expected = set()

    def doc(name, body, triples):
        (corpus / name).write_text("An invented title\n" + body, encoding="utf-8")
        expected.update((name.rsplit(".", 1)[0], *t) for t in triples)

    doc("good_one.txt", _sentence("miR-101", "breast cancer", "raised"), [("miR-101", "breast cancer", "upregulated")])
    doc("good_two.txt", _sentence("miR-202", "glioma", "lowered"), [("miR-202", "glioma", "downregulated")])

    # Repairable: read, with their own triple.
    (corpus / "one_bad_byte.txt").write_bytes(
        "Größe\n".encode() + _sentence("miR-303", "gastric cancer", "raised").encode() + b"\xff\n")
    expected.add(("one_bad_byte", "miR-303", "gastric cancer", "upregulated"))
    filler = "Background words that say nothing about any microRNA at all.\n" * 200
    (corpus / "late_nul.txt").write_text(
        "Title\n" + filler + _sentence("miR-404", "glioma", "raised").replace(" was", "\x00 was"), encoding="utf-8")
    expected.add(("late_nul", "miR-404", "glioma", "upregulated"))
    (corpus / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + ("Title\n" + _sentence(
        "miR-505", "breast cancer", "lowered")).encode("utf-16-le"))
    expected.add(("utf16", "miR-505", "breast cancer", "downregulated"))

    # Unreadable: one error each, keyed by file name.
    errors = {}
    bad_name = os.path.join(os.fsencode(corpus), b"x\xe9\xff.txt")
    with open(bad_name, "wb") as fh:
        fh.write(("Title\n" + _sentence("miR-606", "glioma", "raised")).encode())
    errors["x\\xe9\\xff.txt"] = "not valid UTF-8"  # the path as reported: bad bytes escaped
    monkeypatch.setenv("MIRKB_MAX_FILE_MB", "0.1")
    (corpus / "huge.txt").write_text("Title\n" + _sentence("miR-707", "glioma", "raised") * 3000, encoding="utf-8")
    errors["huge.txt"] = "over the size limit of 0.1 MB"
    os.symlink("loop_b.txt", corpus / "loop_a.txt")
    os.symlink("loop_a.txt", corpus / "loop_b.txt")
    errors["loop_a.txt"] = errors["loop_b.txt"] = "symlink loop"
    os.symlink("nowhere.txt", corpus / "dangling.txt")
    errors["dangling.txt"] = "dangling symlink"
    locked = corpus / "locked"
    locked.mkdir()
    (locked / "hidden_claims.txt").write_text("Title\n" + _sentence("miR-808", "glioma", "raised"), encoding="utf-8")
    locked.chmod(0)
    errors["locked"] = "cannot list folder"
    (corpus / "empty.txt").write_bytes(b"")
    errors["empty.txt"] = "empty file"
    (corpus / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    errors["binary.txt"] = "binary file"
    (corpus / "broken.xml").write_text("<article><body><p>miR-909 was raised in glioma</body>", encoding="utf-8")
    errors["broken.xml"] = "malformed XML"
    if os.geteuid() == 0:
        # Root reads a mode-000 folder anyway; give it the error the kernel gives everyone else.
        real_scandir = os.scandir

        def scandir(path="."):
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(locked))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    return expected, errors


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_hostile_corpus_beside_two_good_documents(tmp_path, monkeypatch, request, backend):
    kb = str(tmp_path / "kb.sqlite") if backend == "sqlite" else request.getfixturevalue("postgres_url")
    corpus = tmp_path / "corpus"
    expected, errors = build(corpus, monkeypatch)
    batch.set_extractor_factory(kb_fakes.factory)
    try:
        summary = batch.refresh(corpus, kb)
    finally:
        batch.set_extractor_factory(None)
        (corpus / "locked").chmod(0o755)

    assert summary.status == "completed with errors"
    got = {}
    for e in summary.errors:
        name = os.path.basename(e["path"])
        assert name not in got, f"two errors for {name}: {got[name]} / {e['message']}"
        got[name] = e["message"]
    assert set(got) == set(errors), got
    for name, keyword in errors.items():
        assert keyword in got[name], (name, got[name])

    engine = create_engine(kb if "://" in kb else f"sqlite:///{kb}")
    try:
        with engine.connect() as conn:
            rows = {tuple(r) for r in conn.execute(text("select doc_id, mirna, cancer, effect from mentions"))}
            docs = {r[0]: (r[1], r[2]) for r in conn.execute(text("select doc_id, status, error from documents"))}
    finally:
        engine.dispose()
    assert rows == expected
    assert docs["good_one"] == ("ok", "") and docs["good_two"] == ("ok", "")
    assert docs["one_bad_byte"][0] == "ok" and "not valid UTF-8" in docs["one_bad_byte"][1]
    assert docs["late_nul"][0] == "ok" and "NUL" in docs["late_nul"][1]
    assert docs["utf16"] == ("ok", "")
