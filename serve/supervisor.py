"""`make serve`: N app workers (`streamlit run app.py` through ui.launch) on private loopback ports behind one
HAProxy on PORT, and a Redis server where every worker keeps the classes (ui/class_store.py).

    python -m serve.supervisor --workers 2 --port 8600            # the proxy and its workers
    python -m serve.supervisor --workers 2 --port 8501 --peer 10.0.0.2:8501 --peer 10.0.0.2:8502
    python -m serve.supervisor --workers-only --workers 4 --port 8501    # another machine's workers, ports 8501-8504

Every worker gets the same server.cookieSecret (STREAMLIT_SERVER_COOKIE_SECRET when set, else the one kept in
RUN_DIR/cookie-secret, made once). A worker that exits is started again on its port after --restart-delay
(doubling while it keeps exiting soon after its start); HAProxy's health checks send no new browser to it
meanwhile. Ctrl-C (or SIGTERM) stops the proxy and then every worker. RUN_DIR (default .serve/, git-ignored) holds
the proxy's configuration, the logs (haproxy.log, worker-<name>.log) and state.json: the proxy's and each worker's
pid and port, and whether it is ready (answering its health check and, with a proxy, getting browsers from it),
rewritten on every change (tests and benchmarks read it).

Redis (Debian's redis-server, serve/redis_server.py) starts first, on a free loopback port with a password made at
each start (every interface when --peer workers on other machines must reach it; it prints their setting), and
is started again with the same port and password when it exits (the classes it held are then gone). Workers find
it through DNNLAB_CLASS_STORE. With --workers-only, workers use the DNNLAB_CLASS_STORE of the environment (the
proxy machine's Redis, as it printed it).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from serve import proxy, redis_server
from serve.redis_server import STORE_ENV

ROOT = Path(__file__).resolve().parent.parent
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
STABLE_AFTER = 30.0  # s: a worker that exits sooner after its start counts as failing again
MAX_DELAY = 30.0     # s: the longest pause before restarting a worker that keeps failing


def cookie_secret(run_dir: Path) -> str:
    """The secret every worker signs its XSRF cookie with: the environment's, else the kept one, else a new one."""
    given = os.environ.get(SECRET_ENV, "").strip()
    if given:
        return given
    path = run_dir / "cookie-secret"
    if path.exists():
        kept = path.read_text(encoding="utf-8").strip()
        if kept:
            return kept
    run_dir.mkdir(parents=True, exist_ok=True)
    made = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(made + "\n")
    return made


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_worker_port(host: str = "127.0.0.1") -> int:
    """A free port whose load agent's port (port + proxy.AGENT_OFFSET) is free too."""
    while True:
        port = free_port(host)
        if proxy.agent_port(port) < 65536:
            with socket.socket() as s:
                try:
                    s.bind((host, proxy.agent_port(port)))
                    return port
                except OSError:
                    pass


