"""Transfer learning: pre-train a digit classifier, reuse its lower layers for "is the digit odd?" with few
samples; frozen vs fine-tuned vs from scratch.

The page drives the group through ``ui.live.panel`` (``.run(n)``, ``.step``; ``run(a); run(b)`` equals
``run(a + b)``). Shapes: N samples, D features, C classes.

    source, acc = source_net()                          # pre-trained once per server (shared, read-only)
    tg = transfer_group(source, n_target=50).run(200)   # {"frozen", "finetune", "scratch"}
    spec = transfer_run(DEFAULTS)                       # the live run as shared frames (runs.shared)

The source network plays the part of a downloaded pre-trained model: it is trained once, with its own fixed seed,
and every setting of the page reuses it; the page's seed draws the new task's few images, the new layers' initial
weights and the order of the mini-batches.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import data, nn, train
from runs import shared
from lab.settings import SEED, Settings as Declared, level, number
from lab._side_by_side import LiveGroup, eval_frames

TRANSFER = dict(hidden=(64, 64, 64), pretrain_steps=300, lr=3e-3, batch_size=32, steps=200, eval_every=5,
                n_target=50, n_reuse=2, source_seed=0, frames=40)
CHOICES = dict(n_target=(10, 20, 50, 100, 200, 500))


@dataclass(frozen=True)
class Settings:
    """The page's settings: labelled images of the new task, lower hidden layers reused, the seed."""
    n_target: int = TRANSFER["n_target"]
    n_reuse: int = TRANSFER["n_reuse"]
    seed: int = 0


DEFAULTS = Settings()
SETTINGS = Declared(  # the page's controls (ui/controls draws them; the notebook checks its values with them)
    level("n", "transfer.n_target", CHOICES["n_target"], DEFAULTS.n_target, name="n_target"),
    number("reuse", "transfer.reuse", 0, len(TRANSFER["hidden"]), DEFAULTS.n_reuse, name="n_reuse"),
    SEED.but(default=DEFAULTS.seed),
)

# The engine code the page teaches, shown under it ("The code behind this page", read from the running code)
CODE_BEHIND = ("core.nn.MLP.freeze", "core.nn.MLP.trainable", "core.train.Trainer._update")


