"""The class benchmark through `make serve`'s proxy: WORKERS=1, then WORKERS=2, back to back on the same machine.

    python bench/serve_bench.py                                   # playground, 30 students back to back, 30 s each
    python bench/serve_bench.py --pages dropout --sessions 60 --duration 20 --workers 1,2,4
    python bench/serve_bench.py -- --think 3                      # anything after -- goes to bench/classroom.py

For each worker count it starts the supervisor (python -m serve.supervisor: the workers and HAProxy, as
`make serve` does) on a free port, runs bench/classroom.py against the proxy (`--url`, with the workers' pids as
`--pids`), samples every worker's RSS meanwhile, and stops it. Throughput is the back-to-back rows' completed runs
per second (runs / wall time); the issue asks for >= 1.6x with 2 workers over 1 on a 2-core machine. Peak RSS is
given per worker. The numbers mean something only on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # a script run from anywhere: make the project importable

from tests.browser_util import free_port  # noqa: E402

CLASSROOM = ROOT / "bench" / "classroom.py"
TARGET_RATIO = 1.6


def start(workers: int, run_dir: Path, timeout: float = 180) -> tuple[subprocess.Popen, str, dict]:
    """The supervisor with `workers` workers behind the proxy, started as `make serve` starts it -> (process, proxy
    URL, the supervisor's state: its workers with their pids), once every worker and the proxy are healthy."""
    port = free_port()
    with open(run_dir / "supervisor.out", "w") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-m", "serve.supervisor", "--workers", str(workers), "--port",
                                 str(port), "--address", "127.0.0.1", "--run-dir", str(run_dir)], cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            state = json.loads((run_dir / "state.json").read_text())
            if all(w["ready"] for w in state["workers"]):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return proc, url, state
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"the supervisor did not become ready: {(run_dir / 'supervisor.out').read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def peak_rss(pids: list[int], done: threading.Event, peaks: dict[int, float]) -> None:
    from bench.classroom import rss_mb

    while not done.is_set():
        for pid in pids:
            peaks[pid] = max(peaks.get(pid, 0.0), rss_mb(pid) or 0.0)
        done.wait(0.2)


def run(workers: int, args, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"serve-bench-{workers}-") as tmp:
        run_dir = Path(tmp)
        proc, url, state = start(workers, run_dir)
        pids = [w["pid"] for w in state["workers"]]
        out = run_dir / "classroom.json"
        peaks: dict[int, float] = {}
        done = threading.Event()
        sampler = threading.Thread(target=peak_rss, args=(pids, done, peaks), daemon=True)
        sampler.start()
        print(f"\n=== WORKERS={workers}: proxy {url}, worker pids {', '.join(map(str, pids))}", flush=True)
        try:
            subprocess.run([sys.executable, str(CLASSROOM), "--url", url, "--pids", ",".join(map(str, pids)),
                            "--pages", args.pages, "--sessions", str(args.sessions), "--think", "0",
                            "--duration", str(args.duration), "--no-expiry", "--json", str(out), *extra],
                           cwd=ROOT, check=True)
            rows = json.loads(out.read_text())["rows"]
        finally:
            done.set()
            sampler.join()
            stop(proc)
    b2b = [r for r in rows if r.get("mode") == "back to back"]
    runs, wall = sum(r["n"] for r in b2b), sum(r["wall_s"] for r in b2b)
    return {"workers": workers, "runs": runs, "wall_s": wall, "runs_per_s": runs / wall if wall else None,
            "p95": max((r["p95"] for r in b2b if r.get("p95") is not None), default=None),
            "errors": sum(r["errors"] for r in rows), "peak_rss_mb": [round(peaks.get(p, 0.0)) for p in pids]}


def main() -> int:
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default="playground", help="comma-separated slugs (default playground)")
    ap.add_argument("--sessions", type=int, default=30, help="students (default 30)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of back-to-back use (default 30)")
    ap.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    ap.add_argument("--json", default="", help="write the results to this file")
    args = ap.parse_args(argv)
    if not CLASSROOM.exists():
        raise SystemExit("bench/classroom.py (the class benchmark) is not in this tree yet")
    results = [run(int(w), args, extra) for w in args.workers.split(",") if w.strip()]

    print(f"\n{'workers':>7} {'runs':>6} {'wall s':>7} {'runs/s':>7} {'p95 ms':>7} {'errors':>6}  "
          "peak RSS per worker (MB)")
    for r in results:
        p95 = "-" if r["p95"] is None else f"{r['p95'] * 1000:.0f}"
        print(f"{r['workers']:>7} {r['runs']:>6} {r['wall_s']:>7.1f} {r['runs_per_s'] or 0:>7.1f} {p95:>7} "
              f"{r['errors']:>6}  {', '.join(map(str, r['peak_rss_mb']))}")
    base = next((r for r in results if r["workers"] == 1), None)
    for r in results:
        if base and r is not base and base["runs_per_s"] and r["runs_per_s"]:
            ratio = r["runs_per_s"] / base["runs_per_s"]
            met = "met" if ratio >= TARGET_RATIO else "MISSED"
            verdict = f" (target >= {TARGET_RATIO}x: {met})" if r["workers"] == 2 else ""
            print(f"throughput with {r['workers']} workers / 1 worker: {ratio:.2f}x{verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
