"""Server-side latency of every page: first render, each widget change (wall and CPU time), and each live tick.

    python bench/latency.py                  # every page, 24 interactions each
    python bench/latency.py --pages vanishing,optimizers --interactions 30

Runs the app in Streamlit's AppTest (the same script runner as the server, without the network), so the
figures are the server's share of a click. Prints a Markdown table for the README's Performance section.
Targets: a control change costs at most ~50 ms of CPU (the class-on-one-page issue: anything heavier is
precomputed, shared or trained live); p95 <= 300 ms wall for every interaction; a live tick <= 100 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app runs (app.py)
os.environ["LAB_WARM"] = "0"  # CPU per control change is measured in this process: no background warm-up in it
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest outside a server warns on every run
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # a script run from anywhere: make the project importable

from tests.apptest_util import errors, open_page, page_widgets, random_value  # noqa: E402
from ui import nav  # noqa: E402


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def measure_page(slug: str, interactions: int, seed: int, ticks: int = 7) -> dict:
    rng = random.Random(seed)
    started = time.perf_counter()
    at = open_page(slug, "en")
    first = time.perf_counter() - started
    times, cpu, failures = [], [], list(errors(at))
    for _ in range(interactions):
        widgets = page_widgets(at)
        if not widgets:
            break
        widget = rng.choice(widgets)
        value = random_value(widget, rng)
        if value is None:
            continue
        widget.set_value(value)
        t0, c0 = time.perf_counter(), time.process_time()
        at.run()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        failures += errors(at)
    chunks = []  # a run of the page while its live panel plays: computing the next frame (once) and drawing it
    trains = [b for b in at.button if b.key and b.key.endswith("-train")]
    for button in trains:
        button.click()
        at.run()
        for _ in range(ticks):
            t0 = time.perf_counter()
            at.run()
            chunks.append(time.perf_counter() - t0)
            failures += errors(at)
    return {"first": first, "times": times, "cpu": cpu, "chunks": chunks, "errors": failures}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="")
    parser.add_argument("--interactions", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ticks", type=int, default=7, help="live ticks timed after pressing Train")
    args = parser.parse_args()
    slugs = [s for s in args.pages.split(",") if s] or [p.slug for p in nav.PAGES]
    open_page("home")  # import everything once so the first page does not pay for it
    from runs import warm

    warm.warm_all(nav.LESSONS)  # a started server has computed every lesson's defaults (ui.launch)
    print("| page | first render | interactions (n) | median | p95 | max | CPU p95 | live ticks: median / max | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    worst = 0.0
    for slug in slugs:
        r = measure_page(slug, args.interactions, args.seed, args.ticks)
        t = r["times"] or [0.0]
        chunks = f"{statistics.median(r['chunks']) * 1000:.0f} / {max(r['chunks']) * 1000:.0f} ms" if r["chunks"] else "—"
        worst = max(worst, pct(t, 95))
        c = r["cpu"] or [0.0]
        print(f"| {slug} | {r['first'] * 1000:.0f} ms | {len(r['times'])} | {statistics.median(t) * 1000:.0f} ms | "
              f"{pct(t, 95) * 1000:.0f} ms | {max(t) * 1000:.0f} ms | {pct(c, 95) * 1000:.0f} ms | {chunks} | "
              f"{len(r['errors'])} |")
        for e in r["errors"][:3]:
            print(f"    error on {slug}: {e[:300]}")
    print(f"\nworst page p95: {worst * 1000:.0f} ms (target <= 300 ms)")


if __name__ == "__main__":
    main()
