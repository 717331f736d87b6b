"""``mirkb kb query`` reads names as curators write them, and filters evidence (issue 10 §3)."""

from __future__ import annotations

import io
import json

import kb_invented
import pandas as pd
import pytest

from extractors.cancer import load_lexicon
from mirkb.cli import main
from mirkb.kb import KnowledgeBase
from mirkb.kb.names import in_family, resolve_cancer


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """Read-only for the tests that use it: built once per module."""
    return kb_invented.build(tmp_path_factory.mktemp("kb") / "kb.sqlite")


def triples(capsys, kb, *argv) -> set[tuple[str, str, str]]:
    assert main(["kb", "query", "--kb", kb, "--format", "json", *argv]) == 0
    return {(t["mirna"], t["cancer"], t["effect"]) for t in json.loads(capsys.readouterr().out)}


def pairs(capsys, kb, *argv) -> set[tuple[str, str]]:
    return {(m, c) for m, c, _ in triples(capsys, kb, *argv)}


LUNG = {("miR-21-5p", "non-small cell lung carcinoma"), ("miR-200c", "lung adenocarcinoma"),
        ("miR-21", "lung cancer")}


@pytest.mark.parametrize("typed", ["lung cancer", "Lung Cancer", "DOID:1324", "doid:1324", "lung"])
def test_a_cancer_includes_its_subtypes(kb, capsys, typed):
    assert pairs(capsys, kb, "--cancer", typed) == LUNG


@pytest.mark.parametrize("typed", ["NSCLC", "nsclc", "non-small cell lung cancer", "DOID:3908"])
def test_an_abbreviation_synonym_or_doid_names_the_same_concept(kb, capsys, typed):
    # lung adenocarcinoma is a kind of NSCLC in the Disease Ontology; lung cancer is broader.
    assert pairs(capsys, kb, "--cancer", typed) == {("miR-21-5p", "non-small cell lung carcinoma"),
                                                     ("miR-200c", "lung adenocarcinoma")}


def test_exact_leaves_subtypes_out(kb, capsys):
    assert pairs(capsys, kb, "--cancer", "lung cancer", "--exact") == {("miR-21", "lung cancer")}
    assert pairs(capsys, kb, "--cancer", "NSCLC", "--exact") == {("miR-21-5p", "non-small cell lung carcinoma")}


def test_an_unknown_cancer_name_matches_exactly_and_suggests(kb, capsys):
    assert main(["kb", "query", "--kb", kb, "--cancer", "lung tumours of nowhere"]) == 0
    captured = capsys.readouterr()
    assert "no triples match" in captured.out
    assert "not a cancer name the lexicon knows" in captured.err


def test_a_mirna_in_any_spelling_and_its_arms(kb, capsys):
    assert pairs(capsys, kb, "--mirna", "hsa-mir-21") == {("miR-21", "lung cancer")}
    assert pairs(capsys, kb, "--mirna", "microRNA-21-5p") == {("miR-21-5p", "non-small cell lung carcinoma")}
    both = {("miR-21", "lung cancer"), ("miR-21-5p", "non-small cell lung carcinoma")}
    assert pairs(capsys, kb, "--mirna", "MiR-21", "--arms") == both
    assert pairs(capsys, kb, "--mirna", "miR-21-5p", "--arms") == both


def test_a_family_takes_letters_and_arms_but_not_longer_numbers(kb, capsys):
    assert {m for m, _ in pairs(capsys, kb, "--mirna", "miR-200", "--family")} == {"miR-200a", "miR-200c"}
    assert {m for m, _ in pairs(capsys, kb, "--mirna", "miR-200c", "--family")} == {"miR-200a", "miR-200c"}
    assert {m for m, _ in pairs(capsys, kb, "--mirna", "miR-20a", "--family")} == {"miR-20a"}
    assert {m for m, _ in pairs(capsys, kb, "--mirna", "let-7", "--family")} == {"let-7a"}
    assert in_family("miR-200 family", "miR-200") and in_family("let-7d-3p", "let-7")
    assert not in_family("miR-2000", "miR-200") and not in_family("miR-20a", "miR-200")


def test_a_mirbase_accession_finds_its_triples(kb, capsys):
    assert pairs(capsys, kb, "--mirna", "MIMAT0000062") == {("let-7a", "breast cancer")}


def test_source_hedged_document_and_support_filters(kb, capsys):
    assert pairs(capsys, kb, "--source", "table") == {("miR-200c", "lung adenocarcinoma")}
    assert pairs(capsys, kb, "--hedged", "yes") == {("miR-21", "lung cancer")}
    assert ("miR-21", "lung cancer") not in pairs(capsys, kb, "--hedged", "no")
    by_pmid = {("miR-21", "lung cancer"), ("let-7a", "breast cancer")}
    assert pairs(capsys, kb, "--pmid", "222") == by_pmid
    assert pairs(capsys, kb, "--doc", "PMID:222") == by_pmid
    assert pairs(capsys, kb, "--doc", "paper2") == by_pmid
    assert pairs(capsys, kb, "--doc", "https://doi.org/10.1000/INVENTED.1") == {
        ("miR-21-5p", "non-small cell lung carcinoma"), ("miR-200c", "lung adenocarcinoma")}
    assert pairs(capsys, kb, "--min-docs", "2") == {("let-7a", "breast cancer")}
    # support counts follow the filters: let-7a has two documents, one of them PMID 222
    assert main(["kb", "query", "--kb", kb, "--format", "json", "--pmid", "222", "--mirna", "let-7a"]) == 0
    [t] = json.loads(capsys.readouterr().out)
    assert (t["n_documents"], t["documents"], t["pmids"]) == (1, ["paper2"], ["222"])


