"""The loss landscape of a real network: a 2-D slice through parameter space around the trained weights.

    res = landscape.explore(dataset="moons", hidden=(16, 16), activation="relu", optimizer="adam", lr=0.01,
                            steps=500, grid=41, span=1.0, directions="random", seed=0)
    res.alphas, res.betas, res.loss      # (n,), (n,), (n, n): loss[i, j] = f(alphas[j], betas[i])
    res.path, res.path_loss              # (T, 2) the training path projected onto the slice, (T,) its true loss

The slice (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"):

    f(α, β) = L(θ* + α·δ + β·η)

δ and η are random Gaussian directions, *filter-normalized*: for a dense layer, the direction's weights
feeding one unit are rescaled to the norm of the trained weights feeding that unit, so α = 1 moves every unit
by as much as its own weights are long. Biases (and any non-weight parameter, e.g. a prelu slope) get zero.
The alternative ("pca") uses the top two principal directions of the path θ_t − θ* (Li et al. do this for
trajectories, because random directions in high dimension are almost orthogonal to the path).

The grid is evaluated in one vectorized pass: the G = n² perturbed parameter vectors are stacked with a leading
axis, each dense W becomes (G, d_in, d_out), and the forward pass is a batched matmul. Only plain MLPs are
supported (no batch norm, no dropout): ``check_supported`` raises ValueError otherwise.
Shapes: G grid points, P parameters (flat), N samples, T recorded path points.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import data, losses, nn, train

LOSSES = ("cross_entropy", "bce", "mse")  # the losses the stacked forward can evaluate
DIRECTIONS = ("random", "pca")
_CHUNK_ELEMENTS = 1 << 18  # G·N·H per block: stacked activations stay cache-sized (~2 MB); measured fastest


# ---------------------------------------------------------------- flat parameter vectors

def check_supported(net: nn.MLP) -> None:
    """The stacked forward knows dense layers and elementwise activations only."""
    if net.batchnorm or any(b.bn is not None or b.drop is not None for b in net.blocks):
        raise ValueError("the loss landscape needs a plain MLP: batch norm and dropout are not supported")


def flatten(net: nn.MLP) -> np.ndarray:
    """All parameters, in ``net.params`` order, as one (P,) vector (a copy)."""
    return np.concatenate([p.ravel() for p in net.params]).astype(np.float64)


def _slices(net: nn.MLP):
    """(name, offset, shape) per parameter, aligned with ``flatten``."""
    out, offset = [], 0
    for name, p in zip(net.param_names, net.params):
        out.append((name, offset, p.shape))
        offset += p.size
    return out


def filter_normalized_direction(net: nn.MLP, rng: np.random.Generator) -> np.ndarray:
    """A random Gaussian direction (P,), normalized per unit for every dense W (Li et al. 2018, sec. 4).

    W has shape (d_in, d_out): column j holds the weights feeding unit j, so each column of the direction
    is scaled to ‖W[:, j]‖. Biases and every other parameter stay 0 (as Li et al. do for biases and BN).
    """
    d = np.zeros(sum(p.size for p in net.params))
    for (name, offset, shape), p in zip(_slices(net), net.params):
        if not name.endswith(".W"):
            continue
        g = rng.standard_normal(shape)
        with np.errstate(over="ignore", invalid="ignore"):  # a run on its way to diverging: huge norms -> inf
            unit_norm = np.linalg.norm(p, axis=0)            # (d_out,) norm of the trained weights per unit
        g_norm = np.linalg.norm(g, axis=0)
        g *= unit_norm / np.maximum(g_norm, 1e-300)     # a Gaussian column is never exactly 0
        d[offset:offset + p.size] = g.ravel()
    return d


# ---------------------------------------------------------------- stacked forward and loss

def _stacked_loss_values(out: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """out (G, N, C) outputs, y labels (N,) or targets (N, C) -> (G,) mean losses (as ``core.losses``)."""
    if loss == "cross_entropy":
        shifted = out - out.max(axis=2, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
        if y.ndim == 1:
            return -log_p[:, np.arange(y.shape[0]), y].mean(axis=1)
        return -(log_p * y).sum(axis=2).mean(axis=1)
    if loss == "bce":
        z = out[..., 0] if out.shape[2] == 1 else out
        t = y.reshape(z.shape[1:])
        with np.errstate(under="ignore"):
            e = np.exp(-np.abs(z))
        return (np.maximum(z, 0) - z * t + np.log1p(e)).reshape(z.shape[0], -1).mean(axis=1)
    if loss == "mse":
        t = y if y.ndim == 2 else y[:, None]
        return ((out - t) ** 2).reshape(out.shape[0], -1).mean(axis=1)
    raise ValueError(f"unknown landscape loss {loss!r}; valid: {', '.join(LOSSES)}")


def stacked_loss(net: nn.MLP, thetas: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str = "cross_entropy",
                 chunk_elements: int = _CHUNK_ELEMENTS) -> np.ndarray:
    """Loss of ``net``'s architecture at G parameter vectors at once (inference mode).

    thetas (G, P) flat parameters (``flatten`` order); x (N, D); y labels (N,) or targets (N, C)
    -> (G,) losses; inf where a point overflows. Blocks of grid points keep memory bounded.
    """
    check_supported(net)
    if loss not in LOSSES:
        raise ValueError(f"unknown landscape loss {loss!r}; valid: {', '.join(LOSSES)}")
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    n_params = sum(p.size for p in net.params)
    if thetas.shape[1] != n_params:
        raise ValueError(f"thetas must have shape (G, {n_params}), got {thetas.shape}")
    widest = max(net.sizes)
    block = max(1, chunk_elements // max(1, x.shape[0] * widest))
    out = np.empty(thetas.shape[0])
    with np.errstate(all="ignore"):  # far from θ* a point may overflow: inf is a result, not a warning
        for start in range(0, thetas.shape[0], block):
            out[start:start + block] = _forward_block(net, thetas[start:start + block], x, y, loss)
    return np.where(np.isfinite(out), out, np.inf)


def _forward_block(net, thetas, x, y, loss):
    g = thetas.shape[0]
    named = {name: thetas[:, off:off + int(np.prod(shape))].reshape((g,) + shape)
             for name, off, shape in _slices(net)}
    h = x  # (N, D) for the first layer, then (G, N, H): np.matmul broadcasts the grid axis
    for i, block in enumerate(net.blocks):
        z = np.matmul(h, named[f"dense{i}.W"])                      # (G, N, d_out)
        if f"dense{i}.b" in named:
            z = z + named[f"dense{i}.b"][:, None, :]
        if block.act is None:
            h = z
            continue
        extra = {}
        if f"act{i}.alpha" in named:  # prelu: one learned slope per unit, per grid point
            extra["alpha"] = named[f"act{i}.alpha"][:, None, :]
        h = block.act.activation.forward(z, train=False, **extra)
    return _stacked_loss_values(h, y, loss)


def single_loss(net: nn.MLP, theta: np.ndarray, x, y, loss: str = "cross_entropy") -> float:
    """The reference: load ``theta`` into a copy of the net and run one ordinary forward pass."""
    other = _load(net, np.asarray(theta, dtype=np.float64))
    with np.errstate(all="ignore"):
        value, _ = losses.get(loss)(other.forward(np.asarray(x, dtype=np.float64), train=False), y)
    return float(value)


# ---------------------------------------------------------------- slice and path

def grid_points(center: np.ndarray, d1: np.ndarray, d2: np.ndarray, alphas, betas) -> np.ndarray:
    """(G, P) with G = len(betas)·len(alphas), row-major over (β, α): θ* + α·d1 + β·d2."""
    a, b = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))
    return center + a.reshape(-1, 1) * d1 + b.reshape(-1, 1) * d2


def plane_loss(net: nn.MLP, center: np.ndarray, d1: np.ndarray, d2: np.ndarray, alphas, betas, x, y,
               loss: str = "cross_entropy", chunk_elements: int = _CHUNK_ELEMENTS) -> np.ndarray:
    """f(α, β) = L(θ* + α·d1 + β·d2) on the grid betas × alphas -> (len(betas), len(alphas)).

    Equal to ``stacked_loss(net, grid_points(...))`` but builds the (G, P) stack one block at a time, so a
    81² grid of a 2,000-parameter net never holds 100 MB of parameter copies at once.
    """
    a, b = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))
    a, b = a.ravel(), b.ravel()
    x = np.asarray(x, dtype=np.float64)
    block = max(1, chunk_elements // max(1, x.shape[0] * max(net.sizes)))
    out = np.empty(a.size)
    for start in range(0, a.size, block):
        stop = start + block
        thetas = center + a[start:stop, None] * d1 + b[start:stop, None] * d2
        out[start:stop] = stacked_loss(net, thetas, x, y, loss, chunk_elements)
    return out.reshape(len(betas), len(alphas))


def project(path: np.ndarray, center: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Least-squares coordinates (T, 2) of θ_t − θ* on the plane spanned by d1, d2 (P,).

    Solved through the 2×2 normal equations (d·dᵀ) c = d·(θ_t − θ*): exact for independent d1, d2,
    and it avoids a threaded LAPACK lstsq, which stalled for a second on a busy 2-core machine.
    """
    basis = np.stack([d1, d2])  # (2, P)
    offsets = np.atleast_2d(np.asarray(path, dtype=np.float64)) - center
    return np.linalg.solve(basis @ basis.T, basis @ offsets.T).T


