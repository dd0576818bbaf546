"""The shape every page follows, so each one reads top to bottom as a short lesson:
title and what you'll see -> controls -> one engine call -> figures with captions -> formula -> try this -> explanation.
"""
from __future__ import annotations

import contextvars
import math
from typing import Callable, Hashable

import streamlit as st
from plotly.basedatatypes import BaseFigure

from figures import describe
from figures.spec import Figure
from figures.theme import presenter as presenter_style
from content.catalog import load
from runs import housekeeping, shared
from ui import live, livechart, page_env, routes, sources, teacher
from ui.i18n import current_lang, has, t


def presenting() -> bool:
    return bool(st.session_state.get("present", False))


def header(page: str) -> None:
    """Title and the two-sentence 'what you will see'."""
    housekeeping.note_activity()
    page_env.settings_button(t("common.open_settings"))  # shown on phones and tablets only (app.py)
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
    section(t("common.controls"), anchor=False, where=where)
    return where


def section(title: str, anchor: str | bool | None = None, where=None) -> None:
    """A section of a page: a heading one level under the page's title (h2 under the h1), so a screen reader's list
    of headings is the page's outline. Every page uses this rather than st.subheader (an h3 right under the h1)."""
    (where or st).header(title, anchor=anchor)


class _SpecDict(dict):
    """A figure's JSON dict that also carries its encoded text (handed back as it is by ``plotly.io.to_json`` once
    ``ui.guards.install`` has run: the entry point's process settings), its text alternative in the page's language
    and the numbers behind it (a table: header -> values), all cached together."""
    json_text: str | None = None
    json_bytes: bytes | None = None
    alt: str = ""
    numbers: dict | None = None


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


def alt_words() -> dict[str, str]:
    """The templates a chart's text alternative is worded with (figures.describe): every ``common.alt_<name>`` entry
    of the page's language, by name."""
    return {key[len("common.alt_"):]: text for key, text in load(current_lang()).items() if key.startswith("common.alt_")}


def _finished_spec(fig: Figure) -> _SpecDict:
    """The figure as it is drawn: the empty-chart hint in a live view, presenter sizes, as a JSON dict, with its
    text alternative and its numbers worded in the page's language."""
    empty = live.in_view() and not fig.has_data()
    if empty:  # a live chart with nothing recorded yet: say how it fills
        fig.add_annotation(text=t("common.chart_empty"), xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                           font=dict(size=15, color="#555"), bgcolor="rgba(255,255,255,0.9)", borderpad=6)
    if presenting():
        presenter_style(fig)
    spec = _SpecDict(fig.to_dict())
    if fig.alt is not None:
        words = alt_words()
        spec.alt = describe.render(fig.alt, words) + (" " + t("common.chart_empty") if empty else "")
        if fig.alt.table:
            spec.numbers = {describe.header(h, words): list(v) for h, v in fig.alt.table}
    return spec


# Plotly's own toolbar (zoom, pan, download ...) is gone: it added 8 Tab stops per chart before the page's own
# controls, and covered chart titles on touch screens. Drag still zooms, a double click resets.
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}


