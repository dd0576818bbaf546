"""Batch-normalization experiments: what the batch-norm page measures on top of ``core.train``.

- ``ProbedTrainer``: a Trainer that also records, every few updates, the 15th/50th/85th percentiles
  of each last-hidden-layer unit's input on a fixed held-out batch (Ioffe & Szegedy 2015, fig. 1)
  and that layer's running statistics next to the statistics of the same batch.
- ``layer_inputs``: a side-effect-free forward pass that returns every hidden layer's pre-BN value
  and activation input, normalizing with the batch's own statistics or the running ones.
- ``batch_dependence``: one sample's prediction inside batches of 1..8 (batch vs running statistics).
- ``running_stats_trace``: a BatchNorm layer fed mini-batches from a fixed population.
- ``sweep``: final accuracy with and without BN over initial weight scales or learning rates
  (Deep Learning from Scratch, ``batch_norm_test.py``).
The page draws two live runs, shared by every session (``runs.shared``): ``pair_run`` (the two sigmoid networks,
as ``PairView`` frames) and ``sweep_run`` (the sweep, one network after the other, as ``SweepView`` frames); and two
static picture, ``running_trace`` (shared, memoized); the pair's frames also carry the batch-dependence demo of
its BN network, so "training versus inference" shows the network trained above. The page's defaults are ``DEFAULTS``;
``warm()`` computes them at server start.
Shapes: N samples, H units, P probe rows, T steps, B batch size, U followed units, V swept values.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import compare, data, nn, train
from core.layers import BatchNorm
from runs import shared
from lab.settings import SEED, Settings, choice, level, number

PERCENTILES = (15, 50, 85)
VARIANTS = ("bn", "plain")  # the pair's members; BN first, so it keeps the first colour
# The values each control of the page offers (the page builds its controls from these).
POSITIONS = ("before", "after")
LRS = (0.1, 0.3, 1.0, 2.0, 3.0, 10.0)
STDS = (0.01, 0.03, 0.1, 0.3, 1.0)
MOMENTA = (0.01, 0.03, 0.1, 0.3, 0.9)
EPSILONS = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2)
UNITS = 10  # the followed unit is one of the first UNITS of the last hidden layer (a frame keeps only those)
SWEEP_KINDS = ("init", "lr")
# The live pair: 1,200 updates of mini-batches of 60 (about 57 epochs of the 1,257 training digits). The plain
# network leaves its plateau after ~600 of them and is near 0.9 by 1,000; with BN it is there by update 100.
TOTAL_STEPS, FRAMES, PROBE_EVERY = 1200, 40, 10
# The swept values: 16 initial weight stds from 1 to 1e-4 (as in batch_norm_test.py), 8 SGD learning rates.
SWEEP_VALUES = {"init": tuple(np.logspace(0, -4, 16)), "lr": (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)}
SWEEP_N_TRAIN, SWEEP_BATCH = 1000, 100


@dataclass(frozen=True)
class Defaults:
    """The page's first screen: every control's default (the page's controls and ``warm`` both read it)."""
    position: str = "before"
    lr: float = 1.0
    init_std: float = 0.1
    momentum: float = 0.1
    eps: float = 1e-5
    unit: int = 0
    seed: int = 0
    sweep: str = "init"
    epochs: int = 10


DEFAULTS = Defaults()
SETTINGS = Settings(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    choice("pos", "batchnorm.position", POSITIONS, DEFAULTS.position, name="position", words="batchnorm.pos_"),
    level("lr", "batchnorm.lr", LRS, DEFAULTS.lr),
    level("std", "batchnorm.std", STDS, DEFAULTS.init_std, name="init_std"),
    level("mom", "batchnorm.momentum", MOMENTA, DEFAULTS.momentum, name="momentum"),
    level("eps", "batchnorm.eps", EPSILONS, DEFAULTS.eps),
    number("unit", "batchnorm.unit", 0, UNITS - 1, DEFAULTS.unit),  # one of the first UNITS of the last hidden layer
    SEED.but(default=DEFAULTS.seed),
    choice("sweep", "batchnorm.sweep_kind", SWEEP_KINDS, DEFAULTS.sweep, words="batchnorm.sweep_", horizontal=True),
    number("epochs", "batchnorm.epochs", 2, 20, DEFAULTS.epochs),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.layers.BatchNorm.forward", "core.layers.BatchNorm.backward")


def set_eps(net: nn.MLP, eps: float) -> nn.MLP:
    """Give every BatchNorm layer of ``net`` this eps (the MLP constructor keeps PyTorch's 1e-5)."""
    if not eps > 0:
        raise ValueError(f"batch norm eps must be > 0, got {eps}")
    for block in net.blocks:
        if block.bn is not None:
            block.bn.eps = float(eps)
    return net


def layer_inputs(net: nn.MLP, x: np.ndarray, batch_stats: bool = True):
    """x (N, D) -> (list of pre-BN values (N, H), list of activation inputs (N, H), logits (N, C)).

    batch_stats=True normalizes with the batch's own mean and biased variance (training mode)
    without touching the running statistics; False uses the running statistics (inference).
    Nothing in ``net`` changes, so probing never alters training. x may also be a stack of R batches
    (R, N, D): each batch is normalized with its own statistics, as R separate calls would.
    """
    pre, act_in = [], []
    h = np.asarray(x, dtype=net.dtype)
    with np.errstate(all="ignore"):
        for block in net.blocks[:-1]:
            z = h @ block.dense.W
            if block.dense.b is not None:
                z = z + block.dense.b
            pre.append(z)
            if block.bn is not None and net.bn_position == "before":
                z = _normalize(block.bn, z, batch_stats)
            act_in.append(z)
            h = block.act.activation.forward(z, train=False)
            if block.bn is not None and net.bn_position == "after":
                h = _normalize(block.bn, h, batch_stats)
        last = net.blocks[-1].dense
        logits = h @ last.W + (last.b if last.b is not None else 0.0)
    return pre, act_in, logits


def _normalize(bn: BatchNorm, z: np.ndarray, batch_stats: bool) -> np.ndarray:
    """γ (z - μ) / √(σ² + eps) + β with the batch's or the running μ, σ² (Ioffe & Szegedy 2015, Alg. 1-2)."""
    if batch_stats:  # over the batch axis (the second to last: a stack of batches normalizes each apart)
        mean, var = z.mean(axis=-2, keepdims=True), z.var(axis=-2, keepdims=True)
    else:
        mean, var = bn.running_mean, bn.running_var
    return bn.gamma * (z - mean) / np.sqrt(var + bn.eps) + bn.beta


class ProbedTrainer:
    """A ``train.Trainer`` that records the last hidden layer on ``probe_x`` every ``probe_every`` updates.

    Records (P rows, taken at update 0, probe_every, 2·probe_every, ...; chunking never changes them):
    probe_steps (P,); percentiles (P, 3, H): 15/50/85th percentile of each unit's activation input
    (batch statistics of the probe batch for BN nets); for BN nets also running_mean / running_var (P, H)
    of the last BN layer and probe_mean / probe_var (P, H), the same batch's statistics of that BN's input.
    """

    def __init__(self, trainer: train.Trainer, probe_x: np.ndarray, probe_every: int = 10):
        if not (isinstance(probe_every, (int, np.integer)) and probe_every >= 1):
            raise ValueError(f"probe_every must be an integer >= 1, got {probe_every!r}")
        self.trainer, self.probe_x, self.probe_every = trainer, np.asarray(probe_x), int(probe_every)
        self._rows: dict[str, list] = {k: [] for k in ("step", "pct", "rmean", "rvar", "pmean", "pvar")}
        self._probe()

    # the Trainer's interface, so compare.Group and ui.live.panel drive it as they would a Trainer
    @property
    def step(self) -> int:
        return self.trainer.step

    @property
    def diverged(self) -> bool:
        return self.trainer.diverged

    @property
    def diverged_at(self):
        return self.trainer.diverged_at

    @property
    def history(self) -> dict:
        return self.trainer.history

    @property
    def net(self) -> nn.MLP:
        return self.trainer.net

    def release(self) -> None:
        self.trainer.release()

    def run(self, n_steps: int) -> "ProbedTrainer":
        target = self.trainer.step + int(n_steps)
        while self.trainer.step < target and not self.trainer.done:
            next_probe = (self.trainer.step // self.probe_every + 1) * self.probe_every
            before = self.trainer.step
            self.trainer.run(min(target, next_probe) - before)
            if self.trainer.step == before:  # diverged inside the chunk
                break
            if self.trainer.step % self.probe_every == 0 and not self.trainer.diverged:
                self._probe()
        return self

    def _probe(self) -> None:
        net = self.trainer.net
        pre, act_in, _ = layer_inputs(net, self.probe_x, batch_stats=True)
        z = act_in[-1]
        if not np.all(np.isfinite(z)):
            return
        self._rows["step"].append(self.trainer.step)
        self._rows["pct"].append(np.percentile(z, PERCENTILES, axis=0))
        bn = net.blocks[net.n_hidden - 1].bn
        if bn is not None:
            bn_input = pre[-1] if net.bn_position == "before" else net.blocks[-2].act.activation.forward(z)
            self._rows["rmean"].append(bn.running_mean.copy())
            self._rows["rvar"].append(bn.running_var.copy())
            self._rows["pmean"].append(bn_input.mean(axis=0))
            self._rows["pvar"].append(bn_input.var(axis=0, ddof=1))

    @property
    def probe_steps(self) -> np.ndarray:
        return np.array(self._rows["step"], dtype=int)

    @property
    def percentiles(self) -> np.ndarray:
        return np.array(self._rows["pct"], dtype=float)

    def gamma_beta(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The learned scale γ (H,) and shift β (H,) of the last hidden layer's batch norm, or None without BN."""
        bn = self.trainer.net.blocks[-2].bn
        return None if bn is None else (bn.gamma, bn.beta)

    def bn_stats(self) -> dict | None:
        """{running_mean, running_var, probe_mean, probe_var}: (P, H) each, or None without BN."""
        if not self._rows["rmean"]:
            return None
        return {k: np.array(self._rows[r]) for k, r in (("running_mean", "rmean"), ("running_var", "rvar"),
                                                         ("probe_mean", "pmean"), ("probe_var", "pvar"))}


@shared.memo(max_bytes=8 * 2**20)
def digits(seed: int = 0, n_train: int | None = None) -> data.Dataset:
    """The shipped digits split by ``seed`` (``core.data.get``), loaded once and shared: a pair, the running
    statistics and the sweep of one setting need it four times (read-only: training never writes into it)."""
    return data.get("digits", seed=seed, n_train=n_train)


def sigmoid_net(batchnorm: bool, bn_position: str = "before", init_std: float = 0.1, momentum: float = 0.1,
                eps: float = 1e-5, seed: int = 0) -> tuple[nn.MLP, data.Dataset]:
    """Ioffe & Szegedy 2015, fig. 1, scaled to the shipped digits: 3 hidden layers of 100 sigmoid units,
    N(0, init_std²) weights; -> (the untrained net, the digits)."""
    ds = digits(int(seed))
    net = nn.MLP([ds.n_features, 100, 100, 100, ds.n_classes], activation="sigmoid", init=float(init_std),
                 batchnorm=batchnorm, bn_position=bn_position, bn_momentum=momentum, seed=seed)
    return set_eps(net, eps), ds


def sigmoid_trainer(batchnorm: bool, bn_position: str = "before", init_std: float = 0.1, lr: float = 1.0,
                    momentum: float = 0.1, eps: float = 1e-5, seed: int = 0, eval_every: int = 25,
                    probe_every: int = 10, n_probe: int = 200) -> ProbedTrainer:
    """``sigmoid_net`` trained by SGD on mini-batches of 60; probed on the first ``n_probe`` test digits."""
    net, ds = sigmoid_net(batchnorm, bn_position, init_std, momentum, eps, seed)
    tr = train.Trainer(net, ds, optimizer="sgd", opt_kwargs={"lr": lr}, batch_size=60, eval_every=eval_every,
                       seed=seed)
    return ProbedTrainer(tr, ds.x_test[:n_probe], probe_every)


# ---- the live pair, as shared frames --------------------------------------------------------------

@dataclass(frozen=True)
class MemberView:
    """One network of the pair at a frame: history rows step (T,), test_acc, train_loss (T,) (every PROBE_EVERY
    updates from the first PROBE_EVERY); probe_steps (P,) from step 0, percentiles (P, 3, U) of the first U units'
    activation input; diverged_at (None: it did not)."""
    step: np.ndarray
    test_acc: np.ndarray
    train_loss: np.ndarray
    probe_steps: np.ndarray
    percentiles: np.ndarray
    diverged_at: int | None


@dataclass(frozen=True)
class PairView:
    """What the page draws of the pair at one step: members {"bn", "plain"}; for the BN network's last hidden
    layer, running_mean / running_var and probe_mean / probe_var (P, U) (its running statistics and the held-out
    batch's), gamma / beta (H,) now; dependence: ``batch_dependence`` of the BN network now (training versus
    inference: test digit 0 in batches of 1..8)."""
    members: dict
    running_mean: np.ndarray
    running_var: np.ndarray
    probe_mean: np.ndarray
    probe_var: np.ndarray
    gamma: np.ndarray
    beta: np.ndarray
    dependence: "BatchDependence"


def pair(position: str = "before", lr: float = 1.0, init_std: float = 0.1, momentum: float = 0.1,
         eps: float = 1e-5, seed: int = 0) -> compare.Group:
    """The page's comparison: {"bn", "plain"} ``sigmoid_trainer``s, evaluated and probed every PROBE_EVERY updates
    (the first history row comes after PROBE_EVERY updates: an evaluation at step 0 would cost a new setting
    ~12 ms, so the accuracy and loss charts of step 0 say how they fill instead)."""
    return compare.Group({k: sigmoid_trainer(k == "bn", position, init_std, lr, momentum, eps, seed,
                                             eval_every=PROBE_EVERY, probe_every=PROBE_EVERY) for k in VARIANTS})


def pair_snapshot(group: compare.Group) -> PairView:
    """The frame of the pair at its current step (copies, float32, the first UNITS units only)."""
    def member(m: ProbedTrainer) -> MemberView:
        h = m.history
        # a diverging run's huge values become inf in float32 (the charts cut them), with no overflow warning
        with np.errstate(over="ignore"):
            return MemberView(np.array(h["step"], dtype=np.int32), np.array(h["test_acc"], dtype=np.float32),
                              np.array(h["train_loss"], dtype=np.float32), m.probe_steps.astype(np.int32),
                              m.percentiles.reshape(-1, 3, m.net.sizes[-2])[:, :, :UNITS].astype(np.float32),
                              m.diverged_at)

    stats = group["bn"].bn_stats()

    def cut(name: str) -> np.ndarray:
        return stats[name][:, :UNITS].astype(np.float32) if stats is not None else np.zeros((0, UNITS), np.float32)

    gamma, beta = group["bn"].gamma_beta()
    bn = group["bn"].trainer
    dependence = batch_dependence(bn.net, bn.data.x_test, bn.data.y_test, sample=0, n_draws=8, seed=bn.seed)
    with np.errstate(over="ignore"):
        return PairView({k: member(group[k]) for k in VARIANTS}, cut("running_mean"), cut("running_var"),
                        cut("probe_mean"), cut("probe_var"), gamma.astype(np.float32), beta.astype(np.float32),
                        dependence)


def pair_frame_steps(total: int = TOTAL_STEPS, frames: int = FRAMES) -> tuple[int, ...]:
    """The pair's frame steps: ``shared.frame_steps`` counted in probe rows (every PROBE_EVERY updates), so every
    frame records something new."""
    return tuple(PROBE_EVERY * s for s in shared.frame_steps(total // PROBE_EVERY, frames))


def pair_run(position: str = "before", lr: float = 1.0, init_std: float = 0.1, momentum: float = 0.1,
             eps: float = 1e-5, seed: int = 0) -> shared.RunSpec:
    """The live pair as shared frames: TOTAL_STEPS updates, about FRAMES frames."""
    settings = (position, float(lr), float(init_std), float(momentum), float(eps), int(seed))
    return shared.RunSpec(key=("batchnorm", "pair", *settings), build=lambda: pair(*settings),
                          snapshot=pair_snapshot, steps=pair_frame_steps())


def drop_buffers(net: nn.MLP) -> nn.MLP:
    """Forget what the last forward pass kept for backward (inputs, x̂, traces): a trained net then
    pickles small (e.g. for a cache). The next training step runs a forward first, so nothing is lost."""
    for _, layer, _ in net._named_layers():
        for attr in ("x", "x_hat", "inv_std", "z", "mask", "slopes"):
            if getattr(layer, attr, None) is not None:
                setattr(layer, attr, None)
    net.trace = []
    return net


def percentile_drift(percentiles: np.ndarray, unit: int) -> float:
    """How far one unit's 15/50/85th percentiles wander over training: the mean over the three of
    (max - min) across probe rows, in units of the input. percentiles: (P, 3, H)."""
    p = np.asarray(percentiles)[:, :, unit]
    return float(np.mean(p.max(axis=0) - p.min(axis=0)))


@dataclass
class BatchDependence:
    """One sample's predicted probability of its class inside batches of growing size.

    batch_sizes (S,); batch_prob (S, R): with batch statistics, R random choices of the other
    samples of the batch; running_prob (S, R): the same batches with running statistics;
    bn_out_single (H,): the first BN layer's normalized output x̂ for a batch of 1 (before γ, β).
    """

    batch_sizes: np.ndarray
    batch_prob: np.ndarray
    running_prob: np.ndarray
    bn_out_single: np.ndarray
    label: int


def batch_dependence(net: nn.MLP, x_pool: np.ndarray, y_pool: np.ndarray, sample: int = 0,
                     max_batch: int = 8, n_draws: int = 12, seed: int = 0) -> BatchDependence:
    """Put sample ``sample`` of x_pool (N, D) with b - 1 random others (b = 1..max_batch, n_draws
    times each) and read its softmax probability of class y_pool[sample] both ways."""
    rng = np.random.default_rng([seed, 7])
    x_pool = np.asarray(x_pool)
    label = int(y_pool[sample])
    others = np.delete(np.arange(len(x_pool)), sample)
    sizes = np.arange(1, max_batch + 1)
    batch_prob = np.zeros((len(sizes), n_draws))
    for i, b in enumerate(sizes):  # the n_draws batches of one size go through the net as one stack
        idx = np.array([np.concatenate([[sample], rng.choice(others, b - 1, replace=False)]) for _ in range(n_draws)])
        _, _, logits = layer_inputs(net, x_pool[idx], batch_stats=True)  # (R, b, C)
        batch_prob[i] = _softmax(logits[:, 0, :])[:, label]
    # with running statistics every sample is normalized alone: the companions cannot change its answer
    _, _, logits = layer_inputs(net, x_pool[[sample]], batch_stats=False)
    running_prob = np.full((len(sizes), n_draws), _softmax(logits)[0, label])
    pre, act_in, _ = layer_inputs(net, x_pool[[sample]], batch_stats=True)
    first_bn = net.blocks[0].bn
    seen = pre[0] if net.bn_position == "before" else net.blocks[0].act.activation.forward(act_in[0])
    # a batch of one is its own mean, so x̂ = 0 for every unit whatever the input (Ioffe & Szegedy 2015, Alg. 1)
    single = (np.zeros(seen.shape[1]) if first_bn is None else
              ((seen - seen.mean(axis=0)) / np.sqrt(seen.var(axis=0) + first_bn.eps))[0])
    return BatchDependence(sizes, batch_prob, running_prob, single, label)


def _softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (R, C) logits."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class RunningStats:
    """A BatchNorm layer fed T mini-batches drawn from a fixed population, one unit followed.

    batch_mean, batch_var (T,): each batch's mean and unbiased variance; running_mean, running_var
    (T,): the layer's running statistics after that batch; pop_mean, pop_var: the population's.
    """

    batch_mean: np.ndarray
    batch_var: np.ndarray
    running_mean: np.ndarray
    running_var: np.ndarray
    pop_mean: float
    pop_var: float


def running_stats_trace(population: np.ndarray, momentum: float = 0.1, batch_size: int = 32, steps: int = 200,
                        unit: int = 0, seed: int = 0) -> RunningStats:
    """population (N, H): the values a BN layer sees (e.g. a dense layer's outputs on the training set).
    ``steps`` training-mode batches drawn at random (without replacement within a batch), and the running
    statistics ``core.layers.BatchNorm`` keeps from them (running = (1 - m)·running + m·batch statistic, from
    mean 0 and variance 1, the variance unbiased): the same numbers as feeding the layer itself (tested), for
    one unit without the layer's work on the others."""
    population = np.asarray(population, dtype=float)
    n, _ = population.shape
    if not 2 <= batch_size <= n:
        raise ValueError(f"batch_size must be in [2, {n}], got {batch_size}")
    rng = np.random.default_rng([seed, 11])
    col = population[:, unit]
    batches = col[np.array([rng.choice(n, batch_size, replace=False) for _ in range(steps)])]  # (T, B)
    batch_mean, batch_var = batches.mean(axis=1), batches.var(axis=1, ddof=1)
    running = np.zeros((2, steps))
    mean, var = 0.0, 1.0  # BatchNorm's initial running statistics
    for t in range(steps):
        mean = (1 - momentum) * mean + momentum * batch_mean[t]
        var = (1 - momentum) * var + momentum * batch_var[t]
        running[:, t] = mean, var
    return RunningStats(batch_mean, batch_var, running[0], running[1], float(col.mean()), float(col.var()))


def population_trace(bn_position: str = "before", init_std: float = 0.1, momentum: float = 0.1, eps: float = 1e-5,
                     seed: int = 0, unit: int = 0, batch_size: int = 60, steps: int = 150) -> RunningStats:
    """The page's running-statistics demo: a BN layer fed batches from a fixed population, the values the first
    BN layer of ``sigmoid_net`` sees on the training digits under its initial weights (the dense layer's output,
    or the sigmoid's when BN comes after it; nothing is trained, so no learning rate plays a part); one unit
    followed (BN treats every unit apart, so only that unit's column goes through the layer)."""
    net, ds = sigmoid_net(True, bn_position, init_std, momentum, eps, seed)
    first = net.blocks[0]
    column = ds.x_train @ first.dense.W[:, [unit]]
    if first.dense.b is not None:
        column = column + first.dense.b[[unit]]
    if bn_position == "after":
        column = first.act.activation.forward(column, train=False)
    return running_stats_trace(column, momentum, batch_size=batch_size, steps=steps, unit=0, seed=seed)


@shared.memo(max_bytes=2 * 2**20)
def running_trace(bn_position: str = "before", init_std: float = 0.1, momentum: float = 0.1, seed: int = 0,
                  unit: int = 0) -> RunningStats:
    """``population_trace`` as the page shows it, shared (ε plays no part in the running statistics)."""
    return population_trace(bn_position, init_std, momentum, seed=seed, unit=unit)


# ---- the sweeps of Deep Learning from Scratch's batch_norm_test.py ------------------------------

@dataclass
class Sweep:
    """values (V,) swept; acc[label] (V,): final training accuracy (NaN where the run diverged);
    test_acc[label] (V,); diverged[label] (V,) bool. Labels: "bn", "plain"."""

    values: np.ndarray
    acc: dict
    test_acc: dict
    diverged: dict


class SweepRun:
    """A sweep trained one network after the other, as a live run: ``run(n)`` trains n more updates across them.

    The networks go value by value, with BN and then without (so both curves grow together from the left); each
    trains ``steps_per_net`` updates, and ``step`` counts updates over the whole sweep (``total`` of them). A
    network that diverges stops; the rest of its updates are skipped (counted, not computed), so run(a); run(b)
    equals run(a + b). The arrays of ``Sweep`` fill in as networks finish (NaN until then)."""

    def __init__(self, kind: str, values, epochs: int = 10, n_train: int = SWEEP_N_TRAIN, hidden: int = 5,
                 width: int = 100, lr: float = 0.01, init_std="he_normal", batch_size: int = SWEEP_BATCH,
                 eps: float = 1e-5, momentum: float = 0.1, bn_position: str = "before", seed: int = 0):
        if kind not in SWEEP_KINDS:
            raise ValueError(f"unknown sweep kind {kind!r}; valid: {', '.join(SWEEP_KINDS)}")
        self.kind, self.values = kind, np.asarray(values, dtype=float)
        self.data = digits(int(seed), int(n_train))
        self.sizes = [self.data.n_features] + [width] * hidden + [self.data.n_classes]
        self.lr, self.init_std, self.batch_size = lr, init_std, batch_size
        self.eps, self.momentum, self.bn_position, self.seed = eps, momentum, bn_position, seed
        self.steps_per_net = max(1, epochs * math.ceil(n_train / batch_size))
        self.order = [(i, label) for i in range(len(self.values)) for label in VARIANTS]
        self.total = len(self.order) * self.steps_per_net
        self.step = 0
        shape = len(self.values)
        self.acc = {k: np.full(shape, np.nan) for k in VARIANTS}
        self.test_acc = {k: np.full(shape, np.nan) for k in VARIANTS}
        self.diverged = {k: np.zeros(shape, bool) for k in VARIANTS}
        self.diverged_update = {k: np.zeros(shape, int) for k in VARIANTS}  # the failed update (0: none)
        self.finished = 0  # networks finished (trained to the end or diverged)
        self._trainer = None

    def _make(self, i: int, label: str) -> train.Trainer:
        v = self.values[i]
        init, rate = (float(v), self.lr) if self.kind == "init" else (self.init_std, float(v))
        net = nn.MLP(self.sizes, activation="relu", init=init, batchnorm=label == "bn", bn_position=self.bn_position,
                     bn_momentum=self.momentum, seed=self.seed)
        set_eps(net, self.eps)
        return train.Trainer(net, self.data, optimizer="sgd", opt_kwargs={"lr": float(rate)},
                             batch_size=self.batch_size, eval_every=self.steps_per_net, max_steps=self.steps_per_net,
                             seed=self.seed)

    def run(self, n_steps: int) -> "SweepRun":
        target = min(self.step + int(n_steps), self.total)
        while self.step < target:
            slot, into = divmod(self.step, self.steps_per_net)
            i, label = self.order[slot]
            if into == 0:
                self._trainer = self._make(i, label)
            tr = self._trainer
            todo = min(target, (slot + 1) * self.steps_per_net) - self.step
            if not tr.diverged:
                tr.run(todo)
                if tr.diverged:
                    self.diverged[label][i], self.diverged_update[label][i] = True, tr.diverged_at
                    self.finished += 1
            self.step += todo
            if self.step == (slot + 1) * self.steps_per_net:
                if not tr.diverged:
                    self.acc[label][i] = tr.history["train_acc"][-1]
                    self.test_acc[label][i] = tr.history["test_acc"][-1]
                    self.finished += 1
                self._trainer = None  # the next network starts fresh
        return self

    @property
    def stopped(self) -> bool:
        return self.step >= self.total

    def result(self) -> "Sweep":
        return Sweep(self.values.copy(), {k: v.copy() for k, v in self.acc.items()},
                     {k: v.copy() for k, v in self.test_acc.items()}, {k: v.copy() for k, v in self.diverged.items()})


def sweep(kind: str, values, epochs: int = 10, n_train: int = SWEEP_N_TRAIN, hidden: int = 5, width: int = 100,
          lr: float = 0.01, init_std="he_normal", batch_size: int = SWEEP_BATCH, eps: float = 1e-5,
          momentum: float = 0.1, bn_position: str = "before", seed: int = 0) -> Sweep:
    """kind "init": ``values`` are weight stds (lr fixed); kind "lr": ``values`` are SGD learning rates
    (init fixed: a std or an initializer name). ReLU MLP of ``hidden`` x ``width`` on the shipped digits, SGD,
    mini-batches. The whole sweep at once (the page plays it as ``sweep_run``)."""
    runner = SweepRun(kind, values, epochs, n_train, hidden, width, lr, init_std, batch_size, eps, momentum,
                      bn_position, seed)
    return runner.run(runner.total).result()


@dataclass(frozen=True)
class SweepView:
    """A frame of the sweep: values (V,); acc {label: (V,)} final training accuracy (NaN: not trained yet or
    diverged); diverged {label: (V,) bool}; diverged_update {label: (V,)} the failed update (0: none); done (the
    networks finished so far, in the sweep's order: value by value, BN first)."""
    values: np.ndarray
    acc: dict
    diverged: dict
    diverged_update: dict
    done: int


def sweep_snapshot(runner: SweepRun) -> SweepView:
    return SweepView(runner.values.copy(), {k: v.copy() for k, v in runner.acc.items()},
                     {k: v.copy() for k, v in runner.diverged.items()},
                     {k: v.copy() for k, v in runner.diverged_update.items()}, runner.finished)


def sweep_run(kind: str = "init", epochs: int = 10, position: str = "before", momentum: float = 0.1,
              eps: float = 1e-5, seed: int = 0) -> shared.RunSpec:
    """The page's sweep as a live run over SWEEP_VALUES[kind]: a frame each time a network finishes."""
    settings = (kind, int(epochs), position, float(momentum), float(eps), int(seed))

    def build() -> SweepRun:
        return SweepRun(kind, SWEEP_VALUES[kind], int(epochs), eps=float(eps), momentum=float(momentum),
                        bn_position=position, seed=int(seed))

    per_net = max(1, int(epochs) * math.ceil(SWEEP_N_TRAIN / SWEEP_BATCH))
    steps = tuple(range(0, 2 * len(SWEEP_VALUES[kind]) * per_net + 1, per_net))
    return shared.RunSpec(key=("batchnorm", "sweep", *settings), build=build, snapshot=sweep_snapshot, steps=steps)


def sweep_total(kind: str, epochs: int) -> int:
    """The number of updates of a sweep (its progress bar's length)."""
    return 2 * len(SWEEP_VALUES[kind]) * max(1, int(epochs) * math.ceil(SWEEP_N_TRAIN / SWEEP_BATCH))


def warm() -> None:
    """The page's defaults, computed once at server start and kept: the pair, both sweeps, the two pictures."""
    d = DEFAULTS
    with shared.pinned():
        digits(d.seed), digits(d.seed, SWEEP_N_TRAIN)
        shared.complete(pair_run(d.position, d.lr, d.init_std, d.momentum, d.eps, d.seed))
        running_trace(d.position, d.init_std, d.momentum, d.seed, d.unit)
        for kind in SWEEP_KINDS:
            shared.complete(sweep_run(kind, d.epochs, d.position, d.momentum, d.eps, d.seed))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def memory_batches(momentum: float) -> float:
    """Batches until the running statistics keep 5 % of where they started: (1 − momentum)^n = 0.05 (PyTorch's
    convention, running ← (1 − momentum)·running + momentum·batch)."""
    return float(np.log(0.05) / np.log(1.0 - momentum))


def normalized_std(batch_var: float, eps: float) -> float:
    """The std of a unit's normalized values x̂ = (x − μ)/√(σ² + ε) when its batch variance is σ²."""
    return float(np.sqrt(batch_var / (batch_var + eps)))


def quick_checks(momentum: float, eps: float, trace: RunningStats, unit: int):
    """The page's quick checks at its setting: the running statistics' memory, ε on a nearly constant unit, and
    the running mean against the last batch's (``running_trace``, as the page draws it)."""
    from lab.common import choice_check, nearest_check

    tiny = 1e-4
    running = abs(float(trace.running_mean[-1]) - float(trace.pop_mean))
    batch = abs(float(trace.batch_mean[-1]) - float(trace.pop_mean))
    return [
        nearest_check("check1", memory_batches(momentum), [1, 3, 10, 30, 100, 300, 1000], log=True,
                      values=dict(m=f"{momentum:g}")),
        nearest_check("check2", normalized_std(tiny, eps), [0.01, 0.03, 0.1, 0.3, 1.0], log=True,
                      values=dict(var=f"{tiny:g}", eps=f"{eps:g}")),
        choice_check("check3", ("running", "batch"), "running" if running <= batch else "batch",
                     dict(m=f"{momentum:g}", unit=unit)),
    ]
