"""A long lesson's secondary sections as tabs: only the open one is drawn (and computed), the page is as long as its
key chart and one section, and the link names the open section (``?section=dying``) so a teacher can send it.

    sections.tabs("activations", {"sigmoid": draw_sigmoid, "dying": draw_dying}, keys={"dying": ("dy_lr", "dy_bias")})

A section opens, in this order: the link's ``section``; the one this session opened last; the first section whose
controls the link sets (a link with ``dy_lr=1`` shows the control it sets); the first section. Tab labels are the
page's text keys ``<page>.tab_<section>``.
"""
from __future__ import annotations

from typing import Callable, Mapping

import streamlit as st

from ui.i18n import current_lang, t


def _state(page: str) -> str:
    return f"_section.{page}"


def open_section(page: str, names: tuple[str, ...], keys: Mapping[str, tuple[str, ...]]) -> str:
    """The section to show (see the module's docstring)."""
    ss = st.session_state
    asked = st.query_params.get("section")
    if asked in names:  # the link wins (the page keeps it in step with the open tab)
        ss[_state(page)] = asked
    elif _state(page) not in ss:
        ss[_state(page)] = next((name for name in names if any(k in st.query_params for k in keys.get(name, ()))),
                                names[0])
    return ss[_state(page)]


def tabs(page: str, draw: Mapping[str, Callable[[], None]], keys: Mapping[str, tuple[str, ...]] | None = None) -> None:
    """One tab per section, lazily drawn: a control in a closed tab recomputes nothing."""
    names, keys = tuple(draw), dict(keys or {})
    widget = f"_section_tab.{page}.{current_lang()}"  # the tab labels change with the language

    def remember() -> None:
        label = st.session_state.get(widget)
        chosen = next((name for name in names if t(f"{page}.tab_{name}") == label), names[0])
        st.session_state[_state(page)] = chosen
        if chosen == names[0]:
            st.query_params.pop("section", None)
        else:
            st.query_params["section"] = chosen

    opened = open_section(page, names, keys)
    if opened != names[0]:
        st.query_params["section"] = opened  # the link to this view reopens it
    handles = st.tabs([t(f"{page}.tab_{name}") for name in names], default=t(f"{page}.tab_{opened}"), key=widget,
                      on_change=remember)
    for name, handle in zip(names, handles):
        if handle.open is not False:
            with handle:
                draw[name]()
