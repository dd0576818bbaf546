"""A minimal Streamlit websocket client: what a browser tab sends and receives, without the browser.

Used by bench/load.py to put many concurrent sessions on one real `streamlit run` server. It speaks the same
protobuf messages as the web client (BackMsg out, ForwardMsg in) over /_stcore/stream.
"""
from __future__ import annotations

import asyncio
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

_DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
WIDGET_KINDS = ("slider", "selectbox", "checkbox", "number_input", "radio", "multiselect", "toggle", "button")


class Session:
    """One browser-tab-like session on a page. Widgets are found from the deltas the server sends."""

    def __init__(self, url: str, page: str, query: str = "lang=en"):
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.page, self.query = page, query
        self.widgets: dict[str, object] = {}  # user key -> widget proto (from the last run)
        self.exceptions: list[str] = []
        self.ws = None

    async def connect(self):
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=64 * 2**20,
                                           open_timeout=30, ping_interval=None)

    async def close(self):
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, widget_states=(), timeout: float = 60.0) -> float:
        """Ask for a rerun with these widget values; return seconds until the script finished."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = self.page
        for ws in widget_states:
            cs.widget_states.widgets.append(ws)
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout)
            fwd = ForwardMsg.FromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                self._note_delta(fwd.delta)
            elif kind == "script_finished" and fwd.script_finished in _DONE:
                # a run that ended early for a rerun, or a fragment tick, is not the end of the interaction
                return time.perf_counter() - started

    def _note_delta(self, delta):
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.exceptions.append(element.exception.message)
        elif kind in WIDGET_KINDS:
            proto = getattr(element, kind)
            key = proto.id.split("-", 2)[-1] if proto.id.startswith("$$ID-") else proto.id  # "$$ID-<hash>-<user key>"
            self.widgets[key] = (kind, proto)

    def slider_state(self, key: str, value: float):
        """A WidgetState setting slider `key` to value."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        kind, proto = self.widgets[key]
        state = WidgetState(id=proto.id)
        state.double_array_value.data.append(float(value))
        return state
