"""A whole class on one page: N websocket sessions open the same page at the same moment and use it together.

    python bench/classroom.py                     # every lesson page, 30 students, random controls, 0-6 s pauses
    python bench/classroom.py --think 3,0 --train # the issue's table: pauses, back to back, Train together
    python bench/classroom.py --pages dropout --sessions 5 --think 0 --duration 10     # a quick look
    python bench/classroom.py --pages playground --train --sessions 5 --set steps=5000
    python bench/classroom.py --open 200          # 200 sessions opening pages spread over the lesson pages
    python bench/classroom.py --url http://127.0.0.1:8501 --pids 1234,1235  # a running server or proxy
    python bench/classroom.py --pages playground --train --crowd 100 --duration 20   # memory: class, then crowd

Modes, per page (each page's class opens together, on the same defaults):
- controls (`--think T`, comma-separated for several runs): every session changes a random control of any kind
  the page draws (slider, select_slider, selectbox, radio, toggle, checkbox, number_input, multiselect; not the
  app's lang/present, not keys starting with "_", not buttons), waits uniform 0..2T seconds (T=0: back to back),
  for `--duration` seconds or `--interactions` moves each. Latency: send -> full run finished; also send -> last
  chart delta of that run. Controls appear and disappear as the page redraws; the session picks among the ones the
  last run drew, and sends the values of all of them, like the browser.
- train (`--train`): after an untimed 2 s warm-up run, a lone student, then the class, press the page's Train
  button(s) (keys ending "-train") and follow the fragments' auto-reruns like the browser for `--duration` seconds
  (default 20). Steps come from the progress text ("Step X of Y", summed over the page's panels); a refresh is a
  run (fragment tick or full run) that delivered at least one chart, counted per student per second while its run
  trains. Pages without a Train button are skipped. `--set steps=...` keeps a lone run from finishing early.
- open (`--open N`): N sessions opening pages spread over `--pages` at the same moment; time to the last first
  render.
- crowd (`--crowd N`, issue 21's attack): N sessions open the pages (spread over `--pages`), each moves the page's
  seed to a value of its own (N distinct runs) and presses Train, for `--duration` seconds, then all leave.

RSS of the server (or of `--pids`, summed) is sampled every 0.2 s: before each phase, its peak during the phase, a
moment after the sessions closed (`--settle`), and `--after` seconds after they closed (default 120: "RSS 2 min
after"), with no connection in between, as when a class has left: the disconnected sessions must expire
(server.disconnectedSessionTTL, .streamlit/config.toml) and the server give their memory back by itself
(ui/launch.py's housekeeping closes expired sessions, drops the class's results, collects and trims). Target
(issues 14, 21): RSS 2 min after within 25 % of before. `--after 0` skips the wait (then the target is read 3 s
after close).

Targets (issue 14), checked per row: with pauses p95 <= 500 ms and max <= 2 s; back to back p95 <= 2 s;
Train together: median class steps >= 1/3 of the lone student's with >= 2 refreshes/s; peak RSS <= 800 MB;
RSS after close within 25 % of before. Errors (exceptions drawn on the page, time-outs, dropped connections) are
counted in every row and listed. The numbers mean something only on a quiet machine.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # a script run from anywhere: make the project importable

from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from bench.wsclient import Session, random_change, widget_kind  # noqa: E402
from ui import nav  # noqa: E402

APP_WIDGETS = {"lang", "present"}  # the app's own sidebar widgets, not the lesson's controls
CONTROL_KINDS = ("slider", "select_slider", "selectbox", "radio", "toggle", "checkbox", "number_input", "multiselect")
SETTINGS: dict[str, str] = {}  # --set key=value: applied by every session after its first load, on every page
TTL_ENV = "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"  # server.disconnectedSessionTTL
STREAMLIT_DEFAULT_TTL = 120
WARM_TRAIN_SECONDS = 2.0  # the untimed Train press before a page's lone student (skipped with --no-warmup)
TARGETS = {"p95_pauses": 0.5, "max_pauses": 2.0, "p95_b2b": 2.0, "steps_ratio": 1 / 3, "refresh": 2.0,
           "rss_mb": 800.0, "rss_return": 0.25}


# ------------------------------------------------------------------------------------------------------- memory
def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class RssSampler:
    """Samples the summed RSS of some processes every `every` seconds in a thread."""

    def __init__(self, pids: list[int], every: float = 0.2):
        self.pids, self.every = pids, every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        if pids:
            self._thread.start()

    def read(self) -> float | None:
        if not self.pids:
            return None
        values = [v for v in (rss_mb(p) for p in self.pids) if v is not None]
        if not values:  # every process is gone
            return None
        total = sum(values)
        self.samples.append((time.perf_counter(), total))
        return total

    def _loop(self):
        while not self._stop.wait(self.every):
            self.read()

    def peak(self, since: float) -> float | None:
        values = [v for t, v in self.samples if t >= since]
        return max(values) if values else None

    def stop(self):
        self._stop.set()


# ------------------------------------------------------------------------------------------------------ helpers
def pct(values, q):
    values = sorted(values)
    if not values:
        return None
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def progress_pattern() -> re.Pattern:
    """A regex for the live panels' progress text, made from content/en/common.txt's `progress` entry."""
    try:
        from content.catalog import load
        template = load("en")["common.progress"]
    except Exception:  # noqa: BLE001 - the catalog moved: fall back to the text of today
        template = "Step {step} of {total}"
    number = r"([\d][\d,\u202f ]*)"
    escaped = re.escape(template).replace(r"\{step\}", number).replace(r"\{total\}", number)
    return re.compile(escaped)


PROGRESS = progress_pattern()


def parse_progress(text: str) -> tuple[int, int] | None:
    match = PROGRESS.search(text)
    if not match:
        return None
    step, total = (int(re.sub(r"\D", "", g)) for g in match.groups())
    return step, total


def controls_of(session: Session) -> list[tuple[str, str, str, object]]:
    """(key, kind as shown, element kind, proto) of the lesson controls the session's last run drew."""
    found = []
    for key, (kind, proto) in session.widgets.items():
        shown = widget_kind(kind, proto)
        if shown in CONTROL_KINDS and key not in APP_WIDGETS and not key.startswith("_") and not proto.disabled:
            found.append((key, shown, kind, proto))
    return found


