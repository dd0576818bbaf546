"""Live training on a page: Train / Pause / Step / Reset over a shared run of frames (runs/shared.py).

A run is deterministic for its settings and seed, so it is computed once per server and shared: the page asks its
lab module for a ``RunSpec`` (how to build the run, what to keep at a frame, at which steps), and this panel plays
that run's frames. A session keeps only the index of the frame it shows. While it plays, each tick of the fragment
(every TICK_SECONDS, longer for a class: runs/governor.py) brings every frame of its interval, which the browser
plays FRAME_SECONDS apart (ui.lesson.chart, ui/livechart.js): ten pictures a second, redrawn in place. When a frame
does not exist yet, the ticking session computes it (``Run.advance``, budgeted, one session at a time), so a class
that presses Train together trains one network, and a student whose setting was computed before replays it without
training anything. Once there are frames, a step slider scrubs the run (and its step goes into the link, ``at=``).

A teacher's ``trained=N`` link opens the panel at the first saved step at or after N when the class's run has it
already; otherwise the run plays up to that step and pauses there, computed by the same budgeted ticks as Train, so
the page draws at once and nothing is computed for a student who has left (no tick, no computation).

A session keeps the run's key, never the run: every draw and every tick asks the shared store (which then keeps the
run while it is in use), so a class's runs live in one bounded place and go with it.

The buttons sit outside the fragment and flip ``running`` with on_click (a full rerun): the combination that works
on Streamlit 1.67 (a Pause inside a busy fragment would not interrupt it). A chart that the view draws with no data
yet (the first frame of a live chart) says how it fills ("Press Train or Step", added by ui.lesson.chart):
``in_view`` is the one place that state is decided.
"""
from __future__ import annotations

import contextvars
import dataclasses
import random
import time
import uuid
from typing import Any, Callable

import streamlit as st

from runs import governor, housekeeping, shared
from runs.governor import CHUNK_SECONDS, CHUNK_SHARE, TICK_SECONDS
from ui import livechart, page_env, teacher
from ui.i18n import t

# While a run plays the browser shows a new frame every FRAME_SECONDS: ten pictures a second, whatever the tick (a
# tick brings every frame since the last one, ui.lesson.chart sends them, ui/livechart.js plays them)
FRAME_SECONDS = 0.1
# Fewer updates (the browser prefers reduced motion, or the sidebar switch): about one refresh a second, and the
# frames between two ticks are not played; the run itself keeps its pace, only the picture moves less often
CALM_SECONDS = 1.0

_IN_VIEW = contextvars.ContextVar("in_live_view", default=False)
_BATCH: contextvars.ContextVar = contextvars.ContextVar("live_batch", default=())
_ALERTS: contextvars.ContextVar = contextvars.ContextVar("live_alerts", default=None)
_PANEL: contextvars.ContextVar = contextvars.ContextVar("live_panel", default="")


def in_view() -> bool:
    """True while a live panel's view draws. A chart it draws with no data yet (nothing trained, or no evaluation
    recorded so far) says how it fills ("Press Train or Step", added by ui.lesson.chart): the one place this state
    is decided. Charts that never fill from training (diagrams, formulas) belong outside the view."""
    return _IN_VIEW.get()


def panel_key() -> str:
    """The key of the live panel whose view is drawing ("" outside one)."""
    return _PANEL.get()


def alerts():
    """In a live view, the container above it for messages that come and go with the frames (a run that diverged):
    a view's elements keep their places whatever it says (Streamlit's frontend places elements by position, and a
    chart whose position moved is mounted again: a blink). None outside a view."""
    return _ALERTS.get()


def batch(frame: shared.Frame) -> list[shared.Frame]:
    """The frames a live chart of ``frame`` plays (oldest first, ``frame`` last): the ones this tick moved over
    while the run plays, else ``[frame]`` (ui.lesson.chart, for a builder that takes the frame)."""
    found = _BATCH.get()
    return list(found) if found and found[-1] is frame else [frame]