def pca_directions(path: np.ndarray, center: np.ndarray, scale: float):
    """Top two principal directions of θ_t − θ* (Li et al. 2018, sec. 7), each of norm ``scale``.

    PCA through the small (T, T) Gram matrix rather than an SVD of the (T, P) path (same result, far
    cheaper). Signs are chosen so the start θ_0 lies at negative coordinates.
    -> (d1, d2, explained): explained (2,) is the share of the path's variance along each direction.
    """
    m = np.asarray(path, dtype=np.float64) - center
    peak = float(np.max(np.abs(m))) if m.size else 0.0
    if np.isfinite(peak) and peak > 0:
        m = m / peak  # directions and variance shares ignore the scale; a path blowing up keeps a finite Gram
    centered = m - m.mean(axis=0)
    if np.isfinite(peak):
        values, vectors = np.linalg.eigh(centered @ centered.T)   # ascending eigenvalues
    else:  # inf in the path: no principal directions (the coordinate axes below stand in)
        values, vectors = np.zeros(max(len(m), 2)), None
    total = float(values.clip(min=0).sum())
    dims = []
    for k in (-1, -2):
        if total <= 0 or values[k] <= total * 1e-12:
            break
        v = centered.T @ vectors[:, k] / np.sqrt(values[k])   # unit principal axis in parameter space
        dims.append(-v if m[0] @ v > 0 else v)
    if len(dims) < 2:  # a path with fewer than two independent moves: complete with a coordinate axis
        for axis in np.eye(m.shape[1]):
            rest = axis - sum((axis @ d) * d for d in dims)
            if np.linalg.norm(rest) > 1e-6:
                dims.append(rest / np.linalg.norm(rest))
            if len(dims) == 2:
                break
    explained = np.array([max(values[-1], 0), max(values[-2], 0)]) / total if total > 0 else np.zeros(2)
    return dims[0] * scale, dims[1] * scale, explained


