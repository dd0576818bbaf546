"""Engine benchmark: ms per training step of the reference MLP, against PyTorch and the matmul floor.

Reference: 64 inputs -> 5 hidden layers of 100 ReLU -> 10 classes, batch 100, Adam, cross-entropy.
One step = forward (train mode) + loss + backward + Adam update of every parameter.

    .venv/bin/python bench/bench_engine.py [--rounds 30] [--per-round 20] [--dtype float64 float32]
                                           [--blas-threads default 1]
    PYTHONPATH=/path/to/torch .venv/bin/python bench/bench_engine.py     # adds the PyTorch column

Candidates, each timed per step:
- engine: core.nn.MLP + core.losses + core.optim the way a training loop should call them:
  ``backward(dout, need_dx=False)`` and one ``opt.step([net.flat_params], [net.flat_grads])``;
- engine, per-array optimizer call: the same with ``opt.step(net.params, net.grads)`` (12 arrays);
- Trainer.run(1): core.train.Trainer (batching, divergence checks, bookkeeping), without the
  test-set evaluation (that is eval_every's cost, paid every few steps);
- torch: the same network in PyTorch on the CPU, if torch is importable (optional, never a
  requirement), with as many intra-op threads as NumPy's BLAS gets in that block;
- matmul floor: only the 6 forward, 6 weight-gradient and 5 input-gradient matrix products of
  one step, into preallocated buffers: no engine can do the step faster than that.
The machine may be shared, so the candidates run interleaved (``per-round`` steps each, in turn,
``rounds`` times) and see the same load; ratios are medians of the per-round ratios, which are
steadier than the absolute times. Targets (printed, never asserted): engine >= 1.5x faster than
torch; engine <= 1.5x the floor. BLAS threads are switched at run time through OpenBLAS's own
``set_num_threads`` (the same effect as OPENBLAS_NUM_THREADS, which users would have to set).
"""

import argparse
import ctypes
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import losses, nn, optim, runtime  # noqa: E402

SIZES = [64, 100, 100, 100, 100, 100, 10]
BATCH = 100
TORCH_TARGET, FLOOR_TARGET = 1.5, 1.5  # engine >= 1.5x faster than torch; <= 1.5x the floor


def batches(dtype, seed=0):
    """A fixed pool of random mini-batches: x (16, B, 64), y (16, B) labels in 0..9."""
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((16, BATCH, SIZES[0])).astype(dtype)
    ys = rng.integers(0, SIZES[-1], (16, BATCH))
    return xs, ys


def _cycling(step_on_batch, n):
    """step() that feeds batch 0, 1, ..., n-1, 0, ... to step_on_batch(i)."""
    counter = [0]

    def step():
        step_on_batch(counter[0] % n)
        counter[0] += 1

    return step


def engine_step(dtype, flat=True):
    net = nn.MLP(SIZES, activation="relu", init="he_normal", seed=0, dtype=dtype)
    loss_fn = losses.get("cross_entropy")
    opt = optim.make("adam", lr=1e-3)
    xs, ys = batches(dtype)

    def on_batch(i):
        out = net.forward(xs[i], train=True)
        _, dout = loss_fn(out, ys[i])
        net.backward(dout, need_dx=False)
        if flat:
            opt.step([net.flat_params], [net.flat_grads])
        else:
            opt.step(net.params, net.grads)

    return _cycling(on_batch, len(xs))


def trainer_step(dtype):
    from core import data, train

    net = nn.MLP(SIZES, activation="relu", init="he_normal", seed=0, dtype=dtype)
    # eval_every beyond the run: measures the update and its bookkeeping only
    tr = train.Trainer(net, data.get("digits"), optimizer="adam", opt_kwargs={"lr": 1e-3},
                       batch_size=BATCH, eval_every=10**9)
    return lambda: tr.run(1)


