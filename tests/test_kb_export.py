"""``mirkb kb export`` in the field's formats, each parsed back with its own library (issue 10 §4)."""

from __future__ import annotations

import json

import kb_invented
import pandas as pd
import pytest

from mirkb.cli import main
from mirkb.kb.export import infer_format, locate


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """Read-only for the tests that use it: built once per module."""
    return kb_invented.build(tmp_path_factory.mktemp("kb") / "kb.sqlite")


def export(kb, out, *argv) -> None:
    assert main(["kb", "export", "--kb", kb, "--out", str(out), *argv]) == 0


def expected_mentions() -> set[tuple[str, str, str]]:
    """(document, kind, text as written) of every miRNA and cancer mention in the invented papers."""
    out = set()
    for info, found in kb_invented.documents():
        for m in found:
            for kind, span in (("miRNA", m.mirna_span), ("Disease", m.cancer_span)):
                out.add((info.pmid or info.doc_id, kind, m.evidence[span[0]:span[1]]))
    return out


@pytest.mark.parametrize("name,fmt", [("a.csv", "csv"), ("a.TSV", "tsv"), ("a.xlsx", "xlsx"),
                                      ("a.parquet", "parquet"), ("a.json", "bioc"), ("a.bioc.json", "bioc"),
                                      ("a.pubtator", "pubtator"), ("a.pubtator.txt", "pubtator"),
                                      ("a.hmdd.tsv", "hmdd"), ("a.docx", None)])
def test_format_follows_the_suffix(name, fmt):
    assert infer_format(name) == fmt


