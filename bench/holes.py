"""Issue 21's holes, measured in one process with the code of a source tree (this one, or another: --root).

    python bench/holes.py                      # this tree
    python bench/holes.py --root /tmp/main     # the same measurements on another tree (e.g. `git archive main`)
    python bench/holes.py --steps 5000         # the issue's setting at full size (slow on the old code)

1. Stall: seconds the process spends reading the adversarial CSV ('1' * 16372 + 'x,1,0', 16 KB) and the
   adversarial `points=` link (7,190 digits, then x:1:0), with the refusal each gets. Python's `re` holds the GIL:
   every other session of the process waits that long.
2. Downloads: CPU-seconds of the server process for 30 weight-download requests sent at once through Streamlit's
   deferred-download path (MediaFileManager.execute_deferred, what a websocket's request reaches), on the issue's
   setting (6 x 64 ReLU, batch 256, --steps updates) shown at its last step.
3. trained=: CPU-seconds of the page run that opens `/playground?...&trained=<steps>` on a setting nobody has
   computed (what a student's first visit costs before the page draws).

CPU is time.process_time() of this process (every thread). AppTest runs the page in this process, like the server.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="the source tree to measure")
parser.add_argument("--steps", type=int, default=1000, help="updates of the run (the issue: 5000)")
parser.add_argument("--requests", type=int, default=30)
args = parser.parse_args()
ROOT = Path(args.root).resolve()
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ["LAB_WARM"] = "0"

from lab import own_points, playground  # noqa: E402

from runs import shared
from streamlit.testing.v1 import AppTest, app_test  # noqa: E402


def stall(fn, text) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        fn(text)
        reason = "accepted"
    except own_points.DataError as err:
        reason = str(err)
    return time.perf_counter() - started, reason


def page(params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["lang"] = "en"
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("lessons/playground.py")
    return at


def main() -> None:
    print(f"tree: {ROOT}")
    seconds, reason = stall(own_points.parse_csv, ("1" * 16372 + "x,1,0").encode())
    print(f"1. adversarial CSV (16,377 bytes): {seconds * 1000:.1f} ms, refused: {reason[:90]}")
    seconds, reason = stall(own_points.decode, "1" * 7190 + "x:1:0")
    print(f"   adversarial points= link (7,195 characters): {seconds * 1000:.1f} ms, refused: {reason[:90]}")

    setting = {"steps": str(args.steps), "width": "64", "layers": "6", "batch": "256"}
    cfg = playground.PlaygroundConfig(steps=args.steps, width=64, layers=6, activations=("relu",) * 6,
                                      batch_size=256, seed=11)
    shared.complete(playground.training_run(cfg))  # the class has computed it: the page opens at its last step
    managers = []

    class Kept(app_test.MediaFileManager):
        def __init__(self, *a):
            super().__init__(*a)
            managers.append(self)

    app_test.MediaFileManager = Kept
    at = page({**setting, "seed": "11", "trained": str(args.steps)})
    started = time.process_time()
    at.run()
    [button] = [b for b in at.download_button if b.key == "_dl_w"]
    file_id, manager = button.proto.deferred_file_id, managers[-1]
    barrier = threading.Barrier(args.requests)
    failures = []

    def request():
        barrier.wait()
        try:
            manager.execute_deferred(file_id)
        except Exception as exc:  # noqa: BLE001
            failures.append(type(exc).__name__)

    started = time.process_time()
    wall = time.perf_counter()
    threads = [threading.Thread(target=request) for _ in range(args.requests)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print(f"2. {args.requests} weight downloads at step {args.steps}: {time.process_time() - started:.1f} CPU-s "
          f"({time.perf_counter() - wall:.1f} s wall), {len(failures)} refused")

    at = page({**setting, "seed": "12", "trained": str(args.steps)})
    started, wall = time.process_time(), time.perf_counter()
    at.run()
    progress = [p.proto.text for p in at.get("progress")]
    print(f"3. trained={args.steps} on a setting nobody computed: the page drew after "
          f"{time.process_time() - started:.2f} CPU-s ({time.perf_counter() - wall:.1f} s wall); it shows "
          f"{progress[0] if progress else '-'}")


if __name__ == "__main__":
    main()
