"""Plain-text ingestion: UTF-8, UTF-8 with BOM, Latin-1; clear errors for what cannot be read."""

import pytest

from extractors.ingest import IngestError, load_document

SENTENCE = "Serum miR-933 was elevated in glioma – café study, 5 µg."


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("plain.txt", SENTENCE.encode("utf-8")),
        ("bom.txt", b"\xef\xbb\xbf" + SENTENCE.encode("utf-8")),
    ],
)
def test_utf8_with_or_without_bom(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    doc = load_document(path)
    assert doc.text == SENTENCE and doc.doc_id == path.stem and doc.format == "txt"
    assert len(doc.sha256) == 64


def test_latin1_is_decoded(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("miR-933 in café glioma samples".encode("latin-1"))
    assert load_document(path).text == "miR-933 in café glioma samples"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"  \n\n", "empty file"),
        ("binary.txt", b"\x00\x01\x02miR-21\x00", "binary file"),
        ("paper.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_unreadable_input_raises_a_clear_error(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message):
        load_document(path)


def test_missing_file_raises_ingest_error(tmp_path):
    with pytest.raises(IngestError, match="cannot read file"):
        load_document(tmp_path / "absent.txt")
