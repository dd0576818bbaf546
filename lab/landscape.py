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

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from core import data, losses, nn, train
from runs import shared
from lab.settings import SEED, Settings as Declared, choice, flag, level, number

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


@dataclass(frozen=True)
class Landscape:
    """One trained net and its loss slice (losses on the training set, inference mode), as far as it is computed.

    alphas (n,); betas (r,) the rows of the slice computed so far (all n of them once ``complete``), ascending;
    loss (r, n) with loss[i, j] = f(alphas[j], betas[i]); center_loss f(0, 0); path (T, 2) the projected path
    (last row (0, 0) when the whole path is shown); path_steps (T,) the update of each snapshot;
    path_loss (T,) the true loss along the real path; path_slice_loss (T,) f at the projected points;
    slice_1d (n,) f(α, 0); beta_cut (r,) f(0, β) at the rows computed; explained (2,) PCA variance shares (zeros
    for random directions); captured: ‖projection of θ_0 − θ*‖ / ‖θ_0 − θ*‖, the share of the start-to-end
    distance the plane sees; span: the half-width actually used; diverged_at: None or the update that went
    NaN/inf (θ* is then the last finite snapshot); train_acc of θ*; n_params P; step: the update the path reaches;
    compare: None or (alphas_c (m,), {λ: (m,) losses}), the cut along δ through the minimum of the same run
    trained with each weight decay of COMPARE_DECAYS; loss_range: (lowest, highest) finite loss of a 9 × 9
    subgrid and θ*, the colour scale of every frame. Arrays are float32 where they are only drawn.
    """

    alphas: np.ndarray
    betas: np.ndarray
    loss: np.ndarray
    center_loss: float
    path: np.ndarray
    path_steps: np.ndarray
    path_loss: np.ndarray
    path_slice_loss: np.ndarray
    slice_1d: np.ndarray | None
    beta_cut: np.ndarray
    explained: np.ndarray
    captured: float
    span: float
    diverged_at: int | None
    train_acc: float
    n_params: int
    step: int = 0
    complete: bool = False
    compare: tuple | None = None
    loss_range: tuple | None = None

    @property
    def has_slice(self) -> bool:
        return self.betas.size > 0


def train_path(net: nn.MLP, ds: data.Dataset, steps: int, record_every: int, **trainer_kwargs):
    """Train ``net`` and record its flat parameters every ``record_every`` updates.

    -> (trainer, path (T, P), path_steps (T,)); row 0 is the initialization. Snapshots stop at the last
    finite one if the run diverges.
    """
    marks = np.unique(np.r_[np.arange(0, steps, record_every), steps])
    training = _Training(net, ds, steps, marks, **trainer_kwargs)
    while not training.done:
        training.advance(steps)
    return training.trainer, np.array(training.path), np.array(training.kept)


def _load(net: nn.MLP, theta: np.ndarray) -> nn.MLP:
    """A copy of ``net`` holding the flat parameters ``theta``."""
    other = net.copy()
    for (_, off, shape), p in zip(_slices(other), other.params):
        p[...] = theta[off:off + p.size].reshape(shape)
    return other


# ---------------------------------------------------------------- the page's settings and its live run

FRAMES = 30  # frames of a run (31 pictures: about 6 s at five a second)
RECORD_POINTS = 60  # path snapshots spread evenly over the run (plus one at every frame step)
N_SAMPLES = 300  # points of the 2-D set (240 train)
COMPARE_DECAYS = (0.0, 1e-2)  # the weight-decay comparison: the same run trained with each λ
CUT_POINTS = 41  # points of the comparison's cut
_QUANTUM_STEPS = 50  # training updates per piece of work (≤ ~20 ms on the largest net)
_QUANTUM_NS = 2e7  # slice rows per piece of work: about 20 ms of them


@dataclass(frozen=True)
class Settings:
    """Every setting of the page: the network and its training, then the slice. Equal settings, equal run."""

    dataset: str = "moons"
    width: int = 16
    depth: int = 2
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 0.01
    steps: int = 300
    batch: str = "full"  # "full" or a mini-batch size ("32", "8")
    weight_decay: float = 0.0
    directions: str = "random"
    grid: int = 41
    span: float = 1.0
    seed: int = 0

    @property
    def hidden(self) -> tuple:
        return (int(self.width),) * int(self.depth)

    @property
    def batch_size(self) -> int | None:
        return None if self.batch == "full" else int(self.batch)