def setting_state(kind: str, proto, raw: str) -> WidgetState:
    """The WidgetState for `--set key=value`: numbers for sliders and number inputs, the shown option text for
    select_slider/selectbox/radio (comma-separated for a multiselect), 1/0 for toggles and checkboxes."""
    state = WidgetState(id=proto.id)
    options = list(getattr(proto, "options", []))
    if kind in ("select_slider", "selectbox", "radio", "multiselect"):
        wanted = raw.split(",") if kind == "multiselect" else [raw]
        unknown = [w for w in wanted if w not in options]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not an option ({', '.join(options)})")
        if kind == "select_slider" or kind == "multiselect":
            state.string_array_value.data.extend(wanted)
        else:
            state.string_value = raw
    elif kind == "slider":
        state.double_array_value.data.extend(float(v) for v in raw.split(","))
    elif kind in ("toggle", "checkbox"):
        state.bool_value = raw.strip().lower() in ("1", "true", "on", "yes")
    elif kind == "number_input":
        if proto.data_type == proto.INT:
            state.int_value = int(raw)
        else:
            state.double_value = float(raw)
    else:
        raise ValueError(f"cannot set a {kind}")
    return state


async def apply_settings(session: Session, settings: dict[str, str], timeout: float) -> list[str]:
    """Set the page's controls named in `settings` (keys the page does not draw are skipped), one move each."""
    errors = []
    for key, raw in settings.items():
        if key not in session.widgets:
            continue
        kind, proto = session.widgets[key]
        try:
            await session.interact(setting_state(widget_kind(kind, proto), proto, raw), timeout=timeout)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{session.page}: --set {key}={raw}: {type(exc).__name__}: {exc}")
    return errors


def train_keys(session: Session) -> list[str]:
    return [key for key, (kind, proto) in session.widgets.items()
            if kind == "button" and key.endswith("-train") and not proto.disabled]


class Phase:
    """One row's measurement window: RSS before, peak, after close, after expiry."""

    def __init__(self, rss: RssSampler):
        self.rss = rss
        self.before = rss.read()
        self.started = time.perf_counter()
        self.cpu = time.process_time()
        self.peak = self.after_close = self.after_wait = None
        self.after_s = 0.0

    def closed(self):
        self.peak = self.rss.peak(self.started)
        self.closed_at = time.perf_counter()
        # the bench's own CPU share: the clients run on the same machine as the server and compete with it
        self.client_cpu = (time.process_time() - self.cpu) / max(self.closed_at - self.started, 1e-3)

    def fields(self) -> dict:
        return {"rss_before": self.before, "rss_peak": self.peak, "rss_after_close": self.after_close,
                "rss_after_wait": self.after_wait, "after_s": self.after_s, "client_cpu": self.client_cpu}


async def settle_and_expire(url: str, phase: Phase, after: float | None, settle: float):
    """RSS a moment after the sessions closed, then `after` seconds after they closed, with nothing connecting in
    between (the server must let the sessions expire and give their memory back by itself)."""
    await asyncio.sleep(settle)
    phase.after_close = phase.rss.read()
    phase.peak = phase.rss.peak(phase.started)
    if not after:
        return
    wait = phase.closed_at + after - time.perf_counter()
    if wait > 0:
        await asyncio.sleep(wait)
    phase.after_wait = phase.rss.read()
    phase.after_s = after


