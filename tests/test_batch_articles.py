"""The batch engine reads a multi-article file as one document per article (issue 10 §1)."""

from __future__ import annotations

import json

import kb_fakes
import pandas as pd
import pytest
from extracted import kb_triples_by_doc

from mirkb import batch
from mirkb.cli import main
from mirkb.kb import KnowledgeBase


@pytest.fixture(autouse=True)
def fake_extractor():
    batch.set_extractor_factory(kb_fakes.factory)
    yield
    batch.set_extractor_factory(None)


def _pubmed_article(pmid: str, sentence: str) -> str:
    return f"""  <PubmedArticle>
    <MedlineCitation Status="MEDLINE" Owner="NLM">
      <PMID Version="1">{pmid}</PMID>
      <Article PubModel="Print">
        <ArticleTitle>An invented title for {pmid}</ArticleTitle>
        <Abstract><AbstractText>{sentence}</AbstractText></Abstract>
      </Article>
    </MedlineCitation>
  </PubmedArticle>
"""


def write_pubmed_set(path, articles: dict[str, str]) -> None:
    body = "".join(_pubmed_article(pmid, sentence) for pmid, sentence in articles.items())
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n',
                    encoding="utf-8")


def write_bioc_collection(path, articles: dict[str, str]) -> None:
    docs = [{"id": pmid, "infons": {}, "relations": [], "annotations": [], "passages": [
        {"offset": 0, "infons": {"type": "abstract"}, "text": text, "annotations": [], "relations": [],
         "sentences": []}]} for pmid, text in articles.items()]
    path.write_text(json.dumps({"source": "invented", "date": "", "key": "", "infons": {}, "documents": docs}),
                    encoding="utf-8")


def test_a_pubmed_set_is_one_document_per_article_and_a_refresh_skips_it_until_it_changes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    articles = {"31000001": kb_fakes.sentence("miR-7", "glioma", "raised").strip(),
                "31000002": kb_fakes.sentence("miR-9", "breast cancer", "lowered").strip()}
    write_pubmed_set(corpus / "set.xml", articles)
    kb_fakes.write_corpus(corpus, 1)  # a single-article file beside it keeps its stem
    kb_path = tmp_path / "kb.sqlite"

    first = batch.refresh(corpus, kb_path)
    assert first.status == "completed" and first.documents["added"] == 3
    triples = kb_triples_by_doc(kb_path)
    assert set(triples) == {"31000001", "31000002", "doc000"}
    assert triples["31000001"] == {("miR-7", "glioma", "upregulated")}
    assert triples["31000002"] == {("miR-9", "breast cancer", "downregulated")}
    with KnowledgeBase(kb_path) as kb:
        states = kb.document_states()
    assert states["31000002"]["path"].endswith("set.xml")

    second = batch.refresh(corpus, kb_path)
    assert second.no_changes and second.documents["unchanged"] == 3

    articles["31000002"] = kb_fakes.sentence("miR-9", "gastric cancer", "flags").strip()
    write_pubmed_set(corpus / "set.xml", articles)
    third = batch.refresh(corpus, kb_path)
    assert third.documents["changed"] == 2 and third.documents["unchanged"] == 1
    triples = kb_triples_by_doc(kb_path)
    assert triples["31000002"] == {("miR-9", "gastric cancer", "diagnostic_marker")}
    assert triples["31000001"] == {("miR-7", "glioma", "upregulated")}
    assert batch.refresh(corpus, kb_path).no_changes


