"""From PubMed files on disk to the knowledge base and its exports, with the real extractor:
identifiers, passages and in-evidence offsets survive every step (issue 10 §1, §4)."""

from __future__ import annotations

import json

from mirkb.cli import main

ONE = """<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID>55550001</PMID><Article>
  <ELocationID EIdType="doi">10.1234/kb.e2e.1</ELocationID>
  <ArticleTitle>An invented title about glioma.</ArticleTitle>
  <Abstract><AbstractText>In our invented cohort, miR-943 was upregulated in glioma tissues.</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"""
TWO = """<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID>55550002</PMID><Article>
  <ArticleTitle>A second invented title.</ArticleTitle>
  <Abstract><AbstractText>Serum miR-944 was downregulated in melanoma patients.</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"""


def test_pubmed_articles_reach_the_kb_and_its_exports_with_pmids_passages_and_offsets(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.xml").write_text(ONE, encoding="utf-8")
    (corpus / "two.xml").write_text(TWO, encoding="utf-8")
    kb = str(tmp_path / "kb.sqlite")
    assert main(["run", "--no-prefect", "--corpus", str(corpus), "--kb", kb, "--gold", str(tmp_path / "none")]) == 0
    capsys.readouterr()

    assert main(["kb", "query", "--kb", kb, "--pmid", "55550001", "--format", "json"]) == 0
    [t] = json.loads(capsys.readouterr().out)
    assert (t["mirna"], t["cancer"], t["effect"], t["pmids"]) == ("miR-943", "glioma", "upregulated", ["55550001"])
    assert t["evidence"][0]["passage"] == "abstract"

    out = tmp_path / "kb.json"
    assert main(["kb", "export", "--kb", kb, "--out", str(out)]) == 0
    from bioc import biocjson

    with open(out, encoding="utf-8") as fh:
        collection = biocjson.load(fh)
    annotations = {(d.id, p.infons["type"], a.infons["type"], a.text)
                   for d in collection.documents for p in d.passages for a in p.annotations}
    assert annotations == {("55550001", "abstract", "miRNA", "miR-943"), ("55550001", "abstract", "Disease", "glioma"),
                           ("55550002", "abstract", "miRNA", "miR-944"),
                           ("55550002", "abstract", "Disease", "melanoma")}
    doc = next(d for d in collection.documents if d.id == "55550001")
    assert doc.infons["doi"] == "10.1234/kb.e2e.1"
    [rel] = doc.passages[0].relations
    assert rel.infons["type"] == "upregulated"

    csv_out = tmp_path / "kb.csv"
    assert main(["kb", "export", "--kb", kb, "--out", str(csv_out)]) == 0
    import pandas as pd

    frame = pd.read_csv(csv_out, keep_default_na=False, dtype=str)
    for _, row in frame.iterrows():  # the stored offsets, not a search afterwards, point at the names
        assert row["evidence"][int(row["mirna_start"]):int(row["mirna_end"])] == row["mirna"]
        assert row["evidence"][int(row["cancer_start"]):int(row["cancer_end"])] == row["cancer"]
        assert row["cue_start"] != ""
