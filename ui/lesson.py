"""The shape every page follows, so each one reads top to bottom as a short lesson:
title and what you'll see -> controls -> one engine call -> figures with captions -> formula -> try this -> explanation.
"""
from __future__ import annotations

import contextvars
import math
from typing import Callable, Hashable

import streamlit as st
from plotly.basedatatypes import BaseFigure

from figures.spec import Figure
from figures.theme import presenter as presenter_style
from lab import shared
from ui import launch, live, livechart, routes, sources, teacher
from ui.i18n import current_lang, has, t


def presenting() -> bool:
    return bool(st.session_state.get("present", False))


def header(page: str) -> None:
    """Title and the two-sentence 'what you will see'."""
    launch.note_activity()
    st.title(t(f"{page}.title"))
    routes.banner(page)
    st.markdown(t(f"{page}.intro"))


_SIDEBAR_SLOT: contextvars.ContextVar = contextvars.ContextVar("sidebar_slot", default=None)
_TOOLS_SLOT: contextvars.ContextVar = contextvars.ContextVar("tools_slot", default=None)


def use_sidebar_slot(container, tools=None) -> None:
    """app.py: the sidebar containers, above its own controls, where this run's page puts its settings and its
    tools (restore defaults, the link to this view)."""
    _SIDEBAR_SLOT.set(container)
    _TOOLS_SLOT.set(tools)


def sidebar_controls(page: str):
    """The container for a page's controls: the top of the sidebar, under a heading."""
    where = _SIDEBAR_SLOT.get() or st.sidebar
    where.subheader(t("common.controls"))
    return where


class _SpecDict(dict):
    """A figure's JSON dict that also carries its encoded text (handed back as it is by ``plotly.io.to_json`` once
    ``ui.guards.install`` has run: the entry point's process settings)."""
    json_text: str | None = None
    json_bytes: bytes | None = None


class _Prebuilt(BaseFigure):
    """Hands Streamlit a figure that is already plain JSON (`figures.spec`).

    `st.plotly_chart` serializes a Plotly figure object through its `to_dict()`, but re-validates a plain dict
    property by property (~4 ms per chart, under the GIL). Our specs are checked against Plotly's schema in the
    tests instead (`tests/apptest_util.invalid_charts`), so here they go straight through.
    """

    def __init__(self, spec: _SpecDict):  # deliberately not BaseFigure.__init__: nothing to build or validate
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


# Figures of shared frames, encoded once per frame, language and presenter mode (bounded by bytes).
FRAME_FIGURES = shared.CACHES.setdefault("frame_figures", shared.Cache("frame_figures", 32 * 2**20))


def _finished_spec(fig: Figure) -> _SpecDict:
    """The figure as it is drawn: the empty-chart hint in a live view, presenter sizes, as a JSON dict."""
    if live.in_view() and not fig.has_data():  # a live chart with nothing recorded yet: say how it fills
        fig.add_annotation(text=t("common.chart_empty"), xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font=dict(size=15, color="#555"), bgcolor="rgba(255,255,255,0.9)", borderpad=6)
    if presenting():
        presenter_style(fig)
    return _SpecDict(fig.to_dict())


def chart(fig: Figure | Callable[..., Figure], key: str, caption: str, frame: shared.Frame | None = None,
          cache: Hashable | None = None, alt: str = "", **selection) -> None:
    """Draw a figure with its one-line 'what to notice' caption (selection: on_select=..., selection_mode=...).

    In a live view pass the frame and a builder instead of a figure: the chart of a shared frame is built and
    encoded once per frame, chart key, language and presenter mode, and drawn from there by every session, in
    place (ui.livechart: a new frame redraws the same chart, it never blinks). A builder that takes the frame
    (``lambda f: fig.curves(f.data.history, words)``) is also handed the frames the run moved over since the last
    tick, which the browser plays in turn (ten a second); a builder of no argument draws the tick's frame only.
    The builder must depend only on the frame and on settings that are part of the run's key.
    A static chart does the same with ``cache``: a key naming everything the builder depends on.
    alt: the chart's text alternative (what a screen reader says for it).
    """
    if frame is not None and not selection:
        per_frame = _takes_frame(fig)
        frames = live.batch(frame) if per_frame else [frame]
        specs = [_cached(lambda f=f: fig(f) if per_frame else fig(), (f.run, f.index), key) for f in frames]
        height = specs[-1].get("layout", {}).get("height") or 450
        tag = livechart.tag(frame.run, key, current_lang(), presenting())
        # a frame this browser has received already is not sent again (it keeps them: livechart.js), but the last
        # one, the picture the chart rests on, always is
        sent = _sent_frames(key, tag)
        figures = [s.json_bytes if i == len(specs) - 1 or f.step not in sent else b"null"
                   for i, (s, f) in enumerate(zip(specs, frames))]
        sent.update(f.step for f in frames)
        livechart.draw(key, figures, [f.step for f in frames], live.FRAME_SECONDS, height, alt=alt,
                       panel=live.panel_key(), tag=tag)
        st.caption(caption)
        return
    if frame is not None or cache is not None:
        identity = (frame.run, frame.index) if frame is not None else ("static", cache)
        spec = _cached(fig if frame is None or not _takes_frame(fig) else (lambda: fig(frame)), identity, key)
    else:
        spec = _finished_spec(fig)
    # theme=None: the figure's own template decides every size (Streamlit's theme would pin tick labels at 12 px,
    # which presenter mode must enlarge)
    st.plotly_chart(_Prebuilt(spec), key=key, width="stretch", theme=None, config={"displaylogo": False},
                    alt=alt or None, **selection)
    st.caption(caption)


