"""The Redis server `make serve` runs for the classes (ui/class_store.py), and the tests start the same way.

Debian's `redis-server` (installed by the Makefile when missing, like HAProxy), started with a configuration file
written here (mode 600, since it holds the password): bound to loopback (or to every interface when workers on
other machines must reach it), a password generated at each start, no persistence (a class lives 4 idle hours at
most and is not worth a disk write), a memory cap, and no command that could write files or reconfigure it.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

# where a worker finds the class store (ui/class_store.py reads the same name; tests/test_serve_classes.py checks)
STORE_ENV = "DNNLAB_CLASS_STORE"
MAXMEMORY = "256mb"  # far above what 100 classes of 200 students store (see the README's "In class")


def find(given: str | None = None) -> str | None:
    for candidate in (given, shutil.which("redis-server"), "/usr/bin/redis-server", "/usr/sbin/redis-server"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def write_config(run_dir: Path, port: int, bind: str, password: str) -> Path:
    disabled = "".join(f'rename-command {cmd} ""\n' for cmd in ("CONFIG", "DEBUG", "MODULE", "SAVE", "BGSAVE",
                                                                "BGREWRITEAOF", "REPLICAOF", "SLAVEOF", "SHUTDOWN"))
    text = (f"port {port}\nbind {bind}\nprotected-mode yes\nrequirepass {password}\n"
            f"dir {run_dir}\nsave \"\"\nappendonly no\nmaxmemory {MAXMEMORY}\nmaxmemory-policy noeviction\n"
            f"daemonize no\nlogfile \"\"\ndatabases 1\n{disabled}")
    path = run_dir / "redis.conf"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def start(binary: str, run_dir: Path, port: int | None = None, bind: str = "127.0.0.1", log=None,
          preexec_fn=None, password: str | None = None) -> tuple[subprocess.Popen, str]:
    """A redis-server on ``port`` (a free one when None) -> (process, URL with the password), once it answers.
    ``password``: a new one when None (a restart passes the one its workers already hold)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    password = password or secrets.token_urlsafe(24)
    conf = write_config(run_dir, port, bind, password)
    proc = subprocess.Popen([binary, str(conf)], stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, preexec_fn=preexec_fn)
    host = "127.0.0.1" if bind in ("0.0.0.0", "*", "") else bind.split()[0]
    url = f"redis://:{password}@{host}:{port}/0"
    wait(url, proc)
    return proc, url


def wait(url: str, proc: subprocess.Popen | None = None, timeout: float = 15.0) -> None:
    import redis

    deadline = time.monotonic() + timeout
    client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    while True:
        try:
            client.ping()
            return
        except redis.RedisError:
            if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start ({url.split('@')[-1]})")
            time.sleep(0.05)
        finally:
            client.close()
