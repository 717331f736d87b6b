"""Readers for JATS / PMC article sets / OAI-PMH / PubMed XML and BioC JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.ingest import IngestError, load_document
from mirkb.settings import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
JATS = REPO_ROOT.parent / "shared" / "pdfs" / "jats"


def test_articleset_wrapper_gives_title_abstract_and_body_in_order():
    doc = load_document(FIXTURES / "xml" / "tiny_articleset.nxml")
    assert doc.format == "jats"
    assert doc.doc_id == "tiny_articleset"
    assert doc.title == "An invented study of miR-777 in glioma"
    order = [doc.text.index(s) for s in ("An invented study", "We invented this abstract", "1. Introduction",
                                         "1.1. A subsection", "Figure 1 An invented figure.")]
    assert order == sorted(order)


def test_headings_stand_on_their_own_lines():
    lines = load_document(FIXTURES / "xml" / "tiny_articleset.nxml").text.splitlines()
    for heading in ("Abstract", "Background", "Results", "1. Introduction", "1.1. A subsection"):
        assert heading in lines


def test_inline_markup_and_whitespace_are_flattened():
    text = load_document(FIXTURES / "xml" / "tiny_articleset.nxml").text
    assert "Invented sentence one[1]. Invented sentence two." in text.splitlines()


def test_teaser_abstract_and_references_are_not_read():
    text = load_document(FIXTURES / "xml" / "tiny_articleset.nxml").text
    assert "teaser" not in text
    assert "invented reference" not in text


def test_table_rows_are_in_text_at_their_row_spans():
    doc = load_document(FIXTURES / "xml" / "tiny_articleset.nxml")
    [table] = doc.tables
    assert table.caption == "Table 1 Invented levels."
    assert table.header == ["miRNA", "Tumour", "Change"]
    assert table.rows == [["miR-777", "glioma", "up strongly"], ["miR-778", "breast cancer", "down"]]
    assert [doc.text[s:e] for s, e in table.row_spans] == ["miR-777 | glioma | up strongly",
                                                           "miR-778 | breast cancer | down"]
    assert doc.skip_spans == [(table.start, table.end)]
    assert doc.text[table.start:table.end].startswith("miRNA | Tumour | Change")


def test_paragraph_text_around_a_nested_table_is_kept():
    lines = load_document(FIXTURES / "xml" / "tiny_articleset.nxml").text.splitlines()
    assert lines.index("A paragraph that holds a table.") < lines.index("Text after the table.")


def test_namespaced_jats_inside_oai_pmh_is_read():
    doc = load_document(FIXTURES / "xml" / "tiny_oai.xml")
    assert doc.title == "An invented OAI record"
    assert "miR-901 was lowered in gastric cancer, we pretend." in doc.text.splitlines()
    assert "Methods" in doc.text.splitlines()


def test_pubmed_labels_become_headings():
    doc = load_document(FIXTURES / "xml" / "tiny_pubmed.xml")
    assert doc.format == "pubmed"
    lines = doc.text.splitlines()
    assert lines[0] == "An invented abstract about miR-555 in breast cancer."
    assert lines[lines.index("RESULTS") + 1] == "miR-555 was raised in breast cancer."
    assert "An unlabelled closing sentence." in lines


@pytest.mark.parametrize("data, message", [
    (b"<article><body><p>never closed", "malformed XML"),
    (b"<catalog><item>an invented thing</item></catalog>", "unrecognised XML"),
    (b"<article><front/></article>", "no text"),
])
def test_bad_xml_raises_ingest_error(tmp_path, data, message):
    path = tmp_path / "bad.xml"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message):
        load_document(path)


def test_entity_expansion_is_refused(tmp_path):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><article><body><p>&b;</p></body></article>')
    path = tmp_path / "bomb.xml"
    path.write_bytes(bomb)
    with pytest.raises(IngestError, match="entities"):
        load_document(path)


def test_external_entities_are_never_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("an invented secret")
    data = (f'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<article><body><p>&x;</p></body></article>').encode()
    path = tmp_path / "xxe.xml"
    path.write_bytes(data)
    with pytest.raises(IngestError):
        load_document(path)


@pytest.mark.parametrize("name, title_start, n_tables", [
    ("gastroenterolres_2016_gastric_mucinous_cancer.xml", "Gastric Mucinous Cancer Histology", 6),
    ("ijms_2019_pdcd4_mirna.nxml", "Control Mechanisms of the Tumor Suppressor PDCD4", 3),
    ("joncol_2011_cancer_stem_cell.nxml", "Targeting the Mechanisms of Resistance", 1),
])
def test_real_jats_articles(name, title_start, n_tables):
    doc = load_document(JATS / name)
    assert doc.format == "jats"
    assert doc.title.startswith(title_start)
    lines = doc.text.splitlines()
    assert lines[0] == doc.title and lines[1] == "Abstract"
    assert len(doc.tables) == n_tables
    for table in doc.tables:
        assert table.caption.startswith("Table")
        assert table.rows and len(table.row_spans) == len(table.rows)
        for (start, end), cells in zip(table.row_spans, table.rows, strict=True):
            assert doc.text[start:end].split(" | ") == cells


def test_real_jats_body_without_references():
    doc = load_document(JATS / "ijms_2019_pdcd4_mirna.nxml")
    assert "miR21" in doc.text  # the abstract names it in this unhyphenated spelling
    assert "1. Introduction" in doc.text.splitlines()
    assert "References" not in doc.text.splitlines()


def test_bioc_passages_in_order_with_abstract_heading_and_no_references():
    doc = load_document(FIXTURES / "bioc" / "tiny_bioc.json")
    assert doc.format == "bioc"
    assert doc.title == "An invented BioC article"
    assert doc.text.splitlines() == ["An invented BioC article", "Abstract", "miR-321 was raised in glioma.",
                                     "Introduction", "An invented paragraph."]


def test_bioc_bare_document_without_optional_keys_is_read():
    doc = load_document(FIXTURES / "bioc" / "tiny_pubtator.json")
    assert doc.text.splitlines() == ["An invented PubTator title", "Abstract", "miR-123 was lowered in glioma."]


@pytest.mark.parametrize("data, message", [
    (b"{not json", "not valid JSON"),
    (b'{"an": "invented object"}', "not a BioC JSON collection"),
    (b'{"documents": [{"passages": [{"infons": {"type": "abstract"}, "text": "  "}]}]}', "no text"),
])
def test_bad_bioc_json_raises_ingest_error(tmp_path, data, message):
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message):
        load_document(path)