def _sent_frames(key: str, tag: str) -> set:
    """The steps of chart ``key`` (frames of ``tag``) this session has sent to its browser: a few tags a chart."""
    sent = st.session_state.setdefault("_sent_frames", {}).setdefault(key, {})
    if tag not in sent:
        while len(sent) >= 4:
            sent.pop(next(iter(sent)))
        sent[tag] = set()
    return sent[tag]


def _takes_frame(builder) -> bool:
    """True for a live chart's builder of one argument (the frame)."""
    code = getattr(builder, "__code__", None)
    return code is not None and code.co_argcount - len(getattr(builder, "__defaults__", None) or ()) == 1


def _cached(build: Callable[[], Figure], identity: Hashable, key: str) -> _SpecDict:
    """The finished spec of a shared frame's (or a static) chart, built and encoded once per language and
    presenter mode (FRAME_FIGURES, bounded by bytes)."""
    cache_key = (identity, key, current_lang(), presenting(), live.in_view())
    spec = FRAME_FIGURES.get(cache_key)
    if spec is None:
        from plotly.io.json import to_json_plotly

        spec = _finished_spec(build())
        # Plotly escapes "/" for text pasted into HTML; this text goes into a protobuf field, and base64 typed
        # arrays are full of "/": unescaped, a chart's message is up to six times shorter
        spec.json_text = to_json_plotly(spec).replace("\\u002f", "/")
        spec.json_bytes = spec.json_text.encode()
        FRAME_FIGURES.put(cache_key, spec, len(spec.json_text) * 4)  # the text, its bytes and the dict it came from
    return spec


def labels(page: str, **keys: str) -> dict[str, str]:
    """The words a figure builder takes (its ``labels`` mapping): each value is a text key, relative to the page
    ("layer_axis") or absolute ("common.step_axis"). lesson.labels("vanishing", x="layer_axis") -> {"x": "layer"}."""
    return {name: t(key if "." in key else f"{page}.{key}") for name, key in keys.items()}


def formula(latex: str, **values) -> None:
    """A formula with the current numbers substituted (values are formatted compactly)."""
    shown = {k: (_num(v) if isinstance(v, (int, float)) else v) for k, v in values.items()}
    st.latex(latex.format(**shown) if shown else latex)


def number(value: float, spec: str = ".3g") -> str:
    """A measured number for text (metrics, captions): formatted with ``spec``, or a dash when it is NaN/inf
    (a diverged run's loss, a ratio of two overflowed norms): the page never prints "nan"."""
    return format(value, spec) if math.isfinite(value) else "—"


def _num(v: float) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if v == 0 or not math.isfinite(v):
        return str(v)
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.4g}"
    mantissa, exp = f"{v:.2e}".split("e")
    return rf"{mantissa}\times 10^{{{int(exp)}}}"


def try_this(page: str) -> None:
    st.subheader(t("common.try_this"))
    st.markdown(t(f"{page}.try"))


def explanation(page: str, key: str = "explain") -> None:
    """The longer text (collapsed in presenter mode so the charts own the screen), then the page's footer."""
    with st.expander(t("common.explanation"), expanded=not presenting()):
        st.markdown(t(f"{page}.{key}"))
    footer(page)


def footer(page: str) -> None:
    """The end of every lesson: previous / next on the active route, and the page's tools in the sidebar."""
    sources.code_behind(page)
    sources.notebook_button(page)
    routes.footer(page)
    teacher.finish_page(_TOOLS_SLOT.get() or st.sidebar)


def predict(page: str, key: str, n_options: int) -> bool:
    """'Predict, then run': pose a question with options from the text file; True once the answer is revealed.

    Text keys: <page>.<key>_q (the question), <page>.<key>_1 … _n (the options), <page>.<key>_a (the answer's explanation).
    """
    state_key = f"_revealed.{page}.{key}"
    with st.container(border=True):
        st.markdown(f"**{t('common.predict')}** {t(f'{page}.{key}_q')}")
        options = [t(f"{page}.{key}_{i}") for i in range(1, n_options + 1)]
        choice = st.radio(t("common.your_guess"), options, index=None, key=f"_guess.{page}.{key}")
        revealed = st.session_state.get(state_key, False) or teacher.revealed(page, key)
        if not revealed:
            st.button(t("common.reveal"), key=f"_reveal.{page}.{key}", disabled=choice is None,
                      on_click=lambda: st.session_state.__setitem__(state_key, True))
        else:
            st.success(t(f"{page}.{key}_a"))
    return revealed


def diverged(step: int | None, what: str = "") -> None:
    """The one message for a run whose loss became NaN/inf (charts stop at the last finite step)."""
    if step is not None:  # in a live view: in the panel's own slot above the view, so nothing below it moves
        (live.alerts() or st).error(t("common.diverged", step=step, last=step - 1, what=what), icon=":material/warning:")


def diverged_members(group, name=lambda label: label) -> None:
    """One divergence message per member of a side-by-side group (core.compare.Group) that diverged."""
    for label, step in group.diverged_steps().items():
        diverged(step, f" ({name(label)})")


__all__ = ["header", "sidebar_controls", "chart", "labels", "formula", "number", "try_this", "explanation", "predict",
           "diverged", "diverged_members",
           "presenting", "has"]
