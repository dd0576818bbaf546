"""What a worker tells HAProxy about its load (HAProxy's agent-check), so new browsers go where there is room.

A class's cost is CPU, not connections: thirty students pausing on a page hold thirty websockets and cost little,
five students training on the playground hold five and fill a core. `balance leastconn` alone counts the
websockets. So every worker answers a TCP agent on the port its environment names (the supervisor and compose.yaml
give each worker its app port + serve.proxy.AGENT_OFFSET, the rule the proxy's server lines follow): HAProxy
connects every couple of seconds and reads one line, "up 37%", and weighs the worker by that share of its configured weight (leastconn then
prefers the least loaded per unit of weight). The share falls with the process's CPU use over the last WINDOW
seconds: 100 % idle, MIN_WEIGHT % when it uses a whole core (one process runs its sessions on about one core).

    python -m ui.launch ...        # starts the agent when DNNLAB_AGENT_PORT is set (make serve, compose do)

A worker without an agent (an older one, or a failed bind) keeps its configured weight: HAProxy does not count an
agent that does not answer as a failed check (the HTTP health check decides up and down).
"""
from __future__ import annotations

import collections
import os
import socket
import threading
import time

PORT_ENV, HOST_ENV = "DNNLAB_AGENT_PORT", "DNNLAB_AGENT_HOST"  # serve/supervisor.py and compose.yaml set them
WINDOW = 5.0         # seconds of CPU use the weight reflects
MIN_WEIGHT = 10      # a worker that uses a whole core still gets a tenth of its share, never none


def weight(utilization: float) -> int:
    """The share of its weight (percent) a worker asks for at this CPU use (cores, 0..1 and more)."""
    return int(max(MIN_WEIGHT, min(100, round(100 * (1.0 - utilization)))))


class Load:
    """The process's CPU use (cores busy, averaged over WINDOW seconds), from samples taken when asked."""

    def __init__(self, cpu=time.process_time, clock=time.monotonic, window: float = WINDOW):
        self.cpu, self.clock, self.window = cpu, clock, window
        self._samples = collections.deque([(clock(), cpu())])
        self._lock = threading.Lock()

    def utilization(self) -> float:
        with self._lock:
            now, used = self.clock(), self.cpu()
            self._samples.append((now, used))
            while len(self._samples) > 2 and now - self._samples[1][0] >= self.window:
                self._samples.popleft()  # keep one sample at least WINDOW old: the average spans the window
            then, before = self._samples[0]
            return max(0.0, (used - before) / max(now - then, 1e-3))


def reply(load: Load) -> bytes:
    return f"up {weight(load.utilization())}%\n".encode()


def serve(port: int, host: str = "127.0.0.1", load: Load | None = None) -> socket.socket:
    """Answer HAProxy's agent on (host, port) in a daemon thread; returns the listening socket (close it to stop)."""
    load = load or Load()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(16)

    def loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # closed
            with conn:
                try:
                    conn.settimeout(2)
                    conn.sendall(reply(load))
                except OSError:
                    pass

    def sample():  # a sample every second, so the window is full when the proxy asks
        while server.fileno() != -1:
            load.utilization()
            time.sleep(1.0)

    threading.Thread(target=loop, name="haproxy-agent", daemon=True).start()
    threading.Thread(target=sample, name="haproxy-agent-load", daemon=True).start()
    return server


def start_from_env() -> socket.socket | None:
    """Start the agent when the environment names its port (and address, default 127.0.0.1; the supervisor and
    compose.yaml set them); a port in use is reported and skipped (the worker then keeps its configured weight)."""
    raw = os.environ.get(PORT_ENV, "").strip()
    if not raw.isdigit():
        return None
    try:
        return serve(int(raw), os.environ.get(HOST_ENV, "127.0.0.1").strip() or "127.0.0.1")
    except OSError as err:
        print(f"load agent not started on port {raw}: {err}", flush=True)
        return None
