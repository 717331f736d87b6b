"""The evidence report in a real headless browser: Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it starts /usr/bin/chromium (installed by .ci/run)
with the flags that keep it off the network, on a fresh profile. The pages are opened from disk
(file://), as a curator would open them, and every request the pages make is recorded: none
may leave the folder.
"""

from __future__ import annotations

import shutil
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser_page():
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS, viewport={"width": 1100, "height": 700})
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        yield page, requests
        context.close()


def test_index_loads_filters_and_links_to_highlighted_evidence(report_site, browser_page):
    page, requests = browser_page
    page.goto((report_site.site / "index.html").as_uri())
    rows = page.locator("#triples tbody tr")
    total = rows.count()
    assert total >= 4
    assert page.inner_text("#count") == f"{total} of {total} triples"

    page.fill("#q", "glioma")
    visible = page.locator("#triples tbody tr:visible")
    assert 0 < visible.count() < total
    assert all("glioma" in visible.nth(i).inner_text() for i in range(visible.count()))
    assert page.inner_text("#count") == f"{visible.count()} of {total} triples"

    page.select_option("#effect", "upregulated")
    assert page.locator("#triples tbody tr:visible").count() == 1

    page.fill("#q", "")
    page.select_option("#effect", "")
    page.select_option("#verdict", "FP")
    fps = page.locator("#triples tbody tr:visible")
    assert 0 < fps.count() < total
    page.select_option("#verdict", "")

    # sorting by miRNA puts the rows in order, and clicking again reverses it
    page.click("#triples th:first-child")
    names = page.locator("#triples tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.lower) or names == sorted(names)

    page.fill("#q", "gastric")
    page.click("#triples tbody tr:visible a")
    page.wait_for_load_state()
    assert "miR-34a" in page.title()
    evidence = page.locator("#evidence .ev").first
    text = evidence.inner_text()
    assert "Overexpression of" in text
    # displaCy draws each highlighted span with its label beneath it
    for label in ("miRNA", "cancer", "cue"):
        assert evidence.locator(f"span:text-is('{label}')").count() >= 1, label
    assert evidence.locator("span[style*='font-weight: bold']", has_text="miR-34a").count() == 1

    page.goto((report_site.site / "evaluation.html").as_uri())
    assert page.locator("#chart").evaluate("img => img.naturalWidth") > 100
    for kind in ("TP", "FP", "FN"):
        assert page.locator(f"#col-{kind}").is_visible()
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
