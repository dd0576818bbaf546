"""Transfer learning: pre-train a digit classifier, reuse its lower layers for "is the digit odd?" with few
samples; frozen vs fine-tuned vs from scratch.

The page drives the group through ``ui.live.panel`` (``.run(n)``, ``.step``; ``run(a); run(b)`` equals
``run(a + b)``). Shapes: N samples, D features, C classes.

    source, acc = pretrain(0)
    tg = transfer_group(source, n_target=50).run(200)   # {"frozen", "finetune", "scratch"}
"""
from __future__ import annotations

import numpy as np

from core import data, nn, train
from lab._heldout import LiveGroup

TRANSFER = dict(hidden=(64, 64, 64), pretrain_steps=300, lr=3e-3, batch_size=32, steps=200, eval_every=5,
                n_target=50, n_reuse=2)


def digit_tasks(n_target, seed=0):
    """Source task: which digit (10 classes), on one half of the training images. Target task: is the digit
    odd? (2 classes), with only ``n_target`` images from the other half, which the source never saw.
    Both are tested on the same held-out digits (30 %)."""
    ds = data.get("digits", seed=seed, test_ratio=0.3)
    order = np.random.default_rng([seed, 3]).permutation(ds.n_train)
    src, pool = order[: ds.n_train // 2], order[ds.n_train // 2:]
    source = data.Dataset(ds.x_train[src], ds.y_train[src], ds.x_test, ds.y_test, "classification", 10,
                          "digits 0-9")
    keep = np.sort(pool[: min(int(n_target), pool.size)])
    target = data.Dataset(ds.x_train[keep], ds.y_train[keep] % 2, ds.x_test, ds.y_test % 2, "classification", 2,
                          "odd digit")
    return source, target


def pretrain(seed=0, steps=TRANSFER["pretrain_steps"]):
    """The source net, trained to tell the 10 digits apart. -> (MLP, its test accuracy)."""
    source, _ = digit_tasks(TRANSFER["n_target"], seed)
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
