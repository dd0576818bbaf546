"""The warm-up never makes a visitor wait (issue 21, item 9): on a fresh server started as the README starts it
(`python -m ui.launch`, which computes every lesson's defaults in the background for ~25 s of CPU), a page opened
right after the server answers its health check draws its charts as fast as the same page on a fresh server with
nothing to compute in the background, give or take the machine's noise. The warm-up runs at a lower priority and
waits between small steps while any page runs (runs/warm.wait_for_visitors, runs/shared.yielding)."""
from __future__ import annotations

import time

import pytest

from tests.browser_util import CHROMIUM, CHROMIUM_ARGS, IDLE, SCREENSHOTS, Server, chromium_missing

pytestmark = pytest.mark.browser
PAGE = "activations"  # warmed early (fourth), with two live panels: the warm-up is computing its neighbours
CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg"


def first_chart(browser, warm: bool) -> tuple[float, float, str]:
    """(seconds from health to opening the page, seconds from opening to its first drawn chart and idle page, the
    server's log at that moment)."""
    server = Server(env={"LAB_WARM": "1" if warm else "0"}, log=f"warmup-{'on' if warm else 'off'}.log")
    try:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{server.url}/{PAGE}?lang=en", wait_until="commit")
        opened = time.monotonic()
        page.wait_for_selector(CHART, timeout=120_000)
        page.wait_for_selector(IDLE, timeout=120_000)
        drawn = time.monotonic() - opened
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(SCREENSHOTS / f"warmup-{'on' if warm else 'off'}.png"))
        page.close()
        return opened - server.healthy_at, drawn, log
    finally:
        server.close()


def test_a_page_opened_during_the_warm_up_draws_as_fast_as_without_it():
    why = chromium_missing()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        _, usual, _ = first_chart(browser, warm=False)
        after_health, during, log = first_chart(browser, warm=True)
    finally:
        browser.close()
        pw.stop()
    assert after_health < 3.0, after_health
    assert "warm-up done" not in log, "the warm-up had finished when the page drew: nothing was tested"
    assert "warm-up: paused while a page runs" in log  # it gave way to the visitor's page
    # the usual budget: the same first visit with nothing in the background, with room for a loaded machine (the
    # browser shares it with the server here; a student's browser does not)
    assert during <= 2 * usual + 2, f"{during:.1f} s during the warm-up, {usual:.1f} s without it"
