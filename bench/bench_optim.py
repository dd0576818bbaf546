"""Optimizer speed: the 2-D race the page runs and the network-path ``opt.step``.

Run: ``python bench/bench_optim.py`` from the repository root. Prints best-of-N wall times;
nothing is asserted (the target for the race is <= 20 ms on a 2-core machine).
"""

import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run as a plain script
from core import optim  # noqa: E402

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


if __name__ == "__main__":
    race_figures()
    sweep_figures()
    network_figures()