@dataclass
class Landscape:
    """One trained net and its loss slice (losses on the training set, inference mode).

    alphas (n,), betas (n,); loss (n, n) with loss[i, j] = f(alphas[j], betas[i]); center_loss f(0, 0);
    path (T, 2) the projected path (last row (0, 0)); path_steps (T,) the update of each snapshot;
    path_loss (T,) the true loss along the real path; path_slice_loss (T,) f at the projected points;
    slice_1d (n,) f(α, 0); explained (2,) PCA variance shares (zeros for random directions);
    captured: ‖projection of θ_0 − θ*‖ / ‖θ_0 − θ*‖, the share of the start-to-end distance the plane sees;
    span: the half-width actually used; diverged_at: None or the update that went NaN/inf (θ* is then the
    last finite snapshot); train_acc of θ*; n_params P.
    """

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    center_loss: float
    path: np.ndarray
    path_steps: np.ndarray
    path_loss: np.ndarray
    path_slice_loss: np.ndarray
    slice_1d: np.ndarray
    explained: np.ndarray
    captured: float
    span: float
    diverged_at: int | None
    train_acc: float
    n_params: int


def train_path(net: nn.MLP, ds: data.Dataset, steps: int, record_every: int, **trainer_kwargs):
    """Train ``net`` and record its flat parameters every ``record_every`` updates.

    -> (trainer, path (T, P), path_steps (T,)); row 0 is the initialization. Snapshots stop at the last
    finite one if the run diverges.
    """
    tr = train.Trainer(net, ds, eval_every=max(1, steps), **trainer_kwargs)
    path, marks = [flatten(net)], [0]
    while tr.step < steps and not tr.diverged:
        tr.run(min(record_every, steps - tr.step))
        theta = flatten(net)
        if not np.all(np.isfinite(theta)):
            break
        path.append(theta)
        marks.append(tr.step)
    return tr, np.array(path), np.array(marks)


def _load(net: nn.MLP, theta: np.ndarray) -> nn.MLP:
    """A copy of ``net`` holding the flat parameters ``theta``."""
    other = net.copy()
    for (_, off, shape), p in zip(_slices(other), other.params):
        p[...] = theta[off:off + p.size].reshape(shape)
    return other