def find_haproxy(given: str | None) -> str | None:
    for candidate in (given, shutil.which("haproxy"), "/usr/sbin/haproxy"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def healthy(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{proxy.HEALTH}", timeout=timeout) as r:
            return r.read() == b"ok"
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child before exec: its own session (a terminal's Ctrl-C reaches only the supervisor, which stops
    everything in order), and SIGTERM when the supervisor dies however it dies (Linux)."""
    os.setsid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Worker:
    name: str
    port: int
    proc: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0
    failures: int = 0         # exits in a row that came soon after a start
    due: float = 0.0          # when to start it again (after an exit)
    ready: bool = False
    log: object = field(default=None, repr=False)


class Supervisor:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.run_dir = Path(args.run_dir).resolve()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.secret = cookie_secret(self.run_dir)
        host = args.worker_address
        if args.workers_only:
            ports = [args.port + i for i in range(args.workers)]
        else:
            ports = [free_worker_port(host) for _ in range(args.workers)]
        self.workers = [Worker(f"w{i + 1}", port) for i, port in enumerate(ports)]
        self.socket = self.run_dir / "haproxy.sock"  # HAProxy's runtime API
        if len(str(self.socket)) > 100:  # a UNIX socket's path is limited to 107 bytes
            self.socket = Path(tempfile.mkdtemp(prefix="dnnlab-serve-")) / "haproxy.sock"
        self.haproxy = None
        self.proxy_proc: subprocess.Popen | None = None
        self.proxy_log = None
        self.stopping = False
        self.redis_proc: subprocess.Popen | None = None
        self.redis_url = os.environ.get(STORE_ENV, "").strip() if args.workers_only else ""
        self.redis_port = 0
        self.redis_password = None
        self.redis_log = None

    # ---------------------------------------------------------------- processes
    def start_worker(self, w: Worker) -> None:
        if w.log is None:
            w.log = open(self.run_dir / f"worker-{w.name}.log", "a", buffering=1, encoding="utf-8")
        w.log.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} start {w.name} on port {w.port}\n")
        # ui.launch: the process settings and server guards, then `streamlit run app.py` (as `make run`)
        cmd = [sys.executable, "-m", "ui.launch",
               "--server.port", str(w.port), "--server.address", self.args.worker_address,
               "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
        env = {**os.environ, SECRET_ENV: self.secret, "OPENBLAS_NUM_THREADS": "1", STORE_ENV: self.redis_url,
               proxy.AGENT_PORT_ENV: str(proxy.agent_port(w.port)), proxy.AGENT_HOST_ENV: self.args.worker_address}
        w.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=w.log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        w.started, w.ready = time.monotonic(), False

    def start_redis(self) -> None:
        """The class store: loopback only, unless workers on other machines (--peer) must reach it."""
        binary = redis_server.find(self.args.redis)
        if binary is None:
            raise SystemExit("redis-server is not installed: `apt-get install redis-server` (make serve does it)")
        bind = "0.0.0.0" if self.args.peer else "127.0.0.1"
        self.redis_log = self.redis_log or open(self.run_dir / "redis.log", "a", buffering=1, encoding="utf-8")
        self.redis_proc, url = redis_server.start(binary, self.run_dir, self.redis_port or None, bind,
                                                  log=self.redis_log, preexec_fn=_die_with_parent,
                                                  password=self.redis_password)
        self.redis_port = int(url.rsplit(":", 1)[1].split("/")[0])
        self.redis_password = url.split("//:", 1)[1].split("@", 1)[0]
        self.redis_url = url

    def proxy_config(self) -> str:
        servers = [(w.name, self.args.worker_host, w.port) for w in self.workers]
        servers += [(f"p{i}", *proxy.split_peer(peer)) for i, peer in enumerate(self.args.peer, start=1)]
        return proxy.config(proxy.servers_block(servers), f"{self.args.address}:{self.args.port}",
                            stats_socket=str(self.socket))

    def proxy_env(self) -> dict:
        """HAProxy's environment: the key of its worker cookies (derived from the cookie secret), which the
        configuration file names but does not hold."""
        return {**os.environ, proxy.PROXY_KEY_ENV: proxy.proxy_key(self.secret)}

    def start_proxy(self) -> None:
        cfg = self.run_dir / "haproxy.cfg"
        cfg.write_text(self.proxy_config(), encoding="utf-8")
        check = subprocess.run([self.haproxy, "-c", "-q", "-f", str(cfg)], capture_output=True, text=True,
                               env=self.proxy_env())
        if check.returncode:
            raise SystemExit(f"the proxy configuration {cfg} is invalid:\n{check.stdout}{check.stderr}")
        self.proxy_log = self.proxy_log or open(self.run_dir / "haproxy.log", "a", buffering=1, encoding="utf-8")
        self.proxy_proc = subprocess.Popen([self.haproxy, "-db", "-f", str(cfg)], stdout=self.proxy_log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           preexec_fn=_die_with_parent, env=self.proxy_env())
        time.sleep(0.3)
        if self.proxy_proc.poll() is not None:
            tail = (self.run_dir / "haproxy.log").read_text(encoding="utf-8", errors="replace").splitlines()[-5:]
            raise SystemExit(f"HAProxy did not start (port {self.args.port} in use?):\n" + "\n".join(tail))

    def write_state(self) -> None:
        state = {"redis": None if self.redis_proc is None else {"pid": self.redis_proc.pid, "port": self.redis_port},
                 "proxy": None if self.proxy_proc is None else
                 {"pid": self.proxy_proc.pid, "port": self.args.port, "peers": self.args.peer,
                  "socket": str(self.socket)},
                 "workers": [{"name": w.name, "port": w.port, "pid": w.proc.pid if w.proc else None,
                              "ready": w.ready, "restarts": w.restarts} for w in self.workers]}
        tmp = self.run_dir / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        tmp.replace(self.run_dir / "state.json")

    # ---------------------------------------------------------------- the loop
    def tick(self) -> bool:
        """Restart what exited, note what became ready; True when the state changed."""
        changed = False
        now = time.monotonic()
        waiting = any(w.proc is not None and not w.ready for w in self.workers)
        up = proxy.servers_up(str(self.socket)) if waiting and self.proxy_proc else {}
        for w in self.workers:
            if w.proc is not None and w.proc.poll() is not None:
                code = w.proc.returncode
                ran = now - w.started
                w.failures = 0 if ran >= STABLE_AFTER else w.failures + 1
                delay = min(self.args.restart_delay * 2 ** max(w.failures - 1, 0), MAX_DELAY)
                reason = f"signal {-code}" if code < 0 else f"code {code}"
                say(f"worker {w.name} (port {w.port}) exited with {reason} after {ran:.0f} s; "
                    f"restarting in {delay:.0f} s (log: {self.run_dir / f'worker-{w.name}.log'})")
                w.proc, w.due, w.ready, changed = None, now + delay, False, True
            if w.proc is None and now >= w.due:
                self.start_worker(w)
                w.restarts += 1
                changed = True
            elif (w.proc is not None and not w.ready and (self.proxy_proc is None or up.get(w.name))
                  and healthy(self.args.worker_host, w.port, timeout=0.5)):
                w.ready, changed = True, True  # answering, and (with a proxy) getting browsers from it
                say(f"worker {w.name} ready on port {w.port}")
        if self.redis_proc is not None and self.redis_proc.poll() is not None:
            say(f"Redis exited with code {self.redis_proc.returncode}; starting it again (its classes are gone)")
            self.start_redis()
            changed = True
        if self.proxy_proc is not None and self.proxy_proc.poll() is not None:
            say(f"HAProxy exited with code {self.proxy_proc.returncode}; starting it again")
            self.start_proxy()
            changed = True
        return changed

    def run(self) -> int:
        if not self.args.workers_only:
            self.haproxy = find_haproxy(self.args.haproxy)
            if not self.haproxy:
                raise SystemExit("HAProxy is not installed: `apt-get install haproxy` (make serve does it)")
            self.start_redis()
            say(f"Redis on port {self.redis_port} keeps the classes (log: {self.run_dir / 'redis.log'})")
        for w in self.workers:
            self.start_worker(w)
        if not self.args.workers_only:
            self.start_proxy()
            say(f"HAProxy on port {self.args.port} in front of {len(self.workers)} worker(s)"
                f"{f' and {len(self.args.peer)} peer(s)' if self.args.peer else ''}")
        self.write_state()
        announced = False
        while not self.stopping:
            if self.tick():
                self.write_state()
            if not announced and any(w.ready for w in self.workers):
                announced = True
                self.announce()
            time.sleep(0.25)
        return 0

    def announce(self) -> None:
        if self.args.workers_only:
            say(f"workers on {self.args.worker_address}:{self.workers[0].port}-{self.workers[-1].port}: "
                "add them to the proxy machine's `make serve PEERS=...`. Ctrl-C stops them.")
            return
        say(f"Serving the lab at http://{lan_address()}:{self.args.port} "
            f"(here: http://127.0.0.1:{self.args.port}). Ctrl-C stops it.")
        if self.args.peer:
            say(f"Workers on the peers keep their classes in this machine's Redis: start them with "
                f"`make workers CLASS_STORE=redis://:<password>@{lan_address()}:{self.redis_port}/0`, the password "
                f"being the `requirepass` line of {self.run_dir / 'redis.conf'} (made anew at each start)")

    def stop(self) -> None:
        """The proxy first (no new traffic), then the workers: SIGTERM, and SIGKILL after 10 s."""
        procs = [p for p in [self.proxy_proc] + [w.proc for w in self.workers] if p is not None]
        redis_proc, self.redis_proc = self.redis_proc, None
        for p in procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 10
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if redis_proc is not None and redis_proc.poll() is None:  # after the workers: nothing writes to it now
            redis_proc.terminate()
            try:
                redis_proc.wait(10)
            except subprocess.TimeoutExpired:
                redis_proc.kill()
                redis_proc.wait()
        for f in [self.proxy_log, self.redis_log] + [w.log for w in self.workers]:
            if f is not None:
                f.close()
        self.proxy_proc = None
        for w in self.workers:
            w.proc = None
        self.write_state()
        if self.socket.parent != self.run_dir:  # the temporary folder made for a long path
            shutil.rmtree(self.socket.parent, ignore_errors=True)


def lan_address() -> str:
    """This machine's address on its network, for the students' URL (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            return s.getsockname()[0]
    except OSError:
        return socket.gethostname()


def say(text: str) -> None:
    print(f"[serve {time.strftime('%H:%M:%S')}] {text}", flush=True)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="app processes (default: one per core)")
    ap.add_argument("--port", type=int, default=8501,
                    help="the proxy's port; with --workers-only, the first worker's port (default 8501)")
    ap.add_argument("--address", default="0.0.0.0", help="where the proxy listens (default: every interface)")
    ap.add_argument("--worker-address", default=None,
                    help="where workers listen (default 127.0.0.1; 0.0.0.0 with --workers-only)")
    ap.add_argument("--peer", action="append", default=[], metavar="HOST:PORT",
                    help="a worker on another machine (`make workers` there), repeatable")
    ap.add_argument("--workers-only", action="store_true",
                    help="no proxy: workers on PORT, PORT+1, ... for another machine's proxy")
    ap.add_argument("--haproxy", default=None, help="the haproxy binary (default: found on PATH or /usr/sbin)")
    ap.add_argument("--redis", default=None, help="the redis-server binary (default: found on PATH or /usr/bin)")
    ap.add_argument("--run-dir", default=str(ROOT / ".serve"), help="secret, logs, proxy config, state.json")
    ap.add_argument("--restart-delay", type=float, default=1.0,
                    help="seconds before restarting a worker that exited (doubles while it keeps failing; default 1)")
    args = ap.parse_args(argv)
    if args.workers < 1:
        ap.error("--workers must be at least 1")
    for peer in args.peer:
        try:
            proxy.split_peer(peer)
        except ValueError as err:
            ap.error(f"--peer {err}")
    if args.worker_address is None:
        args.worker_address = "0.0.0.0" if args.workers_only else "127.0.0.1"
    args.worker_host = "127.0.0.1" if args.worker_address in ("0.0.0.0", "") else args.worker_address
    return args


def main(argv: list[str] | None = None) -> int:
    sup = Supervisor(parse(argv))

    def on_signal(signum, _frame):
        sup.stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        return sup.run()
    finally:
        say("stopping the proxy and the workers")
        sup.stop()


if __name__ == "__main__":
    sys.exit(main())
