"""Widgets whose values live in the URL, so a teacher can share a link to an exact setting.

Every control is keyed; the key is the query parameter. On the first run of a session the value comes
from the URL if it is valid, otherwise the default is used and a visible notice says why. After the widget
is drawn its value is written back to the URL (and dropped when it equals the default, to keep links short).
We do this ourselves rather than with `bind="query-params"` because that binding writes translated option
labels into the URL and falls back silently; here the URL holds stable internal names in every language.
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable, Sequence

import streamlit as st

from lab import number_text
from ui import teacher
from ui.i18n import t
from ui.literal import literal

MAX_PARAM_CHARS = 200  # longer URL values are refused outright: no legitimate setting needs more


class BadValue(ValueError):
    """A URL value that cannot be used; its message is shown to the user."""


def _to_float(raw: str) -> float:
    # plain ASCII decimal notation only (no "1_0", no "0x10", no other scripts' digits, no "inf"), in one pass
    if not number_text.plain(raw, MAX_PARAM_CHARS):
        raise BadValue("not a plain decimal number")
    value = float(raw)
    if not math.isfinite(value):
        raise BadValue("too large")
    mantissa = re.split(r"[eE]", raw)[0]
    if value == 0 and re.search(r"[1-9]", mantissa):  # 1e-400 underflows to 0: not what the link says
        raise BadValue("too small")
    return value


def _serialize(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as exactly this float: the link reproduces it
    if isinstance(value, (list, tuple)):
        return ",".join(_serialize(v) for v in value)
    return str(value)


def _seed_from_url(key: str, default: Any, parse: Callable[[str], Any], where,
                   snap: Callable[[Any], Any] = lambda v: v) -> None:
    """Put the URL's value (or the default) into session state before the widget exists.

    ``parse`` reads the text or raises (the default is used, with a notice); ``snap`` moves a readable value onto
    what the control can show (the nearest step or option), with a notice when that changes it, so the link the
    page writes back, the control and the chart always agree.
    """
    if key in st.session_state:
        return
    st.session_state[key] = default
    raw = st.query_params.get(key)
    if raw is None:
        return
    try:
        if len(raw) > MAX_PARAM_CHARS:
            raise BadValue("too long")
        value = parse(raw)
    except (ValueError, TypeError, OverflowError):
        where.warning(t("common.bad_param", key=key, value=literal(raw)), icon=":material/link_off:")
        del st.query_params[key]
        return
    snapped = snap(value)
    if snapped != value:
        where.info(t("common.param_snapped", key=key, value=literal(raw), shown=literal(_serialize(snapped))),
                   icon=":material/straighten:")
    st.session_state[key] = snapped


def _draw(key: str, default: Any, draw: Callable[[bool], Any]) -> Any:
    """Draw a control as the link asks (ui/teacher.py): hidden (its value still comes from the link or the
    default), locked (shown, not movable) or normal. draw(disabled) creates the widget and returns its value."""
    mode = teacher.mode(key, default)
    if mode == "hidden":
        return st.session_state.get(key, default)
    return draw(mode == "locked")


def _decimals(step: float) -> int:
    """How many decimals a float step has (0.05 -> 2), to round grid values to what the slider shows."""
    text = repr(float(step))
    if "e" in text:
        return max(0, -int(text.split("e")[1]) + len(text.split("e")[0].rstrip("0").partition(".")[2]))
    return len(text.partition(".")[2].rstrip("0"))


def _grid_snap(value: float, lo, hi, step, is_int: bool):
    """The slider position nearest ``value``: lo + k·step inside [lo, hi] (as an int for int sliders)."""
    k = math.floor((value - lo) / step + 0.5)  # halves go up, as people round (not to even)
    snapped = min(max(lo + k * step, lo), hi)
    return int(round(snapped)) if is_int else round(float(snapped), _decimals(step))


def _relabel(key: str) -> None:
    """After a language switch, re-assign a selection widget's value so the browser shows the new labels.

    A keyed widget keeps its identity when only its option labels change, and the browser would keep showing
    the old language's label; assigning the value through session state makes Streamlit send it again.
    """
    if st.session_state.get("_lang_changed") and key in st.session_state:
        st.session_state[key] = st.session_state[key]


def _write_to_url(key: str, default: Any, value: Any = None) -> None:
    """Write the control's value into the link (dropped when it is the default, to keep links short)."""
    value = st.session_state.get(key, default) if value is None else value
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
        return
    text = _serialize(value)
    if st.query_params.get(key) != text:
        st.query_params[key] = text


