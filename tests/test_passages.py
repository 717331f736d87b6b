"""Document structure (issue 8 §1), one record per article (issue 10 §1), long and large files
(issue 11 item 5). Every document here is invented."""

import time

import pytest

from extractors.ingest import IngestError, load_document, load_documents
from extractors.pipeline import Extractor
from extractors.schema import OUTPUT_COLUMNS

# A title longer than a heading (more than 12 words, no final full stop) used to run into the
# "Abstract Background ..." that follows it as one sentence.
TITLE = ("An invented study of how microRNA-933 shapes the behaviour of glioma cells in culture and "
         "in the xenografts of nude mice")

JATS = f"""<article xmlns:xlink="http://www.w3.org/1999/xlink">
<front><article-meta>
  <article-id pub-id-type="pmid">11110001</article-id>
  <article-id pub-id-type="pmc">9990001</article-id>
  <article-id pub-id-type="doi">10.1234/invented.5678</article-id>
  <title-group><article-title>{TITLE}</article-title></title-group>
  <abstract><sec><title>Background</title>
    <p>Serum miR-934 was significantly elevated in glioma patients compared with healthy controls.</p>
  </sec></abstract>
</article-meta></front>
<body>
  <sec><title>Results</title>
    <p>Hepatocellular carcinoma (HCC) tissues were collected. miR-935 was upregulated in HCC tissues.</p>
    <fig id="f1"><label>Figure 1</label><caption><p>miR-936 was downregulated in melanoma tissues.</p></caption></fig>
    <table-wrap id="t1"><label>Table 1</label><caption><p>Invented miRNAs</p></caption>
      <table><thead><tr><th>miRNA</th><th>Cancer</th><th>Expression</th></tr></thead>
        <tbody><tr><td>miR-937</td><td>Glioma</td><td>Upregulated</td></tr>
               <tr><td>miR-938</td><td>Melanoma</td><td>Downregulated</td></tr></tbody></table>
      <table-wrap-foot><p>Rows are invented.</p></table-wrap-foot>
    </table-wrap>
  </sec>
  <sec><title>Discussion</title>
    <p>In HCC, miR-939 promotes invasion.</p>
  </sec>
</body></article>
"""


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


@pytest.fixture(scope="module")
def jats(tmp_path_factory):
    path = tmp_path_factory.mktemp("jats") / "paper.nxml"
    path.write_text(JATS, encoding="utf-8")
    return load_document(path)


def test_jats_passages_are_typed_and_point_into_the_text(jats):
    kinds = [(p.kind, jats.text[p.start:p.end]) for p in jats.passages]
    assert kinds[0] == ("title", TITLE)
    assert ("heading", "Background") in kinds and ("heading", "Results") in kinds
    assert ("abstract", "Serum miR-934 was significantly elevated in glioma patients compared with healthy "
            "controls.") in kinds
    assert ("caption", "miR-936 was downregulated in melanoma tissues.") in kinds
    assert ("table_footnote", "Rows are invented.") in kinds
    tables = [text for kind, text in kinds if kind == "table"]
    assert tables == ["miRNA | Cancer | Expression\nmiR-937 | Glioma | Upregulated\nmiR-938 | Melanoma | Downregulated"]
    assert [p.start for p in jats.passages] == sorted(p.start for p in jats.passages)


def test_jats_records_its_identifiers(jats):
    assert (jats.doc_id, jats.pmid, jats.pmcid, jats.doi) == ("paper", "11110001", "PMC9990001",
                                                              "10.1234/invented.5678")


def test_title_and_abstract_never_form_one_sentence(extractor, jats):
    sentences = [view.sent.text for view in extractor.sentences(jats)]
    assert TITLE in sentences and "Abstract" in sentences
    assert not any(("xenografts" in s or "Abstract" in s) and s not in (TITLE, "Abstract") for s in sentences)


def test_table_rows_never_become_sentences_of_running_text(extractor, jats):
    sentences = [view.sent.text for view in extractor.sentences(jats)]
    assert not any("miR-937" in s or "miR-938" in s for s in sentences)
    text_rows = [m for m in extractor.extract(jats) if m.source == "text"]
    assert not {"miR-937", "miR-938"} & {m.mirna for m in text_rows}


def test_each_mention_records_its_passage(extractor, jats):
    found = {(m.mirna, m.passage) for m in extractor.extract(jats)}
    assert ("miR-934", "abstract") in found
    assert ("miR-935", "body") in found
    assert ("miR-936", "caption") in found
    assert ("miR-937", "table") in found
    assert OUTPUT_COLUMNS.index("passage") > OUTPUT_COLUMNS.index("rule")  # after the §5 columns


