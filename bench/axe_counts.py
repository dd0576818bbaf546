"""axe-core's WCAG 2.2 A/AA violations on every page view (15 pages x 2 languages), counted by rule, and again on a
page with a live run in progress. Printed, not asserted (tests/test_a11y.py asserts 0 serious or critical).

    python bench/axe_counts.py                 # every page, both languages
    python bench/axe_counts.py --pages vanishing playground --langs ko
    python bench/axe_counts.py --json out.json # also the violations themselves (rule, nodes), to compare versions
    python bench/axe_counts.py --root /path/to/another/checkout   # the same count of other code (before/after)

Needs Chromium and axe-core (`npm ci --prefix tests/axe`). About 3-5 minutes on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.a11y_util import AXE_JS, BEST_PRACTICE, WCAG_TAGS, axe_missing, count_by_rule, run_axe  # noqa: E402
from tests.browser_util import CHROMIUM, CHROMIUM_ARGS, Server, wait_idle  # noqa: E402
from ui import nav  # noqa: E402

# every chart element has its Plotly plot drawn (a page with no chart passes at once)
CHARTS_DRAWN = ("() => document.querySelectorAll('[data-testid=stPlotlyChart]').length == "
                "document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot').length")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", default=[p.slug for p in nav.PAGES])
    parser.add_argument("--langs", nargs="*", default=["en", "ko"])
    parser.add_argument("--live", default="vanishing", help="the page whose live run is checked while it plays")
    parser.add_argument("--json", help="write every violation here")
    parser.add_argument("--root", default="", help="start the server of this checkout instead of this one")
    args = parser.parse_args()
    why = axe_missing()
    if why:
        sys.exit(why)
    from playwright.sync_api import sync_playwright

    if args.root:
        from tests import browser_util

        browser_util.ROOT = Path(args.root).resolve()  # the server starts in that checkout
    from tests import browser_util as bu

    (bu.ROOT / "artifacts").mkdir(exist_ok=True)
    server = Server()
    views: dict[str, list[dict]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            started = time.time()
            for lang in args.langs:
                for slug in args.pages:
                    page.goto(f"{server.url}/{'' if slug == 'home' else slug}?lang={lang}",
                              wait_until="domcontentloaded")
                    wait_idle(page)
                    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
                    page.wait_for_timeout(500)
                    views[f"{slug}-{lang}"] = run_axe(page, WCAG_TAGS + BEST_PRACTICE)
                    print(f"{slug}-{lang}: {sum(len(v['nodes']) for v in views[f'{slug}-{lang}'])} nodes",
                          file=sys.stderr)
            if args.live:
                page.goto(f"{server.url}/{args.live}?lang=en", wait_until="domcontentloaded")
                wait_idle(page)
                train = page.locator("[class*='st-key-'][class*='-train'] button").first
                if train.count():
                    train.click()
                    page.wait_for_timeout(800)
                    views[f"{args.live}-en-live"] = run_axe(page, WCAG_TAGS + BEST_PRACTICE)
            print(f"{len(views)} page views in {time.time() - started:.0f} s (axe-core {AXE_JS.parent.name})",
                  file=sys.stderr)
            browser.close()
    finally:
        server.close()
    counts = count_by_rule(views)
    wcag = {v["id"]: v["wcag"] for vs in views.values() for v in vs}
    print(f"{'rule':28} {'kind':14} {'impact':10} {'views':>6} {'nodes':>6}")
    for (rule, impact), (n_views, n_nodes) in sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[0])):
        kind = "WCAG A/AA" if wcag[rule] else "best practice"
        print(f"{rule:28} {kind:14} {impact:10} {n_views:6} {n_nodes:6}")
    if args.json:
        Path(args.json).write_text(json.dumps(views, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
