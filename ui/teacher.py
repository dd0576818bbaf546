"""Links for a class: a teacher's link can hide controls, lock them, reveal a predict-first answer and open the live
run already trained to a step; every page can restore its defaults and show the link to the current view.

Link keys (besides each control's own key, lang, present and calm):

    hide=all | hide=lr,seed     controls not shown (their values still come from the link or the defaults)
    <key>_hide=1                the same for one control (TensorFlow Playground's spelling)
    lock=all | lock=lr,seed     controls shown but not movable
    reveal=all | reveal=q1      predict-first answers shown at once
    trained=300                 live panels open at the first saved step at or after 300
    at=120 | at_<panel>=120     the page's first live panel (or the panel named) opens at the first saved step at or
                                after 120, paused there: what its step slider writes when a student scrubs a run

Bad values get the usual notice and are ignored; a control name the page does not have is reported once the page
has drawn its controls (``finish_page``), in the notice slot app.py keeps at the top of the page.
"""
from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import streamlit as st

from ui.i18n import t
from ui.literal import literal

RESERVED = ("lang", "present", "calm", "hide", "lock", "reveal", "trained", "route", "step", "class", "teacher", "seat",
            "at")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}\Z")
MAX_TRAINED = 1_000_000


@dataclass
class Link:
    """What this run's link asks of the page (parsed once per run by ``read``)."""
    hide: set = field(default_factory=set)
    lock: set = field(default_factory=set)
    reveal: set = field(default_factory=set)
    trained: int | None = None
    drawn: dict = field(default_factory=dict)  # control key -> default, as the page draws them
    predicts: set = field(default_factory=set)  # predict-first keys the page asked


_LINK: contextvars.ContextVar = contextvars.ContextVar("teacher_link", default=None)
_NOTICES: contextvars.ContextVar = contextvars.ContextVar("teacher_notices", default=None)


def _names(raw: str) -> set:
    if raw.strip().lower() == "all":
        return {"all"}
    names = {part.strip() for part in raw.split(",") if part.strip()}
    bad = [n for n in names if not _NAME.match(n)]
    if bad or not names:
        raise ValueError(bad)
    return names


def read(params, notices) -> Link:
    """Parse the link's class keys from ``params`` (st.query_params); ``notices``: a container for bad values."""
    link = Link()
    for key in ("hide", "lock", "reveal"):
        raw = params.get(key)
        if raw is None:
            continue
        try:
            setattr(link, key, _names(raw))
        except ValueError:
            notices.warning(t("common.bad_param", key=key, value=literal(raw)), icon=":material/link_off:")
    for name in list(params.keys()):
        if name.endswith("_hide") and params.get(name, "").lower() in ("1", "true"):
            link.hide.add(name[: -len("_hide")])
    raw = params.get("trained")
    if raw is not None:
        if re.fullmatch(r"[0-9]{1,7}", raw) and int(raw) <= MAX_TRAINED:
            link.trained = int(raw)
        else:
            notices.warning(t("common.bad_param", key="trained", value=literal(raw)), icon=":material/link_off:")
    _LINK.set(link)
    _NOTICES.set(notices)
    return link


def link() -> Link:
    found = _LINK.get()
    return found if found is not None else Link()


def _mode_of(current: Link, key: str) -> str | None:
    if key in RESERVED:
        return None  # the app's own controls (language, presenter mode, fewer updates) are never hidden or locked
    if "all" in current.hide or key in current.hide:
        return "hidden"
    if "all" in current.lock or key in current.lock:
        return "locked"
    return None


def mode(key: str, default) -> str | None:
    """"hidden", "locked" or None for a page control; notes the control (for restore and for checking names)."""
    current = link()
    if key not in RESERVED:
        current.drawn[key] = default
    return _mode_of(current, key)