def test_a_title_naming_a_mirna_is_a_statement(extractor, tmp_path):
    path = tmp_path / "t.xml"
    path.write_text("<article><front><article-meta><title-group><article-title>miR-940 is upregulated in "
                    "melanoma</article-title></title-group></article-meta></front><body><p>Nothing else.</p>"
                    "</body></article>", encoding="utf-8")
    found = {(m.mirna, m.cancer, m.effect, m.passage) for m in extractor.extract(load_document(path))}
    assert ("miR-940", "melanoma", "upregulated", "title") in found


def test_an_abbreviation_defined_in_one_passage_resolves_in_another(extractor, jats):
    found = {(m.mirna, m.cancer, m.effect) for m in extractor.extract(jats)}
    # "HCC" is defined in the Results and used alone in the Discussion, a separate passage
    assert ("miR-939", "hepatocellular carcinoma", "promotes_metastasis") in found


def test_plain_text_passages_follow_the_layout(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("An invented title about miR-941 in glioma\n\nAbstract\n\nBackground\nSerum miR-941 was "
                    "raised in glioma.\n\nIntroduction\nGliomas are\ncommon tumours.\n\nFigure 1. Invented "
                    "caption.\n\nReferences\n1. Someone. miR-942 promotes invasion in melanoma. 2020.\n",
                    encoding="utf-8")
    doc = load_document(path)
    kinds = [(p.kind, " ".join(doc.text[p.start:p.end].split())) for p in doc.passages]
    assert kinds == [
        ("title", "An invented title about miR-941 in glioma"), ("heading", "Abstract"), ("heading", "Background"),
        ("abstract", "Serum miR-941 was raised in glioma."), ("heading", "Introduction"), ("body", "Gliomas are common tumours."),
        ("caption", "Figure 1. Invented caption."), ("reference", "References"),
        ("reference", "1. Someone. miR-942 promotes invasion in melanoma. 2020."),
    ]
    assert "miR-942" not in {m.mirna for m in Extractor().extract(doc)}


PUBMED = """<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID>22220001</PMID><Article>
  <ELocationID EIdType="doi">10.1234/inv.1</ELocationID>
  <ArticleTitle>An invented first title.</ArticleTitle>
  <Abstract><AbstractText>miR-943 was upregulated in glioma tissues.</AbstractText></Abstract>
</Article></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pmc">PMC7770001</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
<PubmedArticle><MedlineCitation><PMID>22220002</PMID><Article>
  <ArticleTitle>An invented second title.</ArticleTitle>
  <Abstract><AbstractText Label="RESULTS">miR-944 was downregulated in melanoma tissues.</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"""


def test_pubmed_set_gives_one_document_per_article_with_its_pmid(tmp_path, extractor):
    path = tmp_path / "set.xml"
    path.write_text(PUBMED, encoding="utf-8")
    docs = list(load_documents(path))
    assert [(d.doc_id, d.pmid, d.pmcid, d.doi) for d in docs] == [
        ("22220001", "22220001", "PMC7770001", "10.1234/inv.1"), ("22220002", "22220002", "", "")]
    assert [p.kind for p in docs[1].passages] == ["title", "heading", "abstract"]
    assert {(m.doc_id, m.mirna) for d in docs for m in extractor.extract(d)} == {
        ("22220001", "miR-943"), ("22220002", "miR-944")}
    # the whole file as one document keeps the file stem, for single-document callers
    merged = load_document(path)
    assert merged.doc_id == "set" and "miR-943" in merged.text and "miR-944" in merged.text
    assert [merged.text[p.start:p.end] for p in merged.passages if p.kind == "title"] == [
        "An invented first title.", "An invented second title."]


def test_bioc_collection_gives_one_document_per_article(tmp_path):
    path = tmp_path / "coll.json"
    path.write_text("""{"documents": [
      {"id": "33330001", "passages": [{"infons": {"type": "title"}, "text": "Invented title one"},
                                      {"infons": {"type": "abstract"}, "text": "miR-945 was raised in glioma."}]},
      {"id": "9990002", "infons": {"article-id_pmc": "9990002", "article-id_doi": "10.1234/inv.2"},
       "passages": [{"infons": {"type": "front", "section_type": "TITLE"}, "text": "Invented title two"},
                    {"infons": {"type": "table", "section_type": "TABLE"}, "text": "miR-946 up glioma"},
                    {"infons": {"type": "paragraph"}, "text": "miR-21 was lowered in melanoma."}]}]}""",
                    encoding="utf-8")
    docs = list(load_documents(path))
    assert [(d.doc_id, d.pmid, d.pmcid, d.doi) for d in docs] == [
        ("33330001", "33330001", "", ""), ("PMC9990002", "", "PMC9990002", "10.1234/inv.2")]
    assert [p.kind for p in docs[1].passages] == ["title", "table", "body"]


def test_pubtator_file_gives_documents_with_pmids(tmp_path, extractor):
    path = tmp_path / "batch.txt"  # PubTator is recognised by its first line, whatever the suffix
    path.write_text("44440001|t|An invented PubTator title\n44440001|a|miR-155 was upregulated in glioma.\n"
                    "44440001\t0\t7\tmiR-155\tmiRNA\tMIMAT0000000\n\n"
                    "44440002|t|Another invented title\n44440002|a|miR-143 was downregulated in melanoma.\n",
                    encoding="utf-8")
    docs = list(load_documents(path))
    assert [(d.doc_id, d.pmid, d.format) for d in docs] == [("44440001", "44440001", "pubtator"),
                                                            ("44440002", "44440002", "pubtator")]
    assert docs[0].text == "An invented PubTator title\nmiR-155 was upregulated in glioma.\n"
    assert {(m.doc_id, m.mirna, m.passage) for d in docs for m in extractor.extract(d)} == {
        ("44440001", "miR-155", "abstract"), ("44440002", "miR-143", "abstract")}
    single = tmp_path / "one.pubtator"
    single.write_text("44440003|t|Invented\n44440003|a|Invented abstract.\n", encoding="utf-8")
    assert [(d.doc_id, d.pmid) for d in load_documents(single)] == [("one", "44440003")]


def test_pdf_records_a_doi_from_its_first_page(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "doi.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawString(72, 800, "An Invented Journal 2026; https://doi.org/10.5555/invented-2026.001")
    pdf.drawString(72, 760, "miR-210 was upregulated in glioma tissues.")
    pdf.save()
    doc = load_document(path)
    assert doc.doi == "10.5555/invented-2026.001"
    assert doc.passages and all(doc.text[p.start:p.end].strip() for p in doc.passages)


def test_a_document_over_a_million_characters_extracts_quickly(extractor, tmp_path):
    paragraph = "Invented plain sentences about tissue samples and the controls that were used here. " * 12
    body = "\n\n".join([paragraph] * 1000)
    path = tmp_path / "long.txt"
    path.write_text("miR-221 was upregulated in glioma tissues.\n\n" + body +
                    "\n\nmiR-145 was downregulated in melanoma tissues.\n", encoding="utf-8")
    doc = load_document(path)
    assert len(doc.text) > 1_000_000
    started = time.perf_counter()
    found = {(m.mirna, m.cancer) for m in extractor.extract(doc)}
    assert time.perf_counter() - started < 60
    assert found == {("miR-221", "glioma"), ("miR-145", "melanoma")}


def test_one_paragraph_over_a_million_characters_is_read_in_pieces(extractor):
    from extractors.schema import Document, Passage

    text = "Invented words that go on. " * 40_000 + "miR-222 was upregulated in glioma tissues."
    doc = Document(doc_id="x", path="x", format="pubtator", text=text, sha256="",
                   passages=[Passage("abstract", 0, len(text))])
    assert {(m.mirna, m.start >= 0) for m in extractor.extract(doc)} == {("miR-222", True)}


def test_an_over_limit_file_is_refused_before_reading_with_the_limit_named(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text("miR-126 was upregulated in glioma. " * 100, encoding="utf-8")
    monkeypatch.setenv("MIRKB_MAX_FILE_MB", "0.001")

    def no_read(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr("pathlib.Path.read_bytes", no_read)
    with pytest.raises(IngestError, match=r"over the size limit of 0\.001 MB.*MIRKB_MAX_FILE_MB"):
        load_document(path)


def test_a_section_heading_naming_one_cancer_sets_the_context_but_not_of_a_caption(extractor, tmp_path):
    path = tmp_path / "ctx.xml"
    path.write_text("<article><body><sec><title>Gastric cancer</title>"
                    "<p>Serum miR-21 was significantly elevated in patients compared with healthy controls.</p>"
                    "<fig><label>Figure 1</label><caption><p>Serum miR-155 was significantly elevated in patients "
                    "compared with healthy controls.</p></caption></fig></sec></body></article>", encoding="utf-8")
    found = {(m.mirna, m.cancer, m.passage) for m in extractor.extract(load_document(path))}
    assert ("miR-21", "gastric cancer", "body") in found
    assert not any(mirna == "miR-155" for mirna, _, _ in found)