def slider(key: str, label: str, min_value, max_value, default, step=None, *, where=st, help: str | None = None,
           format: str | None = None):
    """An int or float slider (the type follows `default`). A link's value between two steps is moved to the
    nearest step, with a notice; the value returned is always on the slider's grid."""
    is_int = isinstance(default, int) and not isinstance(default, bool)
    step = step if step is not None else (1 if is_int else 0.01)  # Streamlit's own default steps

    def parse(raw: str):
        value = _to_float(raw)
        if not (min_value <= value <= max_value):
            raise BadValue("out of range")
        return value

    def snap(value):
        return _grid_snap(value, min_value, max_value, step, is_int)

    _seed_from_url(key, default, parse, where, snap)
    value = _draw(key, default, lambda off: where.slider(label, min_value=min_value, max_value=max_value, step=step,
                                                          key=key, help=help, format=format, disabled=off))
    value = snap(value)  # the browser's float arithmetic can land a hair off the grid (0.1 * 3)
    _write_to_url(key, default, value)
    return value


def _fmt_number(v) -> str:
    # AppTest hands back already-formatted labels, so accept strings too
    try:
        return f"{float(v):g}"
    except (TypeError, ValueError):
        return str(v)


def log_slider(key: str, label: str, values: Sequence[float], default: float, *, where=st, help: str | None = None):
    """A slider over a fixed list of (usually log-spaced) values, e.g. learning rates 1e-4 … 10. A link's value
    inside the list's range but not in it is moved to the nearest value (on a log scale), with a notice."""
    values = list(values)
    if default not in values:
        raise ValueError(f"default {default} is not one of the slider's values")

    def parse(raw: str):
        value = _to_float(raw)
        lo, hi = min(values), max(values)
        if not (lo <= value <= hi) and not any(math.isclose(value, v, rel_tol=1e-9) for v in (lo, hi)):
            raise BadValue("out of range")
        return value

    def snap(value):
        if all(v > 0 for v in values) and value > 0:
            return min(values, key=lambda v: abs(math.log(v) - math.log(value)))
        return min(values, key=lambda v: abs(v - value))

    _seed_from_url(key, default, parse, where, snap)
    value = _draw(key, default, lambda off: where.select_slider(label, options=values, key=key, help=help,
                                                                 format_func=_fmt_number, disabled=off))
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
        value = _draw(key, default, lambda off: where.radio(label, options, key=key, format_func=fmt, horizontal=True,
                                                            help=help, disabled=off))
    else:
        value = _draw(key, default, lambda off: where.selectbox(label, options, key=key, format_func=fmt, help=help,
                                                                disabled=off))
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
    value = _draw(key, default, lambda off: where.multiselect(label, options, key=key, help=help, disabled=off,
                                                               format_func=format_func or _option_label,
                                                               max_selections=max_selections))
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
    value = _draw(key, default, lambda off: where.toggle(label, key=key, help=help, disabled=off))
    _write_to_url(key, default)
    return value


def integer(key: str, label: str, min_value: int, max_value: int, default: int, *, where=st, help: str | None = None):
    """A whole-number input, e.g. the random seed."""
    def parse(raw: str):
        value = _to_float(raw)
        if value != int(value):
            raise BadValue("not a whole number")
        if not (min_value <= value <= max_value):
            raise BadValue("out of range")
        return int(value)

    _seed_from_url(key, default, parse, where)
    value = _draw(key, default, lambda off: where.number_input(label, min_value=min_value, max_value=max_value, step=1,
                                                                key=key, help=help, disabled=off))
    _write_to_url(key, default)
    return value
