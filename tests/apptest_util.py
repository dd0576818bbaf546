"""Helpers for driving pages through Streamlit's AppTest."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60


def open_page(slug: str, lang: str = "en", params: dict | None = None) -> AppTest:
    """Run app.py, then switch to the page (the router runs on every page, as in the browser)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if slug != "home":
        at.switch_page(f"pages/{slug}.py").run()
    return at


def errors(at: AppTest) -> list[str]:
    """Exceptions that reached the page."""
    return [f"{e.message}\n{''.join(e.stack_trace[-3:])}" for e in at.exception]


def extremes(widget):
    """The values a widget can be set to at its two ends (None when it has no range)."""
    kind = type(widget).__name__
    if kind == "Slider":
        return [widget.min, widget.max]
    if kind == "SelectSlider":
        return [widget.options[0], widget.options[-1]]
    if kind in ("Selectbox", "Radio"):
        return [widget.options[0], widget.options[-1]] if widget.options else None
    if kind == "NumberInput":
        return [widget.min, widget.max]
    if kind == "Toggle" or kind == "Checkbox":
        return [not widget.value, widget.value]
    if kind == "Multiselect":
        return [[], list(widget.options)[: widget.max_selections or None]]
    return None


def page_widgets(at: AppTest):
    """The page's own controls (app-level ones like language and presenter mode are tested once)."""
    found = []
    for kind in ("slider", "select_slider", "selectbox", "radio", "number_input", "toggle", "checkbox", "multiselect"):
        for w in getattr(at, kind):
            if w.key and not w.key.startswith("_") and w.key not in ("lang", "present"):
                found.append(w)
    return found
