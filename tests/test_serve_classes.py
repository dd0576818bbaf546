"""`make serve` keeps classes in its Redis: a teacher on one worker and a student on the other are in the same class
(websocket sessions that speak Streamlit's protocol, straight to each worker's port); Redis is loopback-only and
password-protected, its configuration readable by its owner only."""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from serve import redis_server, supervisor
from tests.browser_util import ROOT, free_port
from content.catalog import load

WHY_SKIP = (None if supervisor.find_haproxy(None) and redis_server.find() else
            "make serve needs haproxy and redis-server: `apt-get install haproxy redis-server`")
EN = load("en")


def test_the_supervisor_and_the_store_agree_on_the_variable():
    from ui import class_store

    assert redis_server.STORE_ENV == class_store.STORE_ENV


@pytest.mark.skipif(WHY_SKIP is not None, reason=str(WHY_SKIP))
def test_two_workers_share_a_class_through_redis(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "serve.supervisor", "--workers", "2", "--port", str(free_port()),
                             "--address", "127.0.0.1", "--run-dir", str(tmp_path)], cwd=ROOT,
                            env={**os.environ, "LAB_WARM": "0"}, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        state = {}
        while time.time() < deadline:
            try:
                state = json.loads((tmp_path / "state.json").read_text())
                if state.get("redis") and all(w["ready"] for w in state["workers"]):
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.3)
        assert state.get("redis") and all(w["ready"] for w in state["workers"]), state
        conf = (tmp_path / "redis.conf").read_text()
        assert "bind 127.0.0.1" in conf and re.search(r"^requirepass \S{24,}$", conf, re.M)
        assert stat.S_IMODE((tmp_path / "redis.conf").stat().st_mode) == 0o600
        import redis
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=state["redis"]["port"]).ping()  # no password, no entry
        w1, w2 = (f"http://127.0.0.1:{w['port']}" for w in state["workers"])
        asyncio.run(_teacher_and_student(w1, w2))
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)


async def _teacher_and_student(teacher_url: str, student_url: str):
    from bench.wsclient import Session

    teacher = Session(teacher_url, "losses", "lang=en")
    answered = []

    def on_message(session, fwd, now):
        if fwd.WhichOneof("type") == "delta" and fwd.delta.new_element.WhichOneof("type") == "markdown":
            found = re.fullmatch(r"### (\d+) of (\d+) answered", fwd.delta.new_element.markdown.body)
            if found:
                answered.append((int(found.group(1)), int(found.group(2))))

    teacher.on_message = on_message
    await teacher.connect()
    await teacher.rerun(timeout=120)
    await teacher.press("_class_start", timeout=120)
    code = re.search(r"class=([A-Z0-9]{6})", teacher.query).group(1)
    student = Session(student_url, "losses", f"class={code}&lang=en")
    await student.connect()
    await student.rerun(timeout=120)
    assert "seat=" in student.query and not student.exceptions
    kind, proto = student.widgets["_guess.losses.q1"]
    # a forged value (not an option) sent over the websocket: not counted, no exception on the page
    await student.interact(WidgetState(id=proto.id, string_value="<b>forged</b>"), timeout=60)
    assert not student.exceptions
    answered.clear()
    await teacher.rerun(list(teacher.states.values()), timeout=60)
    assert (0, 1) in answered, answered
    await student.interact(WidgetState(id=proto.id, string_value=EN["losses.q1_1"]), timeout=60)
    answered.clear()
    await teacher.rerun(list(teacher.states.values()), timeout=60)
    assert (1, 1) in answered, answered  # the teacher's worker sees the other worker's student and answer
    await student.close()
    await teacher.close()
