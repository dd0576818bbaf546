"""Many students opening the lab at the same moment on a freshly started server: no session may see an error.
And the class benchmark's client (bench/classroom.py) speaks the browser's protocol: a malformed widget value would
crash the script inside Streamlit and make every figure of that benchmark wrong.

Uses the websocket client of bench/load.py against a real `streamlit run` server (a fresh one for this test, so
the sessions race through the first imports together, which is where a half-imported module once broke pages).
"""
import asyncio
import random
import time

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


async def _every_control_once(url, page):
    """One session moves each control of the page once, as the browser sends it; returns what went wrong."""
    from bench.classroom import controls_of
    from bench.wsclient import random_change

    rng, problems, kinds = random.Random(0), [], set()
    session = Session(url, page)
    await session.connect()
    await session.rerun()
    for key in [key for key, *_ in controls_of(session)]:
        found = [c for c in controls_of(session) if c[0] == key]
        if not found:  # an earlier move took it away (e.g. an optimizer's settings)
            continue
        _, kind, element_kind, proto = found[0]
        change = random_change(element_kind, proto, session.states.get(proto.id), rng)
        if change is None:
            continue
        await session.interact(change, timeout=120)
        kinds.add(kind)
        problems += [f"{key} ({kind}): {m[:200]}" for m in session.exceptions]
        session.exceptions.clear()
    await session.close()
    return problems, kinds


async def _train_together(url, page, n, seconds):
    from bench.classroom import student_train, train_keys

    sessions = [Session(url, page) for _ in range(n)]
    await asyncio.gather(*(s.connect() for s in sessions))
    await asyncio.gather(*(s.rerun() for s in sessions))
    assert all(train_keys(s) for s in sessions)
    record = {"errors": []}
    start = time.perf_counter()
    students = await asyncio.gather(*(student_train(s, start, seconds, 120, record) for s in sessions))
    await asyncio.gather(*(s.close() for s in sessions))
    return students, record["errors"]


def test_class_bench_speaks_the_browsers_protocol():
    """bench/classroom.py's client: every kind of control, as the browser sends it since Streamlit 1.50, and Train
    followed through the fragment's auto-reruns, without an exception on the page or in the server's log."""
    (ROOT / "artifacts").mkdir(exist_ok=True)
    server = Server()
    try:
        kinds, problems = set(), []
        for page in ("optimizers", "batchnorm"):
            p, k = asyncio.run(_every_control_once(server.url, page))
            problems += [f"{page}: {x}" for x in p]
            kinds |= k
        students, errors = asyncio.run(_train_together(server.url, "playground", 2, 4.0))
    finally:
        server.close()
    log = (ROOT / "artifacts" / "streamlit-server.log").read_text(errors="replace")
    assert problems == [] and errors == []
    assert "Traceback" not in log
    assert kinds >= {"slider", "select_slider", "selectbox", "radio", "toggle", "number_input", "multiselect"}
    for student in students:  # the run trained and its charts refreshed while the client followed the timer
        assert student["steps"] > 0 and student["refresh_per_s"] > 0