def inputs_mode(keys=None) -> str | None:
    """"hidden", "locked" or None for a page input that is not a control but changes controls: a button that sets
    a preset, a click on a chart that moves a start point, a file that sets every knob. ``keys``: the controls it
    changes (None: every control the page has drawn so far, for a configuration file). It is hidden when one of
    them is hidden, locked when one is locked (with ``hide=all`` / ``lock=all``, always): a teacher's link covers
    every way of changing a setting, not only the sliders."""
    current = link()
    keys = list(current.drawn) if keys is None else list(keys)
    modes = {_mode_of(current, key) for key in keys}
    if "all" in current.hide or "hidden" in modes:
        return "hidden"
    if "all" in current.lock or "locked" in modes:
        return "locked"
    return None


def revealed(page: str, key: str) -> bool:
    current = link()
    current.predicts.add(key)
    return "all" in current.reveal or key in current.reveal


def trained_step() -> int | None:
    return link().trained


def step_in_link(name: str) -> int | None:
    """The step a link names for a live panel (``at=120``; ``name`` is the panel's link key), or None. A value that
    is not a step gets the usual notice and leaves the link."""
    raw = st.query_params.get(name)
    if raw is None:
        return None
    if re.fullmatch(r"[0-9]{1,7}", raw) and int(raw) <= MAX_TRAINED:
        return int(raw)
    notices = _NOTICES.get()
    (notices if notices is not None else st).warning(t("common.bad_param", key=name, value=literal(raw)),
                                                     icon=":material/link_off:")
    del st.query_params[name]
    return None


def current_settings() -> dict:
    """{control key: value} of every control the page has drawn so far in this run (hidden ones included)."""
    return {key: st.session_state.get(key, default) for key, default in link().drawn.items()}


def restore_defaults() -> None:
    """The 'restore defaults' button's on_click: every control of the page back to its default, out of the link,
    and the predict-first boxes and live runs back to their start."""
    for key in st.session_state.get("_page_controls", []):
        st.session_state.pop(key, None)
        if key in st.query_params:
            del st.query_params[key]
    for key in [k for k in st.session_state if str(k).startswith(("_live.", "_revealed.", "_guess."))]:
        del st.session_state[key]
    for key in [k for k in st.query_params if k == "at" or k.startswith("at_")]:  # a scrubbed run's step
        del st.query_params[key]


def finish_page(where) -> None:
    """After the page drew its controls: remember them (for restore), report names the link used that the page
    does not have, and draw the restore button and the link to this view in ``where`` (the sidebar)."""
    current = link()
    # restore puts back what the student may change: a control the link locks or hides keeps the link's value
    st.session_state["_page_controls"] = sorted(k for k in current.drawn if _mode_of(current, k) is None)
    unknown = sorted((current.hide | current.lock) - set(current.drawn) - {"all"})
    unknown += sorted(current.reveal - current.predicts - {"all"})
    notices = _NOTICES.get()
    if unknown and notices is not None:
        notices.warning(t("common.unknown_controls", names=literal(", ".join(unknown), limit=120)),
                        icon=":material/link_off:")
    if "all" in current.lock:
        return  # a locked view keeps its setting: no restore button
    if st.session_state["_page_controls"] or not (current.hide or current.lock):
        where.button(t("common.restore"), key="_restore", on_click=restore_defaults,
                     icon=":material/settings_backup_restore:", width="stretch")
    with where.popover(t("common.share_link"), icon=":material/link:", width="stretch"):
        st.caption(t("common.share_link_help"))
        st.code(current_url(), language=None, wrap_lines=True)


def current_url() -> str:
    """The link to this view: the page's address and every setting now in the address bar."""
    try:
        base = st.context.url or ""
    except Exception:  # AppTest has no browser context
        base = ""
    # never a class's teacher key or a student's seat: this link is for sharing
    query = urlencode({k: st.query_params[k] for k in st.query_params if k not in ("teacher", "seat")})
    return f"{base}?{query}" if query else base
