"""Engine benchmark: ms per training step of the reference MLP, against PyTorch and the matmul floor.

Reference: 64 inputs -> 5 hidden layers of 100 ReLU -> 10 classes, batch 100, Adam, cross-entropy.
One step = forward (train mode) + loss + backward + Adam update of every parameter.

    .venv/bin/python bench/bench_engine.py [--steps 500] [--dtype float64|float32]

Prints medians over many steps (wall time is noisy; the median ignores the odd slow step):
- engine: core.nn.MLP + core.losses + core.optim (the pieces the pages use);
- trainer: the same step through core.train.Trainer (batching, penalties, per-layer statistics),
  without the test-set evaluation (that is eval_every's cost, paid every few steps);
- torch: the same network in PyTorch on the CPU, if torch is importable (optional, never a
  requirement), with torch.set_num_threads(os.cpu_count());
- matmul floor: only the 6 forward, 6 weight-gradient and 5 input-gradient matrix products of
  one step, into preallocated buffers: no engine can do the step faster than that.
Targets (printed, never asserted): engine >= 1.5x faster than torch; engine <= 1.5x the floor.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import losses, nn, optim  # noqa: E402

SIZES = [64, 100, 100, 100, 100, 100, 10]
BATCH = 100


def median_ms(step, n_steps, warmup=20):
    """Median wall time of ``step()`` in milliseconds."""
    for _ in range(warmup):
        step()
    times = np.empty(n_steps)
    for i in range(n_steps):
        t0 = time.perf_counter()
        step()
        times[i] = time.perf_counter() - t0
    return 1e3 * float(np.median(times))


def batches(dtype, seed=0):
    """A fixed pool of random mini-batches: x (B, 64), y (B,) labels in 0..9."""
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((16, BATCH, SIZES[0])).astype(dtype)
    ys = rng.integers(0, SIZES[-1], (16, BATCH))
    return xs, ys


def bench_engine(dtype, n_steps):
    net = nn.MLP(SIZES, activation="relu", init="he_normal", seed=0, dtype=dtype)
    loss_fn = losses.get("cross_entropy")
    opt = optim.make("adam", lr=1e-3)
    xs, ys = batches(dtype)
    counter = [0]

    def step():
        i = counter[0] % len(xs)
        counter[0] += 1
        out = net.forward(xs[i], train=True)
        _, dout = loss_fn(out, ys[i])
        net.backward(dout)
        opt.step(net.params, net.grads)

    return median_ms(step, n_steps)


def bench_trainer(dtype, n_steps):
    from core import data, train

    ds = data.get("digits")
    net = nn.MLP(SIZES, activation="relu", init="he_normal", seed=0, dtype=dtype)
    # eval_every beyond the run: measures the update and its per-layer statistics only
    tr = train.Trainer(net, ds, optimizer="adam", opt_kwargs={"lr": 1e-3}, batch_size=BATCH,
                       eval_every=10**9)
    return median_ms(lambda: tr.run(1), n_steps)


def bench_eval(dtype, n_steps):
    """One history row's evaluation: inference forward + loss on the digits train and test sets."""
    from core import data, train

    ds = data.get("digits")
    net = nn.MLP(SIZES, activation="relu", init="he_normal", seed=0, dtype=dtype)
    tr = train.Trainer(net, ds, optimizer="adam", opt_kwargs={"lr": 1e-3}, batch_size=BATCH)

    def step():
        tr.evaluate(ds.x_train, ds.y_train)
        tr.evaluate(ds.x_test, ds.y_test)

    return median_ms(step, max(n_steps // 5, 20))


def bench_floor(dtype, n_steps):
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

    return median_ms(step, n_steps)


def bench_torch(dtype, n_steps):
    try:
        import torch
    except ImportError:
        return None, None
    threads = os.cpu_count() or 1
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
    counter = [0]

    def step():
        i = counter[0] % len(txs)
        counter[0] += 1
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(txs[i]), tys[i])
        loss.backward()
        opt.step()

    return median_ms(step, n_steps), (torch.__version__, threads)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    args = parser.parse_args()
    dtype = np.dtype(args.dtype).type

    print(f"reference MLP {SIZES}, batch {BATCH}, Adam, {args.dtype}; median of {args.steps} steps")
    print(f"numpy {np.__version__}, {os.cpu_count()} CPU cores")
    engine = bench_engine(dtype, args.steps)
    floor = bench_floor(dtype, args.steps)
    trainer = bench_trainer(dtype, args.steps)
    evaluation = bench_eval(dtype, args.steps)
    torch_ms, torch_info = bench_torch(dtype, args.steps)

    print(f"  engine step (forward+loss+backward+Adam): {engine:7.3f} ms")
    print(f"  Trainer.run(1) (+ batching, statistics):  {trainer:7.3f} ms")
    print(f"  evaluation of digits train+test (1 row):  {evaluation:7.3f} ms")
    print(f"  matmul floor (17 products):               {floor:7.3f} ms")
    if torch_ms is None:
        print("  torch: not installed (optional; pip install torch==2.13.0 to compare)")
    else:
        version, threads = torch_info
        print(f"  torch {version} CPU, set_num_threads({threads}):  {torch_ms:7.3f} ms")
        verdict = "meets" if torch_ms / engine >= 1.5 else "misses"
        print(f"  engine vs torch: {torch_ms / engine:.2f}x faster (target >= 1.5x: {verdict})")
    verdict = "meets" if engine / floor <= 1.5 else "misses"
    print(f"  engine vs matmul floor: {engine / floor:.2f}x (target <= 1.5x: {verdict})")


if __name__ == "__main__":
    main()