def _trained(dataset, hidden, activation, optimizer, lr, steps, batch_size, weight_decay, n_samples, seed,
             record_points):
    """Data, the trained net at θ*, the path and the direction Generator, all from ``seed``'s streams.

    The streams are split, so changing the optimizer never changes the data, the initial weights or the
    random directions.
    """
    if not (isinstance(steps, (int, np.integer)) and steps >= 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    data_seq, net_seq, train_seq, dir_seq = np.random.SeedSequence(seed).spawn(4)
    ds = data.get(dataset, n=n_samples, seed=int(data_seq.generate_state(1)[0]))
    net = nn.MLP([ds.n_features, *hidden, ds.n_classes], activation=activation,
                 seed=int(net_seq.generate_state(1)[0]))
    check_supported(net)
    if batch_size is not None:
        batch_size = min(int(batch_size), ds.n_train)
    record_every = max(1, int(np.ceil(steps / record_points)))
    tr, path, marks = train_path(net, ds, steps, record_every, optimizer=optimizer,
                                 opt_kwargs={"lr": lr, "weight_decay": weight_decay}, batch_size=batch_size,
                                 seed=int(train_seq.generate_state(1)[0]))
    return ds, _load(net, path[-1]), path, marks, tr.diverged_at, np.random.default_rng(dir_seq)


@dataclass
class TrainedRun:
    """What ``explore`` trains once and may slice many ways: the data, the net at θ*, the recorded path
    (T, P) and its update numbers (T,), the divergence step, and the direction Generator (from the seed)."""

    ds: data.Dataset
    net: nn.MLP
    path: np.ndarray
    marks: np.ndarray
    diverged_at: int | None
    rng: np.random.Generator


def train_run(dataset="moons", hidden=(16, 16), activation="relu", optimizer="adam", lr=0.01, steps=300,
              batch_size=None, weight_decay=0.0, n_samples=300, seed=0, record_points=60) -> TrainedRun:
    """The training half of ``explore`` (same arguments): a page caches it apart from the slice, so a
    new grid, span or direction never retrains."""
    return TrainedRun(*_trained(dataset, hidden, activation, optimizer, lr, steps, batch_size, weight_decay,
                                n_samples, seed, record_points))


# Measured cost (ns, one core, NumPy 2.4, float64, 3 x 24 net, 300 samples) of one activation value in the
# stacked forward pass; a dense multiply-add there costs ~0.13 ns, and each point-sample ~40 ns whatever the
# net (the loss, the stacking). Re-measure after changing core/activations.
_POINT_NS, _MAC_NS = 40.0, 0.13
_ACT_NS = {"relu": 0.3, "tanh": 0.5, "leaky_relu": 1.2, "elu": 2.5, "sigmoid": 0.9, "gelu": 1.7}
SLICE_BUDGET_NS = 1.5e8  # ~0.15 s for the grid (a control change also retrains); the default 41² slice is ~0.03 s


def slice_cost(sizes, activation: str, n: int, grid: int) -> float:
    """Estimated time (ns) of a grid² slice over n samples: per point and sample, the multiply-adds plus the
    activation's cost per hidden value."""
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    per = _POINT_NS + _MAC_NS * macs + _ACT_NS.get(activation, 2.5) * sum(sizes[1:-1])
    return float(grid) ** 2 * n * per


def affordable_grid(sizes, activation: str, n: int, grid: int, budget: float = SLICE_BUDGET_NS) -> int:
    """The largest grid ≤ ``grid`` of the same parity (and ≥ 15) whose slice fits ``budget``, so the worst case
    stays bounded (a 81² slice of a 3×24 GELU net would take ~0.6 s). Deterministic: a link always shows the same
    grid."""
    g = int(grid)
    while g > 15 and slice_cost(sizes, activation, n, g) > budget:
        g -= 2
    return g


def explore(dataset="moons", hidden=(16, 16), activation="relu", optimizer="adam", lr=0.01, steps=300,
            batch_size=None, weight_decay=0.0, grid=41, span=1.0, directions="random", n_samples=300,
            seed=0, record_points=60) -> Landscape:
    """Train a small MLP on a 2-D set, then slice its training loss around the trained weights θ*.

    span: the grid covers α, β ∈ [−span, span] in filter-normalized units. In "pca" mode each direction
    gets the length of a filter-normalized one (‖θ*_W‖, the norm of all trained weights), and the span
    grows to contain the whole path. The same seed gives the same data, net, path and directions.
    """
    _check_slice(grid, span, directions)
    run = train_run(dataset, hidden, activation, optimizer, lr, steps, batch_size, weight_decay, n_samples, seed,
                    record_points)
    return slice_run(run, grid=grid, span=span, directions=directions)


def _check_slice(grid, span, directions):
    if directions not in DIRECTIONS:
        raise ValueError(f"unknown directions {directions!r}; valid: {', '.join(DIRECTIONS)}")
    if not (isinstance(grid, (int, np.integer)) and 3 <= grid <= 151):
        raise ValueError(f"grid must be an integer in [3, 151], got {grid!r}")
    if not span > 0:
        raise ValueError(f"span must be > 0, got {span}")


def slice_run(run: TrainedRun, grid=41, span=1.0, directions="random") -> Landscape:
    """The slicing half of ``explore``: the loss on a grid × grid plane around θ* of a ``train_run``.
    Draws the directions from ``run.rng`` (pass a fresh copy for a repeatable slice)."""
    _check_slice(grid, span, directions)
    ds, net, path, marks, diverged_at, rng = run.ds, run.net, run.path, run.marks, run.diverged_at, run.rng
    center, x, y = path[-1], ds.x_train, ds.y_train
    # a run that was diverging has huge (or inf) weights: its directions, projections and losses may be
    # non-finite, which the page shows as gaps next to its divergence message; no NumPy warning on the way
    with np.errstate(all="ignore"):
        d1 = filter_normalized_direction(net, rng)
        d2 = filter_normalized_direction(net, rng)
        explained = np.zeros(2)
        if directions == "pca":
            d1, d2, explained = pca_directions(path, center, max(float(np.linalg.norm(d1)), 1e-12))
        coords = project(path, center, d1, d2)
        reach = 1.15 * float(np.max(np.abs(coords)))
        if directions == "pca" and np.isfinite(reach):
            span = max(span, reach)  # the whole path must sit inside the grid
        axis = np.linspace(-span, span, grid)
        surface = plane_loss(net, center, d1, d2, axis, axis, x, y)
        extra = np.concatenate([center[None], path, center + coords @ np.stack([d1, d2])])
        values = stacked_loss(net, extra, x, y)  # θ*, the real path and its shadow on the plane, in one pass
        t = path.shape[0]
        start_offset = path[0] - center
        shadow = coords[0] @ np.stack([d1, d2])
        captured = float(np.linalg.norm(shadow) / max(np.linalg.norm(start_offset), 1e-300))
        acc = float(np.mean(np.argmax(net.forward(x), axis=1) == y))
        mid = grid // 2
        slice_1d = surface[mid] if grid % 2 else plane_loss(net, center, d1, d2, axis, [0.0], x, y)[0]
    return Landscape(alphas=axis, betas=axis.copy(), loss=surface, center_loss=float(values[0]), path=coords,
                     path_steps=marks, path_loss=values[1:1 + t], path_slice_loss=values[1 + t:],
                     slice_1d=slice_1d, explained=explained, captured=min(captured, 1.0), span=float(span),
                     diverged_at=diverged_at, train_acc=acc, n_params=center.size)


def cut(run: TrainedRun, alphas) -> np.ndarray:
    """f(α) = L(θ* + α·δ) along the first filter-normalized direction δ of ``run.rng`` -> (len(alphas),).
    The 1-D slice of ``cross_sections`` for an already trained run (its rng is consumed)."""
    d = filter_normalized_direction(run.net, run.rng)
    with np.errstate(all="ignore"):  # inf directions of a diverging run give non-finite losses, shown as gaps
        thetas = run.path[-1] + np.asarray(alphas, float)[:, None] * d
    return stacked_loss(run.net, thetas, run.ds.x_train, run.ds.y_train)


def cross_sections(weight_decays=(0.0, 1e-2), n=41, span=1.0, **settings) -> tuple[np.ndarray, dict]:
    """The 1-D slice f(α) = L(θ* + α·δ) of the same run trained with each weight decay λ (sharp vs flat).

    settings: as ``explore`` (dataset, hidden, activation, optimizer, lr, steps, batch_size, seed, ...).
    Each run starts from the same initial weights and draws δ from the same seeded stream; δ is
    filter-normalized to *its own* θ*, so the curves compare shapes fairly even though weight decay
    shrinks the weights (the reason Li et al. normalize). -> (alphas (n,), {λ: (n,) losses}).
    """
    alphas = np.linspace(-span, span, n)
    settings = {"dataset": "moons", "hidden": (16, 16), "activation": "relu", "optimizer": "adam", "lr": 0.01,
                "steps": 300, "batch_size": None, "n_samples": 300, "seed": 0, "record_points": 1, **settings}
    curves = {}
    for lam in weight_decays:
        ds, net, path, _, _, rng = _trained(weight_decay=lam, **settings)
        d = filter_normalized_direction(net, rng)
        curves[lam] = stacked_loss(net, path[-1] + alphas[:, None] * d, ds.x_train, ds.y_train)
    return alphas, curves