async def open_sessions(url: str, pages: list[str], timeout: float, started: float | None = None):
    """Connect one session per entry of `pages` and run their first loads at the same moment.

    Returns the sessions, the seconds from `started` (default: when the loads were sent) to each first render
    (None when it failed), and the errors."""
    sessions = [Session(url, page) for page in pages]
    errors: list[str] = []

    async def connect(s):
        try:
            await s.connect()
            return True
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{s.page}: connect: {type(exc).__name__}: {exc}")
            return False

    connected = await asyncio.gather(*(connect(s) for s in sessions))
    t0 = started if started is not None else time.perf_counter()

    async def first(s, ok):
        if not ok:
            return None
        try:
            await s.rerun(timeout=timeout)
            return time.perf_counter() - t0
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{s.page}: first load: {type(exc).__name__}: {exc}")
            return None

    firsts = await asyncio.gather(*(first(s, ok) for s, ok in zip(sessions, connected)))
    if SETTINGS:
        for errs in await asyncio.gather(*(apply_settings(s, SETTINGS, timeout) for s, f in zip(sessions, firsts)
                                           if f is not None)):
            errors.extend(errs)
    return sessions, list(firsts), errors


async def close_all(sessions):
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


def new_exceptions(session: Session, seen: int, where: str) -> list[str]:
    return [f"{where}: exception on the page: {m[:160]}" for m in session.exceptions[seen:]]


# ----------------------------------------------------------------------------------------------------- controls
async def student_controls(session: Session, rng: random.Random, think: float, deadline: float,
                           interactions: int | None, timeout: float, record: dict):
    done = 0
    while True:
        if interactions is not None and done >= interactions:
            return
        if interactions is None and time.perf_counter() >= deadline:
            return
        if think:
            await asyncio.sleep(rng.uniform(0, 2 * think))
            if interactions is None and time.perf_counter() >= deadline:
                return
        candidates = controls_of(session)
        rng.shuffle(candidates)
        change = None
        for key, kind, element_kind, proto in candidates:
            change = random_change(element_kind, proto, session.states.get(proto.id), rng)
            if change is not None:
                break
        if change is None:
            record["errors"].append(f"{session.page}: no control to change")
            return
        seen = len(session.exceptions)
        sent = time.perf_counter()
        try:
            latency = await session.interact(change, timeout=timeout)
        except asyncio.TimeoutError:
            record["errors"].append(f"{session.page}: time-out after {timeout:g} s changing {key} ({kind})")
            return  # the session's state is unknown from here
        except Exception as exc:  # noqa: BLE001 - a dropped connection is an error of the run
            record["errors"].append(f"{session.page}: {type(exc).__name__} changing {key} ({kind}): {exc}")
            return
        run = session.run
        chart = run.last_plotly - sent if run is not None and run.last_plotly is not None and run.started >= sent \
            else None
        record["latencies"].append(latency)
        if chart is not None:
            record["chart_latencies"].append(chart)
        record["kinds"][kind] = record["kinds"].get(kind, 0) + 1
        record["keys"][key] = record["keys"].get(key, 0) + 1
        record["errors"].extend(new_exceptions(session, seen, f"{session.page}: after {key} ({kind}) -> "
                                                              f"{_shown(change)}"))
        done += 1


def _shown(state) -> str:
    which = state.WhichOneof("value")
    value = getattr(state, which)
    return str(list(value.data) if hasattr(value, "data") else value)


async def run_controls(url: str, page: str, n: int, think: float, duration: float, interactions: int | None,
                       timeout: float, seed: int, rss: RssSampler, ttl, settle: float) -> dict:
    phase = Phase(rss)
    record = {"latencies": [], "chart_latencies": [], "kinds": {}, "keys": {}, "errors": []}
    sessions, firsts, errors = await open_sessions(url, [page] * n, timeout)
    record["errors"].extend(errors)
    for s in sessions:
        record["errors"].extend(new_exceptions(s, 0, f"{page}: first load"))
    started = time.perf_counter()
    deadline = started + duration
    live = [(i, s) for i, s in enumerate(sessions) if firsts[i] is not None]
    await asyncio.gather(*(student_controls(s, random.Random(seed * 1000 + i), think, deadline, interactions,
                                            timeout, record) for i, s in live))
    wall = time.perf_counter() - started
    await close_all(sessions)
    phase.closed()
    await settle_and_expire(url, phase, ttl, settle)
    lat = record["latencies"]
    return {
        "page": page, "mode": "back to back" if think == 0 else f"pauses 0-{2 * think:g} s", "think": think,
        "sessions": n, "n": len(lat), "wall_s": wall,
        "first_load_p95": pct([f for f in firsts if f is not None], 95),
        "p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat) if lat else None,
        "chart_p50": pct(record["chart_latencies"], 50), "chart_p95": pct(record["chart_latencies"], 95),
        "errors": len(record["errors"]), "error_list": record["errors"][:50],
        "kinds": record["kinds"], "keys": record["keys"],
        **phase.fields(),
    }


# -------------------------------------------------------------------------------------------------------- train
LIVE_CHART = "dnnlab_live_chart"  # ui.livechart's element: a chart that plays the frames a tick brings
_STEPS = re.compile(rb'"steps": \[([0-9, ]*)\], "period": ([0-9]+)')


