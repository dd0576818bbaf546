"""Chart refreshes per second of a lone student's live run, and blank samples, in real Chromium, per live page.

    python bench/live_refresh.py                         # every page with a live run, on a server started here
    python bench/live_refresh.py --pages dropout,playground --runs 2
    python bench/live_refresh.py --root /path/to/another/checkout   # the same measurement of other code (before/after)
    python bench/live_refresh.py --url http://127.0.0.1:8501        # a running server
    python bench/live_refresh.py --pages playground --scrub 30      # also the step slider's latency, 30 moves

For each page: open it, wait until it is idle, press the first live panel's Train, and until the run has played to
its end count (1) the chart refreshes: the times the panel's first chart shows a new picture (Plotly's data object of
that chart changed, sampled every animation frame: a new frame drawn in place, or a chart element mounted again),
per second from the click to the end, and per second of playing (from the first new picture to the last); (2) the samples, every 50 ms, in which a chart of the page was
not drawn (tests/test_blink_browser.py asserts none). With --scrub N, after the run: N moves of the panel's step
slider with the keyboard (one step back each, 0.7 s apart), each timed in the page from the key press to the first
live chart showing the new step (issue 26: p95 <= 200 ms). Numbers only mean something on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_blink_browser import FINISHED, PLAYING, READ, SAMPLER, TRAIN  # noqa: E402

COUNTER = r"""
() => {
  const state = {changes: 0, last: null, times: [], stop: false};
  const first = () => {
    const bar = document.querySelector("[data-testid='stProgress']");
    const charts = Array.from(document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot"));
    // the first chart after the first live panel's progress bar
    return charts.find((c) => bar && (bar.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING));
  };
  const tick = () => {
    if (state.stop) return;
    const gd = first();
    if (gd && gd._fullData && gd._fullData !== state.last) {
      state.last = gd._fullData;
      state.changes += 1;
      state.times.push(performance.now());
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__refresh = state;
}
"""


SCRUB_TIMER = """() => {
  window.__lat = [];
  const input = document.querySelector("[class*='-at'] input[type=range]");
  const chart = document.querySelector('.dnn-live');
  input.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true);
  new MutationObserver(() => {
    if (window.__t0) { window.__lat.push(performance.now() - window.__t0); window.__t0 = 0; }
  }).observe(chart, {attributes: true, attributeFilter: ['data-step']});
}"""


def scrub(page, moves: int) -> list[float]:
    """Milliseconds from each key press on the step slider to the first live chart showing the step."""
    page.evaluate(SCRUB_TIMER)
    page.locator("[class*='-at'] input[type=range]").first.focus()
    for _ in range(moves):
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(700)
    return page.evaluate("window.__lat")


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")


def live_pages(root: Path) -> list[str]:
    from ui import nav

    return [p.slug for p in nav.PAGES if "live.panel(" in (root / p.path).read_text()]


def measure(page, url: str, slug: str, moves: int = 0) -> dict:
    page.goto(f"{url}/{slug}?lang=en", wait_until="domcontentloaded")
    page.wait_for_selector(TRAIN, timeout=180_000)
    from tests.browser_util import wait_idle

    wait_idle(page, 180_000)
    page.wait_for_timeout(800)
    page.evaluate(SAMPLER)
    page.evaluate(COUNTER)
    clicked = time.perf_counter()
    page.locator(TRAIN).first.click()
    page.wait_for_function(PLAYING, timeout=30_000)
    page.wait_for_function(FINISHED, timeout=300_000, polling=50)
    seconds = time.perf_counter() - clicked
    times = page.evaluate("() => { __refresh.stop = true; return __refresh.times; }")[1:]  # [0]: the page as opened
    blink = page.evaluate(READ)
    wait_idle(page)
    lat = scrub(page, moves) if moves else []
    playing = times[-1] - times[0] if len(times) > 1 else 0.0  # ms from the first new picture to the last
    return {"page": slug, "seconds": seconds, "refreshes": len(times), "per_s": len(times) / seconds,
            "playing_s": playing / 1000, "per_s_playing": (len(times) - 1) / (playing / 1000) if playing else 0.0,
            "samples": blink["samples"], "blank": len(blink["blank"]), "removed": len(blink["removed"]),
            "scrub_ms": lat, "scrub_p50": pct(lat, 50), "scrub_p95": pct(lat, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="", help="comma-separated slugs (default: every page with a live run)")
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose server to start (default: this one)")
    parser.add_argument("--url", default="", help="a running server instead of starting one")
    parser.add_argument("--runs", type=int, default=1, help="runs per page (default 1)")
    parser.add_argument("--scrub", type=int, default=0, metavar="N", help="then N moves of the step slider, timed")
    parser.add_argument("--json", default="", help="write the rows to this file")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    pages = [p for p in args.pages.split(",") if p] or live_pages(ROOT)

    from playwright.sync_api import sync_playwright

    from tests import browser_util

    server = None
    if args.url:
        url = args.url.rstrip("/")
    else:
        browser_util.ROOT = root  # the server starts in that checkout
        (root / "artifacts").mkdir(exist_ok=True)
        server = browser_util.Server()
        url = server.url
    rows = []
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=browser_util.CHROMIUM, args=browser_util.CHROMIUM_ARGS, headless=True)
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        print(f"server {url} ({root}); {', '.join(pages)}")
        print(f"{'page':<15} {'run s':>6} {'refreshes':>9} {'per s':>6} {'playing s':>9} {'per s':>6} {'samples':>7} "
              f"{'blank':>5} {'removed':>7}")
        for slug in pages:
            for _ in range(args.runs):
                page = context.new_page()
                try:
                    row = measure(page, url, slug, args.scrub)
                except Exception as exc:  # noqa: BLE001 - a page that fails is reported, the others still run
                    print(f"{slug:<15} failed: {type(exc).__name__}: {str(exc)[:160]}")
                    continue
                finally:
                    page.close()
                rows.append(row)
                print(f"{slug:<15} {row['seconds']:>6.1f} {row['refreshes']:>9} {row['per_s']:>6.1f} "
                      f"{row['playing_s']:>9.1f} {row['per_s_playing']:>6.1f} {row['samples']:>7} {row['blank']:>5} "
                      f"{row['removed']:>7}" + (f"   scrub p50 {row['scrub_p50']:.0f} ms, p95 {row['scrub_p95']:.0f} ms "
                                                f"({len(row['scrub_ms'])} moves)" if args.scrub else ""), flush=True)
    finally:
        browser.close()
        pw.stop()
        if server is not None:
            server.close()
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
