"""Live training on a page: Train / Pause / Step / Reset over a shared run of frames (lab/shared.py).

A run is deterministic for its settings and seed, so it is computed once per server and shared: the page asks its
lab module for a ``RunSpec`` (how to build the run, what to keep at a frame, at which steps), and this panel plays
that run's frames. A session keeps only the index of the frame it shows. While it plays, each tick of the fragment
(every TICK_SECONDS) shows the next frame; when that frame does not exist yet, the ticking session computes it
(``Run.advance``, at most CHUNK_SECONDS, one session at a time), so a class that presses Train together trains one
network, and a student whose setting was computed before replays it without training anything.

The buttons sit outside the fragment and flip ``running`` with on_click (a full rerun): the combination that works
on Streamlit 1.67 (a Pause inside a busy fragment would not interrupt it). A chart that the view draws with no data
yet (the first frame of a live chart) says how it fills ("Press Train or Step", added by ui.lesson.chart):
``in_view`` is the one place that state is decided.
"""
from __future__ import annotations

import contextvars
import random
import threading
import time
import uuid
from typing import Any, Callable

import streamlit as st

from lab import shared
from ui import launch, livechart, teacher
from ui.i18n import t

FRAME_SECONDS = 0.1  # while a run plays the browser shows a new frame every 0.1 s: ten pictures a second
TICK_SECONDS = 0.3   # a lone student's tick: it brings the next three frames, which the browser plays in turn
CHUNK_SHARE, CHUNK_SECONDS = 0.3, 0.12  # a tick computes for at most this share of its interval, and this long:
# Pause stays responsive, and a class shares the core fairly
# What one server process runs per second, all playing sessions together (each tick is a script run in a new thread
# plus its charts; measured on the 2-core machine, bench/classroom.py). With more players than that allows at
# TICK_SECONDS, every player ticks less often and each tick brings more frames: a class sees the same ten pictures
# a second (as long as the server keeps up), never a slower run or a stalled server.
TICKS_PER_SECOND = 40
_INTERVALS = (0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0)
_PLAYERS: dict[str, float] = {}  # session -> when it last ticked while playing (this process)
_VIEWERS: dict[str, float] = {}  # session -> when it last drew a live panel (likely to press Train soon)
_PLAYERS_LOCK = threading.Lock()

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
          start: str = "first") -> shared.Frame:
    """Draw the Train/Pause/Step/Reset row, the progress and view(frame); return the frame shown.

    spec: the run (``lab`` builds it from the page's settings; equal keys are the same run). total_steps: the run's
    length for the progress bar (default: its last frame step). start: what a fresh view shows, "first" (the
    untrained network), "last" (the finished run, when it is already computed: a lesson's warmed-up default), or
    "play" (the finished run when computed, else it starts playing at once: a picture that needs no Train press).
    """
    state_key = f"_live.{key}"
    viewers(viewing=_session_id())
    total = int(total_steps if total_steps is not None else spec.steps[-1])
    run = shared.run(spec)
    link = link_key(key)
    entry = st.session_state.get(state_key)
    if entry is None or entry["key"] != spec.key:
        index = run.available - 1 if start == "last" and run.complete else 0
        at = teacher.step_in_link(link) if entry is None else None
        wanted = at if at is not None else (teacher.trained_step() if entry is None else None)
        if wanted is not None:  # a teacher's link: open at the first saved step at or after it
            index = next((i for i, s in enumerate(spec.steps) if s >= wanted), len(spec.steps) - 1)
            while run.available <= index and not run.complete:
                run.advance(index, budget=1.0, wait=True)
            shared.note_size(run)
            index = min(index, run.available - 1)
        playing = start == "play" and not (run.complete and index >= run.available - 1)
        entry = {"key": spec.key, "index": index, "running": playing, "interval": TICK_SECONDS, "retuned": 0.0,
                 "scrubbed": at is not None}
        st.session_state[state_key] = entry
    if run.available == 0:  # the first frame (step 0) is part of drawing the page
        run.advance(0, budget=0.0, wait=True)
        shared.note_size(run)

    def at_end(e: dict) -> bool:
        return run.complete and e["index"] >= run.available - 1

    def toggle() -> None:
        e = st.session_state[state_key]
        e["ending"] = e["scrubbed"] = False
        if e["running"]:
            e["running"] = False
        else:
            if at_end(e):
                e["index"] = 0  # Train on a finished run replays it from the start
            e["running"] = True
            e["interval"] = interval_for(max(players(playing=_session_id()), viewers()))

    def step_once() -> None:
        e = st.session_state[state_key]
        e["running"] = e["ending"] = e["scrubbed"] = False
        if not at_end(e):
            run.advance(e["index"] + 1, budget=1.0, wait=True)
            shared.note_size(run)
            e["index"] = min(e["index"] + 1, run.available - 1)

    def reset() -> None:
        e = st.session_state[state_key]
        e["running"], e["ending"], e["scrubbed"], e["index"] = False, False, False, 0

    cols = st.columns([1, 1, 1, 1])  # room for the longest label in either language, even in a narrow column
    running = entry["running"]
    finished = at_end(entry)
    label = t("common.pause") if running else (t("common.replay") if finished else t("common.train"))
    cols[0].button(label, key=f"{key}-train", on_click=toggle, type="primary",
                   icon=":material/pause:" if running else (":material/replay:" if finished else ":material/play_arrow:"),
                   width="stretch")
    cols[1].button(t("common.step"), key=f"{key}-step", on_click=step_once, width="stretch",
                   icon=":material/skip_next:", disabled=finished)
    cols[2].button(t("common.reset"), key=f"{key}-reset", on_click=reset, icon=":material/restart_alt:",
                   width="stretch")

    shown: list[shared.Frame] = []

    def tick() -> None:
        launch.note_activity()
        started = time.thread_time()  # this thread's CPU: what the tick costs, not the time it waited its turn
        try:
            _tick()
        finally:
            note_tick_cost(time.thread_time() - started)

    def _tick() -> None:
        e = st.session_state.get(state_key)
        if e is None or e["key"] != spec.key:
            return
        if e.get("ending"):  # the run's last frames have played: a full rerun turns the Pause button back into Train
            e["running"] = e["ending"] = False
            st.rerun()
        if e.pop("rerun", False):  # the step slider moved while the run played
            st.rerun()
        before = e["index"]
        if e["running"]:
            # the frames of this tick's interval of playing time, played in the browser FRAME_SECONDS apart
            want = e["index"] + max(1, round(e["interval"] / FRAME_SECONDS))
            if run.advance(want, budget=min(CHUNK_SECONDS, CHUNK_SHARE * e["interval"])):
                shared.note_size(run)
            e["index"] = min(want, run.available - 1)
            if at_end(e):
                e["ending"] = True  # the next tick, once these frames have played
            wanted = interval_for(players(playing=_session_id()))
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
        shown.append(frame)
        st.progress(min(1.0, frame.step / max(total, 1)), text=progress_text(frame, total))
        scrubber(e, frame)
        token, played, slot = _IN_VIEW.set(True), _BATCH.set(tuple(frames)), _ALERTS.set(st.container())
        named = _PANEL.set(key)
        try:
            view(frame)
        finally:
            _IN_VIEW.reset(token)
            _BATCH.reset(played)
            _ALERTS.reset(slot)
            _PANEL.reset(named)

    def scrubbed() -> None:
        """The step slider moved: show the frame of the chosen step (the first kept at or after it, or the newest
        computed), paused, and put the step in the link."""
        e = st.session_state[state_key]
        run = shared.run(spec)
        chosen = (st.session_state.get(scrub_key) or {}).get("scrub")
        if not isinstance(chosen, int) or isinstance(chosen, bool):
            return
        was_end = at_end(e)
        e["index"] = next((f.index for f in run.frames if f.step >= chosen), run.available - 1)
        # a run that was playing, or moved from or to its end: a full rerun turns Pause back into Train (and stops
        # the ticks), or Replay into Train
        e["rerun"] = e["running"] or at_end(e) != was_end
        e["running"], e["ending"], e["scrubbed"] = False, False, True

    scrub_key = f"{key}-at"

    def scrubber(e: dict, frame: shared.Frame) -> None:
        """Once there is more than the first frame: a slider over the run's kept steps (scrub it back and forth; it
        follows the run while it plays). A scrubbed step is in the link (``at=``), so a teacher can send it. Its
        place is kept before the first frames too: nothing below it moves."""
        run = shared.run(spec)
        slot = st.container()
        if run.available >= 2:
            # every scheduled step (the slider keeps its shape while the run computes), and where a run that
            # diverged stopped
            options = sorted(set(spec.steps) | ({run.frames[-1].step} if run.complete else set()))
            with slot:
                livechart.scrubber(scrub_key, key, options, frame.step, t("common.scrub"), t("common.scrub_help"),
                                   t("common.scrub_value"), scrubbed)
        wanted = str(frame.step) if e.get("scrubbed") and not e["running"] else None
        if st.query_params.get(link) != wanted:
            if wanted is None:
                del st.query_params[link]
            else:
                st.query_params[link] = wanted

    st.fragment(tick, run_every=entry["interval"] if entry["running"] else None)()
    return shown[-1] if shown else run.frame(entry["index"])