def chart(fig: Figure | Callable[..., Figure], key: str, caption: str, frame: shared.Frame | None = None,
          cache: Hashable | None = None, numbers: bool = False, alt: str = "", on_click=None,
          **selection) -> None:
    """Draw a figure with its one-line 'what to notice' caption (selection: on_select=..., selection_mode=...).
    A live chart takes clicks with ``on_click`` instead (read the point with ``ui.livechart.clicked(key)``).

    The chart carries its text alternative (the builder's ``fig.alt``, worded in the page's language, or ``alt``)
    for screen readers; with ``numbers`` (a page's key chart) a collapsed "Show the numbers" table follows it.

    In a live view pass the frame and a builder instead of a figure: the chart of a shared frame is built and
    encoded once per frame, chart key, language and presenter mode, and drawn from there by every session, in
    place (ui.livechart: a new frame redraws the same chart, it never blinks). A builder that takes the frame
    (``lambda f: fig.curves(f.data.history, words)``) is also handed the frames the run moved over since the last
    tick, which the browser plays in turn (ten a second); a builder of no argument draws the tick's frame only.
    The builder must depend only on the frame and on settings that are part of the run's key.
    A static chart does the same with ``cache``: a key naming everything the builder depends on.
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
        livechart.draw(key, figures, [f.step for f in frames], live.FRAME_SECONDS, height, alt=alt or specs[-1].alt,
                       panel=live.panel_key(), tag=tag, on_click=on_click)
        st.caption(caption)
        if numbers:
            _numbers_or_place(specs[-1].numbers)
        return
    if frame is not None or cache is not None:
        identity = (frame.run, frame.index) if frame is not None else ("static", cache)
        spec = _cached(fig if frame is None or not _takes_frame(fig) else (lambda: fig(frame)), identity, key)
    else:
        spec = _finished_spec(fig)
    # theme=None: the figure's own template decides every size (Streamlit's theme would pin tick labels at 12 px,
    # which presenter mode must enlarge)
    st.plotly_chart(_Prebuilt(spec), key=key, width="stretch", theme=None, config=PLOTLY_CONFIG,
                    alt=alt or spec.alt or None, **selection)
    st.caption(caption)
    if numbers:
        _numbers_or_place(spec.numbers)


def _numbers_or_place(columns: dict | None) -> None:
    """The numbers' table, or (before a live run has any numbers) an empty element in its place: what follows the
    chart keeps its place in the page from the first frame on. Without it, the tick that first had numbers put the
    table where the next chart had been, and Streamlit hid that chart (display: none, "retained") until its own
    message came: a blink of the next chart once a run (tests/test_blink_browser.py, transfer)."""
    if columns:
        show_numbers(columns)
    else:
        st.empty()


def show_numbers(columns: dict) -> None:
    """The numbers behind a chart, collapsed under "Show the numbers"."""
    with st.expander(t("common.show_numbers"), icon=":material/table_rows:"):
        table(columns)


def table(columns: dict, where=None) -> None:
    """A table of {header: values}, its first column as the row names: a real HTML table (a screen reader reads it
    cell by cell with its headers; presenter mode enlarges it), not st.dataframe's canvas."""
    import pandas as pd

    frame = pd.DataFrame(columns)
    (where or st).table(frame.set_index(frame.columns[0]))


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


# Where a long formula may break onto the next line (a phone is 390 px wide): after the spaces that separate its
# parts. KaTeX breaks inline maths after relations and operators at its top level, and at \allowbreak.
_BREAKS = ((r"\qquad", r"\qquad\allowbreak "), (r",\quad", r",\quad\allowbreak "), (r",\ ", r",\ \allowbreak "))


def formula(latex: str, **values) -> None:
    """A formula with the current numbers substituted (values are formatted compactly).

    Written as display-style maths inside a paragraph (not st.latex's display block, which cannot wrap and scrolled
    sideways in its box on a phone): it keeps its size and breaks between its parts where the line is too short."""
    shown = {k: (_num(v) if isinstance(v, (int, float)) else v) for k, v in values.items()}
    text = latex.format(**shown) if shown else latex
    for space, breakable in _BREAKS:
        text = text.replace(space, breakable)
    st.markdown(f"$\\displaystyle {text}$")


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
    section(t("common.try_this"))
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


def predict(page: str, key: str, n_options: int, demo: str | None = None) -> bool:
    """'Predict, then run': pose a question with options from the text file; True once the answer is revealed.

    Text keys: <page>.<key>_q (the question), <page>.<key>_1 … _n (the options), <page>.<key>_a (the answer's
    explanation), and optionally <page>.<key>_why1 … _why4 (reasons: the first one right, the others common
    misconceptions), asked once a guess is in. In a class (ui/classroom.py) the question is a live poll: a
    student's guess and reason count for the class, the teacher sees the tally and reveals it for everyone, and the
    reveal plays ``demo`` (the live panel that answers the question) from its start.
    """
    from ui import classroom

    state_key = f"_revealed.{page}.{key}"
    with st.container(border=True):
        st.markdown(f"**{t('common.predict')}** {t(f'{page}.{key}_q')}")
        options = [t(f"{page}.{key}_{i}") for i in range(1, n_options + 1)]
        in_class = classroom.predict_in_class(page, key, options, demo)
        if in_class is not None:
            return in_class or teacher.revealed(page, key)  # the box drew the answer itself once revealed
        choice = st.radio(t("common.your_guess"), options, index=None, key=f"_guess.{page}.{key}")
        shown = classroom.reasons(page, key)
        if choice is not None and shown:
            st.radio(t("classroom.why"), [text for _, text in shown], index=None, key=f"_why.{page}.{key}")
        revealed = st.session_state.get(state_key, False) or teacher.revealed(page, key)
        if not revealed:
            st.button(t("common.reveal"), key=f"_reveal.{page}.{key}", disabled=choice is None,
                      on_click=lambda: st.session_state.__setitem__(state_key, True))
        else:
            classroom.answer_text(page, key)
    return revealed