class TrainWatch:
    """What one student saw while training: progress per panel and the chart refreshes.

    A refresh is a new picture of the panel: with live charts (ui.livechart), each new frame a message of the
    panel's first live chart brings, at the moment the browser plays it (its arrival, then one period apart); with
    plain charts (an app before live charts), each run that delivered a chart."""

    def __init__(self):
        self.progress: list[tuple[float, tuple, int, int]] = []  # (time, panel, step, total)
        self.refreshes: list[float] = []                          # when a new picture is shown
        self.plotly: list[float] = []                             # time of every chart delta
        self.ticks = 0
        self.live_key: bytes | None = None                        # the first live chart seen: the one counted
        self.live_step: int | None = None

    def on_message(self, session, fwd, now):
        if fwd.WhichOneof("type") != "delta" or fwd.delta.WhichOneof("type") != "new_element":
            return
        element = fwd.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "progress":
            parsed = parse_progress(element.progress.text)
            if parsed is not None:
                self.progress.append((now, tuple(fwd.metadata.delta_path), *parsed))
        elif kind == "plotly_chart":
            self.plotly.append(now)
        elif kind == "bidi_component" and element.bidi_component.component_name == LIVE_CHART:
            self.plotly.append(now)
            head = element.bidi_component.bytes[:4096]
            key = head[:head.find(b'", "steps"')]
            self.live_key = self.live_key or key
            found = _STEPS.search(head)
            if key != self.live_key or found is None:
                return
            steps, period = [int(s) for s in found.group(1).split(b",") if s.strip()], int(found.group(2)) / 1000
            for j, step in enumerate(steps):
                if step != self.live_step:
                    self.refreshes.append(now + j * period)
                self.live_step = step

    def on_run_finished(self, session, run):
        if run.fragment_ids:
            self.ticks += 1
        if self.live_key is None and run.plotly and run.last_plotly is not None:
            self.refreshes.append(run.last_plotly)

    def finished_at(self, panels: int) -> float:
        """When the last of the page's panels reached its total."""
        last: dict[tuple, tuple[int, int]] = {}
        for when, panel, step, total in self.progress:
            last[panel] = (step, total)
            if len(last) >= panels and all(s >= n for s, n in last.values()):
                return when
        return self.progress[-1][0] if self.progress else 0.0

    def steps_at(self, t: float) -> tuple[int, dict]:
        """Steps reached by time t, summed over the page's panels (and per panel)."""
        last: dict[tuple, tuple[int, int]] = {}
        for when, panel, step, total in self.progress:
            if when <= t:
                last[panel] = (step, total)
        return sum(step for step, _ in last.values()), {"/".join(map(str, k)): v for k, v in last.items()}


async def student_train(session: Session, start: float, duration: float, timeout: float, record: dict) -> dict:
    watch = TrainWatch()
    session.on_message, session.on_run_finished = watch.on_message, watch.on_run_finished
    session.follow_auto_rerun = True
    keys = train_keys(session)
    seen = len(session.exceptions)
    pressed = []
    for key in keys:
        try:
            await session.press(key, timeout=timeout)
            pressed.append(key)
        except Exception as exc:  # noqa: BLE001
            record["errors"].append(f"{session.page}: {type(exc).__name__} pressing {key}: {exc}")
    end = start + duration
    await asyncio.sleep(max(0.0, end - time.perf_counter()))
    session.stop_auto_reruns()
    session.on_message = session.on_run_finished = None
    record["errors"].extend(new_exceptions(session, seen, f"{session.page}: training"))
    steps, panels = watch.steps_at(end)
    done = all(step >= total for step, total in panels.values()) if panels else False
    # refreshes count while the run trains: a student whose run finished early sees a finished chart, not a slow one
    active_end = watch.finished_at(len(panels)) if done else end
    if done and watch.refreshes:  # the last tick's frames play after it arrived
        active_end = max(active_end, min(max(watch.refreshes), active_end + 2.0))
    active = max(active_end - start, 1e-3)
    refreshes = [t for t in watch.refreshes if start <= t <= active_end]
    gaps = [b - a for a, b in zip(refreshes, refreshes[1:])]
    return {"pressed": pressed, "steps": steps, "panels": panels, "finished": done, "active_s": active,
            "finish_s": active if done else None,
            "refresh_per_s": len(refreshes) / active,
            "charts_per_s": sum(1 for t in watch.plotly if start <= t <= active_end) / active,
            "ticks_per_s": watch.ticks / duration, "gaps": gaps,
            "timeline": [(round(s_, 1), watch.steps_at(start + s_)[0]) for s_ in range(0, int(duration) + 1)],
            "fragment_reruns_sent_per_s": session.auto_rerun_sent / duration}


