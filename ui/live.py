"""The live-training pattern every training page shares: Train / Pause / Step / Reset.

The model lives in st.session_state, so a rerun never retrains what is already trained. Training runs in
short chunks inside a fragment that reruns on a timer while `running` is set; the buttons sit outside the
fragment and flip `running` with on_click (a full rerun), which is the combination that works on Streamlit
1.67 (see STREAMLIT-NOTES). Chunk length adapts so that one chunk takes about CHUNK_SECONDS: Pause lands
within one chunk. The engine guarantees run(a); run(b) == run(a + b), so chunking never changes the result.
"""
from __future__ import annotations

import contextvars
import time
from typing import Any, Callable, Hashable

import streamlit as st

from ui.i18n import t

_IN_VIEW = contextvars.ContextVar("in_live_view", default=False)


def in_view() -> bool:
    """True while a live panel's view draws. A chart it draws with no data yet (nothing trained, or no evaluation
    recorded so far) says how it fills ("Press Train or Step", added by ui.lesson.chart): the one place this state
    is decided. Charts that never fill from training (diagrams, formulas) belong outside the view."""
    return _IN_VIEW.get()


CHUNK_SECONDS = 0.08  # keep each chunk under the 100 ms budget so Pause stays responsive
TICK_SECONDS = 0.25


def _finished(obj: Any, total_steps: int) -> bool:
    return obj.step >= total_steps or bool(getattr(obj, "stopped", False)) or bool(getattr(obj, "diverged", False))


def panel(key: str, build: Callable[[], Any], signature: Hashable, total_steps: int,
          view: Callable[[Any], None], step_size: int = 1, first_chunk: int = 1) -> Any:
    """Draw the Train/Pause/Step/Reset row and the live view; return the trainer-like object.

    build() makes a fresh object with .run(n) and .step (int, updates done) and optionally .stopped or
    .diverged (bool: nothing more to train), e.g. a core.train.Trainer or a core.compare.Group. signature: everything build() depends on; when it changes the run starts over.
    view(obj) draws the charts from the object's state (called on every tick).
    """
    state_key = f"_live.{key}"
    entry = st.session_state.get(state_key)
    if entry is None or entry["signature"] != signature:
        entry = {"signature": signature, "obj": build(), "running": False, "chunk": first_chunk}
        st.session_state[state_key] = entry

    def toggle() -> None:
        e = st.session_state[state_key]
        e["running"] = not e["running"] and not _finished(e["obj"], total_steps)

    def step_once() -> None:
        e = st.session_state[state_key]
        e["running"] = False
        if not _finished(e["obj"], total_steps):
            e["obj"].run(min(step_size, total_steps - e["obj"].step))

    def reset() -> None:
        st.session_state.pop(state_key, None)

    cols = st.columns([1, 1, 1, 3])
    running = entry["running"]
    cols[0].button(t("common.pause") if running else t("common.train"), key=f"{key}-train", on_click=toggle,
                   type="primary", icon=":material/pause:" if running else ":material/play_arrow:",
                   disabled=_finished(entry["obj"], total_steps) and not running, width="stretch")
    cols[1].button(t("common.step", n=step_size), key=f"{key}-step", on_click=step_once, width="stretch",
                   icon=":material/skip_next:", disabled=_finished(entry["obj"], total_steps))
    cols[2].button(t("common.reset"), key=f"{key}-reset", on_click=reset, icon=":material/restart_alt:",
                   width="stretch")

    def tick() -> None:
        e = st.session_state.get(state_key)
        if e is None:
            return
        obj = e["obj"]
        if e["running"]:
            n = max(1, min(e["chunk"], total_steps - obj.step))
            started = time.perf_counter()
            # a step's cost varies (evaluation rows, a slow moment of the machine): run the chunk in eighths and
            # stop at the time budget, so one chunk overshoots by an eighth at most and Pause stays responsive
            done, part = 0, max(1, n // 8)
            while done < n:
                obj.run(min(part, n - done))
                done += min(part, n - done)
                if time.perf_counter() - started >= CHUNK_SECONDS:
                    break
            elapsed = max(time.perf_counter() - started, 1e-4)
            e.setdefault("chunk_seconds", []).append(elapsed)  # read by bench/latency.py
            del e["chunk_seconds"][:-50]
            e["chunk"] = int(min(max(1, done * CHUNK_SECONDS / elapsed), 2 * done, 5000))  # grow 2x a tick at most
            if _finished(obj, total_steps):
                e["running"] = False
                st.rerun()  # a full rerun turns the Pause button back into Train
        st.progress(min(1.0, obj.step / max(total_steps, 1)), text=t("common.progress", step=obj.step, total=total_steps))
        token = _IN_VIEW.set(True)
        try:
            view(obj)
        finally:
            _IN_VIEW.reset(token)

    st.fragment(tick, run_every=TICK_SECONDS if entry["running"] else None)()
    return entry["obj"]
