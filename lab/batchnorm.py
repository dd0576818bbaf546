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
The page calls three of them through one function each: ``pretrained_pair`` (the live pair, already a few updates
in, with its batch-dependence result), ``population_trace`` (the running statistics of the first BN layer) and
``sweep`` over ``SWEEP_VALUES``.
Shapes: N samples, H units, P probe rows, T steps, B batch size.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import compare, data, nn, train
from core.layers import BatchNorm

PERCENTILES = (15, 50, 85)
VARIANTS = ("bn", "plain")  # the pair's members; BN first, so it keeps the first colour
# The live pair starts this many updates in, so the first view already shows the gap: by update 30 it is plain
# (test accuracy ~0.89 vs ~0.10 at the defaults); 60 cost twice as long.
PRETRAIN = 30
# The swept values: 16 initial weight stds from 1 to 1e-4 (as in batch_norm_test.py), 8 SGD learning rates.
SWEEP_VALUES = {"init": tuple(np.logspace(0, -4, 16)), "lr": (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)}


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
    Nothing in ``net`` changes, so probing never alters training.
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
    if batch_stats:
        mean, var = z.mean(axis=0), z.var(axis=0)
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


def sigmoid_net(batchnorm: bool, bn_position: str = "before", init_std: float = 0.1, momentum: float = 0.1,
                eps: float = 1e-5, seed: int = 0) -> tuple[nn.MLP, data.Dataset]:
    """Ioffe & Szegedy 2015, fig. 1, scaled to the shipped digits: 3 hidden layers of 100 sigmoid units,
    N(0, init_std²) weights; -> (the untrained net, the digits)."""
    ds = data.get("digits", seed=seed)
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


def pretrained_pair(bn_position: str = "before", lr: float = 1.0, init_std: float = 0.1, momentum: float = 0.1,
                    eps: float = 1e-5, seed: int = 0, steps: int = PRETRAIN) -> tuple[compare.Group, BatchDependence]:
    """The page's live comparison: {"bn", "plain"} ``sigmoid_trainer``s (evaluated every 10 updates) after their
    first ``steps`` updates, and the trained BN net's answer for test digit 0 in batches of 1..8 (training versus
    inference). The nets forget their backward buffers, so the pair pickles small (the page caches it)."""
    group = compare.Group({k: sigmoid_trainer(k == "bn", bn_position, init_std, lr, momentum, eps, seed,
                                              eval_every=10) for k in VARIANTS})
    group.run(steps)
    ds = group["bn"].trainer.data
    dependence = batch_dependence(group["bn"].net, ds.x_test, ds.y_test, sample=0, seed=seed)
    for member in group.members.values():
        drop_buffers(member.net)
    return group, dependence


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
    out = {True: np.zeros((len(sizes), n_draws)), False: np.zeros((len(sizes), n_draws))}
    for i, b in enumerate(sizes):
        for r in range(n_draws):
            idx = np.concatenate([[sample], rng.choice(others, b - 1, replace=False)])
            for stats in (True, False):
                _, _, logits = layer_inputs(net, x_pool[idx], batch_stats=stats)
                out[stats][i, r] = _softmax_row(logits[0])[label]
    pre, act_in, _ = layer_inputs(net, x_pool[[sample]], batch_stats=True)
    first_bn = net.blocks[0].bn
    seen = pre[0] if net.bn_position == "before" else net.blocks[0].act.activation.forward(act_in[0])
    # a batch of one is its own mean, so x̂ = 0 for every unit whatever the input (Ioffe & Szegedy 2015, Alg. 1)
    single = (np.zeros(seen.shape[1]) if first_bn is None else
              ((seen - seen.mean(axis=0)) / np.sqrt(seen.var(axis=0) + first_bn.eps))[0])
    return BatchDependence(sizes, out[True], out[False], single, label)


