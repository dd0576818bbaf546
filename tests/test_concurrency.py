"""Many students opening the lab at the same moment on a freshly started server: no session may see an error.

Uses the websocket client of bench/load.py against a real `streamlit run` server (a fresh one for this test, so
the sessions race through the first imports together, which is where a half-imported module once broke pages).
"""
import asyncio

import pytest

from bench.wsclient import Session
from tests.browser_util import ROOT, Server
from ui import nav

pytestmark = pytest.mark.browser  # a real server; no browser needed, but it belongs with the end-to-end tests


async def _crowd(url, pages):
    sessions = [Session(url, page) for page in pages]
    await asyncio.gather(*(s.connect() for s in sessions))
    await asyncio.gather(*(s.rerun() for s in sessions))
    await asyncio.gather(*(s.close() for s in sessions))
    return {s.page: s.exceptions for s in sessions if s.exceptions}


def test_simultaneous_first_visits_on_a_fresh_server():
    (ROOT / "artifacts").mkdir(exist_ok=True)
    pages = [p.slug for p in nav.PAGES if p.slug != "home"]
    server = Server()
    try:
        assert asyncio.run(_crowd(server.url, pages)) == {}
    finally:
        server.close()