def digit_tasks(n_target, seed=0):
    """Source task: which digit (10 classes), on one half of the training images. Target task: is the digit
    odd? (2 classes), with only ``n_target`` images (drawn by ``seed``) from the other half, which the source
    never saw. Both are tested on the same held-out digits (30 %). The split itself is fixed (the source network
    is trained once: see the module's docstring)."""
    split = TRANSFER["source_seed"]
    ds = data.get("digits", seed=split, test_ratio=0.3)
    order = np.random.default_rng([split, 3]).permutation(ds.n_train)
    src, pool = order[: ds.n_train // 2], order[ds.n_train // 2:]
    if seed != split:
        pool = np.random.default_rng([seed, 5]).permutation(pool)
    source = data.Dataset(ds.x_train[src], ds.y_train[src], ds.x_test, ds.y_test, "classification", 10,
                          "digits 0-9")
    keep = np.sort(pool[: min(int(n_target), pool.size)])
    target = data.Dataset(ds.x_train[keep], ds.y_train[keep] % 2, ds.x_test, ds.y_test % 2, "classification", 2,
                          "odd digit")
    return source, target


def pretrain(seed=TRANSFER["source_seed"], steps=TRANSFER["pretrain_steps"]):
    """The source net, trained to tell the 10 digits apart (``seed``: its initial weights and batch order).
    -> (MLP, its test accuracy)."""
    source, _ = digit_tasks(TRANSFER["n_target"])
    net = nn.MLP([source.n_features, *TRANSFER["hidden"], source.n_classes], activation="relu", init="he_normal",
                 seed=seed)
    tr = train.Trainer(net, source, optimizer="adam", opt_kwargs={"lr": TRANSFER["lr"]}, batch_size=64, seed=seed,
                       eval_every=steps)
    tr.run(steps)
    return net, float(tr.history["test_acc"][-1]) if len(tr.history["step"]) else float("nan")


def transfer_net(source_net, n_reuse, freeze, seed=0, n_out=2):
    """A fresh net with the source's hidden layers and a new output layer of ``n_out`` units; the lowest
    ``n_reuse`` dense layers are copied from the source (frozen if ``freeze``)."""
    n_hidden = source_net.n_hidden
    if not 0 <= n_reuse <= n_hidden:
        raise ValueError(f"n_reuse must be in [0, {n_hidden}], got {n_reuse}")
    net = nn.MLP(source_net.sizes[:-1] + [n_out], activation="relu", init="he_normal", seed=seed + 1)
    for i in range(n_reuse):
        src, dst = source_net.blocks[i].dense, net.blocks[i].dense
        np.copyto(dst.W, src.W)
        np.copyto(dst.b, src.b)
    if freeze and n_reuse:
        net.freeze(list(range(n_reuse)))
    return net


def transfer_group(source_net, n_target=TRANSFER["n_target"], n_reuse=TRANSFER["n_reuse"], seed=0, lr=TRANSFER["lr"]):
    """{"frozen", "finetune", "scratch"} on the few-sample target task: same new layers' initial weights,
    same batch order; only what is reused and whether it may change differ."""
    _, target = digit_tasks(n_target, seed)

    def member(net):
        return train.Trainer(net, target, optimizer="adam", opt_kwargs={"lr": lr},
                             batch_size=min(TRANSFER["batch_size"], target.n_train), seed=seed,
                             eval_every=TRANSFER["eval_every"])

    n_out = target.n_classes
    return LiveGroup({"frozen": member(transfer_net(source_net, n_reuse, True, seed, n_out)),
                      "finetune": member(transfer_net(source_net, n_reuse, False, seed, n_out)),
                      "scratch": member(transfer_net(source_net, 0, False, seed, n_out))},
                     (target.x_test, target.y_test))


@shared.memo(max_bytes=2**20)
def source_net():
    """The pre-trained source network and its test accuracy, computed once per server and shared: never modify
    the network (transfer_net copies its weights into a new one)."""
    return pretrain()


# ---------------------------------------------------------------- the live run, as frames

@dataclass(frozen=True)
class View:
    """The three runs at one step: histories {run: {"step", "test_acc", "train_loss"} (T,)}; diverged
    {run: failed update}."""
    step: int
    histories: dict
    diverged: dict


def snapshot(group: LiveGroup) -> View:
    return View(group.step, {k: {key: np.array(m.history[key]) for key in ("step", "test_acc", "train_loss")}
                             for k, m in group.items()}, group.diverged_steps())


def transfer_run(s: Settings = DEFAULTS) -> shared.RunSpec:
    """The three runs of ``s`` as shared frames, over the shared source network."""
    return shared.RunSpec(key=("transfer", s), build=lambda: transfer_group(source_net()[0], s.n_target, s.n_reuse,
                                                                            s.seed),
                          snapshot=snapshot, steps=eval_frames(TRANSFER["steps"], TRANSFER["eval_every"],
                                                               TRANSFER["frames"]))


def warm() -> None:
    """The source network and the page's default run, computed once at server start and kept."""
    with shared.pinned():
        source_net()
        shared.complete(transfer_run(DEFAULTS))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(s: Settings):
    """The page's quick checks at its setting, from the network ``transfer_net`` builds over the shared
    ``source_net`` (which layers are reused, which the new task trains) and ``digit_tasks``."""
    from lab.common import exact_check

    source, _ = source_net()
    frozen = transfer_net(source, s.n_reuse, freeze=True, seed=s.seed)
    sizes = [int(p.size) for p in frozen.params]
    trained = sum(n for n, on in zip(sizes, frozen.trainable) if on)
    layers = len(frozen.blocks)
    _, target = digit_tasks(s.n_target, s.seed)
    return [
        exact_check("check1", layers - s.n_reuse, [s.n_reuse, layers, 1], dict(reuse=s.n_reuse, layers=layers),
                    fmt=".0f"),
        exact_check("check2", trained, [sum(sizes), sum(sizes) - trained], dict(reuse=s.n_reuse), fmt=",.0f"),
        exact_check("check3", len(target.y_train), [len(target.y_train) * 10, len(target.y_train) // 2, 10],
                    dict(n=s.n_target), fmt=",.0f"),
    ]
