"""``mirkb fetch`` against a local server replaying hand-written answers in the services' formats.

Nothing here touches the internet: the client is pointed at pytest-httpserver on 127.0.0.1, and
its waits are recorded instead of slept.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from werkzeug import Response

from mirkb.fetch import FetchError, FetchSettings, FetchState, fetch

TODAY = dt.date(2026, 12, 1)


def jats(title: str, sentence: str) -> bytes:
    """An invented JATS article."""
    return (f'<?xml version="1.0"?><article><front><article-meta><title-group><article-title>{title}'
            f"</article-title></title-group></article-meta></front><body><sec><title>Results</title>"
            f"<p>{sentence}</p></sec></body></article>").encode()


def hit(pmcid: str, title: str = "An invented article", year: str = "2026") -> dict:
    return {"id": pmcid, "source": "PMC", "pmcid": pmcid, "pmid": pmcid.replace("PMC", "9"), "title": title,
            "doi": f"10.9999/{pmcid.lower()}", "pubYear": year, "license": "cc by",
            "journalInfo": {"journal": {"title": "Journal of Invented Results"}}}


def page(results: list[dict], cursor: str, next_cursor: str) -> Response:
    body = {"version": "6.9", "hitCount": 3, "nextCursorMark": next_cursor, "request": {"cursorMark": cursor},
            "resultList": {"result": results}}
    return Response(json.dumps(body), content_type="application/json")


class EuropePMCReplay:
    """Search pages chained by cursor, and full texts; records what was asked."""

    def __init__(self, pages: dict[str, tuple[list[dict], str]], texts: dict[str, bytes]):
        self.pages, self.texts = pages, texts
        self.searches: list[dict] = []
        self.fulltexts: list[str] = []
        self.fail_search: dict[str, list[int]] = {}  # cursor -> statuses to answer first

    def install(self, server) -> None:
        server.expect_request("/rest/search").respond_with_handler(self.search)
        for pmcid in self.texts:
            server.expect_request(f"/rest/{pmcid}/fullTextXML").respond_with_handler(self.fulltext(pmcid))

    def search(self, request) -> Response:
        args = dict(request.args)
        self.searches.append(args)
        cursor = args.get("cursorMark", "")
        queue = self.fail_search.get(cursor)
        if queue:
            status = queue.pop(0)
            if status == 0:  # a truncated page: half a JSON document
                return Response('{"resultList": {"result": [', content_type="application/json")
            return Response("busy", status=status, headers={"Retry-After": "7"} if status == 429 else {})
        results, nxt = self.pages.get(cursor, ([], cursor))
        return page(results, cursor, nxt)

    def fulltext(self, pmcid: str):
        def answer(_request) -> Response:
            self.fulltexts.append(pmcid)
            return Response(self.texts[pmcid], content_type="application/xml")
        return answer


@pytest.fixture
def waits():
    return []


@pytest.fixture
def settings(httpserver):
    return FetchSettings(rate=0, retries=3, backoff=0.5, timeout=5, page_size=2,
                         europepmc_url=httpserver.url_for("/rest"), eutils_url=httpserver.url_for("/eutils"))


def three_papers() -> EuropePMCReplay:
    return EuropePMCReplay(
        pages={"*": ([hit("PMC101"), hit("PMC102")], "AoE1"), "AoE1": ([hit("PMC103")], "AoE2"),
               "AoE2": ([], "AoE2")},
        texts={f"PMC10{i}": jats(f"Invented paper {i}", "Serum miR-21 levels were higher in patients with "
                                  "gastric cancer than in healthy controls.") for i in (1, 2, 3)})


def run_fetch(tmp_path, settings, waits, **kw):
    return fetch("microRNA AND cancer", tmp_path / "corpus", tmp_path / "kb.sqlite", settings=settings,
                 today=kw.pop("today", TODAY), sleep=waits.append, **kw)


def test_pages_are_followed_by_cursor_until_the_cursor_is_echoed(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.install(httpserver)
    summary = run_fetch(tmp_path, settings, waits)
    assert summary.new == ["PMC101", "PMC102", "PMC103"]
    assert [s["cursorMark"] for s in replay.searches] == ["*", "AoE1", "AoE2"]
    assert "OPEN_ACCESS:y" in replay.searches[0]["query"]
    assert sorted(p.name for p in (tmp_path / "corpus").glob("*.xml")) == ["PMC101.xml", "PMC102.xml", "PMC103.xml"]
    with (tmp_path / "corpus" / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["doc_id"]: r for r in csv.DictReader(fh)}
    assert rows["PMC102"]["doi"] == "10.9999/pmc102" and rows["PMC102"]["licence"] == "cc by"
    assert rows["PMC102"]["journal"] == "Journal of Invented Results" and rows["PMC102"]["version"] == "1"


def test_second_fetch_asks_only_from_the_last_date_and_gets_nothing_new(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.install(httpserver)
    run_fetch(tmp_path, settings, waits, today=TODAY)
    replay.searches.clear()
    again = run_fetch(tmp_path, settings, waits, today=TODAY + dt.timedelta(days=10))
    assert again.new == [] and again.known == 3 and "nothing new" in again.text()
    assert "FIRST_PDATE:[2026-11-30 TO 2026-12-11]" in replay.searches[0]["query"]
    assert replay.fulltexts.count("PMC101") == 1  # never downloaded twice


def test_since_overrides_the_remembered_date(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.install(httpserver)
    run_fetch(tmp_path, settings, waits, since=dt.date(2026, 1, 15))
    assert "FIRST_PDATE:[2026-01-15 TO 2026-12-01]" in replay.searches[0]["query"]


def test_a_paper_listed_twice_is_fetched_once(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.pages["AoE1"] = ([hit("PMC101"), hit("PMC103")], "AoE2")
    replay.install(httpserver)
    summary = run_fetch(tmp_path, settings, waits)
    assert summary.new == ["PMC101", "PMC102", "PMC103"] and summary.known == 1
    assert replay.fulltexts.count("PMC101") == 1


def test_429_and_500_are_retried_with_backoff_and_retry_after(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.fail_search = {"*": [429, 500]}
    replay.install(httpserver)
    summary = run_fetch(tmp_path, settings, waits)
    assert summary.new == ["PMC101", "PMC102", "PMC103"]
    assert waits[0] == 7.0  # Retry-After wins over the computed backoff
    assert 1.0 <= waits[1] <= 1.25  # backoff 0.5 s doubled on the second retry, with at most 25 % jitter


def test_a_truncated_search_page_is_retried(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.fail_search = {"AoE1": [0]}
    replay.install(httpserver)
    assert run_fetch(tmp_path, settings, waits).new == ["PMC101", "PMC102", "PMC103"]


def test_user_agent_names_the_tool(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.install(httpserver)
    run_fetch(tmp_path, settings, waits)
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("mirkb/")


def test_a_crashed_fetch_resumes_from_the_page_it_reached(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.fail_search = {"AoE1": [503, 503, 503, 503]}  # more failures than retries
    replay.install(httpserver)
    with pytest.raises(FetchError, match="resumes"):
        run_fetch(tmp_path, settings, waits)
    state = FetchState(tmp_path / "kb.sqlite").query_state("europepmc", "microRNA AND cancer")
    assert state["status"] == "running" and state["position"] == "AoE1"
    replay.searches.clear()
    summary = run_fetch(tmp_path, settings, waits, today=TODAY + dt.timedelta(days=3))
    assert summary.resumed and summary.new == ["PMC103"]
    assert replay.searches[0]["cursorMark"] == "AoE1"
    assert "TO 2026-12-01]" in replay.searches[0]["query"]  # the interrupted fetch's own date range
    assert FetchState(tmp_path / "kb.sqlite").query_state("europepmc", "microRNA AND cancer")["status"] == "idle"


def test_a_bad_payload_is_a_per_paper_error_and_the_others_go_on(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.texts["PMC102"] = b"<article><body><p>cut off in the midd"
    replay.install(httpserver)
    summary = run_fetch(tmp_path, settings, waits)
    assert summary.new == ["PMC101", "PMC103"]
    assert "PMC102" in summary.failed and "not well-formed" in summary.failed["PMC102"]
    assert not (tmp_path / "corpus" / "PMC102.xml").exists()
    # the failed paper is asked for again next time
    replay.texts["PMC102"] = jats("Invented paper 2", "Nothing about microRNAs here.")
    again = run_fetch(tmp_path, settings, waits, since=dt.date(2026, 1, 1))
    assert again.new == ["PMC102"]


def test_max_stops_and_the_next_fetch_goes_on(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.install(httpserver)
    first = run_fetch(tmp_path, settings, waits, max_papers=1)
    assert first.new == ["PMC101"] and not first.complete
    second = run_fetch(tmp_path, settings, waits)
    assert second.new == ["PMC102", "PMC103"] and second.complete


def test_a_changed_paper_is_kept_as_a_new_version(httpserver, tmp_path, settings, waits):
    replay = three_papers()
    replay.install(httpserver)
    run_fetch(tmp_path, settings, waits)
    original = (tmp_path / "corpus" / "PMC101.xml").read_bytes()
    replay.texts["PMC101"] = jats("Invented paper 1, corrected", "A corrected sentence.")
    # a fresh knowledge base does not know the paper, so it is fetched again over the same corpus
    summary = fetch("microRNA AND cancer", tmp_path / "corpus", tmp_path / "other.sqlite", settings=settings,
                    today=TODAY, sleep=waits.append)
    assert summary.updated == ["PMC101"]
    assert (tmp_path / "corpus" / ".mirkb-versions" / "PMC101.v1.xml").read_bytes() == original
    with (tmp_path / "corpus" / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        assert {r["doc_id"]: r["version"] for r in csv.DictReader(fh)}["PMC101"] == "2"


PUBMED_SET = b"""<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID Version="1">90001</PMID><Article><Journal><JournalIssue><PubDate>
<Year>2026</Year></PubDate></JournalIssue><Title>Invented Oncology</Title></Journal>
<ArticleTitle>An invented abstract</ArticleTitle><Abstract><AbstractText>Plasma miR-155 was elevated in
patients with breast cancer.</AbstractText></Abstract></Article></MedlineCitation><PubmedData><ArticleIdList>
<ArticleId IdType="pubmed">90001</ArticleId><ArticleId IdType="doi">10.9999/inv.1</ArticleId></ArticleIdList>
</PubmedData></PubmedArticle>
<PubmedArticle><MedlineCitation><PMID Version="1">90002</PMID><Article><Journal><JournalIssue><PubDate>
<Year>2025</Year></PubDate></JournalIssue><Title>Invented Oncology</Title></Journal>
<ArticleTitle>Another invented abstract</ArticleTitle></Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>"""


def test_pubmed_abstracts_come_one_file_per_article(httpserver, tmp_path, settings, waits):
    asked = []

    def esearch(request):
        asked.append(dict(request.args))
        start = int(request.args["retstart"])
        ids = ["90001", "90002"] if start == 0 else []
        return Response(json.dumps({"header": {"type": "esearch"}, "esearchresult": {
            "count": "2", "retmax": "2", "retstart": str(start), "idlist": ids}}), content_type="application/json")

    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch)
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_data(PUBMED_SET, content_type="text/xml")
    summary = run_fetch(tmp_path, settings, waits, source="pubmed")
    assert summary.new == ["PMID90001", "PMID90002"]
    assert asked[0]["datetype"] == "edat" and asked[0]["maxdate"] == "2026/12/01" and asked[0]["tool"] == "mirkb"
    from lxml import etree

    one = etree.fromstring((tmp_path / "corpus" / "PMID90001.xml").read_bytes())
    assert one.tag == "PubmedArticleSet" and len(one) == 1 and one.findtext(".//PMID") == "90001"
    with (tmp_path / "corpus" / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["doc_id"]: r for r in csv.DictReader(fh)}
    assert rows["PMID90001"]["doi"] == "10.9999/inv.1" and rows["PMID90001"]["year"] == "2026"


def test_fetched_papers_reach_the_knowledge_base_on_the_next_run(httpserver, tmp_path, settings, waits,
                                                                 monkeypatch, capsys):
    from mirkb.cli import main

    replay = three_papers()
    replay.install(httpserver)
    monkeypatch.setenv("MIRKB_EUROPEPMC_URL", httpserver.url_for("/rest"))
    corpus, kb = tmp_path / "corpus", tmp_path / "kb.sqlite"
    args = ["fetch", "--query", "microRNA AND cancer", "--corpus", str(corpus), "--kb", str(kb), "--rate", "1000"]
    assert main(args) == 0
    assert "3 new" in capsys.readouterr().out
    assert main(["run", "--no-prefect", "--corpus", str(corpus), "--kb", str(kb)]) == 0
    assert "3 added" in capsys.readouterr().out
    exported = tmp_path / "kb.csv"
    assert main(["kb", "export", "--kb", str(kb), "--out", str(exported)]) == 0
    with exported.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["doc_id"], r["mirna"], r["cancer"], r["effect"]) for r in rows} == {
        (f"PMC10{i}", "miR-21", "gastric cancer", "upregulated") for i in (1, 2, 3)}
    assert main(args) == 0
    assert "nothing new" in capsys.readouterr().out


def test_run_fetch_chains_the_fetch_and_the_refresh_without_prefect(httpserver, tmp_path, monkeypatch, capsys):
    from mirkb.cli import main

    replay = three_papers()
    replay.install(httpserver)
    monkeypatch.setenv("MIRKB_EUROPEPMC_URL", httpserver.url_for("/rest"))
    corpus, kb = tmp_path / "new-corpus", tmp_path / "kb.sqlite"
    status = main(["run", "--no-prefect", "--fetch", "microRNA AND cancer", "--rate", "1000", "--corpus", str(corpus),
                   "--kb", str(kb), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert status == 0
    assert summary["fetch"]["new"] == ["PMC101", "PMC102", "PMC103"]
    assert summary["triples_added"] >= 1
    # versions of changed papers live in a hidden folder, which the corpus walker does not read
    (corpus / ".mirkb-versions").mkdir()
    (corpus / ".mirkb-versions" / "PMC101.v1.xml").write_bytes(jats("Old", "An old sentence."))
    assert main(["run", "--no-prefect", "--corpus", str(corpus), "--kb", str(kb)]) == 0
    assert "no changes" in capsys.readouterr().out


@pytest.mark.prefect
def test_fetch_refresh_flow_fetches_then_refreshes(prefect_harness, httpserver, tmp_path, monkeypatch):
    from flows.fetch import fetch_refresh_flow

    replay = three_papers()
    replay.install(httpserver)
    monkeypatch.setenv("MIRKB_EUROPEPMC_URL", httpserver.url_for("/rest"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    summary = fetch_refresh_flow("microRNA AND cancer", str(corpus), str(tmp_path / "kb.sqlite"), rate=1000.0)
    assert summary["fetch"]["new"] == ["PMC101", "PMC102", "PMC103"]
    assert summary["status"] == "completed" and summary["triples_added"] >= 1


def test_an_article_is_kept_once_the_full_text_winning_over_its_abstract(httpserver, tmp_path, settings, waits):
    def esearch(request):
        ids = ["9101"] if request.args["retstart"] == "0" else []
        return Response(json.dumps({"esearchresult": {"count": "1", "idlist": ids}}), content_type="application/json")

    abstract = PUBMED_SET.replace(b"90001", b"9101")
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch)
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_data(abstract, content_type="text/xml")
    replay = three_papers()  # PMC101 carries PMID 9101
    replay.install(httpserver)
    corpus = tmp_path / "corpus"
    assert run_fetch(tmp_path, settings, waits, source="pubmed").new == ["PMID9101"]
    full = run_fetch(tmp_path, settings, waits)
    assert full.superseded == ["PMID9101"] and "PMC101" in full.new
    assert not (corpus / "PMID9101.xml").exists()
    assert (corpus / ".mirkb-versions" / "PMID9101.superseded.xml").exists()
    with (corpus / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        assert "PMID9101" not in {r["doc_id"] for r in csv.DictReader(fh)}
    # asking PubMed again does not bring the abstract back beside its full text
    again = run_fetch(tmp_path, settings, waits, source="pubmed", since=dt.date(2026, 1, 1))
    assert again.new == [] and again.known == 1
