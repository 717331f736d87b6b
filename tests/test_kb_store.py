"""The knowledge-base store: schema, migrations, one transaction per document, queries."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, insert, inspect, select

from extractors.schema import Mention
from mirkb.kb import DocumentInfo, KnowledgeBase, triple_id
from mirkb.kb import schema as kbschema
from mirkb.kb.store import now


def mention(doc_id, mirna="miR-901", cancer="glioma", effect="upregulated", start=0):
    return Mention(doc_id, mirna, cancer, "DOID:3070", effect, f"An invented sentence about {mirna}.",
                   start, start + 10, "text", False, "test")


@pytest.fixture
def kb(tmp_path):
    store = KnowledgeBase(tmp_path / "kb.sqlite")
    yield store
    store.close()


def write(kb, run_id, doc_id, found, sha="sha-1", config="cfg-1"):
    return kb.write_document(run_id, DocumentInfo(doc_id, f"/corpus/{doc_id}.txt", sha, "txt"), config, found)


def test_plain_path_opens_sqlite_in_wal_mode(kb):
    assert kb.url.startswith("sqlite:///")
    with kb.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_fresh_kb_is_stamped_with_the_current_version(kb):
    assert kb.version == kbschema.SCHEMA_VERSION
    assert kb.migrated_from is None


def test_triple_id_hashes_the_normalised_triple():
    assert triple_id("miR-21", "Breast cancer ", "upregulated") == triple_id("miR-21", "breast cancer", "upregulated")
    assert triple_id("miR-21", "breast cancer", "upregulated") != triple_id("miR-21", "breast cancer", "downregulated")
    assert len(triple_id("miR-21", "glioma", "upregulated")) == 64


def test_v1_file_is_migrated_on_open_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        kbschema.create_schema(conn, version=1)
        assert "metrics" not in {c["name"] for c in inspect(conn).get_columns("runs")}
        assert not inspect(conn).has_table("run_triples")
        conn.execute(insert(kbschema.runs).values(
            started=now(), status="completed", mirkb_version="0.0.1", config_id="old"))
    engine.dispose()

    with KnowledgeBase(path) as kb:
        assert (kb.migrated_from, kb.version) == (1, kbschema.SCHEMA_VERSION)
        [old_run] = kb.runs()
        assert old_run["config_id"] == "old" and old_run["metrics"] is None
        run_id = kb.start_run("cfg-1", "corpus", "0.1.0")
        write(kb, run_id, "doc1", [mention("doc1")])
        kb.finish_run(run_id, "completed", {"docs_added": 1}, {"strict": {"f1": 1.0}})
        assert kb.run(run_id)["metrics"] == '{"strict": {"f1": 1.0}}'

    with KnowledgeBase(path) as again:
        assert again.migrated_from == kbschema.SCHEMA_VERSION  # nothing left to do


def test_migrated_schema_matches_a_fresh_one(tmp_path):
    old = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with old.begin() as conn:
        kbschema.create_schema(conn, version=1)
    old.dispose()
    migrated = KnowledgeBase(tmp_path / "old.sqlite")
    fresh = KnowledgeBase(tmp_path / "fresh.sqlite")

    def shape(store):
        with store.engine.connect() as conn:
            insp = inspect(conn)
            return {t: sorted(c["name"] for c in insp.get_columns(t)) for t in insp.get_table_names()}

    assert shape(migrated) == shape(fresh)
    migrated.close()
    fresh.close()


def test_newer_file_than_this_release_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    with KnowledgeBase(path) as kb, kb.write() as conn:
        conn.execute(kbschema.schema_version.update().values(version=kbschema.SCHEMA_VERSION + 1))
    with pytest.raises(RuntimeError, match="newer than this mirkb"):
        KnowledgeBase(path)


def test_document_write_replaces_its_mentions_and_recounts_triples(kb):
    run = kb.start_run("cfg-1", "corpus", "0.1.0")
    first = write(kb, run, "doc1", [mention("doc1"), mention("doc1", start=50)])
    write(kb, run, "doc2", [mention("doc2")])
    assert first.gained == {triple_id("miR-901", "glioma", "upregulated")}
    [t] = kb.query_triples()
    assert (t["n_documents"], t["n_mentions"]) == (2, 3)

    again = write(kb, run, "doc1", [mention("doc1", effect="downregulated")], sha="sha-2")
    assert again.gained == {triple_id("miR-901", "glioma", "downregulated")}
    assert again.lost == set()  # doc2 still supports the upregulated triple
    counts = {t["effect"]: (t["n_documents"], t["n_mentions"]) for t in kb.query_triples()}
    assert counts == {"upregulated": (1, 1), "downregulated": (1, 1)}
    assert len(kb.mentions_of(["doc1"])) == 1


def test_a_crash_inside_the_document_transaction_leaves_the_old_state(kb, monkeypatch):
    run = kb.start_run("cfg-1", "corpus", "0.1.0")
    write(kb, run, "doc1", [mention("doc1")])
    before = (kb.export_rows(), kb.query_triples(), kb.document_states())

    def crash(*_args, **_kwargs):
        raise RuntimeError("simulated crash after the old mentions were deleted")

    # The old mentions are already deleted when the triple recount runs: the worst moment to fail.
    monkeypatch.setattr(kb, "_supported", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        write(kb, run, "doc1", [mention("doc1", mirna="miR-902")], sha="sha-2")
    monkeypatch.undo()
    assert (kb.export_rows(), kb.query_triples(), kb.document_states()) == before


def test_failure_marks_the_document_logs_the_error_and_drops_its_mentions(kb):
    run = kb.start_run("cfg-1", "corpus", "0.1.0")
    write(kb, run, "doc1", [mention("doc1")])
    result = kb.record_failure(run, DocumentInfo("doc1", "/corpus/doc1.txt", "sha-2"), "cfg-1", "ingest",
                               "empty file")
    assert result.lost == {triple_id("miR-901", "glioma", "upregulated")}
    assert kb.document_states()["doc1"]["status"] == "failed"
    [err] = kb.run_errors(run)
    assert (err["doc_id"], err["stage"], err["message"]) == ("doc1", "ingest", "empty file")
    assert kb.query_triples() == []


def test_first_seen_survives_a_triple_that_disappears_and_returns(kb):
    run = kb.start_run("cfg-1", "corpus", "0.1.0")
    write(kb, run, "doc1", [mention("doc1")])
    with kb.read() as conn:
        first_seen = conn.execute(select(kbschema.triples.c.first_seen)).scalar_one()
    write(kb, run, "doc1", [], sha="sha-2")
    write(kb, run, "doc1", [mention("doc1")], sha="sha-3")
    [t] = kb.query_triples()
    assert t["first_seen"] == first_seen and t["last_seen"] >= first_seen


def test_queries_bind_values_so_quotes_are_just_text(kb):
    run = kb.start_run("cfg-1", "corpus", "0.1.0")
    write(kb, run, "doc1", [mention("doc1", cancer="o'brien's tumour")])
    assert kb.query_triples(cancer="x' OR '1'='1") == []
    [t] = kb.query_triples(cancer="O'Brien's tumour")
    assert t["cancer"] == "o'brien's tumour"


def test_query_filters_and_orders_by_support(kb):
    run = kb.start_run("cfg-1", "corpus", "0.1.0")
    write(kb, run, "doc1", [mention("doc1"), mention("doc1", mirna="miR-902", effect="promotes_growth")])
    write(kb, run, "doc2", [mention("doc2")])
    assert [t["mirna"] for t in kb.query_triples()] == ["miR-901", "miR-902"]
    assert [t["effect"] for t in kb.query_triples(mirna="MIR-902")] == ["promotes_growth"]
    assert kb.query_triples(effect="promotes_growth", cancer="breast cancer") == []
    assert len(kb.query_triples(limit=1)) == 1


def test_stats_count_documents_mentions_and_triples(kb):
    run = kb.start_run("cfg-1", "corpus", "0.1.0")
    write(kb, run, "doc1", [mention("doc1"), mention("doc1", effect="prognostic_marker")])
    kb.record_failure(run, DocumentInfo("doc2", "/corpus/doc2.txt", "x"), "cfg-1", "ingest", "binary file")
    data = kb.stats()
    assert data["documents"] == {"total": 2, "ok": 1, "failed": 1}
    assert data["mentions"] == 2
    assert data["triples"]["by_effect"] == {"prognostic_marker": 1, "upregulated": 1}
    # two triples, one supporting document: documents are counted once, not summed over triples
    assert data["top_mirnas"][0] == {"name": "miR-901", "triples": 2, "document_support": 1}


def test_diff_between_runs_lists_gained_and_lost(kb):
    run1 = kb.start_run("cfg-1", "corpus", "0.1.0")
    write(kb, run1, "doc1", [mention("doc1")])
    kb.finish_run(run1, "completed", {}, None)
    run2 = kb.start_run("cfg-2", "corpus", "0.1.0")
    write(kb, run2, "doc1", [mention("doc1", mirna="miR-902")], config="cfg-2")
    kb.finish_run(run2, "completed", {}, None)
    changes = kb.diff_runs(run1, run2)
    assert [t["mirna"] for t in changes["gained"]] == ["miR-902"]
    assert [t["mirna"] for t in changes["lost"]] == ["miR-901"]
    with pytest.raises(KeyError):
        kb.diff_runs(run1, 99)


def test_v2_file_gains_identifier_and_offset_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "v2.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        kbschema.create_schema(conn, version=2)
        assert "pmid" not in {c["name"] for c in inspect(conn).get_columns("documents")}
        stamp = now()
        conn.execute(insert(kbschema.documents).values(
            doc_id="old", path="/old.txt", sha256="s", first_ingested=stamp, last_ingested=stamp, status="ok"))
        tid = triple_id("miR-901", "glioma", "upregulated")
        conn.execute(insert(kbschema.triples).values(
            triple_id=tid, mirna="miR-901", cancer="glioma", cancer_id="DOID:3070", effect="upregulated",
            n_documents=1, n_mentions=1, first_seen=stamp, last_seen=stamp))
        conn.execute(insert(kbschema.mentions).values(
            doc_id="old", triple_id=tid, run_id=1, mirna="miR-901", cancer="glioma", cancer_id="DOID:3070",
            effect="upregulated", evidence="Old invented evidence.", start=0, end=22, source="text"))
    engine.dispose()
    with KnowledgeBase(path) as kb:
        assert kb.migrated_from == 2
        [row] = kb.export_rows()
        assert row["evidence"] == "Old invented evidence." and row["pmid"] == "" and row["mirna_id"] == ""
        assert row["mirna_start"] is None
        [t] = kb.query_triples()
        assert t["evidence"][0]["passage"] == ""


def test_newer_mention_fields_are_stored_when_present_and_bad_offsets_dropped(kb):
    m = mention("doc1")
    m.mirna_id, m.mirna_status, m.passage = "MIMAT0000001", "previous", "title"
    m.mirna_span, m.cancer_span, m.cue_span = (25, 32), (5, 999), None
    run = kb.start_run("cfg-1", "corpus", "0.1.0")
    kb.write_document(run, DocumentInfo("doc1", "/d.xml", "s", "pubmed", "T", pmid="42", doi="10.1/x"), "cfg-1", [m])
    [row] = kb.export_rows()
    assert (row["mirna_id"], row["mirna_status"], row["passage"], row["pmid"], row["doi"]) == (
        "MIMAT0000001", "previous", "title", "42", "10.1/x")
    assert (row["mirna_start"], row["mirna_end"]) == (25, 32) and row["cancer_start"] is None
    [t] = kb.query_triples()
    assert t["mirna_id"] == "MIMAT0000001" and t["pmids"] == ["42"]


def test_document_info_takes_identifiers_from_a_document_that_has_them():
    class Doc:
        format, title, sha256, pmid, doi = "pubmed", "T", "s2", "123", " 10.1/y "

    info = DocumentInfo("d", "/d", "s1")
    info.update_from(Doc())
    assert (info.sha256, info.pmid, info.pmcid, info.doi) == ("s2", "123", "", "10.1/y")