def link_key(key: str) -> str:
    """The link parameter of a panel's step (ui.teacher.step_in_link): ``at`` for the first panel a page draws,
    ``at_<key>`` for the others."""
    owners = st.session_state.setdefault("_at_owner", {})
    page = st.session_state.get("_page", "")
    owner = owners.setdefault(page, key)
    return "at" if owner == key else f"at_{key}"


def _session_id() -> str:
    if "_sid" not in st.session_state:
        st.session_state["_sid"] = uuid.uuid4().hex
    return st.session_state["_sid"]


def players(now: float | None = None, playing: str | None = None) -> int:
    """Sessions of this process that ticked while playing in the last two seconds (``playing``: note this one)."""
    return _count(_PLAYERS, 2.0, now, playing)


def viewers(now: float | None = None, viewing: str | None = None) -> int:
    """Sessions of this process that drew a live panel in the last 20 seconds: when a class opens a page
    together, its Train presses follow, and the first tick interval already allows for all of them."""
    return _count(_VIEWERS, 20.0, now, viewing)


def _count(seen: dict, within: float, now: float | None, noting: str | None) -> int:
    now = time.monotonic() if now is None else now
    with _PLAYERS_LOCK:
        if noting is not None:
            seen[noting] = now
        for sid in [s for s, t in seen.items() if now - t > within]:
            del seen[sid]
        return len(seen)


_TICK_COST = [0.008]  # a moving average of one tick's CPU time in this process (seconds)
BUSY_SHARE = 0.8  # the share of the process's time playing sessions may use together, the rest for everyone else


def note_tick_cost(seconds: float) -> None:
    _TICK_COST[0] = 0.9 * _TICK_COST[0] + 0.1 * min(seconds, 1.0)


def interval_for(n_players: int) -> float:
    """The tick interval when ``n_players`` sessions play at once: TICK_SECONDS while the server keeps up, then the
    next longer step of _INTERVALS that keeps all of them within TICKS_PER_SECOND and, at the ticks' measured
    cost, within BUSY_SHARE of the process (a tick that would arrive before the previous one finished only queues)."""
    wanted = max(n_players / TICKS_PER_SECOND, n_players * _TICK_COST[0] / BUSY_SHARE)
    return next((i for i in _INTERVALS if i >= wanted), _INTERVALS[-1])


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
