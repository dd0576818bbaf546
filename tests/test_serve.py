"""`make serve` for real: the supervisor, HAProxy and 2 `streamlit run` workers, driven by headless Chromium.

Which worker a browser is on is read from the proxy's log (it names the worker and the cookie of each request: the
cookie's value itself is an opaque hash), which worker served each request from the same log, and the proxy's view
of its workers from its runtime API. The cookie and the load-aware balance are also checked against the real
HAProxy with stand-in workers and load agents (no browser).
"""
from __future__ import annotations

import http.server
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from lab.playground import PlaygroundConfig
from serve import proxy, redis_server, supervisor
from tests.browser_util import (CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS, chromium_missing, free_port,
                                wait_idle)
from content.catalog import load

HAPROXY = supervisor.find_haproxy(None)
NO_PROXY = None if HAPROXY else "no haproxy: install it with `apt-get install haproxy` (make serve does it)"
if NO_PROXY is None and redis_server.find() is None:  # make serve also runs Redis for the classes
    NO_PROXY = "no redis-server: install it with `apt-get install redis-server` (make serve does it)"
WHY_SKIP = NO_PROXY or chromium_missing()
RESTART_DELAY = 2.0  # s: how long a killed worker stays dead in these tests (then it takes seconds to start)
EXCEPTION = "[data-testid='stException']"
LOG_LINE = re.compile(r' workers/(\S+) .*"(\w+) (\S+) HTTP')
COOKIE_LOGGED = re.compile(r" workers/(\S+) .*" + proxy.COOKIE + r"=([0-9a-f]+)")
KEY = {proxy.PROXY_KEY_ENV: proxy.proxy_key("a test deployment's secret")}


def haproxy_check(text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "haproxy.cfg"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True, env={**os.environ, **KEY})


# ---------------------------------------------------------------- the configuration (no browser)

