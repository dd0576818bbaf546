"""Compute every lesson's defaults once, at server start, so every first screen and every first Train is served
from the shared store (runs/shared.py) instead of being computed while a class waits.

The entry point calls ``start(ui.nav.LESSONS)``: a daemon thread at a lower priority that never makes a visitor wait
(it stops between small steps while any page runs: ``wait_for_visitors``).

A lesson module that has something worth computing ahead defines ``warm()`` (its defaults, inside
``shared.pinned()``). ``warm_all`` calls them in the order it is given: the entry point passes the page registry's
lessons (``ui.nav.LESSONS``, the order students usually open them), so a new lesson is warmed with nothing written
here.
"""
from __future__ import annotations

import importlib
import os
import sys
import threading
import time

from runs import housekeeping, shared


def warm_all(lessons, log=None) -> dict[str, float]:
    """Run the warm() of each lesson in ``lessons`` (slugs: lab/<slug>.py); -> {lesson: seconds}. A lesson that
    fails to warm is reported, never fatal."""
    took = {}
    for name in lessons:
        module = importlib.import_module(f"lab.{name}")
        warm = getattr(module, "warm", None)
        if warm is None:
            continue
        started = time.perf_counter()
        try:
            warm()
        except Exception as exc:  # a page still works without its warm-up: it computes on first use
            if log:
                log(f"warm-up of {name} failed: {type(exc).__name__}: {exc}")
        took[name] = time.perf_counter() - started
    return took


_warming = threading.Lock()
_warmed = False


def start(lessons) -> None:
    """Start computing the defaults of ``lessons`` (slugs, in order) in a daemon thread, once per process."""
    global _warmed
    with _warming:
        if _warmed or os.environ.get("LAB_WARM", "1") == "0":  # tests of single pages need no warm-up
            return
        _warmed = True

    def warm_then_freeze():
        try:  # Linux: this thread alone yields the cores to the sessions' threads (nice is per thread there)
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        started = time.monotonic()
        # While it computes, the server's own thread (the asyncio loop serving pages, scripts and websocket messages)
        # waits for the GIL at most 1 ms at a time instead of Python's 5 ms: a busy thread otherwise makes every one
        # of the loop's many short turns wait, and a first visit's page loads slowly.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.001))
        try:
            with shared.yielding(wait_for_visitors):  # a page that runs goes first: the warm-up waits between steps
                took = warm_all(lessons, log=print)
        finally:
            sys.setswitchinterval(interval)
        print(f"warm-up done: {len(took)} lessons in {time.monotonic() - started:.1f} s, of which "
              f"{_YIELDED[0]:.1f} s waiting for {_YIELDED[1]} page runs", flush=True)
        # Everything alive now (modules, the warmed defaults) lives as long as the server: keep it out of the
        # garbage collector's full passes, which otherwise cost 100-230 ms each and set every page's p95.
        import gc

        gc.collect()
        gc.freeze()

    threading.Thread(target=warm_then_freeze, name="warm-defaults", daemon=True).start()


SCRIPT_THREAD = "ScriptRunner.scriptThread"  # the thread Streamlit 1.67 runs each script run (and fragment) in
MAX_COURTESY_SECONDS = 30.0  # a warm-up waits at most this long at one step, however busy the server


def scripts_running() -> int:
    """How many script runs (pages, fragment ticks) are in progress in this process now."""
    return sum(1 for thread in threading.enumerate() if thread.name == SCRIPT_THREAD)


def visitors() -> int:
    """Browser sessions connected to this process now (0 when Streamlit's runtime cannot say)."""
    try:
        from streamlit.runtime import Runtime

        return Runtime.instance()._session_mgr.num_active_sessions()
    except Exception:  # no runtime yet (the warm-up starts before the server), or another Streamlit
        return 0


PACE = 0.5  # with visitors around, the warm-up computes at most half of the time


def wait_for_visitors(poll: float = 0.02) -> None:
    """The warm-up's turn, asked between its small steps: wait while a page runs (at most MAX_COURTESY_SECONDS),
    so a visitor who opens a page while the defaults are being computed is served first; and while visitors are
    connected (or a page ran in the last IDLE_SECONDS), rest as long as the last step took, so their pages' loading,
    messages and charts find the process half free."""
    now = time.monotonic()
    if visitors() or (housekeeping._ACTIVE[0] > housekeeping._BOOT
                       and now - housekeeping._ACTIVE[0] < housekeeping.IDLE_SECONDS):
        time.sleep(min(max(now - _YIELDED[2], 0.0) * PACE / (1 - PACE), 0.5))
    started = time.monotonic()
    deadline = started + MAX_COURTESY_SECONDS
    while scripts_running() and time.monotonic() < deadline:
        time.sleep(poll)
    waited = time.monotonic() - started
    if waited > poll:
        if not _YIELDED[1]:
            print("warm-up: paused while a page runs (it goes on between page runs)", flush=True)
        _YIELDED[0] += waited
        _YIELDED[1] += 1
    _YIELDED[2] = time.monotonic()


_YIELDED = [0.0, 0, time.monotonic()]  # seconds the warm-up waited for pages, how many times, when it last resumed