def test_an_article_gone_from_a_changed_file_stays_in_the_kb(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = kb_fakes.sentence("miR-7", "glioma", "raised").strip()
    write_pubmed_set(corpus / "set.xml", {"1": sentence, "2": sentence, "3": sentence})
    kb_path = tmp_path / "kb.sqlite"
    batch.refresh(corpus, kb_path)
    write_pubmed_set(corpus / "set.xml", {"1": sentence, "2": sentence})
    summary = batch.refresh(corpus, kb_path)
    assert summary.documents["changed"] == 2
    assert set(kb_triples_by_doc(kb_path)) == {"1", "2", "3"}
    # The KB still knows three articles from the file: it is re-read only when it changes.
    assert batch.refresh(corpus, kb_path).no_changes


def test_a_multi_article_file_that_cannot_be_parsed_is_one_error(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.xml").write_text("<PubmedArticleSet><PubmedArticle>", encoding="utf-8")
    summary = batch.refresh(corpus, tmp_path / "kb.sqlite")
    assert summary.documents["failed"] == 1
    assert [(e["doc_id"], e["stage"]) for e in summary.errors] == [("broken", "ingest")]


def test_an_article_that_fails_extraction_fails_alone(tmp_path):
    class Picky(kb_fakes.FakeExtractor):
        def extract(self, doc):
            if doc.doc_id == "2":
                raise ValueError("an invented failure")
            return super().extract(doc)

    batch.set_extractor_factory(lambda model="", tables=True: Picky())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = kb_fakes.sentence("miR-7", "glioma", "raised").strip()
    write_pubmed_set(corpus / "set.xml", {"1": sentence, "2": sentence})
    kb_path = tmp_path / "kb.sqlite"
    summary = batch.refresh(corpus, kb_path)
    assert summary.documents["added"] == 1 and summary.documents["failed"] == 1
    assert [(e["doc_id"], e["stage"]) for e in summary.errors] == [("2", "extract")]
    # The failed article makes its file due for a retry on the next run.
    batch.set_extractor_factory(kb_fakes.factory)
    again = batch.refresh(corpus, kb_path)
    assert again.documents["failed"] == 0 and again.documents["added"] == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_extract_on_a_bioc_collection_gives_rows_with_each_article_id(tmp_path, workers):
    folder = tmp_path / "in"
    folder.mkdir()
    write_bioc_collection(folder / "collection.json",
                          {"32000001": kb_fakes.sentence("miR-7", "glioma", "raised").strip(),
                           "32000002": kb_fakes.sentence("miR-9", "breast cancer", "lowered").strip()})
    kb_fakes.write_corpus(folder, 1)
    out = tmp_path / "m.csv"
    args = ["extract", str(folder), "--out", str(out)] + (["--workers", str(workers)] if workers > 1 else [])
    assert main(args) == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert tuple(frame.columns) == batch.EXTRACT_COLUMNS
    assert tuple(frame.columns[-3:]) == ("pmid", "pmcid", "doi")
    by_doc = {d: set(zip(g.mirna, g.pmid, strict=True)) for d, g in frame.groupby("doc_id")}
    assert by_doc == {"32000001": {("miR-7", "32000001")}, "32000002": {("miR-9", "32000002")},
                      "doc000": set(by_doc["doc000"])}
    assert set(frame[frame.doc_id == "doc000"].pmid) == {""}


def test_workers_give_the_same_kb_for_a_multi_article_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_pubmed_set(corpus / "set.xml", {"1": kb_fakes.sentence("miR-7", "glioma", "raised").strip(),
                                         "2": kb_fakes.sentence("miR-9", "glioma", "lowered").strip()})
    kb_fakes.write_corpus(corpus, 2)
    one = batch.refresh(corpus, tmp_path / "one.sqlite")
    two = batch.refresh(corpus, tmp_path / "two.sqlite", workers=2)
    assert one.documents == two.documents and one.added == two.added
    assert kb_triples_by_doc(tmp_path / "one.sqlite") == kb_triples_by_doc(tmp_path / "two.sqlite")


@pytest.mark.prefect
def test_the_refresh_flow_stores_each_article(prefect_harness, tmp_path):
    from flows import refresh as flow

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_pubmed_set(corpus / "set.xml", {"1": kb_fakes.sentence("miR-7", "glioma", "raised").strip(),
                                         "2": kb_fakes.sentence("miR-9", "glioma", "lowered").strip()})
    kb_path = tmp_path / "kb.sqlite"
    summary = flow.refresh_flow(corpus=str(corpus), kb=str(kb_path), gold_dir=str(tmp_path / "no-gold"))
    assert summary["documents"]["added"] == 2
    assert kb_triples_by_doc(kb_path) == {"1": {("miR-7", "glioma", "upregulated")},
                                    "2": {("miR-9", "glioma", "downregulated")}}
    again = flow.refresh_flow(corpus=str(corpus), kb=str(kb_path), gold_dir=str(tmp_path / "no-gold"))
    assert again["no_changes"] and again["documents"]["unchanged"] == 2