def panel(key: str, spec: shared.RunSpec, view: Callable[[shared.Frame], None], total_steps: int | None = None,
          start: str = "first", play_label: str | None = None) -> shared.Frame:
    """Draw the Train/Pause/Step/Reset row, the progress and view(frame); return the frame shown.

    spec: the run (``lab`` builds it from the page's settings; equal keys are the same run). total_steps: the run's
    length for the progress bar (default: its last frame step). start: what a fresh view shows, "first" (the
    untrained network), "last" (the finished run, when it is already computed: a lesson's warmed-up default), or
    "play" (the finished run when computed, else it starts playing at once: a picture that needs no Train press;
    with fewer updates asked for, it does not start by itself). play_label: the Train button's word for a run that
    is played rather than trained (the optimizer race: "Play", also at its end, where a run says "Replay").
    """
    state_key = f"_live.{key}"
    governor.viewers(viewing=_session_id())
    total = int(total_steps if total_steps is not None else spec.steps[-1])
    run = shared.run(spec)
    link = link_key(key)
    entry = st.session_state.get(state_key)
    if entry is None or entry["key"] != spec.key:
        index = run.available - 1 if start == "last" and run.complete else 0
        at = teacher.step_in_link(link) if entry is None else None  # a step the link names (a scrubbed run)
        wanted = at if at is not None else (teacher.trained_step() if entry is None else None)
        stop_at = None
        if wanted is not None:  # a teacher's link: the first saved step at or after it
            target = next((i for i, s in enumerate(spec.steps) if s >= wanted), len(spec.steps) - 1)
            if run.available > target or run.complete:
                index = min(target, run.available - 1)  # computed already (the class, the warm-up): open there
            else:
                index, stop_at = max(run.available - 1, 0), target  # play up to it, by the budgeted ticks
        playing = stop_at is not None or (start == "play" and not (run.complete and index >= run.available - 1)
                                          and not page_env.fewer_updates())
        entry = {"key": spec.key, "index": index, "running": playing, "interval": TICK_SECONDS, "retuned": 0.0,
                 "stop_at": stop_at, "scrubbed": at is not None}
        st.session_state[state_key] = entry
    if run.available == 0:  # the first frame (step 0) is part of drawing the page
        run.advance(0, budget=0.0, wait=True)
        shared.note_size(run)
    del run  # the callbacks and the ticks below ask the store for it (the session holds the key, not the run)

    def at_end(e: dict, run: shared.Run) -> bool:
        return run.complete and e["index"] >= run.available - 1

    # A press of a button can reach the server twice while a run plays: in the fragment's timed rerun and in the
    # press's own full rerun (seen for most keyboard presses in Chromium: Enter or Space on Pause paused and resumed
    # at once). So each button's action is idempotent: Train/Pause says which it is, Step carries this full run's
    # token and a token is stepped once.
    press = uuid.uuid4().hex

    def play(pause: bool) -> None:
        e = st.session_state[state_key]
        e["stop_at"] = None
        e["ending"] = e["scrubbed"] = False
        if pause:
            e["running"] = False
        elif not e["running"]:
            if at_end(e, shared.run(spec)):
                e["index"] = 0  # Train on a finished run replays it from the start
            e["running"] = True
            e["interval"] = calm(governor.interval_for(max(governor.players(playing=_session_id()),
                                                           governor.viewers())))

    def step_once(token: str) -> None:
        e = st.session_state[state_key]
        e["running"], e["stop_at"] = False, None
        e["ending"] = e["scrubbed"] = False
        if e.get("stepped") == token:
            return
        e["stepped"] = token
        run = shared.run(spec)
        if not at_end(e, run):
            run.advance(e["index"] + 1, budget=1.0, wait=True)
            shared.note_size(run)
            e["index"] = min(e["index"] + 1, run.available - 1)

    def reset() -> None:
        e = st.session_state[state_key]
        e["running"], e["index"], e["stop_at"] = False, 0, None
        e["ending"] = e["scrubbed"] = False

    entry["interval"] = calm(entry["interval"])  # fewer updates switched on while it plays
    # room for the longest label in either language, even in a narrow column; the row stays one row on a phone
    # (app.py's CSS for .st-key-live-row-*), so the chart starts on the first screen
    cols = st.container(key=f"live-row-{key}").columns([1, 1, 1, 1])
    running = entry["running"]
    finished = at_end(entry, shared.run(spec))
    label = t("common.pause") if running else play_label or (t("common.replay") if finished else t("common.train"))
    cols[0].button(label, key=f"{key}-train", on_click=play, args=(running,), type="primary",
                   icon=":material/pause:" if running else (":material/replay:" if finished else ":material/play_arrow:"),
                   width="stretch")
    cols[1].button(t("common.step"), key=f"{key}-step", on_click=step_once, args=(press,), width="stretch",
                   icon=":material/skip_next:", disabled=finished)
    cols[2].button(t("common.reset"), key=f"{key}-reset", on_click=reset, icon=":material/restart_alt:",
                   width="stretch")

    shown: list[shared.Frame] = []

    def tick() -> None:
        housekeeping.note_activity()
        started = time.thread_time()  # this thread's CPU: what the tick costs, not the time it waited its turn
        try:
            _tick()
        finally:
            governor.note_tick_cost(time.thread_time() - started)

    def _tick() -> None:
        e = st.session_state.get(state_key)
        if e is None or e["key"] != spec.key:
            return
        run = shared.run(spec)  # the store's run, noted as in use (a playing run is never evicted)
        if e.get("ending"):  # the run's last frames have played: a full rerun turns the Pause button back into Train
            e["running"] = e["ending"] = False
            st.rerun()
        if e.pop("rerun", False):  # the step slider moved: the whole page follows the chosen step
            st.rerun()
        before = e["index"]
        if e["running"]:
            # the frames of this tick's interval of playing time, played in the browser FRAME_SECONDS apart
            want = e["index"] + max(1, round(e["interval"] / FRAME_SECONDS))
            stop_at = e.get("stop_at")
            if stop_at is not None:
                want = min(want, stop_at)
            if run.advance(want, budget=min(CHUNK_SECONDS, CHUNK_SHARE * e["interval"])):
                shared.note_size(run)
            e["index"] = max(e["index"], min(want, run.available - 1))  # never back (a run computed again)
            if at_end(e, run) or (stop_at is not None and e["index"] >= stop_at):
                e["ending"], e["stop_at"] = True, None  # the next tick, once these frames have played
            wanted = calm(governor.interval_for(governor.players(playing=_session_id())))
            now = time.monotonic()
            # The fragment's timer is set by a full run, so a new interval costs one: retune when the load asks for
            # a slower tick, or has halved, each session after its own random delay (a class that pressed Train
            # together would otherwise rerun its whole page at the same moment).
            if wanted > e["interval"] or wanted <= e["interval"] / 2:
                if e["retuned"] <= 0:
                    e["retuned"] = now + random.uniform(0.5, 2.5)
                elif now >= e["retuned"]:
                    e["interval"], e["retuned"] = wanted, 0.0
                    st.rerun()
            else:
                e["retuned"] = 0.0
        frame = run.frame(e["index"])
        frames = [run.frame(i) for i in range(before + 1, e["index"] + 1)] if e["index"] > before else [frame]
        if page_env.fewer_updates():  # one picture a tick: the frames in between are not played
            frames = [frame]
        shown.append(frame)
        # The progress bar is written after the charts, in its place above them: its words then reach the browser
        # after the charts' frames, and name the batch's first frame, the one the browser draws at once (the
        # slider's script moves them on with every frame drawn, ui/scrub.js). Written first, or naming the newest
        # frame, they ran up to a tick ahead of the picture.
        bar, first = st.container(key=f"live-bar-{key}"), frames[0]
        scrubber(e, frame, first.step, total)
        token, played, slot = _IN_VIEW.set(True), _BATCH.set(tuple(frames)), _ALERTS.set(st.container())
        named = _PANEL.set(key)
        try:
            view(frame)
        finally:
            _IN_VIEW.reset(token)
            _BATCH.reset(played)
            _ALERTS.reset(slot)
            _PANEL.reset(named)
        # a run that diverged says so from the batch that reaches its end (words the slider's script leaves alone)
        said = dataclasses.replace(first, diverged_at=frame.diverged_at)
        bar.progress(min(1.0, first.step / max(total, 1)), text=progress_text(said, total))

    def scrubbed() -> None:
        """The step slider moved: show the frame of the chosen step (the first kept at or after it, or the newest
        computed), paused, and put the step in the link."""
        e = st.session_state[state_key]
        run = shared.run(spec)
        chosen = (st.session_state.get(scrub_key) or {}).get("scrub")
        if not isinstance(chosen, int) or isinstance(chosen, bool):
            return
        e["index"] = next((f.index for f in run.frames if f.step >= chosen), run.available - 1)
        # a full rerun: a playing run's Pause turns back into Train (and the ticks stop), Replay into Train, and
        # whatever the page draws outside the panel from the frame shown (the narrated step, the quick checks, the
        # weights download) follows the chosen step; the chart itself was redrawn in the browser already
        e["rerun"] = True
        e["running"], e["ending"], e["scrubbed"], e["stop_at"] = False, False, True, None

    scrub_key = f"{key}-at"

    def scrubber(e: dict, frame: shared.Frame, at: int, total: int) -> None:
        """Once there is more than the first frame: a slider over the run's kept steps (scrub it back and forth; it
        follows the run while it plays). A scrubbed step is in the link (``at=``), so a teacher can send it. Its
        place is kept before the first frames too: nothing below it moves. at: the step it shows first (the
        batch's first frame; it follows the frames the charts draw)."""
        run = shared.run(spec)
        slot = st.container()
        if run.available >= 2:
            # every scheduled step (the slider keeps its shape while the run computes), and where a run that
            # diverged stopped
            options = sorted(set(spec.steps) | ({run.frames[-1].step} if run.complete else set()))
            with slot:
                livechart.scrubber(scrub_key, key, options, at, t("common.scrub"), t("common.scrub_help"),
                                   t("common.scrub_value"), scrubbed, progress=t("common.progress", step="{step}",
                                                                                 total=total))
        wanted = str(frame.step) if e.get("scrubbed") and not e["running"] else None
        if st.query_params.get(link) != wanted:
            if wanted is None:
                del st.query_params[link]
            else:
                st.query_params[link] = wanted

    st.fragment(tick, run_every=entry["interval"] if entry["running"] else None)()
    return shown[-1] if shown else shared.run(spec).frame(entry["index"])