async def train_class(url: str, page: str, n: int, duration: float, timeout: float) -> tuple[list, list, list]:
    record = {"errors": []}
    sessions, firsts, errors = await open_sessions(url, [page] * n, timeout)
    record["errors"].extend(errors)
    for s in sessions:
        record["errors"].extend(new_exceptions(s, 0, f"{page}: first load"))
    live = [s for s, f in zip(sessions, firsts) if f is not None]
    if live and not train_keys(live[0]):
        await close_all(sessions)
        return [], record["errors"], []
    start = time.perf_counter()
    students = await asyncio.gather(*(student_train(s, start, duration, timeout, record) for s in live))
    await close_all(sessions)
    return students, record["errors"], firsts


async def run_train(url: str, page: str, n: int, duration: float, timeout: float, rss: RssSampler, ttl,
                    settle: float, warm: bool = True) -> dict | None:
    if warm:  # a short untimed run first, so the lone student does not pay for what the first Train builds
        trained, warm_errors, _ = await train_class(url, page, 1, WARM_TRAIN_SECONDS, timeout)
        if not trained and not warm_errors:
            return None  # no Train button on this page
    lone, lone_errors, _ = await train_class(url, page, 1, duration, timeout)
    if not lone and not lone_errors:
        return None
    await asyncio.sleep(settle)
    phase = Phase(rss)
    students, errors, _ = await train_class(url, page, n, duration, timeout)
    phase.closed()
    await settle_and_expire(url, phase, ttl, settle)
    errors = lone_errors + errors
    lone_steps = lone[0]["steps"] if lone else None
    steps = [s["steps"] for s in students]
    gaps = [g for s in students for g in s["gaps"]]
    med_steps = statistics.median(steps) if steps else None
    return {
        "page": page, "mode": "train", "sessions": n, "n": len(students), "duration_s": duration,
        "p50": pct(gaps, 50), "p95": pct(gaps, 95), "max": max(gaps) if gaps else None,  # gaps between refreshes
        "errors": len(errors), "error_list": errors[:50],
        "refresh_per_s": statistics.median(s["refresh_per_s"] for s in students) if students else None,
        "charts_per_s": statistics.median(s["charts_per_s"] for s in students) if students else None,
        "ticks_per_s": statistics.median(s["ticks_per_s"] for s in students) if students else None,
        "steps": med_steps, "steps_min": min(steps) if steps else None, "lone_steps": lone_steps,
        "lone_refresh_per_s": lone[0]["refresh_per_s"] if lone else None,
        "lone_finished": lone[0]["finished"] if lone else None,
        "lone_timeline": lone[0]["timeline"] if lone else [],
        "class_timeline_median": [(t, statistics.median(s["timeline"][i][1] for s in students))
                                  for i, (t, _) in enumerate(students[0]["timeline"])] if students else [],
        "finished": sum(s["finished"] for s in students),
        # when the lone run finishes inside the window, the time to finish compares what steps cannot
        "lone_finish_s": lone[0]["finish_s"] if lone else None,
        "finish_s_median": statistics.median(s["finish_s"] for s in students)
        if students and all(s["finished"] for s in students) else None,
        "steps_ratio": (med_steps / lone_steps) if lone_steps and med_steps is not None else None,
        "pressed": lone[0]["pressed"] if lone else [], "panels_lone": lone[0]["panels"] if lone else {},
        **phase.fields(),
    }


# --------------------------------------------------------------------------------------------------------- open
async def run_open(url: str, pages: list[str], n: int, timeout: float, rss: RssSampler, ttl, settle: float) -> dict:
    phase = Phase(rss)
    started = time.perf_counter()
    sessions, firsts, errors = await open_sessions(url, [pages[i % len(pages)] for i in range(n)], timeout,
                                                   started=started)
    for s in sessions:
        errors.extend(new_exceptions(s, 0, f"{s.page}: first load"))
    ok = [f for f in firsts if f is not None]
    await close_all(sessions)
    phase.closed()
    await settle_and_expire(url, phase, ttl, settle)
    return {
        "page": f"{len(pages)} pages", "mode": "open", "sessions": n, "n": len(ok),
        "p50": pct(ok, 50), "p95": pct(ok, 95), "max": max(ok) if ok else None,  # = time to the last first render
        "errors": len(errors), "error_list": errors[:50],
        **phase.fields(),
    }


# -------------------------------------------------------------------------------------------------------- crowd
async def run_crowd(url: str, pages: list[str], n: int, duration: float, timeout: float, rss: RssSampler, after,
                    settle: float) -> dict:
    """Issue 21's attack crowd: n sessions, each on a run of its own (its own seed), training, then all gone."""
    phase = Phase(rss)
    record = {"errors": []}
    sessions, firsts, errors = await open_sessions(url, [pages[i % len(pages)] for i in range(n)], timeout)
    record["errors"].extend(errors)
    live = [s for s, f in zip(sessions, firsts) if f is not None]

    async def distinct(i, s):
        seed = str(1000 + i)  # every page's seed control goes to 9999 at least
        record["errors"].extend(await apply_settings(s, {"seed": seed}, timeout))

    await asyncio.gather(*(distinct(i, s) for i, s in enumerate(live)))
    start = time.perf_counter()
    students = await asyncio.gather(*(student_train(s, start, duration, timeout, record) for s in live
                                      if train_keys(s)))
    await close_all(sessions)
    phase.closed()
    await settle_and_expire(url, phase, after, settle)
    steps = [s["steps"] for s in students]
    return {"page": f"{len(pages)} pages", "mode": "crowd", "sessions": n, "n": len(students),
            "p50": None, "p95": None, "max": None, "steps": statistics.median(steps) if steps else None,
            "errors": len(record["errors"]), "error_list": record["errors"][:50], **phase.fields()}


