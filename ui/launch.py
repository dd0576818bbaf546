"""Start the lab: process settings and server guards first, then Streamlit's own `streamlit run app.py`.

    python -m ui.launch [streamlit run options, e.g. --server.port 8501]

What must happen once per server process happens here, before the first session: one BLAS thread (sessions already
train in parallel threads, and threaded BLAS on small matrices only oversubscribes the cores), glibc's allocator
thresholds for faster training steps (core/runtime.py), the guards of ui/guards.py, and every lesson's defaults
computed in the background (lab/warm.py), so the first students find them ready.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


_warming = threading.Lock()
_warmed = False


def warm_in_background() -> None:
    """Start computing every lesson's defaults (lab/warm.py) in a daemon thread, once per process."""
    global _warmed
    with _warming:
        if _warmed or os.environ.get("LAB_WARM", "1") == "0":  # tests of single pages need no warm-up
            return
        _warmed = True
    from lab import warm
    from ui import nav

    def warm_then_freeze():
        warm.warm_all(nav.LESSONS, log=print)
        # Everything alive now (modules, the warmed defaults) lives as long as the server: keep it out of the
        # garbage collector's full passes, which otherwise cost 100-230 ms each and set every page's p95.
        import gc

        gc.collect()
        gc.freeze()

    threading.Thread(target=warm_then_freeze, name="warm-defaults", daemon=True).start()


_ACTIVE = [time.monotonic()]  # when a page last ran in this process (ui.lesson.header notes it)
IDLE_SECONDS, HOUSEKEEPING_EVERY = 10.0, 15.0
GONE_SECONDS = 60.0  # no page has run for a minute: the class has gone, its shared results can go too


def note_activity() -> None:
    _ACTIVE[0] = time.monotonic()


def housekeeping(stop: threading.Event | None = None) -> None:
    """While the server is idle (no page ran for IDLE_SECONDS), collect Python's garbage (Streamlit's own collection
    after each run is off: .streamlit/config.toml) and return freed memory to the system (core.runtime), once per
    idle spell; after GONE_SECONDS, also drop the shared results nobody pinned. A class's memory, once its sessions
    have closed and expired, goes back to the system."""
    import gc

    from core import runtime
    from lab import shared

    collected_for = emptied_for = None  # the moment of activity each was last done after
    while not (stop and stop.is_set()):
        time.sleep(HOUSEKEEPING_EVERY)
        last = _ACTIVE[0]
        idle = time.monotonic() - last
        if idle >= GONE_SECONDS and emptied_for != last:
            shared.drop_unpinned()  # the class has gone: only the warmed defaults stay
            emptied_for, collected_for = last, None
        if idle >= IDLE_SECONDS and collected_for != last:
            gc.collect()
            runtime.release_memory()
            collected_for = last


_housekeeping_started = False


def start_housekeeping() -> None:
    global _housekeeping_started
    with _warming:
        if _housekeeping_started:
            return
        _housekeeping_started = True
    threading.Thread(target=housekeeping, name="housekeeping", daemon=True).start()


def main(argv: list[str]) -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy is imported anywhere
    from core import runtime
    from ui import guards

    runtime.tune_allocator()
    guards.install()
    warm_in_background()
    start_housekeeping()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
