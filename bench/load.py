"""Classroom load: N concurrent sessions on one real `streamlit run` server, each moving sliders.

    python bench/load.py                     # 30 sessions x 20 interactions, then 1,000 reruns of one session
    python bench/load.py --sessions 10 --interactions 5 --reruns 100   # a quick look
    python bench/load.py --think 3           # students pause ~3 s (uniform 0-6 s) between slider moves

Prints the latency of every interaction (send -> script finished), median / p95 / max, errors (exceptions
on the page or time-outs), the server's peak RSS, and its RSS growth over the long run of reruns.
Targets (issue "Speed and robustness"): p95 <= 2 s with no error, RSS <= 600 MB, growth < 10 %.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # a script run from anywhere: make the project importable

from bench.wsclient import Session  # noqa: E402
from tests.browser_util import Server  # noqa: E402
from ui import nav  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory of the server process (and its children, if any), in MB."""
    total = 0
    for status in [Path(f"/proc/{pid}/status")]:
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def numeric_sliders(session: Session) -> list[tuple[str, float, float, bool]]:
    """(key, min, max, is_int) of the page's plain sliders (select-sliders and app-level widgets left out)."""
    found = []
    for key, (kind, proto) in session.widgets.items():
        if kind == "slider" and not proto.options and not key.startswith("_") and key != "present":
            found.append((key, proto.min, proto.max, proto.data_type == proto.INT))
    return found


async def one_session(url: str, page: str, interactions: int, seed: int, latencies: list, errors: list,
                      think: float = 0.0):
    rng = random.Random(seed)
    session = Session(url, page)
    try:
        await session.connect()
        latencies.append(("first", await session.rerun()))
        sliders = numeric_sliders(session)
        for _ in range(interactions):
            if think:  # a student looks at the chart before the next move
                await asyncio.sleep(rng.uniform(0, 2 * think))
            if not sliders:
                latencies.append(("rerun", await session.rerun()))
                continue
            key, lo, hi, is_int = rng.choice(sliders)
            value = rng.randint(int(lo), int(hi)) if is_int else rng.uniform(lo, hi)
            latencies.append(("slider", await session.rerun([session.slider_state(key, value)])))
        errors.extend(session.exceptions)
    except Exception as exc:  # a time-out or a dropped connection is an error of the run, not of the bench
        errors.append(f"{page}: {type(exc).__name__}: {exc}")
    finally:
        await session.close()


async def crowd(url: str, sessions: int, interactions: int, pages: list[str], think: float = 0.0):
    latencies, errors = [], []
    await asyncio.gather(*(one_session(url, pages[i % len(pages)], interactions, i, latencies, errors, think)
                           for i in range(sessions)))
    return latencies, errors


async def long_run(url: str, page: str, reruns: int, pid: int):
    session = Session(url, page)
    await session.connect()
    await session.rerun()
    sliders = numeric_sliders(session)
    rng = random.Random(0)
    marks = {}
    for i in range(1, reruns + 1):
        if sliders:
            key, lo, hi, is_int = rng.choice(sliders)
            value = rng.randint(int(lo), int(hi)) if is_int else rng.uniform(lo, hi)
            await session.rerun([session.slider_state(key, value)])
        else:
            await session.rerun()
        if i in (reruns // 10, reruns):
            marks[i] = rss_mb(pid)
    await session.close()
    return marks, session.exceptions


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--interactions", type=int, default=20)
    parser.add_argument("--reruns", type=int, default=1000)
    parser.add_argument("--pages", default="", help="comma-separated slugs (default: every page but home)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause in seconds between a session's interactions (0: back to back, the worst case)")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p] or [p.slug for p in nav.PAGES if p.slug != "home"]

    (ROOT / "artifacts").mkdir(exist_ok=True)
    server = Server()
    try:
        started = time.perf_counter()
        # warm the server once so the first crowd does not measure imports
        asyncio.run(crowd(server.url, 1, 0, pages[:1]))
        latencies, errors = asyncio.run(crowd(server.url, args.sessions, args.interactions, pages, args.think))
        wall = time.perf_counter() - started
        peak = rss_mb(server.proc.pid)
        times = [t for kind, t in latencies if kind != "first"]
        firsts = [t for kind, t in latencies if kind == "first"]
        print(f"{args.sessions} sessions x {args.interactions} interactions over {len(pages)} pages, "
              f"think time {args.think:g} s, {wall:.1f} s wall")
        print(f"  interactions: n={len(times)}  median {statistics.median(times) * 1000:.0f} ms  "
              f"p95 {pct(times, 95) * 1000:.0f} ms  max {max(times) * 1000:.0f} ms")
        print(f"  first loads:  n={len(firsts)}  median {statistics.median(firsts) * 1000:.0f} ms  "
              f"p95 {pct(firsts, 95) * 1000:.0f} ms")
        print(f"  errors: {len(errors)}" + "".join(f"\n    {e[:200]}" for e in errors[:10]))
        print(f"  server RSS after the crowd: {peak:.0f} MB")
        if args.reruns:
            marks, exc = asyncio.run(long_run(server.url, pages[0], args.reruns, server.proc.pid))
            first, last = marks[min(marks)], marks[max(marks)]
            print(f"  {args.reruns} reruns of one session on '{pages[0]}': RSS {first:.0f} MB after {min(marks)} -> "
                  f"{last:.0f} MB after {max(marks)} ({(last - first) / first * 100:+.1f} %), exceptions: {len(exc)}")
    finally:
        server.close()


if __name__ == "__main__":
    main()