# ------------------------------------------------------------------------------------------------------ targets
def targets(row: dict) -> list[tuple[str, bool | None]]:
    """(target, met) pairs of issue 14 that apply to the row; met is None when it could not be measured."""
    out = []

    def check(name, value, ok):
        out.append((name, None if value is None else bool(ok(value))))

    if row["mode"] == "train":
        check("steps >= 1/3 lone", row.get("steps_ratio"), lambda v: v >= TARGETS["steps_ratio"])
        check(">= 2 refreshes/s", row.get("refresh_per_s"), lambda v: v >= TARGETS["refresh"])
    elif row["mode"] not in ("open", "crowd"):
        if row.get("think"):
            check("p95 <= 500 ms", row["p95"], lambda v: v <= TARGETS["p95_pauses"])
            check("max <= 2 s", row["max"], lambda v: v <= TARGETS["max_pauses"])
        else:
            check("p95 <= 2 s", row["p95"], lambda v: v <= TARGETS["p95_b2b"])
    check("peak RSS <= 800 MB", row.get("rss_peak"), lambda v: v <= TARGETS["rss_mb"])
    before = row.get("rss_before")
    after = row.get("rss_after_wait") if row.get("rss_after_wait") is not None else row.get("rss_after_close")
    when = f"{row['after_s']:g} s after close" if row.get("rss_after_wait") is not None else "after close"
    check(f"RSS {when} within 25 %", None if not before or after is None else after / before,
          lambda v: v <= 1 + TARGETS["rss_return"])
    return out


def _ms(v):
    return "-" if v is None else f"{v * 1000:.0f}"


def _s(v):
    return "-" if v is None else f"{v:.1f}"


def _mb(v):
    return "-" if v is None else f"{v:.0f}"


HEADER = (f"{'page':<15} {'mode':<15} {'sess':>4} {'n':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'err':>4} "
          f"{'refr/s':>6} {'steps':>7} {'lone':>7} {'before MB':>9} {'peak MB':>7} {'close MB':>8} {'after MB':>8}")


def format_row(row: dict) -> str:
    steps = "-" if row.get("steps") is None else f"{row['steps']:.0f}"
    lone = "-" if row.get("lone_steps") is None else f"{row['lone_steps']:.0f}"
    refresh = "-" if row.get("refresh_per_s") is None else f"{row['refresh_per_s']:.1f}"
    return (f"{row['page']:<15} {row['mode']:<15} {row['sessions']:>4} {row['n']:>5} {_ms(row['p50']):>7} "
            f"{_ms(row['p95']):>7} {_ms(row['max']):>7} {row['errors']:>4} {refresh:>6} {steps:>7} {lone:>7} "
            f"{_mb(row['rss_before']):>9} {_mb(row['rss_peak']):>7} {_mb(row['rss_after_close']):>8} "
            f"{_mb(row['rss_after_wait']):>8}")


def format_targets(row: dict) -> str:
    parts = [f"{'ok' if met else ('MISS' if met is False else 'n/a')} {name}" for name, met in targets(row)]
    parts.append("ok no errors" if row["errors"] == 0 else f"{row['errors']} ERRORS")
    cpu = "" if row.get("client_cpu") is None else f"   (bench client: {row['client_cpu'] * 100:.0f} % of a core)"
    return "    targets: " + "; ".join(parts) + cpu


def format_detail(row: dict) -> str | None:
    if row["mode"] == "train":
        return (f"    train: pressed {', '.join(row['pressed']) or '-'}; steps median {row['steps']:.0f} (min "
                f"{row['steps_min']}) vs lone {row['lone_steps']}{' (lone finished)' if row['lone_finished'] else ''}"
                f" = {_ratio(row['steps_ratio'])}; {row['finished']} of {row['n']} finished"
                + (f" (median {_s(row['finish_s_median'])} s, lone {_s(row['lone_finish_s'])} s)"
                   if row.get("finish_s_median") is not None and row.get("lone_finish_s") is not None else "")
                + f"; refreshes/s median "
                f"{_s(row['refresh_per_s'])} (lone {_s(row['lone_refresh_per_s'])}; while training), chart deltas/s "
                f"{_s(row['charts_per_s'])}, fragment ticks/s {_s(row['ticks_per_s'])}; p50/p95/max columns: gaps "
                f"between refreshes")
    if row["mode"] == "open":
        return "    open: p50/p95/max columns = time from the start to each session's first render (max = the last)"
    if row["mode"] == "crowd":
        return f"    crowd: {row['n']} sessions trained a run of their own each (steps median {row['steps']})"
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(row["kinds"].items()))
    return (f"    controls moved: {kinds or 'none'}; to the last chart p50/p95 {_ms(row['chart_p50'])}/"
            f"{_ms(row['chart_p95'])} ms; first load p95 {_ms(row['first_load_p95'])} ms")


