"""Streamlit's error box under the lab's configuration (.streamlit/config.toml), in Chromium: an exception that
reaches a page (none should: the pages refuse bad input with messages) shows a generic sentence, and no link to a
third party ("Ask Google", "Ask ChatGPT": Streamlit 1.67 offers them on localhost and 127.0.0.1 by default)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser_util import CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS, chromium_missing, free_port, wait_idle

# A script that fails, run with the project's configuration (Streamlit reads .streamlit/config.toml from the working
# directory, ROOT; the script's own folder has none).
FAILING = '''
import streamlit as st

st.title("A page that fails")
raise ValueError("a bug that reached the page: https://evil.example")
'''


@pytest.mark.browser
def test_the_error_box_offers_no_third_party_link_and_no_details(tmp_path):
    why = chromium_missing()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    script = tmp_path / "failing.py"
    script.write_text(FAILING, encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}  # conftest asks for full details
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        for host in ("127.0.0.1", "localhost"):  # the two hosts where Streamlit's default shows the links
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"http://{host}:{port}/", wait_until="domcontentloaded")
            wait_idle(page)
            boxes = page.locator("[data-testid='stException']")
            assert boxes.count() == 1, boxes.count()
            text = boxes.first.inner_text()
            assert "Ask Google" not in text and "ChatGPT" not in text, text
            assert "This app has encountered an error" in text  # the generic sentence (showErrorDetails none)
            assert "evil.example" not in text and "ValueError" not in text, text
            links = page.eval_on_selector_all("[data-testid='stException'] a", "els => els.map(e => e.href)")
            assert links == [], links
            outside = page.eval_on_selector_all(
                "a[href]", "els => els.map(e => e.href).filter(h => !h.startsWith(location.origin))")
            assert outside == [], outside
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"error-box-{host}.png"))
            page.close()
    finally:
        browser.close()
        pw.stop()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