def _softmax_row(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


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
    Runs ``steps`` training-mode forwards of ``core.layers.BatchNorm`` on random batches."""
    population = np.asarray(population, dtype=float)
    n, width = population.shape
    if not 2 <= batch_size <= n:
        raise ValueError(f"batch_size must be in [2, {n}], got {batch_size}")
    bn = BatchNorm(width, momentum=momentum)
    rng = np.random.default_rng([seed, 11])
    rows = np.zeros((4, steps))
    for t in range(steps):
        batch = population[rng.choice(n, batch_size, replace=False)]
        bn.forward(batch, train=True)
        rows[:, t] = (batch[:, unit].mean(), batch[:, unit].var(ddof=1), bn.running_mean[unit], bn.running_var[unit])
    col = population[:, unit]
    return RunningStats(rows[0], rows[1], rows[2], rows[3], float(col.mean()), float(col.var()))


def population_trace(bn_position: str = "before", init_std: float = 0.1, momentum: float = 0.1, eps: float = 1e-5,
                     seed: int = 0, unit: int = 0, batch_size: int = 60, steps: int = 150) -> RunningStats:
    """The page's running-statistics demo: a BN layer fed batches from a fixed population, the first hidden layer's
    pre-BN values on the training digits under the initial weights of ``sigmoid_net`` (nothing is trained, so no
    learning rate plays a part); one unit followed."""
    net, ds = sigmoid_net(True, bn_position, init_std, momentum, eps, seed)
    population = layer_inputs(net, ds.x_train)[0][0]
    return running_stats_trace(population, momentum, batch_size=batch_size, steps=steps, unit=unit, seed=seed)


# ---- the sweeps of Deep Learning from Scratch's batch_norm_test.py ------------------------------

@dataclass
class Sweep:
    """values (V,) swept; acc[label] (V,): final training accuracy (NaN where the run diverged);
    test_acc[label] (V,); diverged[label] (V,) bool. Labels: "bn", "plain"."""

    values: np.ndarray
    acc: dict
    test_acc: dict
    diverged: dict


def sweep(kind: str, values, epochs: int = 10, n_train: int = 1000, hidden: int = 5, width: int = 100,
          lr: float = 0.01, init_std="he_normal", batch_size: int = 100, eps: float = 1e-5,
          momentum: float = 0.1, bn_position: str = "before", seed: int = 0) -> Sweep:
    """kind "init": ``values`` are weight stds (lr fixed); kind "lr": ``values`` are SGD learning rates
    (init fixed: a std or an initializer name). ReLU MLP of ``hidden`` x ``width`` on the shipped digits, SGD, mini-batches."""
    if kind not in ("init", "lr"):
        raise ValueError(f"unknown sweep kind {kind!r}; valid: init, lr")
    ds = data.get("digits", seed=seed, n_train=n_train)
    steps = max(1, epochs * int(np.ceil(n_train / batch_size)))
    values = np.asarray(values, dtype=float)
    acc, test_acc, diverged = {}, {}, {}
    for label, use_bn in (("bn", True), ("plain", False)):
        acc[label], test_acc[label], diverged[label] = (np.full(len(values), np.nan), np.full(len(values), np.nan),
                                                        np.zeros(len(values), bool))
        for i, v in enumerate(values):
            init, rate = (float(v), lr) if kind == "init" else (init_std, v)
            net = nn.MLP([ds.n_features] + [width] * hidden + [ds.n_classes], activation="relu", init=init,
                         batchnorm=use_bn, bn_position=bn_position, bn_momentum=momentum, seed=seed)
            set_eps(net, eps)
            tr = train.Trainer(net, ds, optimizer="sgd", opt_kwargs={"lr": float(rate)}, batch_size=batch_size,
                               eval_every=steps, max_steps=steps, seed=seed).run(steps)
            if tr.diverged:
                diverged[label][i] = True
                continue
            acc[label][i] = tr.history["train_acc"][-1]
            test_acc[label][i] = tr.history["test_acc"][-1]
    return Sweep(values, acc, test_acc, diverged)
