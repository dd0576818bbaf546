"""A minimal Streamlit websocket client: what a browser tab sends and receives, without the browser.

Used by bench/load.py and bench/classroom.py to put many concurrent sessions on one real `streamlit run` server.
It speaks the same protobuf messages as the web client (BackMsg out, ForwardMsg in) over /_stcore/stream, and
keeps what the web client keeps between runs:

- the value of every widget it was shown (`states`, by widget id), sent back in full with every rerun, the way
  the browser's widget manager does; a widget's value comes from its proto when it first appears or when the
  script sets it (`set_value`), and from the user's changes otherwise; widgets a finished full run did not
  draw are forgotten;
- since Streamlit 1.50 selectbox and radio values travel as the formatted option string, select_slider and
  multiselect values as lists of option strings (a select_slider is a Slider proto with `options`);
- with `follow_auto_rerun`, the timers of `st.fragment(run_every=...)`: on an `auto_rerun` message the client
  sends a rerun of that fragment every interval (without waiting for the previous one, like the browser's
  setInterval) until a `stop_auto_rerun` or the start of a full run cancels it.

A background task reads every message; `on_message(session, fwd, now)` and `on_run_finished(session, run)`
hooks let a benchmark look at them.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

_DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
# Element kinds that are widgets (a toggle is a checkbox proto, a select_slider a slider proto,
# segmented_control a button_group proto)
WIDGET_KINDS = ("slider", "selectbox", "checkbox", "number_input", "radio", "multiselect", "button", "button_group")


def widget_kind(kind: str, proto) -> str:
    """The widget as a student sees it: 'select_slider' and 'toggle' are told apart from their protos."""
    if kind == "slider" and proto.options:
        return "select_slider"
    if kind == "checkbox" and proto.type == proto.TOGGLE:
        return "toggle"
    return kind


def user_key(widget_id: str) -> str:
    """The user key of a keyed widget ("$$ID-<hash>-<key>"); an unkeyed widget is named by its whole id."""
    if widget_id.startswith("$$ID-"):
        key = widget_id.split("-", 2)[-1]
        return widget_id if key == "None" else key
    return widget_id


def state_from_proto(kind: str, proto) -> WidgetState | None:
    """The value the browser holds for a widget as the server drew it (its default, or the value the script set).

    None for widgets without a value to send (buttons, kinds this client does not model)."""
    state = WidgetState(id=proto.id)
    if kind == "slider":
        if proto.options:  # select_slider: option strings
            values = list(proto.raw_value) if proto.set_value and proto.raw_value else \
                [proto.options[int(i)] for i in proto.default]
            state.string_array_value.data.extend(values)
        else:
            state.double_array_value.data.extend(proto.value if proto.set_value and proto.value else proto.default)
    elif kind in ("selectbox", "radio"):
        if proto.set_value and proto.HasField("raw_value"):
            state.string_value = proto.raw_value
        elif proto.HasField("default") and 0 <= proto.default < len(proto.options):
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "multiselect":
        values = list(proto.raw_values) if proto.set_value else [proto.options[i] for i in proto.default]
        state.string_array_value.data.extend(values)
    elif kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind == "number_input":
        if proto.set_value and proto.HasField("value"):
            value = proto.value
        elif proto.HasField("default"):
            value = proto.default
        else:
            return None
        if proto.data_type == proto.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    else:
        return None
    return state


def state_value(state: WidgetState):
    """The Python value a WidgetState carries (lists for the array kinds)."""
    which = state.WhichOneof("value")
    value = getattr(state, which) if which else None
    return list(value.data) if hasattr(value, "data") else value


def random_change(kind: str, proto, current: WidgetState | None, rng: random.Random) -> WidgetState | None:
    """A new value for a widget, as a student would pick it with the mouse: always different from the current one
    when the widget allows it. None for a widget that cannot change (one option, disabled, a button)."""
    if proto.disabled:
        return None
    state = WidgetState(id=proto.id)
    now = state_value(current) if current is not None else None

    def other(options):
        choices = [o for o in options if o != now]
        return rng.choice(choices) if choices else None

    if kind == "slider" and proto.options:
        pick = other([[o] for o in proto.options])
        if pick is None:
            return None
        state.string_array_value.data.extend(pick)
    elif kind == "slider":
        step = proto.step or (1 if proto.data_type == proto.INT else (proto.max - proto.min) / 100)
        n = int(round((proto.max - proto.min) / step)) if step else 0
        grid = range(n + 1) if n <= 10_000 else [rng.randrange(n + 1) for _ in range(50)]
        count = len(now) if now else len(proto.default) or 1  # a range slider keeps two handles
        for _ in range(20):
            picks = sorted(rng.choice(grid) for _ in range(count))
            values = [min(proto.max, proto.min + i * step) for i in picks]
            if proto.data_type == proto.INT:
                values = [float(int(round(v))) for v in values]
            if values != now:
                break
        else:
            return None
        state.double_array_value.data.extend(values)
    elif kind in ("selectbox", "radio"):
        pick = other(list(proto.options))
        if pick is None:
            return None
        state.string_value = pick
    elif kind == "multiselect":
        chosen = list(now or [])
        absent = [o for o in proto.options if o not in chosen]
        full = not absent or (proto.max_selections and len(chosen) >= proto.max_selections)
        if chosen and (full or rng.random() < 0.5):
            chosen.remove(rng.choice(chosen))
        elif absent:
            chosen.append(rng.choice(absent))
        else:
            return None
        state.string_array_value.data.extend(chosen)
    elif kind == "checkbox":
        state.bool_value = not bool(now)
    elif kind == "number_input":
        step = proto.step or 1
        lo = proto.min if proto.has_min else (now if now is not None else 0) - 100 * step
        hi = proto.max if proto.has_max else (now if now is not None else 0) + 100 * step
        for _ in range(20):
            value = lo + rng.randrange(int((hi - lo) / step) + 1) * step
            if value != now:
                break
        if proto.data_type == proto.INT:
            state.int_value = int(round(value))
        else:
            state.double_value = float(value)
    else:
        return None
    return state


@dataclass
class Run:
    """One script run as the client saw it: a full run (no fragment ids) or a fragment rerun."""
    run_id: str
    fragment_ids: tuple[str, ...]
    started: float
    finished: float | None = None
    status: int | None = None
    plotly: int = 0                 # plotly_chart deltas in this run
    last_plotly: float | None = None
    elements: int = 0
    widget_ids: set = field(default_factory=set)


class Session:
    """One browser-tab-like session on a page. Widgets are found from the deltas the server sends."""

    def __init__(self, url: str, page: str, query: str = "lang=en"):
        self.url = url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/") + "/_stcore/stream"
        self.page, self.query = page, query
        self.page_script_hash = ""
        self.widgets: dict[str, tuple[str, object]] = {}  # user key -> (element kind, proto) as last drawn
        self.states: dict[str, WidgetState] = {}           # widget id -> value the client holds
        self.widget_fragment: dict[str, str] = {}          # widget id -> fragment drawing it ("" outside any)
        self.exceptions: list[str] = []
        self.ws = None
        self.run: Run | None = None         # the run in progress (or the last one)
        self.runs_finished = 0
        self.follow_auto_rerun = False      # act on auto_rerun messages like the browser
        self.auto_reruns: dict[str, tuple[float, asyncio.Task]] = {}
        self.auto_rerun_sent = 0
        self.on_message = None              # callable(session, fwd, now)
        self.on_run_finished = None         # callable(session, run)
        self.closed_error: BaseException | None = None
        self._reader: asyncio.Task | None = None
        self._waiter: asyncio.Future | None = None
        self._waiting_fragment = False

    # -- connection ------------------------------------------------------------------------------------------
    async def connect(self):
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=256 * 2**20,
                                           open_timeout=60, ping_interval=None, close_timeout=5)
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def close(self):
        self.stop_auto_reruns()
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    # -- sending ---------------------------------------------------------------------------------------------
    def _message(self, widget_states, fragment_id: str = "", auto: bool = False) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if self.page_script_hash:  # what the browser sends once st.navigation told it the page's hash
            cs.page_script_hash = self.page_script_hash
        else:  # the first visit: the page comes from the URL's path
            cs.page_name = self.page
        if fragment_id:
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = auto
        cs.widget_states.widgets.extend(widget_states)
        return msg.SerializeToString()

    async def rerun(self, widget_states=(), timeout: float = 60.0, fragment_id: str = "") -> float:
        """Ask for a full rerun with exactly these widget values; return seconds until the script finished.

        A run that ended early for a rerun, or a fragment run, is not the end: this waits for a full run to finish.
        With fragment_id (a widget inside a fragment changed), the fragment's run finishing is the end.
        """
        loop = asyncio.get_running_loop()
        self._waiter = loop.create_future()
        self._waiting_fragment = bool(fragment_id)
        started = time.perf_counter()
        await self.ws.send(self._message(widget_states, fragment_id))
        try:
            await asyncio.wait_for(asyncio.shield(self._waiter), timeout)
        finally:
            self._waiter = None
        return time.perf_counter() - started

    async def interact(self, change: WidgetState | None = None, trigger_id: str | None = None,
                       timeout: float = 60.0) -> float:
        """What a browser sends when the user moves one widget (or clicks a button): the new value of that widget
        together with the values of every other widget it holds. Returns seconds until the full run finished."""
        if change is not None:
            self.states[change.id] = change
        states = list(self.states.values())
        if trigger_id is not None:
            states.append(WidgetState(id=trigger_id, trigger_value=True))
        # a widget drawn inside a fragment reruns only that fragment, as in the browser
        fragment_id = self.widget_fragment.get(change.id if change is not None else trigger_id, "")
        return await self.rerun(states, timeout, fragment_id)

    async def press(self, key: str, timeout: float = 60.0) -> float:
        kind, proto = self.widgets[key]
        return await self.interact(trigger_id=proto.id, timeout=timeout)

    async def rerun_fragment(self, fragment_id: str, auto: bool = True):
        """Send a fragment rerun with the held widget values (fire and forget, like the browser's timer)."""
        await self.ws.send(self._message(list(self.states.values()), fragment_id, auto))

    # -- auto reruns -----------------------------------------------------------------------------------------
    def _start_auto_rerun(self, fragment_id: str, interval: float):
        current = self.auto_reruns.get(fragment_id)
        if current is not None and current[0] == interval:
            return  # the browser keeps a timer with the same interval
        self._stop_auto_rerun(fragment_id)

        async def timer():
            try:
                while True:
                    await asyncio.sleep(interval)
                    await self.rerun_fragment(fragment_id)
                    self.auto_rerun_sent += 1
            except (asyncio.CancelledError, websockets.ConnectionClosed):
                pass

        self.auto_reruns[fragment_id] = (interval, asyncio.get_running_loop().create_task(timer()))

    def _stop_auto_rerun(self, fragment_id: str):
        entry = self.auto_reruns.pop(fragment_id, None)
        if entry is not None:
            entry[1].cancel()

    def stop_auto_reruns(self):
        for fragment_id in list(self.auto_reruns):
            self._stop_auto_rerun(fragment_id)

    # -- receiving -------------------------------------------------------------------------------------------
    async def _read(self):
        try:
            async for raw in self.ws:
                self._handle(ForwardMsg.FromString(raw), time.perf_counter())
        except Exception as exc:  # noqa: BLE001 - a dropped connection ends the session; a waiter must hear of it
            self.closed_error = exc
        finally:
            self.stop_auto_reruns()
            if self._waiter is not None and not self._waiter.done():
                self._waiter.set_exception(self.closed_error or ConnectionError("websocket closed"))

    def _handle(self, fwd, now: float):
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            fragments = tuple(fwd.metadata.run.fragment_ids)
            self.run = Run(fwd.metadata.run.script_run_id, fragments, now)
            if not fragments:  # a full run: the browser cancels every auto-rerun timer
                self.stop_auto_reruns()
        elif kind == "delta":
            self._note_delta(fwd.delta, now)
        elif kind == "script_finished":
            run = self.run
            if run is not None and run.finished is None:
                run.finished, run.status = now, fwd.script_finished
                self.runs_finished += 1
                if fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY and not run.fragment_ids:
                    # the browser drops the values of widgets the finished full run did not draw
                    for widget_id in [w for w in self.states if w not in run.widget_ids]:
                        del self.states[widget_id]
                    for widget_id in [w for w in self.widget_fragment if w not in run.widget_ids]:
                        del self.widget_fragment[widget_id]
                    for key in [k for k, (_, p) in self.widgets.items() if p.id not in run.widget_ids]:
                        del self.widgets[key]
                if self.on_run_finished is not None:
                    self.on_run_finished(self, run)
            if self._waiter is not None and not self._waiter.done() and (
                    fwd.script_finished in _DONE or self._waiting_fragment
                    and fwd.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                self._waiter.set_result(now)
        elif kind == "auto_rerun":
            if self.follow_auto_rerun:
                self._start_auto_rerun(fwd.auto_rerun.fragment_id, fwd.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in fwd.stop_auto_rerun.fragment_ids:
                self._stop_auto_rerun(fragment_id)
        elif kind == "navigation" and fwd.navigation.page_script_hash:
            self.page_script_hash = fwd.navigation.page_script_hash  # the page st.navigation ran
        elif kind == "page_info_changed":
            self.query = fwd.page_info_changed.query_string  # the browser's URL follows st.query_params
        if self.on_message is not None:
            self.on_message(self, fwd, now)

    def _note_delta(self, delta, now: float):
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        run = self.run
        if run is not None:
            run.elements += 1
        if kind == "exception":
            self.exceptions.append(element.exception.message or element.exception.type or "exception")
        elif kind == "plotly_chart" and run is not None:
            run.plotly += 1
            run.last_plotly = now
        elif kind in WIDGET_KINDS:
            proto = getattr(element, kind)
            self.widgets[user_key(proto.id)] = (kind, proto)
            self.widget_fragment[proto.id] = delta.fragment_id
            if run is not None:
                run.widget_ids.add(proto.id)
            held = self.states.get(proto.id)
            if held is None or getattr(proto, "set_value", False):
                state = state_from_proto(kind, proto)
                if state is not None:
                    self.states[proto.id] = state

    def slider_state(self, key: str, value: float):
        """A WidgetState setting slider `key` to value."""
        kind, proto = self.widgets[key]
        state = WidgetState(id=proto.id)
        state.double_array_value.data.append(float(value))
        return state
