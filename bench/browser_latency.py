"""In the browser: a slider change until the updated chart is drawn, for every page (Playwright + Chromium).

    python bench/browser_latency.py                 # every page, 8 slider moves each
    python bench/browser_latency.py --pages vanishing --moves 20

For each page: focus a slider, press an arrow key (a real keyboard change, as a student would), and time until
the script has finished and the charts are drawn and stable (the last change seen, not the check that follows).
Target (issue "Speed and robustness"): ≤ 1 s.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # a script run from anywhere: make the project importable

from tests.browser_util import CHROMIUM, CHROMIUM_ARGS, IDLE, Server, chart_states, wait_idle  # noqa: E402
from ui import nav  # noqa: E402


def measure(page, url: str, moves: int) -> list[float]:
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    # sliders of the page itself: in the sidebar below the app-level settings, or in the main area
    handles = page.locator("[data-testid='stSlider'] input[type='range']")  # react-aria slider thumbs
    times = []
    for i in range(moves):
        if handles.count() == 0:
            break
        handle = handles.nth(i % handles.count())
        url_before = page.url
        handle.focus()
        started = time.perf_counter()
        handle.press("ArrowLeft" if i % 2 else "ArrowRight")
        deadline, last, settled_at = started + 15, None, None
        # done when the new value has reached the server (our controls write it into the URL), the script has
        # finished, and the charts have stopped changing (two identical looks 60 ms apart)
        while time.perf_counter() < deadline:
            page.wait_for_timeout(30)
            if page.url == url_before or not page.locator(IDLE).count():
                last = None
                continue
            now = chart_states(page)
            if now == last:
                break
            last, settled_at = now, time.perf_counter()
        if page.url == url_before:  # the slider was already at that end: nothing happened, nothing to time
            continue
        times.append((settled_at or time.perf_counter()) - started)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="")
    parser.add_argument("--moves", type=int, default=8)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    slugs = [s for s in args.pages.split(",") if s] or [p.slug for p in nav.PAGES if p.slug != "home"]
    (ROOT / "artifacts").mkdir(exist_ok=True)
    server = Server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server.url, wait_until="domcontentloaded")
            wait_idle(page)
            print("| page | slider moves | median | max |")
            print("| --- | ---: | ---: | ---: |")
            for slug in slugs:
                times = measure(page, f"{server.url}/{slug}?lang=en", args.moves)
                if times:
                    print(f"| {slug} | {len(times)} | {statistics.median(times) * 1000:.0f} ms | "
                          f"{max(times) * 1000:.0f} ms |", flush=True)
            browser.close()
    finally:
        server.close()


if __name__ == "__main__":
    main()
