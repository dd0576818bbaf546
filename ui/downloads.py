"""Downloads that are computed when they are asked for: ``st.download_button(data=callable)``.

Streamlit runs the callable again for every download request it receives (``MediaFileManager.execute_deferred``,
in a thread of its pool), and a client can send as many requests as it likes. So the callable a page hands over
must be cheap and bounded:

    st.download_button(label, downloads.deferred(playground.weights_at, cfg, step), ...)

- the computation is a ``runs.shared.memo`` function: computed once per argument across the process, then read;
- a session computes at most one download at a time: a request for another download while one is being computed
  is refused at once (``Busy``: Streamlit answers it as failed, nothing is computed); requests for the same one
  wait for that computation and get its file.
"""
from __future__ import annotations

import threading
from typing import Callable, Hashable

_COMPUTING: dict[str, list] = {}  # session -> [the key it computes, how many of its requests wait for it]
_LOCK = threading.Lock()


class Busy(RuntimeError):
    """The session is computing another download: this request is refused without computing anything."""


def deferred(compute: Callable[..., bytes], *args, session: str | None = None) -> Callable[[], bytes]:
    """The callable for ``st.download_button(data=...)``: ``compute(*args)`` (a ``runs.shared.memo`` function) read
    from the shared store when it is there, else computed under this session's single slot."""
    if session is None:
        from ui.live import _session_id

        session = _session_id()
    key: Hashable = compute.key(args, {})

    def data() -> bytes:
        found = compute.cache.get(key)
        if found is not None:
            return found
        with _LOCK:
            slot = _COMPUTING.get(session)
            if slot is not None and slot[0] != key:
                raise Busy("this session is computing another download")
            if slot is None:
                slot = _COMPUTING[session] = [key, 0]
            slot[1] += 1
        try:
            return compute(*args)  # one computation per key across sessions (memo's lock)
        finally:
            with _LOCK:
                slot[1] -= 1
                if slot[1] == 0:
                    del _COMPUTING[session]

    return data


def computing(session: str) -> bool:
    """True while the session has a download being computed."""
    with _LOCK:
        return session in _COMPUTING
