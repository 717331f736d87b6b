"""Issue 11 items 2 and 3 on a real PostgreSQL server (tests/pg_server.py, started by the test session).

Skips, saying why, only where the PostgreSQL binaries or psycopg are absent; .ci/run installs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import kb_fakes
from sqlalchemy import create_engine, text

HELPER = Path(__file__).with_name("refresh_helper.py")
ROOT = Path(__file__).resolve().parents[1]


def _query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_two_refreshes_at_once_lose_nothing(tmp_path, postgres_url):
    corpus = tmp_path / "corpus"
    expected = kb_fakes.write_corpus(corpus, 80)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HELPER.parent)]), FAKE_SLEEP="0")
    procs = [subprocess.Popen([sys.executable, str(HELPER), str(corpus), postgres_url], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-3000:]
        summary = json.loads(out.strip().splitlines()[-1])
        assert summary["status"] == "completed" and not summary["errors"], summary["errors"]

    stored = _query(postgres_url, "select doc_id, mirna, cancer, effect from mentions")
    want = sorted((d, *t) for d, triples in expected.items() for t in triples)
    assert sorted(stored) == want  # every mention once: nothing lost, nothing doubled
    counts = _query(postgres_url, "select mirna, cancer, effect, n_documents, n_mentions from triples "
                                  "where n_mentions > 0")
    by_triple: dict[tuple, int] = {}
    for _d, *t in want:
        by_triple[tuple(t)] = by_triple.get(tuple(t), 0) + 1
    assert {(m, c, e): (nd, nm) for m, c, e, nd, nm in counts} == {t: (n, n) for t, n in by_triple.items()}
    assert _query(postgres_url, "select count(*) from documents where status = 'ok'") == [(80,)]


def test_nul_is_stored_as_on_sqlite(tmp_path, postgres_url):
    from mirkb import batch

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    filler = "Background words that say nothing about any microRNA at all.\n" * 200
    (corpus / "late_nul.txt").write_text(
        "Title\n" + filler + "In glioma, miR-9 was lowered\x00 in the samples we invented.\n", encoding="utf-8")
    (corpus / "nul_title.json").write_text(json.dumps({"documents": [{"id": "1", "passages": [
        {"offset": 0, "infons": {"type": "title"}, "text": "A\u0000 title"},
        {"offset": 10, "infons": {"type": "paragraph"},
         "text": "In breast cancer, miR-21 was raised\u0000 in the samples we invented."}]}]}), encoding="utf-8")
    batch.set_extractor_factory(kb_fakes.factory)
    try:
        results = {}
        for name, kb in (("pg", postgres_url), ("sqlite", str(tmp_path / "kb.sqlite"))):
            summary = batch.refresh(corpus, kb)
            assert summary.status == "completed", summary.errors
            url = kb if "://" in kb else f"sqlite:///{kb}"
            results[name] = (_query(url, "select doc_id, title, status from documents order by doc_id"),
                             _query(url, "select doc_id, evidence from mentions order by doc_id"))
    finally:
        batch.set_extractor_factory(None)
    assert results["pg"] == results["sqlite"]
    docs, mentions = results["pg"]
    assert [status for _d, _t, status in docs] == ["ok", "ok"]
    assert all("\x00" not in e and "\ufffd" in e for _d, e in mentions) and len(mentions) == 2
