"""A generated PDF (invented text) through the whole extractor: text and table triples, offsets."""

import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from extractors.ingest import load_document
from extractors.pipeline import Extractor


@pytest.fixture(scope="module")
def pdf_doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "invented.pdf"
    styles = getSampleStyleSheet()
    rows = [["miRNA", "Cancer", "Effect", "Ref."], ["miR-933", "Glioma", "Invasion", "[1]"],
            ["miR-934, -935", "Melanoma", "Angiogenesis", "[2]"], ["let-7a", "Glioma", "Diagnosis", "[3]"]]
    table = Table(rows)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    SimpleDocTemplate(str(path), pagesize=A4).build([
        Paragraph("Results", styles["Heading2"]),
        Paragraph("Serum miR-936 was significantly elevated in glioma patients compared with healthy controls.",
                  styles["BodyText"]),
        Spacer(1, 12), Paragraph("Table 1 Exosomal miRNAs in tumours", styles["BodyText"]), table,
        Spacer(1, 12), Paragraph("Further work is needed in larger cohorts of patients.", styles["BodyText"]),
    ])
    return load_document(path)


def test_pdf_gives_text_and_table_triples(pdf_doc):
    found = {(m.mirna, m.cancer, m.effect, m.source) for m in Extractor().extract(pdf_doc)}
    assert ("miR-936", "glioma", "upregulated", "text") in found
    assert {("miR-933", "glioma", "promotes_metastasis", "table"),
            ("miR-934", "melanoma", "promotes_angiogenesis", "table"),
            ("miR-935", "melanoma", "promotes_angiogenesis", "table"),
            ("let-7a", "glioma", "diagnostic_marker", "table")} <= found
    # table cells are not read again as running text
    assert not any(m.source == "text" and m.mirna != "miR-936" for m in Extractor().extract(pdf_doc))


def test_table_rows_point_into_the_document_text(pdf_doc):
    for m in Extractor().extract(pdf_doc):
        if m.source == "table":
            assert m.start >= 0 and pdf_doc.text[m.start:m.end].split()[0].startswith(m.evidence.split()[0])


def test_pdf_passages_mark_the_boxed_table_and_the_heading(pdf_doc):
    kinds = {(p.kind, " ".join(pdf_doc.text[p.start:p.end].split())) for p in pdf_doc.passages}
    assert ("heading", "Results") in kinds
    assert ("caption", "Table 1 Exosomal miRNAs in tumours") in kinds
    table_text = " ".join(text for kind, text in kinds if kind == "table")
    assert "miR-933" in table_text and "Glioma" in table_text
    assert not any("miR-933" in text for kind, text in kinds if kind != "table")
