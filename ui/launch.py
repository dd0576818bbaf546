"""Start the lab: process settings and server guards first, then Streamlit's own `streamlit run app.py`.

    python -m ui.launch [streamlit run options, e.g. --server.port 8501]

What must happen once per server process happens here, before the first session: one BLAS thread (sessions already
train in parallel threads, and threaded BLAS on small matrices only oversubscribes the cores), glibc's allocator
thresholds for faster training steps (core/runtime.py), the guards of ui/guards.py, and every lesson's defaults
computed in the background (lab/warm.py), so the first students find them ready. The warm-up never makes a visitor
wait: it runs at a lower priority and stops between small steps while any page runs (``wait_for_visitors``).
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
    from lab import shared, warm
    from ui import nav

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
                took = warm.warm_all(nav.LESSONS, log=print)
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
    if visitors() or (_ACTIVE[0] > _BOOT and now - _ACTIVE[0] < IDLE_SECONDS):
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


_ACTIVE = [time.monotonic()]  # when a page last ran in this process (ui.lesson.header notes it)
_BOOT = _ACTIVE[0]
IDLE_SECONDS, HOUSEKEEPING_EVERY = 10.0, 15.0
GONE_SECONDS = 60.0  # no page has run for a minute: the class has gone, its shared results can go too
if os.environ.get("LAB_HOUSEKEEPING"):  # "every,idle,gone" seconds: shorter spells for tests and benchmarks
    HOUSEKEEPING_EVERY, IDLE_SECONDS, GONE_SECONDS = (float(v) for v in os.environ["LAB_HOUSEKEEPING"].split(","))


def note_activity() -> None:
    _ACTIVE[0] = time.monotonic()


def close_expired_sessions(timeout: float = 5.0) -> int:
    """Shut down the disconnected sessions whose time to reconnect (server.disconnectedSessionTTL) has passed; ->
    how many. Streamlit 1.67 keeps a disconnected session in a TTL store that drops expired entries only when
    another session is stored, and never shuts them down: after a class has left, nothing connects, and every
    student's session (its state, its uploaded and downloadable files, what its closures hold) stays for good.
    Runs on Streamlit's event loop, where the session store is used; 0 when the runtime is not there or not as
    expected (another Streamlit)."""
    try:
        from streamlit.runtime import Runtime

        rt = Runtime.instance()
        store = rt._session_mgr._session_storage._cache  # MemorySessionStorage's TTLCache
        loop = rt._get_async_objs().eventloop
        store._expirations, store._data, store.expire  # noqa: B018 (the parts used below)
    except Exception:
        return 0
    done, closed = threading.Event(), []

    def close() -> None:
        try:
            now = store.timer()
            expired = [(key, store._data.get(key)) for key, at in list(store._expirations.items()) if at <= now]
            store.expire(now)
            for _, info in expired:
                if info is not None:
                    info.session.shutdown()
                    closed.append(info)
        finally:
            done.set()

    try:
        loop.call_soon_threadsafe(close)
    except RuntimeError:  # the loop has stopped
        return 0
    done.wait(timeout)
    return len(closed)


def housekeeping(stop: threading.Event | None = None) -> None:
    """Every HOUSEKEEPING_EVERY seconds: shut down the sessions that disconnected and did not come back in time
    (close_expired_sessions); once no page has run for GONE_SECONDS, drop the shared results nobody pinned; and
    while the server is idle (no page ran for IDLE_SECONDS), collect Python's garbage (Streamlit's own collection
    after each run is off: .streamlit/config.toml) and return freed memory to the system (core.runtime), once per
    idle spell and again whenever sessions were shut down or results dropped. A class's memory, once its sessions
    have closed and expired, goes back to the system without anyone connecting again."""
    import gc

    from core import runtime
    from lab import shared

    collected_for = emptied_for = None  # the moment of activity each was last done after
    while not (stop and stop.is_set()):
        time.sleep(HOUSEKEEPING_EVERY)
        closed = close_expired_sessions()
        if closed:
            print(f"housekeeping: shut down {closed} session(s) that left more than "
                  f"server.disconnectedSessionTTL ago", flush=True)
            collected_for = None  # their memory is garbage now
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
    from ui import agent

    agent.start_from_env()  # a worker behind `make serve`'s proxy reports its load (ui/agent.py)
    warm_in_background()
    start_housekeeping()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    # Run as ui.launch, not as __main__: app.py imports ui.launch, and a second copy of this module (with its own
    # "started" flags) would start a second warm-up and a second housekeeping thread on the first page visit.
    from ui import launch

    launch.main(sys.argv[1:])
