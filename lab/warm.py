"""Compute every lesson's defaults once, at server start, so every first screen and every first Train is served
from the shared store (lab/shared.py) instead of being computed while a class waits.

A lesson module that has something worth computing ahead defines ``warm()`` (its defaults, inside
``shared.pinned()``). ``warm_all`` calls them in the order it is given: the entry point passes the page registry's
lessons (``ui.nav.LESSONS``, the order students usually open them), so a new lesson is warmed with nothing written
here.
"""
from __future__ import annotations

import importlib
import time


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
