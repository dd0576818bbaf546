"""Optimizer speed: the 2-D race the page runs, the network-path ``opt.step``, and Adam's folded form
(the implementation) against the textbook form (``optim.adam_textbook``).

Run: ``python bench/bench_optim.py [--only adam]`` from the repository root. Prints best-of-N wall
times; nothing is asserted (the target for the race is <= 20 ms on a 2-core machine). Like the app, it
tunes glibc's allocator first (core.runtime): without it every network step page-faults its temporaries in.
"""

import argparse
import dataclasses
import pathlib
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run as a plain script
from core import optim, runtime  # noqa: E402

REPEATS = 7


def best_ms(fn, repeats=REPEATS):
    """Smallest wall time of ``repeats`` calls, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


def race_ms(steps=1000, surface="bowl"):
    """Best-of-N wall time of the page's race: all optimizers, ``steps`` steps each."""
    entries = [(name, {}) for name in optim.NAMES]
    return best_ms(lambda: optim.race(entries, surface, None, steps))


def race_figures(steps=1000):
    print(f"2-D race: all {len(optim.NAMES)} optimizers x {steps} steps (Python floats per coordinate)")
    entries = [(name, {}) for name in optim.NAMES]
    for surface in ("bowl", "rosenbrock"):
        total = race_ms(steps, surface)
        each = ", ".join(f"{name} {best_ms(lambda: optim.race([(name, {})], surface, None, steps)):.2f}"
                         for name in optim.NAMES)
        print(f"  {surface:<11} {total:6.2f} ms   (per optimizer, ms: {each})")
    noisy = best_ms(lambda: optim.race(entries, "rosenbrock", None, steps, noise=0.5, seed=0))
    print(f"  rosenbrock with gradient noise: {noisy:6.2f} ms")


def sweep_figures(steps=1000):
    print(f"Stacked sweep: one optimizer, K learning rates, {steps} steps (NumPy, leading axis K)")
    for k in (4, 16, 64):
        lrs = list(np.geomspace(1e-4, 1e-2, k))
        ms = best_ms(lambda: optim.sweep("adam", "rosenbrock", None, steps, lr=lrs), repeats=3)
        print(f"  adam K={k:<3} {ms:6.1f} ms")


NETWORKS = {  # name -> parameter shapes (W, b per layer)
    "64-100x5-10 MLP (bench_engine's reference)": [(64, 100), (100,)] + [(100, 100), (100,)] * 4 + [(100, 10),
                                                                                                     (10,)],
    "784-100-100-10 MLP (MNIST-sized)": [(784, 100), (100,), (100, 100), (100,), (100, 10), (10,)],
    "2-100-100-100-3 MLP (a 2-D toy set)": [(2, 100), (100,), (100, 100), (100,), (100, 100),
                                           (100,), (100, 3), (3,)],
}


def network_figures():
    print("Network path: opt.step over all parameters, µs per step")
    rng = np.random.default_rng(0)
    for label, shapes in NETWORKS.items():
        count = sum(int(np.prod(s)) for s in shapes)
        print(f"  {label}, {count:,} parameters")
        for dtype in (np.float64, np.float32):
            params = [rng.standard_normal(s).astype(dtype) for s in shapes]
            grads = [rng.standard_normal(s).astype(dtype) for s in shapes]
            cells = []
            for name in optim.NAMES:
                opt = optim.make(name)
                opt.step(params, grads)  # state allocated outside the timing
                ms = best_ms(lambda: [opt.step(params, grads) for _ in range(20)]) / 20
                cells.append(f"{name} {1e3 * ms:.0f}")
            print(f"    {np.dtype(dtype).name}: " + ", ".join(cells))


def _interleaved_ratio(slow, fast, rounds, repeats=5):
    """Median over ``rounds`` of best-of-``repeats`` times (ms) of each, and the median per-round ratio slow/fast:
    the two run in turn, so a shared machine's load hits both alike."""
    times = [(best_ms(slow, repeats), best_ms(fast, repeats)) for _ in range(rounds)]
    return (statistics.median(s for s, _ in times), statistics.median(f for _, f in times),
            statistics.median(s / f for s, f in times))


def adam_forms(rounds=15):
    """Textbook Adam (m, v, m̂, v̂ written out) against the folded implementation: one optimizer step over a
    network's flat parameters (how Trainer calls it), and the 2-D race's Python-float path."""
    textbook = dataclasses.replace(optim.rule("adam"), name="adam_textbook", update=optim.adam_textbook)
    optim.register(textbook)
    try:
        print(f"Adam, textbook form / folded form (medians of {rounds} interleaved rounds; > 1: folded is faster)")
        rng = np.random.default_rng(0)
        for label, shapes in NETWORKS.items():
            count = sum(int(np.prod(s)) for s in shapes)
            for dtype in (np.float64, np.float32):
                cells = {}
                for name in ("adam_textbook", "adam"):
                    flat = rng.standard_normal(count).astype(dtype)
                    grad = rng.standard_normal(count).astype(dtype)
                    opt = optim.make(name)
                    opt.step([flat], [grad])  # state allocated outside the timing
                    cells[name] = lambda opt=opt, flat=flat, grad=grad: [opt.step([flat], [grad]) for _ in range(20)]
                slow, fast, ratio = _interleaved_ratio(cells["adam_textbook"], cells["adam"], rounds)
                print(f"  {label}, {count:,} parameters, {np.dtype(dtype).name}: textbook {1e3 * slow / 20:6.0f} µs, "
                      f"folded {1e3 * fast / 20:6.0f} µs per step, ratio {ratio:.2f}")
        for surface in ("bowl", "rosenbrock"):
            slow, fast, ratio = _interleaved_ratio(
                lambda: optim.race([("adam_textbook", {})], surface, None, 1000),
                lambda: optim.race([("adam", {})], surface, None, 1000), rounds)
            print(f"  2-D race on {surface}, 1,000 steps: textbook {slow:.2f} ms, folded {fast:.2f} ms, ratio {ratio:.2f}")
    finally:
        optim.unregister("adam_textbook")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("race", "sweep", "network", "adam"), help="run one block only")
    args = parser.parse_args()
    runtime.tune_allocator()
    blocks = {"race": race_figures, "sweep": sweep_figures, "network": network_figures, "adam": adam_forms}
    for name, block in blocks.items():
        if args.only in (None, name):
            block()