def floor_step(dtype):
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(SIZES[:-1], SIZES[1:])]
    hs = [rng.standard_normal((BATCH, a)).astype(dtype) for a in SIZES]  # layer inputs/outputs
    dWs = [np.empty_like(W) for W in Ws]
    dhs = [rng.standard_normal((BATCH, a)).astype(dtype) for a in SIZES]

    def step():
        for k, W in enumerate(Ws):  # forward: h_{k+1} = h_k W_k
            np.matmul(hs[k], W, out=hs[k + 1])
        for k in reversed(range(len(Ws))):  # backward: dW_k = h_kᵀ dh_{k+1}; dh_k = dh_{k+1} W_kᵀ
            np.matmul(hs[k].T, dhs[k + 1], out=dWs[k])
            if k > 0:  # no gradient is needed for the input itself
                np.matmul(dhs[k + 1], Ws[k].T, out=dhs[k])

    return step


def torch_step(dtype, threads):
    """(step, "torch <version>") or (None, why not)."""
    try:
        import torch
    except ImportError:
        return None, "torch not importable (optional: PYTHONPATH=<dir with torch>)"
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=tdtype))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xs, ys = batches(dtype)
    txs = [torch.from_numpy(x) for x in xs]
    tys = [torch.from_numpy(y) for y in ys]

    def on_batch(i):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(txs[i]), tys[i])
        loss.backward()
        opt.step()

    return _cycling(on_batch, len(txs)), f"torch {torch.__version__}, {threads} thread(s)"


def eval_ms(dtype, repeats=15):
    """One history row's evaluation: inference forward + loss on the digits train and test sets."""
    from core import data, train

    ds = data.get("digits")
    net = nn.MLP(SIZES, activation="relu", init="he_normal", seed=0, dtype=dtype)
    tr = train.Trainer(net, ds, optimizer="adam", opt_kwargs={"lr": 1e-3}, batch_size=BATCH)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        tr.evaluate(ds.x_train, ds.y_train)
        tr.evaluate(ds.x_test, ds.y_test)
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def interleaved(steps, rounds, per_round, warmup=20):
    """Time each step() ``per_round`` times in turn, ``rounds`` times over.

    steps: {name: callable}. Returns {name: (rounds,) per-round median ms}.
    """
    for step in steps.values():
        for _ in range(warmup):
            step()
    medians = {name: np.empty(rounds) for name in steps}
    times = np.empty(per_round)
    for r in range(rounds):
        for name, step in steps.items():
            for i in range(per_round):
                t0 = time.perf_counter()
                step()
                times[i] = time.perf_counter() - t0
            medians[name][r] = 1e3 * np.median(times)
    return medians


# ---- BLAS threads ---------------------------------------------------------------------------

def _openblas():
    """The loaded OpenBLAS (ctypes.CDLL) and its function-name prefix, or (None, None)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:
        return None, None
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"),
                               ("openblas", "")):
            if hasattr(lib, f"{prefix}_get_num_threads{suffix}"):
                return lib, (prefix, suffix)
    return None, None


def blas_threads(n=None):
    """Set NumPy's OpenBLAS thread count to n (if given); return the count now in force (or None)."""
    lib, names = _openblas()
    if lib is None:
        return None
    prefix, suffix = names
    if n is not None:
        getattr(lib, f"{prefix}_set_num_threads{suffix}")(ctypes.c_int(n))
    return int(getattr(lib, f"{prefix}_get_num_threads{suffix}")())


# ---- report ---------------------------------------------------------------------------------

def measure(dtype, rounds, per_round, threads):
    """Per-round medians of every candidate at one dtype and BLAS thread count."""
    steps = {"engine": engine_step(dtype), "engine_list": engine_step(dtype, flat=False),
             "trainer": trainer_step(dtype), "floor": floor_step(dtype)}
    torch_fn, torch_info = torch_step(dtype, threads)
    if torch_fn is not None:
        steps["torch"] = torch_fn
    result = interleaved(steps, rounds, per_round)
    return result, torch_info


def verdict(ok):
    return "PASS" if ok else "MISS"


