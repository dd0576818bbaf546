"""Two guards on Streamlit's server for a class that shares one process (installed once per process, before the
first session if the server is started with `python -m ui.launch`; app.py installs them too, for hosts that run
`streamlit run app.py` directly, where they apply from the first script run on).

- A link too long for Streamlit (over 1,000 parameters or 512 KiB) is dropped by the server before the page runs,
  with only a line in the server's log. The guard turns the dropped query into one marker parameter, so the page
  can tell the student the link was not used (app.py: `_link_dropped`).
- Streamlit empties every cache of the process when any client sends a `clear_cache` message; the viewer toolbar
  only hides the menu item that sends it. With the toolbar in viewer mode (.streamlit/config.toml) nobody is
  offered that command, so the guard ignores the message instead of dropping what the whole class shares.
"""
from __future__ import annotations

import threading
from urllib.parse import urlencode

DROPPED = "_link_dropped"  # the marker parameter: "<fields>,<characters>" of the link that was dropped
_lock = threading.Lock()
_installed = False


def _marking(sanitize):
    def sanitize_or_mark(query_string: str) -> str:
        kept = sanitize(query_string)
        if query_string and not kept:
            return urlencode({DROPPED: f"{query_string.count('&') + 1},{len(query_string)}"})
        return kept
    sanitize_or_mark.__wrapped__ = sanitize
    return sanitize_or_mark


def _viewer_only(clear):
    def clear_unless_viewer(self) -> None:
        from streamlit import config

        if config.get_option("client.toolbarMode") == "viewer":
            return  # no viewer is offered this command: a client that sends it anyway changes nothing
        clear(self)
    clear_unless_viewer.__wrapped__ = clear
    return clear_unless_viewer


def install() -> bool:
    """Install both guards (idempotent); False when this Streamlit has not the functions they wrap."""
    global _installed
    with _lock:
        if _installed:
            return True
        try:
            from streamlit.runtime import app_session
            sanitize = app_session.sanitize_query_string
            clear = app_session.AppSession._handle_clear_cache_request
        except (ImportError, AttributeError):
            return False
        app_session.sanitize_query_string = _marking(sanitize)
        app_session.AppSession._handle_clear_cache_request = _viewer_only(clear)
        _installed = True
        return True


def dropped_link(params) -> tuple[int, int] | None:
    """(fields, characters) of a link the server dropped, read from the marker in ``params``; None otherwise."""
    raw = params.get(DROPPED)
    try:
        fields, chars = (int(part) for part in str(raw).split(","))
    except (TypeError, ValueError):
        return None
    return fields, chars