def test_run_filter_keeps_evidence_written_by_that_run(capsys, tmp_path):
    kb = kb_invented.build(tmp_path / "kb.sqlite")  # this test adds a run: its own knowledge base
    with KnowledgeBase(kb) as store:
        run = store.start_run("cfg-2", "invented", "0.1.0")
        info, found = kb_invented.documents()[2]
        store.write_document(run, info, "cfg-2", found[:1])
        store.finish_run(run, "completed", {}, None)
    assert pairs(capsys, kb, "--run", "last") == {("miR-200a", "breast cancer")}
    assert pairs(capsys, kb, "--run", "1") == LUNG | {("let-7a", "breast cancer")}
    assert main(["kb", "query", "--kb", kb, "--run", "9"]) == 2


def test_table_output_says_how_names_were_read_and_shows_identifiers(kb, capsys):
    assert main(["kb", "query", "--kb", kb, "--cancer", "NSCLC", "--mirna", "mir-21", "--arms"]) == 0
    out = capsys.readouterr().out
    subtypes = [c for c in load_lexicon().concepts.values() if "DOID:3908" in c.ancestors]
    assert f"# cancer: non-small cell lung carcinoma (DOID:3908) and {len(subtypes)} subtype(s)" in out
    assert "miR-21-5p | non-small cell lung carcinoma | upregulated  (1 document(s), 1 mention(s))  " \
           "[MIMAT0000076, DOID:3908]" in out
    assert "    paper1 PMID:111:40 [text, abstract] In invented NSCLC samples" in out


def test_csv_carries_accession_and_pmids(kb, capsys):
    assert main(["kb", "query", "--kb", kb, "--format", "csv", "--mirna", "let-7a"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False, dtype=str)
    assert list(frame["mirna_id"]) == ["MIMAT0000062"] and list(frame["pmids"]) == ["222"]
    assert list(frame["documents"]) == ["paper2;paper3"]


def test_widening_flags_need_the_name_they_widen(kb, capsys):
    assert main(["kb", "query", "--kb", kb, "--arms"]) == 2
    assert main(["kb", "query", "--kb", kb, "--exact"]) == 2
    assert main(["kb", "query", "--kb", kb, "--min-docs", "0"]) == 2


def test_resolve_cancer_reports_the_concept_and_its_subtypes():
    match = resolve_cancer("stomach cancer")
    assert match.concept == "gastric cancer" and "DOID:10534" in match.ids
    assert all(name in match.names for name in match.subtypes)
    assert resolve_cancer("stomach cancer", exact=True).names == {"gastric cancer"}


def test_evidence_flags_a_mirna_name_mirbase_does_not_map_cleanly(kb, capsys):
    assert main(["kb", "query", "--kb", kb, "--mirna", "miR-21"]) == 0
    assert "[text, abstract, hedged, miRBase: ambiguous] High miR-21" in capsys.readouterr().out
    assert main(["kb", "query", "--kb", kb, "--mirna", "let-7a"]) == 0
    assert "miRBase:" not in capsys.readouterr().out  # current names need no flag


def test_stats_count_identifiers_and_mirna_statuses(kb, capsys):
    assert main(["kb", "stats", "--kb", kb, "--json", "--top", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents_with"] == {"pmid": 2, "pmcid": 1, "doi": 1}
    assert data["mentions_by_mirna_status"] == {"current": 6, "ambiguous": 1}


def test_evidence_rows_of_many_triples_come_in_document_order_and_respect_the_limit(tmp_path):
    from extractors.schema import Mention
    from mirkb.kb import DocumentInfo

    with KnowledgeBase(tmp_path / "many.sqlite") as store:
        run = store.start_run("c", "x", "0")
        for d in (3, 1, 2):
            found = [Mention(f"d{d}", f"miR-{n}", "glioma", "DOID:3070", "upregulated", f"Invented miR-{n} in d{d}.",
                             n * 50, n * 50 + 20, "text", False, "r") for n in range(1, 5)]
            store.write_document(run, DocumentInfo(f"d{d}", "/p", "s"), "c", found)
        result = store.query_triples(evidence_per_triple=2)
    assert len(result) == 4
    for t in result:
        assert [e["doc_id"] for e in t["evidence"]] == ["d1", "d2"] and t["documents"] == ["d1", "d2", "d3"]
        assert all(t["mirna"] + " " in e["evidence"] for e in t["evidence"])


def test_json_evidence_carries_the_offsets_of_the_names_and_the_cue(kb, capsys):
    assert main(["kb", "query", "--kb", kb, "--format", "json", "--mirna", "miR-21-5p"]) == 0
    [t] = json.loads(capsys.readouterr().out)
    [ev] = t["evidence"]
    text = ev["evidence"]
    assert (text[ev["mirna_start"]:ev["mirna_end"]], text[ev["cancer_start"]:ev["cancer_end"]],
            text[ev["cue_start"]:ev["cue_end"]]) == ("hsa-miR-21-5p", "NSCLC", "raised")