def quick_checks(page: str, checks) -> None:
    """The lesson's quick checks (``lab.common.Check``, answered by the lab at the page's setting): instant
    feedback for the student; in a class, a student's first answer counts and the teacher sees the share right."""
    from ui import classroom

    section(t("common.quick_checks"))
    for number, check in enumerate(checks, start=1):
        label = [_option_text(page, check, option) for option in check.options]
        right = label[check.answer]
        radio_key = f"_check.{page}.{check.key}"
        values = {k: _value_text(v) for k, v in check.values.items()}
        with st.container(border=True):
            st.markdown(f"**{number}.** {t(f'{page}.{check.key}_q', **values)}")

            def answered(check=check, label=label, radio_key=radio_key):
                pick = st.session_state.get(radio_key)
                if pick in label:
                    classroom.record_check(page, check.key, label.index(pick) == check.answer)

            pick = st.radio(t("common.check_pick"), label, index=None, key=radio_key, on_change=answered,
                            label_visibility="collapsed")
            if pick is not None:
                if pick == right:
                    st.success(t("common.check_right"), icon=":material/check_circle:")
                else:
                    st.error(t("common.check_wrong", right=right), icon=":material/cancel:")
    if classroom.is_teacher():
        @st.fragment(run_every=2.0)
        def shares():
            parts = []
            for number, check in enumerate(checks, start=1):
                share = classroom.check_share(page, check.key)
                if share is not None:
                    right_n, total = share
                    parts.append(t("classroom.check_share", n=number, right=right_n, total=total))
            if parts:
                st.markdown(" · ".join(parts))

        shares()


def _option_text(page: str, check, option) -> str:
    """A name's own text for this check, else the lab's shared name for it (an optimizer, an activation)."""
    if isinstance(option, str):
        own = f"{page}.{check.key}_{option}"
        return t(own) if has(own) else t(f"common.opt_{option}")
    return _num_text(option, check.fmt)


def _value_text(value) -> str:
    if isinstance(value, float):
        return _num_text(value)
    if isinstance(value, str) and has(f"common.opt_{value}"):
        return t(f"common.opt_{value}")  # an activation or initialization's name as the menus show it
    return str(value)


def _num_text(value: float, fmt: str = ".3g") -> str:
    """A number for prose: 3 significant digits, powers of ten written 10⁻⁵ rather than 1e-05."""
    text = format(value, fmt)
    if "e" in text:
        mantissa, exp = text.split("e")
        sup = str(int(exp)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        text = f"10{sup}" if mantissa in ("1", "1.0") else f"{mantissa} × 10{sup}"
    return text


def diverged(step: int | None, what: str = "") -> None:
    """The one message for a run whose loss became NaN/inf (charts stop at the last finite step)."""
    if step is not None:  # in a live view: in the panel's own slot above the view, so nothing below it moves
        (live.alerts() or st).error(t("common.diverged", step=step, last=step - 1, what=what), icon=":material/warning:")


def diverged_members(group, name=lambda label: label) -> None:
    """One divergence message per member of a side-by-side group (core.compare.Group) that diverged."""
    for label, step in group.diverged_steps().items():
        diverged(step, f" ({name(label)})")


__all__ = ["header", "sidebar_controls", "section", "chart", "table", "labels", "formula", "number", "try_this",
           "explanation", "predict", "quick_checks",
           "diverged", "diverged_members",
           "presenting", "has"]
