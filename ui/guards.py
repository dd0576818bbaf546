"""What this app changes in Streamlit and Plotly for a class that shares one process: installed once per process by
the entry point (`python -m ui.launch` before the first session; app.py too, for hosts that run `streamlit run app.py`
directly, where they apply from the first script run on), never by importing a module. Each wraps one function that
must exist as expected (``install`` returns False otherwise, and tests/test_guards.py fails loudly when Streamlit or
Plotly changes underneath).

- A link too long for Streamlit (over 1,000 parameters or 512 KiB) is dropped by the server before the page runs,
  with only a line in the server's log. The guard turns the dropped query into one marker parameter, so the page
  can tell the student the link was not used (app.py: `_link_dropped`).
- Streamlit empties every cache of the process when any client sends a `clear_cache` message; the viewer toolbar
  only hides the menu item that sends it. With the toolbar in viewer mode (.streamlit/config.toml) nobody is
  offered that command, so the guard ignores the message instead of dropping what the whole class shares.
- `st.plotly_chart` encodes every figure with `plotly.io.to_json` on every draw. A figure the app has encoded
  already (a shared frame's chart, which thirty students draw: ``ui.lesson.chart`` keeps its text in ``json_text``)
  is handed back as that text; any other figure is encoded as before.
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


def _reusing_encoded(encode):
    def to_json(fig, *args, **kwargs):
        text = getattr(fig, "json_text", None)
        return text if text is not None else encode(fig, *args, **kwargs)
    to_json.__wrapped__ = encode
    return to_json


def install() -> bool:
    """Install the three (idempotent); False when this Streamlit or Plotly has not the functions they wrap."""
    global _installed
    with _lock:
        if _installed:
            return True
        try:
            import plotly.io as pio
            from streamlit.runtime import app_session
            sanitize = app_session.sanitize_query_string
            clear = app_session.AppSession._handle_clear_cache_request
            encode = pio.to_json
        except (ImportError, AttributeError):
            return False
        app_session.sanitize_query_string = _marking(sanitize)
        app_session.AppSession._handle_clear_cache_request = _viewer_only(clear)
        pio.to_json = _reusing_encoded(encode)
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