def _ratio(v):
    return "-" if v is None else f"{v:.2f}"


def print_row(row: dict, errors_shown: int = 5):
    print(format_row(row))
    detail = format_detail(row)
    if detail:
        print(detail)
    print(format_targets(row))
    for e in list(dict.fromkeys(row["error_list"]))[:errors_shown]:  # distinct errors, first few
        print(f"      ! {e[:220]}")
    sys.stdout.flush()


def server_log_problems(path: Path) -> list[str]:
    """The server's logged errors, one line each: the message before a traceback and the exception it ended with
    (a malformed message from the bench would show here as an uncaught exception in a widget's deserializer)."""
    if not path.exists():
        return []
    lines = path.read_text(errors="replace").splitlines()
    found, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Traceback"):
            before = lines[i - 1].strip() if i > 0 and not lines[i - 1].startswith(" ") else ""
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
                j += 1
            last = lines[j].strip() if j < len(lines) else "?"
            found.append(f"{before[24:] if before[:2] == '20' else before}: {last}".lstrip(": "))
            i = j + 1
            continue
        if re.search(r"\b(ERROR|CRITICAL)\b", line):
            found.append(line.strip())
        i += 1
    return found


# --------------------------------------------------------------------------------------------------------- main
async def warm_up(url: str, pages: list[str], timeout: float) -> list[str]:
    """One visit per page, one at a time, so the class does not measure imports and first-time caches."""
    errors = []
    for page in pages:
        sessions, firsts, errs = await open_sessions(url, [page], timeout)
        errors += errs + [e for s in sessions for e in new_exceptions(s, 0, f"{page}: warm-up")]
        await close_all(sessions)
    return errors