def play_from_start(key: str) -> None:
    """Play panel ``key`` from its first frame (a class's reveal runs the demo that answers the question); nothing
    when the panel has not been drawn in this session."""
    entry = st.session_state.get(f"_live.{key}")
    if entry is not None:
        entry["index"], entry["running"] = 0, True


def link_key(key: str) -> str:
    """The link parameter of a panel's step (ui.teacher.step_in_link): ``at`` for the page's own panel (keyed by
    the page's name), ``at_<key>`` for the others. Fixed by the panel, never by the order a session happened to
    draw panels in (a page's tabs draw lazily: a link written after one tab must open the same panel after
    another)."""
    return "at" if key == st.session_state.get("_page") else f"at_{key}"


def _session_id() -> str:
    if "_sid" not in st.session_state:
        st.session_state["_sid"] = uuid.uuid4().hex
    return st.session_state["_sid"]


def calm(interval: float) -> float:
    """The tick interval with fewer updates asked for (ui.page_env): at least CALM_SECONDS."""
    return max(interval, CALM_SECONDS) if page_env.fewer_updates() else interval


def progress_text(frame: shared.Frame, total_steps: int) -> str:
    """"Step 40 of 300"; for a run that diverged, also the update that failed (it is not counted as a step)."""
    text = t("common.progress", step=frame.step, total=total_steps)
    return text + t("common.progress_diverged", step=frame.diverged_at) if frame.diverged_at is not None else text


def shown_frame(key: str) -> shared.Frame | None:
    """The frame a panel shows in this session (for a download of what the student sees)."""
    entry = st.session_state.get(f"_live.{key}")
    if entry is None:
        return None
    found = shared.RUNS.get(entry["key"])
    return None if found is None or not found.available else found.frame(entry["index"])
