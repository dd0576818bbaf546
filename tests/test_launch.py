"""The server's start (ui/launch.py, runs/warm.py, runs/housekeeping.py): one warm-up and one housekeeping per
process, and a warm-up that lets the pages go first (issue 21, item 9). The browser's view of it: tests/test_warmup_browser.py."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import numpy as np

from runs import shared, warm
from tests.browser_util import ROOT

STARTED_TWICE = """
import os, runpy, sys, threading, time
import streamlit.web.cli as cli
cli.main = lambda *args, **kwargs: None          # no server: only what `python -m ui.launch` starts around it
sys.argv = ["ui.launch"]
runpy.run_module("ui.launch", run_name="__main__")  # as `python -m ui.launch` runs it
from runs import housekeeping, warm                   # as app.py does on the first page visit
from ui import nav
warm.start(nav.LESSONS)
housekeeping.start()
time.sleep(0.5)
names = [t.name for t in threading.enumerate()]
print(names.count("warm-defaults"), names.count("housekeeping"))
os._exit(0)
"""


def test_python_m_ui_launch_warms_up_once_and_keeps_house_once():
    """`python -m ui.launch` used to run as a second copy of the module (__main__), so app.py's first run started a
    second warm-up and a second housekeeping thread, exactly when the first visitor arrived."""
    env = {**os.environ, "LAB_WARM": "1", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", STARTED_TWICE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "1 1", out.stdout + out.stderr[-2000:]


def test_the_warm_up_waits_while_a_page_runs():
    page = threading.Thread(target=time.sleep, args=(0.4,), name=warm.SCRIPT_THREAD)  # a script run
    page.start()
    started = time.monotonic()
    warm.wait_for_visitors()
    assert time.monotonic() - started >= 0.3 and not page.is_alive()
    started = time.monotonic()
    warm.wait_for_visitors()  # nobody: at once
    assert time.monotonic() - started < 0.6


class Slow:
    """A run that takes 5 ms per step."""
    step = 0

    def run(self, n):
        for _ in range(n):
            time.sleep(0.005)
            self.step += 1
        return self


def test_a_yielding_computation_stops_at_small_steps_while_a_page_runs():
    """Inside shared.yielding, a run is computed in steps of at most COURTESY_SECONDS and the thread asks before
    each step; a memo value is asked for before it is computed, never while its key's lock is held (a page that
    needs the same value is never kept waiting by a warm-up that waits itself)."""
    page_runs = threading.Event()
    asked = []

    def wait():
        asked.append(time.monotonic())
        while page_runs.is_set():
            time.sleep(0.005)

    spec = shared.RunSpec(("test.yielding", 1), Slow, lambda obj: np.array(obj.step), shared.frame_steps(300, 30))

    @shared.memo(name="test.yielding.memo")
    def value(x):
        return x * 2

    def warm_up():
        with shared.yielding(wait):
            value(21)
            shared.complete(spec)

    page_runs.set()
    worker = threading.Thread(target=warm_up)
    worker.start()
    time.sleep(0.3)
    assert len(asked) == 1 and value.cache.waiting(value.key((21,), {})) == 0  # waiting before the memo, no lock
    assert value(21) == 42  # the page computes what it needs meanwhile
    page_runs.clear()
    time.sleep(0.2)
    page_runs.set()  # another page run: the warm-up stops within one step
    time.sleep(0.1)
    frames = shared.run(spec).available
    time.sleep(0.3)
    assert shared.run(spec).available == frames, "the warm-up computed while a page ran"
    page_runs.clear()
    worker.join(30)
    assert shared.run(spec).complete and len(asked) > 5
    gaps = np.diff(asked[1:])
    assert np.median(gaps) < 0.2  # small steps