def print_block(name, dtype, res, torch_info):
    med = {k: float(np.median(v)) for k, v in res.items()}
    floor_ratio = float(np.median(res["engine"] / res["floor"]))
    print(f"  {name}  {dtype}")
    print(f"    engine step (forward+loss+backward+Adam):  {med['engine']:7.3f} ms")
    print(f"    engine, optimizer over the 12 arrays:      {med['engine_list']:7.3f} ms")
    print(f"    Trainer.run(1) (+ batching, bookkeeping):  {med['trainer']:7.3f} ms")
    print(f"    matmul floor (17 products):                {med['floor']:7.3f} ms")
    print(f"    engine / floor: {floor_ratio:5.2f}x   (target <= {FLOOR_TARGET}x: "
          f"{verdict(floor_ratio <= FLOOR_TARGET)})")
    torch_ratio = None
    if "torch" in res:
        torch_ratio = float(np.median(res["torch"] / res["engine"]))
        print(f"    {torch_info}:  {med['torch']:7.3f} ms")
        print(f"    torch / engine: {torch_ratio:5.2f}x  (target >= {TORCH_TARGET}x: "
              f"{verdict(torch_ratio >= TORCH_TARGET)})")
    else:
        print(f"    {torch_info}")
    return med, floor_ratio, torch_ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--per-round", type=int, default=20)
    parser.add_argument("--dtype", nargs="+", choices=("float64", "float32"), default=["float64", "float32"])
    parser.add_argument("--blas-threads", nargs="+", default=["default", "1"],
                        help="BLAS thread counts to measure: 'default' (as started) and/or numbers")
    args = parser.parse_args()

    runtime.tune_allocator()  # as the app does at start (core/runtime.py)
    default_threads = blas_threads()
    print(f"reference MLP {SIZES}, batch {BATCH}, Adam; medians of {args.rounds} interleaved rounds "
          f"x {args.per_round} steps")
    print(f"numpy {np.__version__}, {os.cpu_count()} CPU cores, "
          f"{os.getloadavg()[0]:.1f} load average at start")
    rows = []
    for setting in args.blas_threads:
        n = default_threads if setting == "default" else int(setting)
        if n is None:
            print(f"  (cannot switch BLAS threads here: skipping {setting!r})")
            continue
        blas_threads(n)
        for dt in args.dtype:
            res, torch_info = measure(np.dtype(dt).type, args.rounds, args.per_round, n)
            med, floor_ratio, torch_ratio = print_block(f"BLAS threads {n}", dt, res, torch_info)
            rows.append((n, dt, med, floor_ratio, torch_ratio))
    if default_threads is not None:
        blas_threads(default_threads)

    from bench_optim import race_ms  # noqa: E402 (same folder)
    race = race_ms()
    print("\nSummary (ms per step; ratios are medians of per-round ratios)")
    print(f"  {'BLAS':>4} {'dtype':<8} {'engine':>7} {'Trainer':>8} {'floor':>7} {'torch':>7} "
          f"{'eng/floor':>10} {'':4} {'torch/eng':>10} {'':4}")
    for n, dt, med, floor_ratio, torch_ratio in rows:
        torch_ms = f"{med['torch']:7.3f}" if "torch" in med else f"{'-':>7}"
        torch_cell = (f"{torch_ratio:9.2f}x {verdict(torch_ratio >= TORCH_TARGET)}"
                      if torch_ratio is not None else f"{'-':>10} {'':4}")
        print(f"  {n:>4} {dt:<8} {med['engine']:7.3f} {med['trainer']:8.3f} {med['floor']:7.3f} "
              f"{torch_ms} {floor_ratio:9.2f}x {verdict(floor_ratio <= FLOOR_TARGET)} {torch_cell}")
    print(f"  targets: engine/floor <= {FLOOR_TARGET}x, torch/engine >= {TORCH_TARGET}x")
    print(f"  8-optimizer 2-D race, 1,000 steps (bowl): {race:.2f} ms (target <= 20 ms)")
    print(f"  digits train+test evaluation (one history row), float64: {eval_ms(np.float64):.2f} ms")


if __name__ == "__main__":
    main()