async def bench(args, url: str, pids: list[int], ttl: float | None) -> list[dict]:
    rss = RssSampler(pids)
    rows = []
    pages = args.pages
    try:
        if not args.no_warmup:
            t = time.perf_counter()
            errs = await warm_up(url, pages, args.timeout)
            print(f"warm-up: one visit to each page in {time.perf_counter() - t:.1f} s, RSS {_mb(rss.read())} MB"
                  + "".join(f"\n  ! {e[:200]}" for e in errs[:5]))
        print()
        print(HEADER)
        for page in pages if (args.think or args.train) else []:
            for think in args.think:
                duration = args.duration if args.duration is not None else 30.0
                row = await run_controls(url, page, args.sessions, think, duration, args.interactions, args.timeout,
                                         args.seed, rss, ttl, args.settle)
                rows.append(row)
                print_row(row)
            if args.train:
                duration = args.duration if args.duration is not None else 20.0
                row = await run_train(url, page, args.sessions, duration, args.timeout, rss, ttl, args.settle,
                                      warm=not args.no_warmup)
                if row is None:
                    print(f"{page:<15} {'train':<15} (no Train button on this page)")
                    continue
                rows.append(row)
                print_row(row)
        if args.open:
            row = await run_open(url, pages, args.open, max(args.timeout, 600.0), rss, ttl, args.settle)
            rows.append(row)
            print_row(row)
        if args.crowd:
            row = await run_crowd(url, pages, args.crowd, args.duration if args.duration is not None else 20.0,
                                  args.timeout, rss, ttl, args.settle)
            rows.append(row)
            print_row(row)
    finally:
        rss.stop()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="", help="comma-separated slugs (default: every page but home)")
    parser.add_argument("--sessions", type=int, default=30, help="students per page (default 30)")
    parser.add_argument("--think", default=None,
                        help="mean pause in seconds between moves (uniform 0..2T), comma-separated for several runs; "
                             "0 = back to back (default 3 when no mode is given)")
    parser.add_argument("--train", action="store_true", help="every student presses Train and watches it run")
    parser.add_argument("--open", type=int, default=0, metavar="N", help="N sessions opening pages at once")
    parser.add_argument("--crowd", type=int, default=0, metavar="N",
                        help="N sessions each training a run of its own (its own seed), then leaving")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds of each phase (default 30 for controls, 20 for train)")
    parser.add_argument("--interactions", type=int, default=None, help="moves per student instead of --duration")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run counts as timed out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--url", default="", help="a running server or proxy instead of starting one")
    parser.add_argument("--root", default="", help="start the server of this checkout (another version of the app, "
                                                   "for a before/after comparison; default: this one)")
    parser.add_argument("--pids", default="", help="comma-separated pids whose RSS to sample (default: the server "
                                                   "this bench starts)")
    parser.add_argument("--after", type=float, default=120.0,
                        help="read RSS this many seconds after a phase's sessions closed, nothing connecting in "
                             "between (default 120; 0: do not wait)")
    parser.add_argument("--ttl", type=float, default=None,
                        help="server.disconnectedSessionTTL for the server this bench starts (default: the app's "
                             ".streamlit/config.toml)")
    parser.add_argument("--no-warmup", action="store_true", help="measure a cold server (no visit per page first)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait after closing before reading RSS")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a control every session sets after opening a page that has it (e.g. steps=5000 so a "
                             "lone student does not finish within the window; option text for selects); repeatable")
    parser.add_argument("--json", default="", help="write the rows (and the run's settings) to this file")
    args = parser.parse_args()
    args.pages = [p for p in args.pages.split(",") if p] or [p.slug for p in nav.PAGES if p.slug != "home"]
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set wants KEY=VALUE, got {item!r}")
        SETTINGS[key.strip()] = value.strip()
    for page in args.pages:
        nav.get(page)
    if args.think is None:
        args.think = [] if (args.train or args.open or args.crowd) else [3.0]
    else:
        args.think = [float(x) for x in args.think.split(",") if x.strip()]

    server = None
    log_path = (Path(args.root).resolve() if args.root else ROOT) / "artifacts" / "streamlit-server.log"
    if args.url:
        url = args.url.rstrip("/")
        print(f"server: {url} (not started here)")
    else:
        from tests import browser_util
        from tests.browser_util import Server

        if args.root:  # another checkout's server (a before/after comparison)
            browser_util.ROOT = Path(args.root).resolve()
            (browser_util.ROOT / "artifacts").mkdir(exist_ok=True)
        (ROOT / "artifacts").mkdir(exist_ok=True)
        if args.ttl is not None:
            os.environ[TTL_ENV] = str(int(round(args.ttl)))  # read by `streamlit run` as server.disconnectedSessionTTL
        # the app's own settings (a test run's environment would switch off the warm-up and show error details)
        os.environ.pop("LAB_WARM", None)
        os.environ.pop("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", None)
        server = Server()
        url = server.url
        print(f"server: started here, {url}, pid {server.proc.pid}, log {log_path}"
              + (f"; server.disconnectedSessionTTL = {int(round(args.ttl))} s" if args.ttl is not None else ""))
        waited = time.perf_counter()
        while time.perf_counter() - waited < 900 and "warm-up done" not in log_path.read_text(errors="replace"):
            time.sleep(1.0)  # the memory "before" a class is the warmed server's, not a moment of its warm-up
        print(f"server: warm-up done after {time.perf_counter() - waited:.0f} s")
    ttl = args.after or None
    pids = [int(p) for p in args.pids.split(",") if p.strip()] or ([server.proc.pid] if server else [])
    if not pids:
        print("RSS: not sampled (no --pids)")
    modes = [f"think {t:g}" for t in args.think] + (["train"] if args.train else []) + \
        ([f"open {args.open}"] if args.open else []) + ([f"crowd {args.crowd}"] if args.crowd else [])
    print(f"{args.sessions} sessions per page; pages: {', '.join(args.pages)}; modes: {', '.join(modes)}; "
          + (f"{args.interactions} moves each" if args.interactions else
             f"{args.duration:g} s per phase" if args.duration is not None else "30 s per controls phase, 20 s train")
          + f"; RSS of pid(s) {', '.join(map(str, pids)) or '-'}"
          + (f"; set after opening: {', '.join(f'{k}={v}' for k, v in SETTINGS.items())}" if SETTINGS else ""))

    started = time.perf_counter()
    try:
        rows = asyncio.run(bench(args, url, pids, ttl))
    finally:
        if server is not None:
            server.close()
    print(f"\n{len(rows)} rows in {time.perf_counter() - started:.0f} s")
    kinds: dict[str, int] = {}
    for row in rows:
        for k, v in row.get("kinds", {}).items():
            kinds[k] = kinds.get(k, 0) + v
    if kinds:
        print("controls moved, by kind: " + ", ".join(f"{k} {kinds.get(k, 0)}" for k in CONTROL_KINDS))
    missed = [(row["page"], row["mode"], name) for row in rows for name, met in targets(row) if met is False]
    print(f"targets missed: {len(missed)}" + "".join(f"\n  {p} / {m}: {n}" for p, m, n in missed))
    problems = server_log_problems(log_path) if server is not None else []
    if server is not None:
        print(f"server log: {len(problems)} error line(s)" + "".join(f"\n  {p[:200]}" for p in problems[:10]))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "settings": {"pages": args.pages, "sessions": args.sessions, "think": args.think, "train": args.train,
                         "open": args.open, "duration": args.duration, "interactions": args.interactions,
                         "url": args.url or None, "pids": pids, "set": SETTINGS, "ttl": args.ttl,
                         "after": args.after, "crowd": args.crowd,
                         "warm_up": not args.no_warmup, "targets": TARGETS},
            "rows": [{**row, "targets": {name: met for name, met in targets(row)}} for row in rows],
            "kinds": kinds, "server_log_errors": problems[:100],
        }, indent=1, default=str))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
