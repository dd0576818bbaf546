"""Compute every lesson's defaults once, at server start, so every first screen and every first Train is served
from the shared store (lab/shared.py) instead of being computed while a class waits.

A lesson module that has something worth computing ahead defines ``warm()`` (its defaults, inside
``shared.pinned()``). ``warm_all`` calls them in the order students usually open the pages.
"""
from __future__ import annotations

import importlib
import time

LESSONS = ("losses", "batches", "preprocessing", "activations", "vanishing", "initialization", "batchnorm",
           "dropout", "regularization", "ensembles", "transfer", "optimizers", "landscape", "playground")


def warm_all(log=None) -> dict[str, float]:
    """Run each lesson's warm(); -> {lesson: seconds}. A lesson that fails to warm is reported, never fatal."""
    took = {}
    for name in LESSONS:
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