@pytest.mark.skipif(NO_PROXY is not None, reason=str(NO_PROXY))
def test_compose_proxy_config_is_the_generated_one_and_valid(tmp_path):
    committed = (ROOT / "serve" / "haproxy-compose.cfg").read_text(encoding="utf-8")
    assert committed == proxy.compose_config(), "run `python -m serve.proxy > serve/haproxy-compose.cfg`"
    checked = haproxy_check(committed, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.skipif(NO_PROXY is not None, reason=str(NO_PROXY))
def test_local_config_with_peers_is_valid(tmp_path):
    args = supervisor.parse(["--workers", "2", "--port", "8600", "--run-dir", str(tmp_path),
                             "--peer", "10.0.0.2:8501", "--peer", "lab2.school.example:8502"])
    text = supervisor.Supervisor(args).proxy_config()
    assert text.count(" check agent-check agent-port ") == 4
    assert "server p2 lab2.school.example:8502 check agent-check agent-port 9502\n" in text
    servers = re.findall(r"^ +server .*$", text, re.M)
    assert len(servers) == 4 and not [line for line in servers if " cookie " in line]  # none names its cookie
    checked = haproxy_check(text, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


class Replica(http.server.BaseHTTPRequestHandler):
    """A stand-in app replica: healthy, and answers with its address (and its port in X-Port)."""

    def do_GET(self):  # noqa: N802 (the handler's API)
        body = b"ok" if self.path == proxy.HEALTH else self.server.server_address[0].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Port", str(self.server.server_address[1]))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def stub_dns(names: dict[str, list[str]]) -> socket.socket:
    """A UDP DNS server on loopback answering A queries for `names` (what Docker's DNS does for a service)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                query, client = sock.recvfrom(512)
            except OSError:
                return
            end, labels = 12, []
            while query[end]:
                labels.append(query[end + 1:end + 1 + query[end]].decode())
                end += 1 + query[end]
            qtype = struct.unpack(">H", query[end + 1:end + 3])[0]
            name = ".".join(labels)
            ips = names.get(name, []) if qtype == 1 else []
            answers = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 5, 4) + socket.inet_aton(ip) for ip in ips)
            flags = 0x8180 | (0 if name in names else 3)  # a response; NXDOMAIN for a name it does not know
            sock.sendto(struct.pack(">HHHHHH", query[0] << 8 | query[1], flags, 1, len(ips), 0, 0)
                        + query[12:end + 5] + answers, client)

    threading.Thread(target=serve, daemon=True).start()
    return sock


@pytest.mark.skipif(NO_PROXY is not None, reason=str(NO_PROXY))
def test_compose_config_finds_replicas_by_dns_and_keeps_each_browser_on_one(tmp_path):
    """compose.yaml's proxy configuration, with a stub for Docker's DNS and two stand-in replicas on 127.0.0.2
    and 127.0.0.3: every replica gets its own cookie, a browser stays on its replica, and a replica that stops
    loses its browsers to the other one."""
    port = free_port()
    replicas = [http.server.ThreadingHTTPServer((ip, port), Replica) for ip in ("127.0.0.2", "127.0.0.3")]
    for r in replicas:
        threading.Thread(target=r.serve_forever, daemon=True).start()
    dns = stub_dns({"app": ["127.0.0.2", "127.0.0.3"]})
    front = free_port()
    text = proxy.config(proxy.compose_servers(port=port), f"127.0.0.1:{front}", resolvers=True)
    assert text.replace(f":{port} check", ":8501 check").replace(f"127.0.0.1:{front}", ":8501").replace(
        f"agent-port {proxy.agent_port(port)}", "agent-port 9501") \
        == proxy.compose_config()  # the same text as serve/haproxy-compose.cfg but for ports
    text = text.replace("parse-resolv-conf", f"nameserver stub 127.0.0.1:{dns.getsockname()[1]}")
    (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
    haproxy = subprocess.Popen([HAPROXY, "-db", "-f", str(tmp_path / "haproxy.cfg")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, **KEY})

    def get(cookie: str | None = None) -> tuple[str, str | None]:
        request = urllib.request.Request(f"http://127.0.0.1:{front}/", headers={"Cookie": cookie} if cookie else {})
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.read().decode(), r.headers.get("Set-Cookie", "").split(";")[0] or None

    try:
        deadline, seen = time.time() + 20, {}
        while len(seen) < 2 and time.time() < deadline:  # until DNS answered and both passed their checks
            try:
                replica, cookie = get()
                if cookie:
                    seen[replica] = cookie
            except OSError:
                pass
            time.sleep(0.2)
        assert set(seen) == {"127.0.0.2", "127.0.0.3"}, seen
        assert seen["127.0.0.2"] != seen["127.0.0.3"]
        for replica, cookie in seen.items():
            assert all(get(cookie) == (replica, None) for _ in range(5))
        replicas[0].shutdown()
        replicas[0].server_close()
        assert get(seen["127.0.0.2"]) == ("127.0.0.3", seen["127.0.0.3"])
    finally:
        haproxy.terminate()
        haproxy.wait(10)
        dns.close()
        for r in replicas:
            r.server_close()


class Holding(Replica):
    """A stand-in worker whose /hold requests stay open a while (as a student's websocket does)."""

    def do_GET(self):  # noqa: N802
        if self.path == "/hold":
            time.sleep(2.5)
        super().do_GET()


class StandIns:
    """Two stand-in workers on 127.0.0.1 (as `make serve` lays them out), a load agent for each that says what the
    test tells it, and the real HAProxy in front with the configuration the supervisor writes."""

    def __init__(self, tmp_path: Path, key: str, loads=("up 100%", "up 100%")):
        self.ports = [supervisor.free_worker_port() for _ in range(2)]
        self.workers = [http.server.ThreadingHTTPServer(("127.0.0.1", p), Holding) for p in self.ports]
        for w in self.workers:
            threading.Thread(target=w.serve_forever, daemon=True).start()
        self.loads = list(loads)
        self.agents = [self._agent(proxy.agent_port(p), i) for i, p in enumerate(self.ports)]
        self.front = free_port()
        text = proxy.config(proxy.servers_block([(f"w{i + 1}", "127.0.0.1", p) for i, p in enumerate(self.ports)]),
                            f"127.0.0.1:{self.front}")
        (tmp_path / "haproxy.cfg").write_text(text, encoding="utf-8")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", str(tmp_path / "haproxy.cfg")], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env={**os.environ, proxy.PROXY_KEY_ENV: key})

    def _agent(self, port: int, i: int) -> socket.socket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(8)

        def answer():
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                with conn:
                    conn.sendall(f"{self.loads[i]}\n".encode())

        threading.Thread(target=answer, daemon=True).start()
        return sock

    def get(self, path: str = "/", cookie: str | None = None) -> tuple[int, str | None]:
        """(which stand-in answered: its port, the cookie the proxy set or None)."""
        headers = {"Cookie": f"{proxy.COOKIE}={cookie}"} if cookie else {}
        request = urllib.request.Request(f"http://127.0.0.1:{self.front}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as r:
            r.read()
            set_cookie = r.headers.get("Set-Cookie", "")
            value = set_cookie.split(";")[0].split("=", 1)[1] if set_cookie.startswith(proxy.COOKIE) else None
            return int(r.headers["X-Port"]), value

    def wait_up(self) -> dict[int, str]:
        """Until both stand-ins got a browser: {port: the cookie value that names it}."""
        deadline, seen = time.time() + 20, {}
        while len(seen) < 2 and time.time() < deadline:
            try:
                port, cookie = self.get()
                if cookie:
                    seen[port] = cookie
            except OSError:
                pass
            time.sleep(0.1)
        assert len(seen) == 2, seen
        return seen

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
        for a in self.agents:
            a.close()
        for w in self.workers:
            w.shutdown()
            w.server_close()




@pytest.mark.skipif(NO_PROXY is not None, reason=str(NO_PROXY))
def test_the_worker_cookie_names_no_worker_and_a_forged_one_chooses_nothing(tmp_path):
    """Issue 21, item 8: the cookie was the worker's name (DNNLAB_WORKER=w1), so a client could aim all its
    sessions at one worker. Its value is now a hash of the worker's address with the deployment's secret key: it
    is not the name, it differs from one deployment to another, and a value the proxy did not make (a worker's
    name, a guess) is ignored: the request is balanced like a new browser's and gets a real cookie."""
    first = StandIns(tmp_path, proxy.proxy_key("deployment one"))
    try:
        cookies = first.wait_up()
        values = set(cookies.values())
        assert all(re.fullmatch(r"[0-9a-f]{16}", v) for v in values) and len(values) == 2, values
        assert not values & {"w1", "w2", "p1"}
        for port, cookie in cookies.items():  # a real cookie keeps its browser
            assert all(first.get(cookie=cookie) == (port, None) for _ in range(4))
        for forged in ("w1", "w2", "app1", "0" * 16, "deadbeefdeadbeef", "x" * 40):
            port, given = first.get(cookie=forged)
            assert given in values and cookies[port] == given, (forged, port, given)  # balanced, then a real one
    finally:
        first.close()
    second = StandIns(tmp_path, proxy.proxy_key("deployment two"))
    try:
        assert not set(second.wait_up().values()) & values  # another key, other values: nothing to learn
    finally:
        second.close()


@pytest.mark.skipif(NO_PROXY is not None, reason=str(NO_PROXY))
def test_new_browsers_go_where_the_load_is_lower(tmp_path):
    """Issue 21, item 8: the balance counted connections only. Each worker's agent now sets its weight: with one
    worker busy ("up 10%") and the other idle ("up 100%"), twenty new browsers that stay connected go mostly to
    the idle one (leastconn per unit of weight), instead of ten and ten."""
    stand = StandIns(tmp_path, proxy.proxy_key("load"), loads=("up 100%", "up 10%"))
    try:
        stand.wait_up()
        time.sleep(4.5)  # two agent checks (agent-inter 2s): the proxy has read both weights
        where: list[int] = []
        threads = [threading.Thread(target=lambda: where.append(stand.get("/hold")[0])) for _ in range(20)]
        for th in threads:
            th.start()
            time.sleep(0.05)  # browsers arriving one after another, each one's connection still open
        for th in threads:
            th.join()
        idle, busy = stand.ports
        assert where.count(idle) >= 16 and where.count(busy) >= 1, (where.count(idle), where.count(busy))
    finally:
        stand.close()


def test_a_workers_agent_reports_less_weight_while_it_is_busy():
    """runs/agent.py: the share a worker asks for falls with its CPU use over the window (one process runs on
    about one core), and the agent answers HAProxy's connection with one line, "up N%"."""
    from runs import agent

    assert agent.weight(0.0) == 100 and agent.weight(0.5) == 50 and agent.weight(1.0) == agent.MIN_WEIGHT
    assert agent.weight(3.0) == agent.MIN_WEIGHT
    clock, cpu = [0.0], [0.0]
    load = agent.Load(cpu=lambda: cpu[0], clock=lambda: clock[0], window=5.0)
    for _ in range(10):  # ten seconds idle
        clock[0] += 1.0
        load.utilization()
    assert agent.reply(load) == b"up 100%\n"
    for _ in range(10):  # then ten seconds using 80 % of a core
        clock[0] += 1.0
        cpu[0] += 0.8
        load.utilization()
    assert agent.reply(load) == b"up 20%\n"
    port = free_port()
    server = agent.serve(port, load=load)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            assert conn.makefile("rb").readline() == b"up 20%\n"
    finally:
        server.close()


def test_cookie_secret_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(supervisor.SECRET_ENV, raising=False)
    first = supervisor.cookie_secret(tmp_path)
    assert len(first) == 64 and supervisor.cookie_secret(tmp_path) == first
    assert (tmp_path / "cookie-secret").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv(supervisor.SECRET_ENV, "given-secret")
    assert supervisor.cookie_secret(tmp_path) == "given-secret"


# ---------------------------------------------------------------- real processes, real proxy, Chromium

class Served:
    """`python -m serve.supervisor --workers 2` on a free port, with its run directory in tmp."""

    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.out = open(run_dir / "supervisor.out", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "serve.supervisor", "--workers", "2", "--port", str(self.port),
             "--address", "127.0.0.1", "--run-dir", str(run_dir), "--haproxy", HAPROXY,
             "--restart-delay", str(RESTART_DELAY)],
            cwd=ROOT, stdout=self.out, stderr=subprocess.STDOUT)
        self.wait(lambda: all(w["ready"] for w in self.state()["workers"]) and self.proxy_healthy(),
                  60, "the workers and the proxy did not become healthy")

    def state(self) -> dict:
        try:
            return json.loads((self.run_dir / "state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"proxy": None, "workers": [{"ready": False}]}

    def worker(self, name: str) -> dict:
        return next(w for w in self.state()["workers"] if w["name"] == name)

    def proxy_healthy(self) -> bool:
        try:
            return urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok"
        except OSError:
            return False

    def wait(self, condition, seconds: float, what: str) -> None:
        deadline = time.time() + seconds
        while time.time() < deadline:
            if condition():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{what} (supervisor said: {(self.run_dir / 'supervisor.out').read_text()[-2000:]})")

    def log_size(self) -> int:
        return (self.run_dir / "haproxy.log").stat().st_size

    def requests_since(self, offset: int) -> list[tuple[str, str, str]]:
        """(worker, method, path) of every request the proxy logged after `offset` bytes of its log."""
        with open(self.run_dir / "haproxy.log", encoding="utf-8", errors="replace") as f:
            f.seek(offset)
            return [m.groups() for m in map(LOG_LINE.search, f) if m]

    def up(self, name: str) -> bool:
        """HAProxy's view: the worker passes its health checks."""
        return proxy.servers_up(self.state()["proxy"]["socket"]).get(name, False)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.out.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if WHY_SKIP:
        pytest.skip(WHY_SKIP)
    server = Served(tmp_path_factory.mktemp("serve"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()


def student(browser, served, path: str = ""):
    """A new browser (its own cookies) with the page open and idle."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{served.url}/{path}?lang=en", wait_until="domcontentloaded")
    wait_idle(page)
    return context, page


def worker_of(context, served) -> str | None:
    """The worker a browser is on: its cookie's value, looked up in the proxy's log (which names the worker and
    the cookie of every request; the value itself names no worker)."""
    value = next((c["value"] for c in context.cookies() if c["name"] == proxy.COOKIE), None)
    if value is None:
        return None
    deadline = time.time() + 5
    while True:
        with open(served.run_dir / "haproxy.log", encoding="utf-8", errors="replace") as f:
            found = [m.group(1) for m in map(COOKIE_LOGGED.search, f) if m and m.group(2) == value]
        if found or time.time() > deadline:
            return found[-1] if found else None
        time.sleep(0.2)


@pytest.mark.browser
def test_upload_and_download_reach_the_worker_that_holds_the_session(served, browser):
    start = served.log_size()
    context, page = student(browser, served, "playground")
    name = worker_of(context, served)
    assert name in ("w1", "w2")

    imported = PlaygroundConfig(width=7, seed=4321).to_json().encode("utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": "class.json", "mimeType": "application/json", "buffer": imported}])
    loaded = load("en")["playground.import_ok"].split(":")[0]  # the message's words before its markdown
    page.get_by_text(loaded).wait_for(timeout=30_000)
    wait_idle(page)
    assert "width=7" in page.url and "seed=4321" in page.url, page.url

    with page.expect_download(timeout=30_000) as download:
        page.locator(".st-key-_dl_w button").click()
    with np.load(download.value.path()) as weights:
        assert weights.files and weights[weights.files[0]].size > 0
    assert page.locator(EXCEPTION).count() == 0
    assert worker_of(context, served) == name
    context.close()  # the websocket closes, and the proxy logs it

    def logged():
        return any(path == "/_stcore/stream" for _, _, path in served.requests_since(start))

    served.wait(logged, 15, "the websocket's request was not logged")
    requests = served.requests_since(start)
    assert {w for w, _, _ in requests} == {name}, requests
    seen = {(method, path) for _, method, path in requests}
    assert ("GET", "/_stcore/stream") in seen  # the websocket
    assert any(m == "PUT" and p.startswith("/_stcore/upload_file/") for m, p in seen), seen  # the config import
    assert any(m == "GET" and p.startswith("/media/") for m, p in seen), seen  # the weights


@pytest.mark.browser
def test_browsers_are_spread_over_both_workers(served, browser):
    opened = [student(browser, served) for _ in range(3)]
    try:
        names = [worker_of(context, served) for context, _ in opened]
        assert set(names) == {"w1", "w2"}, names
        for _, page in opened:
            assert page.locator(EXCEPTION).count() == 0
            assert page.locator("h1").count() >= 1
    finally:
        for context, _ in opened:
            context.close()


def chart_svgs(page) -> list[str]:
    return page.eval_on_selector_all("[data-testid='stPlotlyChart'] .main-svg", "els => els.map(e => e.innerHTML)")


@pytest.mark.browser
def test_a_killed_worker_s_students_reconnect_to_a_live_one(served, browser):
    context, page = student(browser, served, "playground")
    dead = worker_of(context, served)
    live = {"w1": "w2", "w2": "w1"}[dead]
    pid = served.worker(dead)["pid"]
    page.locator("[class*='st-key-'][class*='-train'] button").first.click()
    page.wait_for_timeout(1500)  # a live run is going

    os.kill(pid, signal.SIGKILL)
    # while the killed worker is down (RESTART_DELAY, then its start), a new browser goes to the live one
    newcomer, new_page = student(browser, served)
    assert worker_of(newcomer, served) == live
    assert new_page.locator(EXCEPTION).count() == 0

    # the page reconnects through the proxy to the live worker, as a fresh session, with no traceback
    served.wait(lambda: worker_of(context, served) == live, 30, "the page did not move to the live worker")
    page.wait_for_timeout(500)
    wait_idle(page)
    assert page.locator(EXCEPTION).count() == 0
    before = chart_svgs(page)
    page.locator("[class*='st-key-'][class*='-train'] button").first.click()
    page.wait_for_timeout(2500)
    wait_idle(page)
    assert page.locator(EXCEPTION).count() == 0
    assert chart_svgs(page) != before, "Train did nothing after the reconnect"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "serve-after-worker-killed.png"))

    # the supervisor starts it again, and the proxy sends new browsers to it once it passes its checks
    served.wait(lambda: served.worker(dead)["ready"] and served.worker(dead)["pid"] not in (None, pid), 60,
                "the killed worker was not restarted")
    served.wait(lambda: served.up(dead), 30, "the proxy did not see the restarted worker up")
    third, _ = student(browser, served)
    assert worker_of(third, served) == dead  # the fewest open connections
    for c in (context, newcomer, third):
        c.close()


@pytest.mark.browser
def test_ctrl_c_stops_the_proxy_and_every_worker(served):
    pids = [served.state()["proxy"]["pid"]] + [w["pid"] for w in served.state()["workers"]]
    served.stop()
    assert served.proc.returncode == 0
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists(), pid
