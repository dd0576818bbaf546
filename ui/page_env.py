"""What the page tells the browser and the browser tells the page, beyond Streamlit's own settings.

- ``<html lang>`` follows the page's language (WCAG 3.1.1): Streamlit 1.67 has no setting for it (st.set_page_config
  sets the title and icon only), so a tiny script of ours sets ``document.documentElement.lang`` on every run.
- One tap, one point: on a touch screen a tap first hovers where it lands, so a chart that takes clicks (the
  playground's map, the optimizer race) selects the tapped place, not the one tapped before.
- Reduced motion: the browser's ``prefers-reduced-motion`` (an operating-system setting) reaches the server, which
  then slows live panels to about one refresh a second (ui.live) and opens animations on their last frame; the
  sidebar's "fewer updates" switch does the same for anyone.

The script is an ``st.components.v2`` component: it runs in the page itself (no iframe, nothing to focus, nothing
drawn: its container is hidden), receives the language as data and reports the motion preference as its state. Its
code is a constant of ours; no text from a link or a user reaches it.
"""
from __future__ import annotations

import streamlit as st

_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  if (data.lang && document.documentElement.lang !== data.lang) document.documentElement.lang = data.lang;
  const query = window.matchMedia('(prefers-reduced-motion: reduce)');
  // Report only what the server does not know yet: most browsers prefer motion, and their first run costs nothing.
  if (query.matches !== Boolean(data.reduced)) setStateValue('reduced', query.matches);
  query.onchange = () => setStateValue('reduced', query.matches);
  if (!window.__labTapHover) {
    // One tap, one point: Plotly selects the point it last hovered, and a finger does not hover before it taps, so
    // a tap on a map that takes clicks selected the place of the tap before. A touch now hovers where it lands.
    window.__labTapHover = true;
    document.addEventListener('pointerdown', (event) => {
      if (event.pointerType !== 'touch' || !event.target.closest) return;
      const drag = event.target.closest('.js-plotly-plot .nsewdrag');
      if (drag) drag.dispatchEvent(new MouseEvent('mousemove', {clientX: event.clientX, clientY: event.clientY,
                                                                bubbles: true, cancelable: true, view: window}));
    }, true);
  }
}
"""
_ENV = st.components.v2.component("lab_page_env", js=_JS)
STATE = "_reduced_motion"  # session state: the browser asked for reduced motion
BOX = "page-env"  # the hidden container's key (app.py's CSS hides .st-key-page-env)


def _ignore() -> None:
    """The state change itself reruns the page; nothing else to do."""


def mount(lang: str, where=None) -> None:
    """Set <html lang> to ``lang`` and learn the browser's motion preference (once per session, then on change)."""
    box = (where or st).container(key=BOX)
    with box:
        result = _ENV(key="_page_env", data={"lang": lang, "reduced": st.session_state.get(STATE, False)},
                      default={"reduced": False}, on_reduced_change=_ignore, height=0)
    if result is not None and getattr(result, "reduced", None) is not None:
        st.session_state[STATE] = bool(result.reduced)


_OPEN_JS = """
export default function (component) {
  const { data, parentElement } = component;
  let button = parentElement.querySelector('button');
  if (!button) {
    button = document.createElement('button');
    button.type = 'button';
    button.className = 'lab-open-settings';
    parentElement.appendChild(button);
    button.addEventListener('click', () => {
      const open = document.querySelector('[data-testid="stExpandSidebarButton"]');
      if (open) open.click();
      // the sidebar's first control takes the focus, so a keyboard or screen reader continues there
      setTimeout(() => {
        const first = document.querySelector('[data-testid="stSidebarUserContent"] input, '
          + '[data-testid="stSidebarUserContent"] button, [data-testid="stSidebarUserContent"] [tabindex="0"]');
        if (first) first.focus();
      }, 300);
    });
  }
  button.textContent = '⚙ ' + data.label;
  button.setAttribute('aria-controls', 'stSidebar');
}
"""
_OPEN_CSS = """
.lab-open-settings { font: inherit; font-size: 1rem; min-height: 2.75rem; width: 100%; padding: 0.4rem 0.9rem;
  border: 1px solid #55565e; border-radius: 0.5rem; background: #fff; color: #1f2028; cursor: pointer; }
.lab-open-settings:focus-visible { outline: 3px solid #005A8F; outline-offset: 2px; }
"""
_OPEN = st.components.v2.component("lab_open_settings", js=_OPEN_JS, css=_OPEN_CSS, isolate_styles=False)


def settings_button(label: str) -> None:
    """On a phone or a tablet (app.py shows it up to 768 px, where Streamlit folds the sidebar away) the page's
    settings and the page list sit in the collapsed sidebar behind a 28 px icon: this full-width labelled button at
    the top of the page opens it and moves the focus to the first setting."""
    with st.container(key="open-settings"):
        _OPEN(key="_open_settings", data={"label": label}, height="content")


def browser_prefers_reduced_motion() -> bool:
    return bool(st.session_state.get(STATE, False))


def fewer_updates() -> bool:
    """True when the page should move less: the browser prefers reduced motion, or the student chose fewer updates
    (the sidebar switch, ``calm`` in the link)."""
    return browser_prefers_reduced_motion() or bool(st.session_state.get("calm", False))
