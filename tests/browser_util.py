"""A real `streamlit run` server and headless Debian Chromium driven by Playwright."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def chromium_missing() -> str | None:
    """Why the browser tests can't run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium fonts-noto-cjk`"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: `pip install -r requirements-dev.txt`"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The lab's server (`python -m ui.launch`, i.e. `streamlit run app.py` with the process settings and guards
    installed first) on a free localhost port, stopped on close()."""

    def __init__(self, env: dict | None = None, log: str = "streamlit-server.log"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ROOT / "artifacts" / log
        self.log = open(self.log_path, "w") if (ROOT / "artifacts").exists() else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ui.launch", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})})
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok":
                    self.healthy_at = time.monotonic()
                    return
            except OSError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError("streamlit did not become healthy within 60 s")

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script has finished and the DOM has settled."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(400)  # let the client apply the last deltas
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def chart_states(page) -> list[str]:
    """One fingerprint per Plotly chart on the page: the drawn SVG (empty when the chart did not draw), and for a live
    chart (ui/livechart.js: redrawn in place) how many pictures it has drawn, since a replay that reached its end
    again shows the same SVG it started from (the race replays its 30 steps in 3 s)."""
    return page.eval_on_selector_all(
        "[data-testid='stPlotlyChart']",
        "els => els.map(e => { const s = e.querySelector('.js-plotly-plot .main-svg');"
        " return s ? (e.dataset.drawn === undefined ? '' : 'drawn ' + e.dataset.drawn + ' ') + s.innerHTML : ''; })")


def wait_charts_drawn(page, timeout_ms: int = 20_000) -> None:
    """Wait until every Plotly chart on the page has drawn (or a live chart reported an error). An idle script is
    not yet a drawn page: a live chart (ui/livechart.js) draws once Plotly's module has loaded, which on a page
    with no st.plotly_chart of its own is an import the browser makes after the script ended (seconds on a busy
    machine). A chart that never draws is left for the caller's assertion to report."""
    try:
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll(\"[data-testid='stPlotlyChart']\")).every(e =>"
            " e.querySelector('.js-plotly-plot .main-svg') || e.querySelector('.dnn-live[data-error]'))",
            timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: the assertion that follows says what is missing
        pass


def chart_errors(page) -> list[str]:
    """What the live charts that failed to draw reported (ui/livechart.js writes it in data-error)."""
    return page.eval_on_selector_all(".dnn-live[data-error]", "els => els.map(e => e.dataset.error)")


def full_screenshot(page, path: str, max_height: int = 7000) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its main container, so grow the viewport to fit it."""
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]'))"
        ".map(e => e.scrollHeight), 800)")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 80, max_height)})
    page.wait_for_timeout(600)  # charts re-layout to the new size
    page.screenshot(path=path)
    page.set_viewport_size(size)


@contextlib.contextmanager
def served_browser(viewport=(1400, 1000)):
    """A fresh lab server and a Chromium context on it -> (server, context); skips the test when Chromium is missing."""
    import pytest

    why = chromium_missing()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    (ROOT / "artifacts").mkdir(exist_ok=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    server = Server()
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        yield server, context
    finally:
        context.close()
        browser.close()
        pw.stop()
        server.close()

