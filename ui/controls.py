"""Widgets drawn from a lesson's settings declaration (lab/settings.py), their values in the URL so a teacher can
share a link to an exact setting.

    value = controls.draw(SETTINGS["depth"], where=side)

Every control is keyed; the key is the query parameter. On the first run of a session the value comes from the URL
if the setting can read it (``Setting.read``), moved onto what the control shows (``Setting.snap``) with a notice;
otherwise the default is used and a visible notice says why. After the widget is drawn its value is written back to
the URL (and dropped when it equals the default, to keep links short). We do this ourselves rather than with
`bind="query-params"` because that binding writes translated option labels into the URL and falls back silently;
here the URL holds stable internal names in every language.

A page's settings belong to that page: the router calls ``enter_page`` before a page runs, and when the page changed,
every control the previous page drew is forgotten, so a setting that two pages both call ``depth`` arrives on the
next page as that page's default (or its link's value), never as the value the last page had.
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from lab.settings import Refused, Setting
from ui import teacher
from ui.i18n import has, t
from ui.literal import literal

_DRAWN = "_page_keys"  # session state: the keys of the controls the current page has drawn


def enter_page(name: str) -> None:
    """The router, before running page ``name``: on a page change, the controls of the page before are put away
    (under that page's name) and the new page gets back what it had when this session last left it, for every
    setting its link does not name; anything else starts at its default. A value never crosses to another page."""
    state = st.session_state
    if state.get("_page") == name:
        return
    kept = state.setdefault("_kept", {})
    drawn = state.get(_DRAWN, set())
    if state.get("_page") is not None:
        kept[state["_page"]] = {key: state[key] for key in drawn if key in state}
    for key in drawn:
        state.pop(key, None)
    for key, value in kept.get(name, {}).items():
        if key not in st.query_params:  # the link wins: a route step's preset, a teacher's link
            state[key] = value
    state[_DRAWN] = set()
    state["_page"] = name


def _note_drawn(key: str) -> None:
    if key not in teacher.RESERVED:  # the app's own controls (language, presenter mode) are the same on every page
        st.session_state.setdefault(_DRAWN, set()).add(key)


def _seed_from_url(setting: Setting, where) -> None:
    """Put the URL's value (or the default) into session state before the widget exists; a value between steps or
    options is moved onto the control with a notice, so the link the page writes back, the control and the chart
    always agree."""
    key = setting.key
    if key in st.session_state:
        return
    st.session_state[key] = setting.default
    raw = st.query_params.get(key)
    if raw is None:
        return
    try:
        value = setting.read(raw)
    except Refused:
        where.warning(t("common.bad_param", key=key, value=literal(raw)), icon=":material/link_off:")
        del st.query_params[key]
        return
    snapped = setting.snap(value)
    if snapped != value:
        where.info(t("common.param_snapped", key=key, value=literal(raw), shown=literal(setting.text(snapped))),
                   icon=":material/straighten:")
    st.session_state[key] = snapped


def _relabel(key: str) -> None:
    """After a language switch, re-assign a selection widget's value so the browser shows the new labels.

    A keyed widget keeps its identity when only its option labels change, and the browser would keep showing
    the old language's label; assigning the value through session state makes Streamlit send it again.
    """
    if st.session_state.get("_lang_changed") and key in st.session_state:
        st.session_state[key] = st.session_state[key]


def _write_to_url(setting: Setting, value: Any) -> None:
    """Write the control's value into the link (dropped when it is the default, to keep links short, unless it is a
    setting of the route step's preset: a step's address holds its whole preset, ui/routes.py)."""
    key = setting.key
    preset = key in st.session_state.get("_route_preset", ())
    if value == setting.default and not preset:
        if key in st.query_params:
            del st.query_params[key]
        return
    current = st.query_params.get(key)
    if preset and current is not None and _reads_as(setting, current, value):
        return  # the step's own text ("6" rather than "6.0"): its address stays the one the route wrote
    text = setting.text(value)
    if current != text:
        st.query_params[key] = text


def _reads_as(setting: Setting, text: str, value: Any) -> bool:
    try:
        return setting.snap(setting.read(text)) == value
    except (Refused, ValueError, TypeError):
        return False


def _fmt_number(v) -> str:
    # AppTest hands back already-formatted labels, so accept strings too
    try:
        return f"{float(v):g}"
    except (TypeError, ValueError):
        return str(v)


def option_label(setting: Setting) -> Callable[[Any], str]:
    """How an option is shown: ``<words><name>`` when the setting names its words, else ``common.opt_<name>`` when
    that exists, else the option itself."""
    def label(option) -> str:
        if setting.words and has(f"{setting.words}{option}"):
            return t(f"{setting.words}{option}")
        return t(f"common.opt_{option}") if has(f"common.opt_{option}") else str(option)
    return label


def _widget(setting: Setting, where, label: str, help: str | None, off: bool, format_func) -> Any:
    """Create the Streamlit widget for ``setting`` (its value is already in session state)."""
    key, kind = setting.key, setting.kind
    if kind == "number":
        return where.slider(label, min_value=setting.lo, max_value=setting.hi, step=setting.step, key=key, help=help,
                            format=setting.format, disabled=off)
    if kind == "level":
        return where.select_slider(label, options=list(setting.options()), key=key, help=help,
                                   format_func=format_func or _fmt_number, disabled=off)
    if kind == "choice":
        fmt = format_func or option_label(setting)
        if setting.horizontal:
            return where.radio(label, list(setting.options()), key=key, format_func=fmt, horizontal=True, help=help,
                               disabled=off)
        return where.selectbox(label, list(setting.options()), key=key, format_func=fmt, help=help, disabled=off)
    if kind == "choices":
        return where.multiselect(label, list(setting.options()), key=key, help=help, disabled=off,
                                 format_func=format_func or option_label(setting),
                                 max_selections=setting.max_selections)
    if kind == "flag":
        return where.toggle(label, key=key, help=help, disabled=off)
    return where.number_input(label, min_value=setting.lo, max_value=setting.hi, step=1, key=key, help=help,
                              disabled=off)


def draw(setting: Setting, where=st, *, label: str | None = None, format_func: Callable[[Any], str] | None = None,
         **words) -> Any:
    """Draw ``setting``'s control in ``where`` and return its value (always one the setting accepts).

    label: the label's text when it is not the declared text key's (``words`` fill the declared text's
    placeholders: ``draw(S["act1"], i=1)``). A teacher's link may hide the control (its value still comes from
    the link or the default) or lock it (shown, not movable): ui/teacher.py."""
    key = setting.key
    _note_drawn(key)
    _seed_from_url(setting, where)
    if setting.kind in ("choice", "choices"):
        _relabel(key)
    text = label if label is not None else t(setting.label, **words)
    help = t(setting.help) if setting.help else None
    mode = teacher.mode(key, setting.default)
    if mode == "hidden":
        value = st.session_state.get(key, setting.default)
    else:
        value = _widget(setting, where, text, help, mode == "locked", format_func)
    if setting.kind == "number":
        value = setting.snap(value)  # the browser's float arithmetic can land a hair off the grid (0.1 * 3)
    _write_to_url(setting, value)
    return value
