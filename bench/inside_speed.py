"""*Step inside* near the end of the largest playground run: seconds until the narrated update is computed, starting
from the class's paused run (runs.shared.live_copy) and trained afresh (what every Step inside cost before).

    python bench/inside_speed.py               # digits, 6 x 64 ReLU, batch norm, batch 256, 5,000 updates
    python bench/inside_speed.py --steps 1000  # a shorter run

The class's run is computed to its next-to-last frame first (what the class watched before someone paused it),
then lab.playground.inside (its shared memo bypassed) is timed with that run in the store and with the store empty.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lab import playground  # noqa: E402
from runs import shared  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5000)
    args = ap.parse_args()
    cfg = playground.PlaygroundConfig(dataset="digits", layers=6, width=64, activations=("relu",) * 6,
                                      batchnorm=True, batch_size=256, steps=args.steps)
    spec = playground.training_run(cfg)
    run = shared.run(spec)
    started = time.perf_counter()
    run.advance(len(spec.steps) - 2, wait=True, budget=3600)
    step = run.frames[-1].step
    print(f"the class's run to step {step}: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    playground.inside.__wrapped__(cfg, step)
    copied = time.perf_counter() - started
    shared.RUNS.clear(keep_pinned=False)
    started = time.perf_counter()
    playground.inside.__wrapped__(cfg, step)
    fresh = time.perf_counter() - started
    print(f"Step inside at step {step}: from the paused class run {copied:.2f} s, trained afresh {fresh:.1f} s")


if __name__ == "__main__":
    main()
