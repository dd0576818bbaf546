"""The class server's housekeeping: a class's memory goes back to the system once its sessions have left.

``note_activity()`` (every page run, every live tick) marks the server busy. A daemon thread (``start()``, once per
process, by the entry point) wakes every HOUSEKEEPING_EVERY seconds: it shuts down the sessions that disconnected and
did not come back in time, drops the shared results nobody pinned once no page has run for GONE_SECONDS, and while
the server is idle collects Python's garbage and returns freed memory to the system.
"""
from __future__ import annotations

import os
import threading
import time

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
    from runs import shared

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


_start_lock = threading.Lock()
_started = False


def start() -> None:
    """Start the housekeeping thread, once per process."""
    global _started
    with _start_lock:
        if _started:
            return
        _started = True
    threading.Thread(target=housekeeping, name="housekeeping", daemon=True).start()
