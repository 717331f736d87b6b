"""Screenshot of an evidence report page for the README (docs/report.png).

    python scripts/report_screenshot.py SITE_DIR OUT.png [--page evaluation.html] [--selector .cols]

Uses Debian's Chromium through Playwright, offline, on a fresh profile (as the browser test does).
The README's picture is taken of a site built from invented documents, never of the shared papers.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--page", default="evaluation.html")
    parser.add_argument("--selector", default="", help="CSS selector of the part to capture (default: viewport)")
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--height", type=int, default=560)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path="/usr/bin/chromium", headless=True, args=FLAGS,
            viewport={"width": args.width, "height": args.height})
        page = context.new_page()
        page.goto((args.site.resolve() / args.page).as_uri())
        if args.selector:
            page.locator(args.selector).screenshot(path=str(args.out))
        else:
            page.screenshot(path=str(args.out))
        context.close()


if __name__ == "__main__":
    main()