DEFAULTS = Settings()
# The values the page's controls offer (its sliders' ranges are in the page).
CHOICES = {
    "dataset": ("moons", "circles", "spirals", "xor"),
    "activation": ("relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid"),
    "optimizer": ("sgd", "momentum", "rmsprop", "adam"),
    "lr": (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
    "batch": ("full", "32", "8"),
    "weight_decay": (0.0, 1e-4, 1e-3, 1e-2, 3e-2),
    "span": (0.25, 0.5, 1.0, 2.0, 4.0),
}
SETTINGS = Declared(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    choice("data", "landscape.dataset", CHOICES["dataset"], DEFAULTS.dataset, name="dataset"),
    number("width", "landscape.width", 2, 24, DEFAULTS.width),
    number("depth", "landscape.depth", 1, 3, DEFAULTS.depth),
    choice("act", "landscape.activation", CHOICES["activation"], DEFAULTS.activation, name="activation"),
    choice("opt", "landscape.optimizer", CHOICES["optimizer"], DEFAULTS.optimizer, name="optimizer"),
    level("lr", "landscape.lr", CHOICES["lr"], DEFAULTS.lr),
    number("steps", "landscape.steps", 50, 1000, DEFAULTS.steps, 50),
    choice("batch", "landscape.batch", CHOICES["batch"], DEFAULTS.batch, words="landscape.batch_"),
    level("wd", "landscape.wd", CHOICES["weight_decay"], DEFAULTS.weight_decay, name="weight_decay"),
    choice("dirs", "landscape.directions", DIRECTIONS, DEFAULTS.directions, name="directions", words="landscape.dirs_"),
    number("grid", "landscape.grid", 21, 81, DEFAULTS.grid, 10),
    level("span", "landscape.span", CHOICES["span"], DEFAULTS.span),
    SEED.but(default=DEFAULTS.seed),
    flag("surface", "landscape.surface", False, name="show_3d"),
    flag("compare", "landscape.compare", False, help="landscape.compare_help"),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.nn.MLP.forward", "core.losses.CrossEntropy.__call__", "core.optim.RULES.adam.update",
               "core.optim.Optimizer.step")


def record_marks(steps: int, record_points: int = RECORD_POINTS, frames: int = FRAMES) -> np.ndarray:
    """The updates after which the path is recorded: record_points + 1 evenly spread, plus every frame step (so
    each frame's path ends exactly at its step)."""
    even = np.round(np.linspace(0, steps, max(1, record_points) + 1)).astype(int)
    return np.unique(np.r_[even, shared.frame_steps(steps, frames)])


class _Training:
    """A Trainer run in pieces, recording the flat parameters at ``marks``: the same path however it is cut.
    path: [θ at each mark reached]; kept: the marks; done once the last mark is reached or the run diverged
    (snapshots stop at the last finite one)."""

    def __init__(self, net: nn.MLP, ds: data.Dataset, steps: int, marks, **trainer_kwargs):
        self.net, self.marks = net, [int(m) for m in marks]
        self.trainer = train.Trainer(net, ds, eval_every=max(1, steps), **trainer_kwargs)
        self.path, self.kept = [flatten(net)], [0]
        self.done = len(self.marks) <= 1

    def advance(self, max_steps: int) -> None:
        """At most ``max_steps`` more updates, stopping at the next mark."""
        tr, mark = self.trainer, self.marks[len(self.kept)]
        tr.run(min(max_steps, mark - tr.step))
        if tr.diverged:
            self.done = True
        elif tr.step == mark:
            theta = flatten(self.net)
            if not np.all(np.isfinite(theta)):
                self.done = True
                return
            self.path.append(theta)
            self.kept.append(mark)
            self.done = len(self.kept) == len(self.marks)


def _setup(s: Settings, n_samples: int):
    """Data, the initial net, the training seed and the direction Generator, from ``s.seed``'s streams. The streams
    are split, so changing the optimizer never changes the data, the initial weights or the random directions."""
    data_seq, net_seq, train_seq, dir_seq = np.random.SeedSequence(s.seed).spawn(4)
    ds = data.get(s.dataset, n=n_samples, seed=int(data_seq.generate_state(1)[0]))
    net = nn.MLP([ds.n_features, *s.hidden, ds.n_classes], activation=s.activation,
                 seed=int(net_seq.generate_state(1)[0]))
    check_supported(net)
    return ds, net, int(train_seq.generate_state(1)[0]), np.random.default_rng(dir_seq)


def _check(s: Settings) -> None:
    if s.directions not in DIRECTIONS:
        raise ValueError(f"unknown directions {s.directions!r}; valid: {', '.join(DIRECTIONS)}")
    if not (isinstance(s.grid, (int, np.integer)) and 3 <= s.grid <= 151):
        raise ValueError(f"grid must be an integer in [3, 151], got {s.grid!r}")
    if not s.span > 0:
        raise ValueError(f"span must be > 0, got {s.span}")
    if not (isinstance(s.steps, (int, np.integer)) and s.steps >= 1):
        raise ValueError(f"steps must be an integer >= 1, got {s.steps!r}")


def fill_order(n: int) -> list[int]:
    """The rows of an n-row grid in the order they are computed: the middle row (β = 0, the α cut through θ*)
    first, then outwards, one row below and one above at a time, so the map grows from the minimum to the edges
    and every frame adds a visible band."""
    mid = n // 2
    order = [mid]
    for k in range(1, n):
        order += [i for i in (mid - k, mid + k) if 0 <= i < n]
    return order


def slice_cost(sizes, activation: str, n: int, points: int) -> float:
    """Estimated time (ns) of the loss at ``points`` grid points over n samples: per point and sample, the
    multiply-adds plus the activation's cost per hidden value (measured on one core, NumPy 2.4, float64)."""
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    per = 40.0 + 0.13 * macs + _ACT_NS.get(activation, 2.5) * sum(sizes[1:-1])
    return float(points) * n * per


_ACT_NS = {"relu": 0.3, "tanh": 0.5, "leaky_relu": 1.2, "elu": 2.5, "sigmoid": 0.9, "gelu": 1.7}


class Exploration:
    """The page's live run: train the net, then slice its loss around θ*, in pieces of ~20 ms, as frames.

    ``step`` is the update that the picture has reached (the frame's step): from step 1 the picture shows the
    path up to ``step`` on the final plane, and the slice's rows fill in with the frames (from the row through θ*
    outwards), complete at the last frame; the colour scale is fixed from the start (``loss_range``). The pieces of work come in a fixed order (train,
    train the comparison runs, prepare the plane, compute rows), and what a frame shows depends only on its step,
    so the frames are the same however the work is cut. ``run(n)`` does one piece of work, then moves ``step``
    as far (at most n) as the work done allows: it may move less than n (``runs.shared`` keeps calling it).
    """

    def __init__(self, s: Settings, frame_steps=None, n_samples: int = N_SAMPLES, compare: bool = True):
        _check(s)
        self.settings = s
        self.frame_steps = tuple(frame_steps or shared.frame_steps(s.steps, FRAMES))
        ds, net, train_seed, self._rng = _setup(s, n_samples)
        self.ds, self.n_params = ds, sum(p.size for p in net.params)
        self._initial = net.copy()  # to replay a diverged run up to its last good update
        self._replay = None
        kwargs = dict(optimizer=s.optimizer, batch_size=None if s.batch_size is None else min(s.batch_size, ds.n_train),
                      seed=train_seed)
        self._main = _Training(net, ds, s.steps, record_marks(s.steps),
                               opt_kwargs={"lr": s.lr, "weight_decay": s.weight_decay}, **kwargs)
        # the comparison: the same start trained with each λ (the main run stands in for its own λ)
        self._others = {lam: _Training(net.copy(), ds, s.steps, (0, s.steps),
                                       opt_kwargs={"lr": s.lr, "weight_decay": lam}, **kwargs)
                        for lam in (COMPARE_DECAYS if compare else ()) if lam != s.weight_decay}
        self._kwargs = dict(opt_kwargs={"lr": s.lr, "weight_decay": s.weight_decay}, **kwargs)
        self._compare = compare
        self._plane = None
        self._rows: dict[int, np.ndarray] = {}
        self._order = fill_order(s.grid)
        self.step, self.end = 0, s.steps
        self._diverged_at = None

    # ---- the clock
    @property
    def diverged_at(self) -> int | None:
        """The failed update, once the picture has reached the end of the run."""
        return self._diverged_at if self._plane is not None and self.step >= self.end else None

    def rows_for(self, step: int) -> int:
        """How many rows of the slice the frame at ``step`` shows (all of them at the end of the run)."""
        if step <= 0:
            return 0
        if step >= self.end:
            return len(self._order)
        index = sum(1 for s in self.frame_steps if s <= step) - 1
        return max(1, math.ceil(len(self._order) * index / (len(self.frame_steps) - 1)))

    def run(self, n: int) -> "Exploration":
        want = min(self.step + int(n), self.end)
        if self._plane is None or len(self._rows) < self.rows_for(want):
            self._work()
        self.step = self._reachable(want)
        return self

    def _reachable(self, want: int) -> int:
        if self._plane is None:
            return self.step
        done = len(self._rows)
        if self.rows_for(want) <= done:
            return want
        return max([self.step] + [s for s in self.frame_steps if self.step < s < want and self.rows_for(s) <= done])

    # ---- the work, in pieces
    def _work(self) -> None:
        main = self._main
        if not main.done:
            main.advance(_QUANTUM_STEPS)
            return
        last_good = main.trainer.step  # a diverged run: the update before the failed one
        if main.trainer.diverged and main.kept[-1] < last_good:
            # the failed update broke the weights in place: train a copy to the last good update and keep it
            if self._replay is None:
                self._replay = _Training(self._initial.copy(), self.ds, last_good, (0, last_good), **self._kwargs)
            self._replay.advance(_QUANTUM_STEPS)
            if self._replay.done:
                main.path.append(self._replay.path[-1])
                main.kept.append(last_good)
            return
        for other in self._others.values():
            if not other.done:
                other.advance(_QUANTUM_STEPS)
                return
        if self._plane is None:
            self._prepare()
            return
        plane = self._plane
        per_row = slice_cost(plane["net"].sizes, self.settings.activation, self.ds.x_train.shape[0], len(plane["axis"]))
        todo = self._order[len(self._rows):][:max(1, int(_QUANTUM_NS // max(per_row, 1.0)))]
        with np.errstate(all="ignore"):
            values = plane_loss(plane["net"], plane["center"], plane["d1"], plane["d2"], plane["axis"],
                                plane["axis"][todo], self.ds.x_train, self.ds.y_train)
        for i, row in zip(todo, values):
            self._rows[i] = row

    def _prepare(self) -> None:
        """After training: θ*, the directions, the projected path and its losses, the comparison's cuts."""
        s, main = self.settings, self._main
        path, marks = np.array(main.path), np.array(main.kept)
        self._diverged_at = main.trainer.diverged_at
        if self._diverged_at is not None:
            self.end = int(marks[-1])  # the picture ends at the last finite snapshot
        center, x, y = path[-1], self.ds.x_train, self.ds.y_train
        net = _load(main.net, center)
        span = s.span
        # a run that was diverging has huge (or inf) weights: its directions, projections and losses may be
        # non-finite, which the page shows as gaps next to its divergence message; no NumPy warning on the way
        with np.errstate(all="ignore"):
            d1 = filter_normalized_direction(net, self._rng)
            d2 = filter_normalized_direction(net, self._rng)
            cut_direction, explained = d1, np.zeros(2)
            if s.directions == "pca":
                d1, d2, explained = pca_directions(path, center, max(float(np.linalg.norm(d1)), 1e-12))
            coords = project(path, center, d1, d2)
            reach = 1.15 * float(np.max(np.abs(coords)))
            if s.directions == "pca" and np.isfinite(reach):
                span = max(span, reach)  # the whole path must sit inside the grid
            axis = np.linspace(-span, span, s.grid)
            extra = np.concatenate([center[None], path, center + coords @ np.stack([d1, d2])])
            values = stacked_loss(net, extra, x, y)  # θ*, the real path and its shadow on the plane, in one pass
            t = path.shape[0]
            shadow = coords[0] @ np.stack([d1, d2])
            captured = float(np.linalg.norm(shadow) / max(np.linalg.norm(path[0] - center), 1e-300))
            acc = float(np.mean(np.argmax(net.forward(x), axis=1) == y))
            # the colour scale of every frame: the losses on a 9 × 9 subgrid (corners, edges, centre), so the map
            # keeps its colours while its rows arrive
            sub = axis[np.unique(np.round(np.linspace(0, s.grid - 1, min(s.grid, 9))).astype(int))]
            probe = np.r_[plane_loss(net, center, d1, d2, sub, sub, x, y).ravel(), values[0]]
            probe = probe[np.isfinite(probe)]
            loss_range = (float(probe.min()), float(probe.max())) if probe.size else None
            compare = None
            if self._compare:
                alphas_c = np.linspace(-s.span, s.span, CUT_POINTS)
                curves = {}
                for lam in COMPARE_DECAYS:
                    if lam == s.weight_decay:
                        curves[lam] = stacked_loss(net, center + alphas_c[:, None] * cut_direction, x, y)
                    else:
                        other = self._others[lam]
                        theta = np.array(other.path[-1])
                        other_net = _load(other.net, theta)
                        # δ drawn from the same seeded stream, filter-normalized to *this* run's θ*
                        d = filter_normalized_direction(other_net, np.random.default_rng(
                            np.random.SeedSequence(s.seed).spawn(4)[3]))
                        curves[lam] = stacked_loss(other_net, theta + alphas_c[:, None] * d, x, y)
                compare = (alphas_c, curves)
        self._plane = dict(net=net, center=center, d1=d1, d2=d2, axis=axis, span=float(span), coords=coords,
                           marks=marks, path_loss=values[1:1 + t], path_slice_loss=values[1 + t:],
                           center_loss=float(values[0]), captured=min(captured, 1.0), explained=explained,
                           train_acc=acc, compare=compare, loss_range=loss_range)

    # ---- what a frame shows
    def view(self) -> Landscape:
        """The picture at ``step`` (see Landscape): the path up to it and the rows of the slice it shows."""
        p, s = self._plane, self.settings
        if p is None or self.step == 0:
            empty = np.zeros(0)
            return Landscape(alphas=empty, betas=empty, loss=np.zeros((0, 0), np.float32), center_loss=math.nan,
                             path=np.zeros((0, 2)), path_steps=np.zeros(0, int), path_loss=empty,
                             path_slice_loss=empty, slice_1d=None, beta_cut=empty, explained=np.zeros(2),
                             captured=math.nan, span=float(s.span), diverged_at=None, train_acc=math.nan,
                             n_params=self.n_params, step=0)
        shown = sorted(self._order[:self.rows_for(self.step)])
        axis, mid = p["axis"], s.grid // 2
        loss = np.array([self._rows[i] for i in shown])
        upto = p["marks"] <= self.step
        middle = self._rows.get(mid) if mid in shown else None
        if s.grid % 2 == 0 and middle is not None:  # no row at β = 0: the α cut is its own line
            with np.errstate(all="ignore"):
                middle = plane_loss(p["net"], p["center"], p["d1"], p["d2"], axis, [0.0], self.ds.x_train,
                                    self.ds.y_train)[0]
        complete = len(shown) == s.grid
        return Landscape(alphas=axis, betas=axis[shown], loss=loss, center_loss=p["center_loss"],
                         path=p["coords"][upto], path_steps=p["marks"][upto], path_loss=p["path_loss"][upto],
                         path_slice_loss=p["path_slice_loss"][upto], slice_1d=middle,
                         beta_cut=loss[:, mid] if loss.size else np.zeros(0), explained=p["explained"],
                         captured=p["captured"], span=p["span"], diverged_at=self.diverged_at,
                         train_acc=p["train_acc"], n_params=self.n_params, step=self.step, complete=complete,
                         compare=p["compare"], loss_range=p["loss_range"])

    def finish(self) -> Landscape:
        """Run to the end and return the whole picture."""
        while self.step < self.end or self._plane is None:
            self.run(self.end)
        return self.view()


def snapshot(obj: Exploration) -> Landscape:
    """The frame of a run: the picture at its step, the slice's values as float32 (they are only drawn)."""
    res = obj.view()
    with np.errstate(invalid="ignore"):  # huge losses of a diverging run stay finite (and saturate the colours)
        loss = np.where(np.isfinite(res.loss), np.clip(res.loss, None, 1e30), res.loss).astype(np.float32)
    return dataclasses.replace(res, loss=loss)


def landscape_run(s: Settings) -> shared.RunSpec:
    """The page's live run of ``s`` as shared frames (``runs.shared``): FRAMES + 1 of them over s.steps updates."""
    steps = shared.frame_steps(s.steps, FRAMES)
    return shared.RunSpec(key=("landscape", s), build=lambda: Exploration(s, steps), snapshot=snapshot, steps=steps)


def explore(dataset="moons", hidden=(16, 16), activation="relu", optimizer="adam", lr=0.01, steps=300,
            batch_size=None, weight_decay=0.0, grid=41, span=1.0, directions="random", n_samples=N_SAMPLES,
            seed=0, compare=False) -> Landscape:
    """Train a small MLP on a 2-D set, then slice its training loss around the trained weights θ*.

    hidden: a tuple of equal widths. span: the grid covers α, β ∈ [−span, span] in filter-normalized units. In
    "pca" mode each direction gets the length of a filter-normalized one (‖θ*_W‖, the norm of all trained
    weights), and the span grows to contain the whole path. The same seed gives the same data, net, path and
    directions; the result is the last frame of the page's run with the same settings.
    """
    if len(set(hidden)) != 1:
        raise ValueError(f"hidden must be equal widths, got {hidden!r}")
    s = Settings(dataset=dataset, width=hidden[0], depth=len(hidden), activation=activation, optimizer=optimizer,
                 lr=lr, steps=steps, batch="full" if batch_size is None else str(int(batch_size)),
                 weight_decay=weight_decay, directions=directions, grid=grid, span=span, seed=seed)
    return Exploration(s, n_samples=n_samples, compare=compare).finish()


def cross_sections(weight_decays=COMPARE_DECAYS, n=CUT_POINTS, span=1.0, **settings) -> tuple[np.ndarray, dict]:
    """The 1-D slice f(α) = L(θ* + α·δ) of the same run trained with each weight decay λ (sharp vs flat).

    settings: as ``Settings`` (dataset, width, depth, activation, optimizer, lr, steps, batch, seed). Each run
    starts from the same initial weights and draws δ from the same seeded stream; δ is filter-normalized to *its
    own* θ*, so the curves compare shapes fairly even though weight decay shrinks the weights (the reason Li et
    al. normalize). -> (alphas (n,), {λ: (n,) losses}).
    """
    alphas = np.linspace(-span, span, n)
    curves = {}
    for lam in weight_decays:
        s = Settings(**{**settings, "weight_decay": lam})
        ds, net, train_seed, rng = _setup(s, N_SAMPLES)
        training = _Training(net, ds, s.steps, (0, s.steps), optimizer=s.optimizer,
                             opt_kwargs={"lr": s.lr, "weight_decay": lam}, batch_size=s.batch_size, seed=train_seed)
        while not training.done:
            training.advance(s.steps)
        theta = training.path[-1]
        trained = _load(net, theta)
        with np.errstate(all="ignore"):
            d = filter_normalized_direction(trained, rng)
            curves[lam] = stacked_loss(trained, theta + alphas[:, None] * d, ds.x_train, ds.y_train)
    return alphas, curves


def warm() -> None:
    """The page's first screen (its default run, finished) and the first thing its "try this" list suggests (the
    same run sliced along the path's principal directions), computed at server start and kept."""
    with shared.pinned():
        shared.complete(landscape_run(DEFAULTS))
        shared.complete(landscape_run(dataclasses.replace(DEFAULTS, directions="pca")))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(shown: Landscape, s: Settings):
    """The page's quick checks at its setting and the step shown: the network's parameter count (the run's own
    ``n_params``), how far a random direction sees (about 1/√P), and the share of the path the slice captured."""
    from lab.common import choice_check, exact_check, nearest_check

    p = int(shown.n_params)
    sizes = [2] + [s.width] * s.depth + [2]
    weights_only = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    captured = float(shown.captured) if np.isfinite(shown.captured) else 0.0
    return [
        exact_check("check1", p, [weights_only, sum(sizes[1:]), 2 * p], dict(width=s.width, depth=s.depth), fmt=",.0f"),
        nearest_check("check2", 1 / np.sqrt(p), [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0], dict(p=f"{p:,}"), log=True),
        choice_check("check3", ("most", "little"), "most" if captured >= 0.5 else "little", dict(step=int(shown.step))),
    ]
