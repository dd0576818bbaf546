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
_CHUNK_ELEMENTS = 1 << 20  # G·N·H per block: keeps the stacked activations cache-sized (~8 MB)


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
    other = net.copy()
    for (name, off, shape), p in zip(_slices(other), other.params):
        p[...] = theta[off:off + p.size].reshape(shape)
    with np.errstate(all="ignore"):
        value, _ = losses.get(loss)(other.forward(np.asarray(x, dtype=np.float64), train=False), y)
    return float(value)


# ---------------------------------------------------------------- slice and path

def grid_points(center: np.ndarray, d1: np.ndarray, d2: np.ndarray, alphas, betas) -> np.ndarray:
    """(G, P) with G = len(betas)·len(alphas), row-major over (β, α): θ* + α·d1 + β·d2."""
    a, b = np.meshgrid(np.asarray(alphas, float), np.asarray(betas, float))
    return center + a.reshape(-1, 1) * d1 + b.reshape(-1, 1) * d2


def project(path: np.ndarray, center: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Least-squares coordinates (T, 2) of θ_t − θ* on the plane spanned by d1, d2 (P,)."""
    basis = np.stack([d1, d2], axis=1)  # (P, 2)
    coords, *_ = np.linalg.lstsq(basis, (np.asarray(path) - center).T, rcond=None)
    return coords.T


def pca_directions(path: np.ndarray, center: np.ndarray, scale: float):
    """Top two principal directions of θ_t − θ* (Li et al. 2018, sec. 7), each of norm ``scale``.

    -> (d1, d2, explained): explained is the share of the path's variance along each (2,).
    """
    m = np.asarray(path) - center
    m = m - m.mean(axis=0)
    _, s, vt = np.linalg.svd(m, full_matrices=False)
    total = float(np.sum(s ** 2))
    if vt.shape[0] < 2 or total == 0:  # a path that never moved: fall back to two coordinate axes
        eye = np.eye(m.shape[1])
        return eye[0] * scale, eye[1] * scale, np.zeros(2)
    explained = s[:2] ** 2 / total
    return vt[0] * scale, vt[1] * scale, explained


@dataclass
class Landscape:
    """One trained net and its loss slice.

    alphas (n,), betas (n,), loss (n, n) with loss[i, j] = f(alphas[j], betas[i]) on the training set;
    center_loss f(0, 0); path (T, 2) projected path (last row (0, 0)); path_loss (T,) the true training
    loss along the real path; path_steps (T,); slice_1d (n,) f(α, 0); explained (2,) PCA variance shares
    (zeros for random directions); distance (T,) ‖θ_t − θ*‖ / ‖θ*‖; diverged_at None or the update that
    went NaN/inf (θ* is then the last finite snapshot); train_acc of θ*; weight_norm ‖θ*‖ of the weights.
    """

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    center_loss: float
    path: np.ndarray
    path_loss: np.ndarray
    path_steps: np.ndarray
    slice_1d: np.ndarray
    explained: np.ndarray
    distance: np.ndarray
    diverged_at: int | None
    train_acc: float
    span: float
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


def explore(dataset="moons", hidden=(16, 16), activation="relu", optimizer="adam", lr=0.01, steps=500,
            batch_size=None, weight_decay=0.0, grid=41, span=1.0, directions="random", n_samples=300,
            seed=0, record_points=60) -> Landscape:
    """Train a small MLP on a 2-D set, then slice its loss around the trained weights θ*.

    span: the grid covers α, β ∈ [−span, span] (filter-normalized units; in "pca" mode each direction
    has the norm of the filter-normalized ones, ‖θ*_W‖, and the span grows to contain the whole path).
    The directions come from ``seed`` through their own stream, so the same seed gives the same grid.
    """
    if directions not in DIRECTIONS:
        raise ValueError(f"unknown directions {directions!r}; valid: {', '.join(DIRECTIONS)}")
    if not (isinstance(grid, (int, np.integer)) and 3 <= grid <= 151):
        raise ValueError(f"grid must be an integer in [3, 151], got {grid!r}")
    if not span > 0:
        raise ValueError(f"span must be > 0, got {span}")
    if not (isinstance(steps, (int, np.integer)) and steps >= 1):
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    data_seq, net_seq, train_seq, dir_seq = np.random.SeedSequence(seed).spawn(4)
    ds = data.get(dataset, n=n_samples, seed=int(data_seq.generate_state(1)[0]))
    net = nn.MLP([ds.n_features, *hidden, ds.n_classes], activation=activation,
                 seed=int(net_seq.generate_state(1)[0]))
    check_supported(net)
    opt_kwargs = {"lr": lr, "weight_decay": weight_decay}
    record_every = max(1, int(np.ceil(steps / record_points)))
    tr, path, marks = train_path(net, ds, steps, record_every, optimizer=optimizer, opt_kwargs=opt_kwargs,
                                 batch_size=batch_size, seed=int(train_seq.generate_state(1)[0]))
    center = path[-1]
    net_at_center = net.copy()
    for (_, off, shape), p in zip(_slices(net_at_center), net_at_center.params):
        p[...] = center[off:off + p.size].reshape(shape)
    x, y = ds.x_train, ds.y_train

    rng = np.random.default_rng(dir_seq)
    d1 = filter_normalized_direction(net_at_center, rng)
    d2 = filter_normalized_direction(net_at_center, rng)
    explained = np.zeros(2)
    if directions == "pca":
        scale = float(np.linalg.norm(d1))  # = ‖θ*_W‖, the length of a filter-normalized direction
        d1, d2, explained = pca_directions(path, center, max(scale, 1e-12))
    coords = project(path, center, d1, d2)
    if directions == "pca":
        reach = float(np.max(np.abs(coords))) if coords.size else 0.0
        span = max(span, 1.15 * reach)  # the whole path must sit inside the grid
    axis = np.linspace(-span, span, grid)
    thetas = grid_points(center, d1, d2, axis, axis)
    surface = stacked_loss(net_at_center, thetas, x, y).reshape(grid, grid)
    center_loss = float(stacked_loss(net_at_center, center[None], x, y)[0])
    path_loss = stacked_loss(net_at_center, path, x, y)
    norm_center = float(np.linalg.norm(center)) or 1.0
    with np.errstate(all="ignore"):
        acc = float(np.mean(np.argmax(net_at_center.forward(x), axis=1) == y))
    return Landscape(alphas=axis, betas=axis, loss=surface, center_loss=center_loss, path=coords,
                     path_loss=path_loss, path_steps=marks, slice_1d=surface[grid // 2] if grid % 2 else
                     stacked_loss(net_at_center, grid_points(center, d1, d2, axis, [0.0]), x, y),
                     explained=explained, distance=np.linalg.norm(path - center, axis=1) / norm_center,
                     diverged_at=tr.diverged_at, train_acc=acc, span=float(span), n_params=center.size)
