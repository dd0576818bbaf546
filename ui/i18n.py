"""t(key): the current language's text for a key, with {placeholders} filled in."""
from __future__ import annotations

import streamlit as st

from content.catalog import LANGUAGES, load


def current_lang() -> str:
    lang = st.session_state.get("lang", "en")
    return lang if lang in LANGUAGES else "en"


def browser_lang() -> str:
    """The language the browser asks for: Korean locales get Korean, everything else English."""
    try:
        locale = st.context.locale or ""
    except Exception:  # AppTest and old clients may have no context
        locale = ""
    return "ko" if locale.lower().startswith("ko") else "en"


def t(key: str, /, **values) -> str:
    """Text for `key` ('page.key') in the current language; a missing key shows itself (and fails the parity test)."""
    text = load(current_lang()).get(key)
    if text is None:
        text = load("en").get(key, f"⟨{key}⟩")
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in load(current_lang())
