"""Widgets whose values live in the URL, so a teacher can share a link to an exact setting.

Every control is keyed; the key is the query parameter. On the first run of a session the value comes
from the URL if it is valid, otherwise the default is used and a visible notice says why. After the widget
is drawn its value is written back to the URL (and dropped when it equals the default, to keep links short).
We do this ourselves rather than with `bind="query-params"` because that binding writes translated option
labels into the URL and falls back silently; here the URL holds stable internal names in every language.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import streamlit as st

from ui.i18n import t

MAX_PARAM_CHARS = 200  # longer URL values are refused outright: no legitimate setting needs more


class BadValue(ValueError):
    """A URL value that cannot be used; its message is shown to the user."""


def _to_float(raw: str) -> float:
    value = float(raw)  # raises ValueError on junk
    if not math.isfinite(value):
        raise BadValue("not a finite number")
    return value


def _serialize(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, (list, tuple)):
        return ",".join(_serialize(v) for v in value)
    return str(value)


def _seed_from_url(key: str, default: Any, parse: Callable[[str], Any], where) -> None:
    """Put the URL's value (or the default) into session state before the widget exists."""
    if key in st.session_state:
        return
    st.session_state[key] = default
    raw = st.query_params.get(key)
    if raw is None:
        return
    try:
        if len(raw) > MAX_PARAM_CHARS:
            raise BadValue("too long")
        st.session_state[key] = parse(raw)
    except (ValueError, TypeError, OverflowError):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        where.warning(t("common.bad_param", key=key, value=shown), icon=":material/link_off:")
        del st.query_params[key]


def _relabel(key: str) -> None:
    """After a language switch, re-assign a selection widget's value so the browser shows the new labels.

    A keyed widget keeps its identity when only its option labels change, and the browser would keep showing
    the old language's label; assigning the value through session state makes Streamlit send it again.
    """
    if st.session_state.get("_lang_changed") and key in st.session_state:
        st.session_state[key] = st.session_state[key]


def _write_to_url(key: str, default: Any) -> None:
    value = st.session_state.get(key, default)
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
        return
    text = _serialize(value)
    if st.query_params.get(key) != text:
        st.query_params[key] = text


def slider(key: str, label: str, min_value, max_value, default, step=None, *, where=st, help: str | None = None,
           format: str | None = None):
    """An int or float slider (the type follows `default`)."""
    is_int = isinstance(default, int) and not isinstance(default, bool)

    def parse(raw: str):
        value = _to_float(raw)
        if is_int:
            if value != int(value):
                raise BadValue("not a whole number")
            value = int(value)
        if not (min_value <= value <= max_value):
            raise BadValue("out of range")
        return value

    _seed_from_url(key, default, parse, where)
    value = where.slider(label, min_value=min_value, max_value=max_value, step=step, key=key, help=help, format=format)
    _write_to_url(key, default)
    return value


def _fmt_number(v) -> str:
    # AppTest hands back already-formatted labels, so accept strings too
    try:
        return f"{float(v):g}"
    except (TypeError, ValueError):
        return str(v)


def log_slider(key: str, label: str, values: Sequence[float], default: float, *, where=st, help: str | None = None):
    """A slider over a fixed list of (usually log-spaced) values, e.g. learning rates 1e-4 … 10."""
    values = list(values)
    if default not in values:
        raise ValueError(f"default {default} is not one of the slider's values")

    def parse(raw: str):
        value = _to_float(raw)
        for v in values:  # match with a tolerance so 0.1 and 0.10000000001 both work
            if math.isclose(v, value, rel_tol=1e-9, abs_tol=1e-15):
                return v
        raise BadValue("not one of the allowed values")

    _seed_from_url(key, default, parse, where)
    value = where.select_slider(label, options=values, key=key, help=help, format_func=_fmt_number)
    _write_to_url(key, default)
    return value


def _option_label(option: str) -> str:
    """Options are internal names; their display text comes from common.opt_<name> when it exists."""
    from ui.i18n import has
    return t(f"common.opt_{option}") if has(f"common.opt_{option}") else str(option)


def select(key: str, label: str, options: Sequence[str], default: str, *, where=st, help: str | None = None,
           format_func: Callable[[Any], str] | None = None, horizontal: bool = False):
    """A choice among internal names (a selectbox; a row of radio buttons with horizontal=True)."""
    options = list(options)
    if default not in options:
        raise ValueError(f"default {default!r} is not among the options")

    def parse(raw: str):
        for option in options:
            if str(option) == raw:
                return option
        raise BadValue("unknown option")

    _seed_from_url(key, default, parse, where)
    _relabel(key)
    fmt = format_func or _option_label
    if horizontal:
        value = where.radio(label, options, key=key, format_func=fmt, horizontal=True, help=help)
    else:
        value = where.selectbox(label, options, key=key, format_func=fmt, help=help)
    _write_to_url(key, default)
    return value


def multiselect(key: str, label: str, options: Sequence[str], default: Sequence[str], *, where=st,
                help: str | None = None, format_func: Callable[[Any], str] | None = None, max_selections=None):
    options = list(options)
    default = list(default)

    def parse(raw: str):
        chosen = [part for part in raw.split(",") if part]
        unknown = [c for c in chosen if c not in options]
        if unknown or len(set(chosen)) != len(chosen):
            raise BadValue("unknown or repeated option")
        if max_selections is not None and len(chosen) > max_selections:
            raise BadValue("too many options")
        return chosen

    _seed_from_url(key, default, parse, where)
    _relabel(key)
    value = where.multiselect(label, options, key=key, format_func=format_func or _option_label, help=help,
                              max_selections=max_selections)
    _write_to_url(key, default)
    return value


def toggle(key: str, label: str, default: bool = False, *, where=st, help: str | None = None):
    def parse(raw: str):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "on", "yes"):
            return True
        if lowered in ("0", "false", "off", "no"):
            return False
        raise BadValue("not on/off")

    _seed_from_url(key, default, parse, where)
    value = where.toggle(label, key=key, help=help)
    _write_to_url(key, default)
    return value


def integer(key: str, label: str, min_value: int, max_value: int, default: int, *, where=st, help: str | None = None):
    """A whole-number input, e.g. the random seed."""
    def parse(raw: str):
        value = _to_float(raw)
        if value != int(value) or not (min_value <= value <= max_value):
            raise BadValue("out of range")
        return int(value)

    _seed_from_url(key, default, parse, where)
    value = where.number_input(label, min_value=min_value, max_value=max_value, step=1, key=key, help=help)
    _write_to_url(key, default)
    return value
