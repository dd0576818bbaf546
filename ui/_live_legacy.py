"""TEMPORARY: the per-session live panel that pages used before lab/shared.py (being converted page by page to
ui.live.panel over shared runs; this module goes when the last page is converted).

The live-training pattern every training page shared: Train / Pause / Step / Reset.

The model lives in st.session_state, so a rerun never retrains what is already trained. Training runs in
short chunks inside a fragment that reruns on a timer while `running` is set; the buttons sit outside the
fragment and flip `running` with on_click (a full rerun), which is the combination that works on Streamlit
1.67 (see STREAMLIT-NOTES). Chunk length adapts so that one chunk takes about CHUNK_SECONDS: Pause lands
within one chunk. The engine guarantees run(a); run(b) == run(a + b), so chunking never changes the result.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable

import streamlit as st

from ui.i18n import t
from ui.live import _IN_VIEW


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
        entry = {"signature": signature, "obj": build(), "running": False, "chunk": first_chunk,
                 "lock": threading.Lock()}
        st.session_state[state_key] = entry

    def toggle() -> None:
        e = st.session_state[state_key]
        e["running"] = not e["running"] and not _finished(e["obj"], total_steps)

    def step_once() -> None:
        e = st.session_state[state_key]
        e["running"] = False
        if not _finished(e["obj"], total_steps):
            with e["lock"]:
                e["obj"].run(min(step_size, total_steps - e["obj"].step))

    def reset() -> None:
        st.session_state.pop(state_key, None)

    cols = st.columns([1, 1, 1, 3])
    running = entry["running"]
    cols[0].button(t("common.pause") if running else t("common.train"), key=f"{key}-train", on_click=toggle,
                   type="primary", icon=":material/pause:" if running else ":material/play_arrow:",
                   disabled=_finished(entry["obj"], total_steps) and not running, width="stretch")
    cols[1].button(t("common.step"), key=f"{key}-step", on_click=step_once, width="stretch",
                   icon=":material/skip_next:", disabled=_finished(entry["obj"], total_steps))
    cols[2].button(t("common.reset"), key=f"{key}-reset", on_click=reset, icon=":material/restart_alt:",
                   width="stretch")

    def tick() -> None:
        e = st.session_state.get(state_key)
        if e is None:
            return
        obj = e["obj"]
        if e["running"]:
            done, elapsed = train_chunk(e, max(1, min(e["chunk"], total_steps - obj.step)))
            e.setdefault("chunk_seconds", []).append(elapsed)  # read by bench/latency.py
            del e["chunk_seconds"][:-50]
            e["chunk"] = int(min(max(1, done * CHUNK_SECONDS / elapsed), 2 * done, 5000))  # grow 2x a tick at most
            if _finished(obj, total_steps):
                e["running"] = False
                st.rerun()  # a full rerun turns the Pause button back into Train
        st.progress(min(1.0, obj.step / max(total_steps, 1)), text=progress_text(obj, total_steps))
        token = _IN_VIEW.set(True)
        try:
            view(obj)
        finally:
            _IN_VIEW.reset(token)

    st.fragment(tick, run_every=TICK_SECONDS if entry["running"] else None)()
    return entry["obj"]


def train_chunk(entry: dict, n: int, budget: float = CHUNK_SECONDS) -> tuple[int, float]:
    """Train entry["obj"] up to n steps within ``budget`` seconds -> (steps done, seconds taken).

    A step's cost varies (evaluation rows, a slow moment of the machine): the chunk runs in eighths and stops at
    the time budget, so it overshoots by an eighth at most and Pause stays responsive. Each part holds the run's
    lock, so a download reading the object (``reader``) sees whole steps only.
    """
    obj, started = entry["obj"], time.perf_counter()
    done, part = 0, max(1, n // 8)
    while done < n:
        with entry["lock"]:
            obj.run(min(part, n - done))
        done += min(part, n - done)
        if time.perf_counter() - started >= budget:
            break
    return done, max(time.perf_counter() - started, 1e-4)


def progress_text(obj: Any, total_steps: int) -> str:
    """"Step 40 of 300"; for a run that diverged, also the update that failed (it is not counted as a step)."""
    text = t("common.progress", step=obj.step, total=total_steps)
    failed = getattr(obj, "diverged_at", None)
    return text + t("common.progress_diverged", step=failed) if failed is not None else text


def reader(key: str, read: Callable[[Any], Any]) -> Callable[[], Any]:
    """A callable for a deferred download (st.download_button's data): read(obj) of the panel ``key``'s object,
    taken while no chunk is training, so it holds one whole step (the object's .step), never a mix of two.

    The callable runs outside the script (when the browser asks for the file), so it captures the run now.
    """
    return locked_reader(st.session_state[f"_live.{key}"], read)


def locked_reader(entry: dict, read: Callable[[Any], Any]) -> Callable[[], Any]:
    """``reader`` for one panel entry (its object and lock are captured now)."""
    lock, obj = entry["lock"], entry["obj"]

    def locked_read():
        with lock:
            return read(obj)

    return locked_read