def test_csv_has_a_bom_for_excel_and_reads_back_with_identifiers(kb, tmp_path):
    out = tmp_path / "kb.csv"
    export(kb, out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert frame.columns[0] == "doc_id" and len(frame) == 7
    row = frame[frame["mirna"] == "miR-21-5p"].iloc[0]
    assert (row["mirna_id"], row["mirna_status"], row["passage"], row["pmid"], row["pmcid"], row["doi"]) == (
        "MIMAT0000076", "current", "abstract", "111", "PMC9000111", "10.1000/invented.1")
    assert row["evidence"][int(row["mirna_start"]):int(row["mirna_end"])] == "hsa-miR-21-5p"
    assert row["evidence"][int(row["cue_start"]):int(row["cue_end"])] == "raised"


def test_export_takes_the_query_filters(kb, tmp_path):
    out = tmp_path / "lung.tsv"
    export(kb, out, "--cancer", "lung")
    frame = pd.read_csv(out, sep="\t", keep_default_na=False)
    assert set(frame["cancer"]) == {"non-small cell lung carcinoma", "lung adenocarcinoma", "lung cancer"}


def test_xlsx_has_a_triple_sheet_and_an_evidence_sheet_and_keeps_text_as_text(kb, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "kb.xlsx"
    export(kb, out)
    book = load_workbook(out)
    assert book.sheetnames == ["triples", "evidence"]
    triples = pd.read_excel(out, sheet_name="triples", keep_default_na=False, dtype=str)
    evidence = pd.read_excel(out, sheet_name="evidence", keep_default_na=False, dtype=str)
    assert len(triples) == 6 and len(evidence) == 7
    let7 = triples[triples["mirna"] == "let-7a"].iloc[0]
    assert (let7["n_documents"], let7["documents"], let7["pmids"]) == ("2", "paper2;paper3", "222")
    # an evidence cell starting with "=" stays the text it was, not a formula
    cells = [c for c in book["evidence"].iter_rows(values_only=True) if c[1] == "miR-200c"]
    assert cells and cells[0][5] == kb_invented.S2
    assert {(r["mirna"], r["pmid"]) for _, r in evidence.iterrows()} >= {("miR-21-5p", "111")}


def test_bioc_json_round_trips_through_the_bioc_library(kb, tmp_path):
    from bioc import biocjson

    out = tmp_path / "kb.json"
    export(kb, out)
    with open(out, encoding="utf-8") as fh:
        collection = biocjson.load(fh)
    found, relations = set(), set()
    for doc in collection.documents:
        for passage in doc.passages:
            by_id = {}
            for ann in passage.annotations:
                [loc] = ann.locations
                # offsets are in the document; the passage text starts at passage.offset
                assert passage.text[loc.offset - passage.offset:loc.end - passage.offset] == ann.text
                found.add((doc.id, ann.infons["type"], ann.text))
                by_id[ann.id] = ann
            for rel in passage.relations:
                mir, can = (by_id[n.refid] for n in rel.nodes)
                relations.add((doc.id, mir.infons["identifier"], can.infons["identifier"], rel.infons["type"]))
    assert found == expected_mentions()
    assert ("111", "MIMAT0000076", "DOID:3908", "upregulated") in relations
    assert len(relations) == 7  # one per mention: let-7a | breast cancer once in each of its two papers
    assert {d.infons["doc_id"] for d in collection.documents} == {"paper1", "paper2", "paper3"}
    assert next(d for d in collection.documents if d.id == "111").infons["doi"] == "10.1000/invented.1"


def test_pubtator_round_trips_through_the_bioc_pubtator_parser(kb, tmp_path):
    from bioc import pubtator

    out = tmp_path / "kb.pubtator"
    export(kb, out)
    docs = pubtator.loads(out.read_text(encoding="utf-8"))
    assert {d.pmid for d in docs} == {"111", "222", "paper3"}
    found = set()
    for doc in docs:
        for ann in doc.annotations:
            assert doc.text[ann.start:ann.end] == ann.text
            found.add((doc.pmid, ann.type, ann.text))
    assert found == expected_mentions()
    rels = {(d.pmid, r.type, r.id1, r.id2) for d in docs for r in d.relations}
    assert ("222", "prognostic_marker", "miR-21", "DOID:1324") in rels  # no accession: the name stands in
    assert ("paper3", "promotes_growth", "MIMAT0000075", "DOID:1612") in rels


def test_hmdd_lists_one_row_per_triple_and_document(kb, tmp_path):
    out = tmp_path / "kb.hmdd.tsv"
    export(kb, out)
    frame = pd.read_csv(out, sep="\t", keep_default_na=False, dtype=str)
    assert list(frame.columns[:7]) == ["miRNA", "accession", "disease", "DOID", "effect", "PMID", "evidence"]
    let7 = frame[frame["miRNA"] == "let-7a"]
    assert sorted(let7["doc_id"]) == ["paper2", "paper3"] and set(let7["PMID"]) == {"222", ""}
    assert len(frame) == 7


def test_offsets_missing_from_an_older_kb_are_found_again_in_the_evidence():
    row = {"evidence": "Raised hsa-miR-21 and MIR-155 levels mark NSCLC, we invented.", "mirna": "miR-155",
           "mirna_id": "", "cancer": "non-small cell lung carcinoma", "cancer_id": "DOID:3908"}
    mir, can = locate(row)
    assert row["evidence"][mir.start:mir.end] == "MIR-155" and mir.identifier == "miR-155"
    assert row["evidence"][can.start:can.end] == "NSCLC" and can.identifier == "DOID:3908"


def test_export_json_suffix_is_valid_json(kb, tmp_path):
    out = tmp_path / "kb.json"
    export(kb, out, "--mirna", "let-7a")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["documents"]) == 2


def test_unknown_offsets_are_empty_cells_and_known_ones_whole_numbers(tmp_path):
    from extractors.schema import Mention
    from mirkb.kb import DocumentInfo, KnowledgeBase

    m = Mention("h1", "miR-21", "glioma", "DOID:3070", "upregulated", "miR-21 was raised.", 0, 18, "text", False, "r")
    m.mirna_span = (0, 6)  # the cancer came from a heading: no offset in this sentence
    with KnowledgeBase(tmp_path / "kb.sqlite") as kb:
        run = kb.start_run("c", "x", "0")
        kb.write_document(run, DocumentInfo("h1", "/h1.txt", "s"), "c", [m])
    out = tmp_path / "kb.csv"
    export(str(tmp_path / "kb.sqlite"), out)
    [row] = pd.read_csv(out, keep_default_na=False, dtype=str).to_dict("records")
    assert (row["mirna_start"], row["mirna_end"], row["cancer_start"]) == ("0", "6", "")
    pq = tmp_path / "kb.parquet"
    export(str(tmp_path / "kb.sqlite"), pq)
    assert pd.read_parquet(pq)["cancer_start"].isna().all()
