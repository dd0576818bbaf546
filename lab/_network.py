"""What the network view draws of a network at one moment of its training (private to lab/playground.py): each
unit's picture, its numbers for a few chosen input points, and the strongest weights with their gradients and their
last update.

    view = network_view(trainer, points, labels, plane=(xs, ys))   # a frozen NetView, a few kB to ~100 kB
    view.units[l].z[p, j]      # unit j of dense layer l, input point p: its pre-activation z = Σ_i w_ij a_i + b_j
    view.links[l].w            # the strongest weights into layer l (src, dst index them)

Every number comes from the engine: an inference pass of ``core.nn.MLP`` for the points and the plane, and a
backward pass of the points' own cross-entropy (each point's ∂L/∂z, not averaged over the points) through the same
network; the weights' gradients are the last training step's (the network's gradient buffers, read before that
backward pass reuses them) and their last update is the difference to the weights before that step, which
``RecordingTrainer`` keeps. Nothing here changes the run: the next training step computes its gradients afresh.
Shapes: P chosen points, D inputs, H units of a layer, T terms, G side of a unit's picture, K links.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import losses, train

TILE = 12          # G: a unit's picture of the plane is G x G activations
TERMS = 3          # the largest terms of a unit's sum shown in its formula (the others are summed)
LINKS = 96         # at most this many weights drawn between two layers: the strongest
_LEVELS = 250      # a picture travels as bytes 0..250 (as figures.playground's decision map)


class RecordingTrainer(train.Trainer):
    """A ``core.train.Trainer`` that also keeps every parameter as it was before its last update (``before_last``,
    by parameter name; None before the first update), so the network view can show each weight's last update.
    Training is the same: run(n) is run(n - 1) then run(1)."""

    before_last: dict | None = None

    def run(self, n_steps):
        if isinstance(n_steps, (int, np.integer)) and not isinstance(n_steps, bool) and n_steps > 1:
            super().run(n_steps - 1)
        if n_steps and not self.done:
            self.before_last = {name: p.copy() for name, p in zip(self.net.param_names, self.net.params)}
            super().run(1)
        elif not n_steps:
            super().run(n_steps)  # its own check of the argument
        return self


@dataclass(frozen=True)
class Units:
    """One dense layer's H units at one moment (P chosen points).

    z, a, delta: (P, H) pre-activation (the dense layer's output, before batch norm), activation (the output layer:
    softmax probability) and ∂L/∂z for the point's own label. bias (H,). term_i, term_w, term_a (P, H, T): the T
    largest terms w_ij·a_i of z (input index, weight, input), rest (P, H) the sum of the others. tiles (H, G, G) uint8:
    the unit's activation over the plane, 125 at 0 and 0/250 at ∓scale (2-D data), else None; scale (H,): the
    largest |activation| on the plane; mean (H,): the mean activation on a batch of training inputs.
    """
    z: np.ndarray
    a: np.ndarray
    delta: np.ndarray
    bias: np.ndarray
    term_i: np.ndarray
    term_w: np.ndarray
    term_a: np.ndarray
    rest: np.ndarray
    tiles: np.ndarray | None
    scale: np.ndarray
    mean: np.ndarray


@dataclass(frozen=True)
class Links:
    """The strongest K weights into one dense layer: src (K,) input unit, dst (K,) unit, w (K,) the weight, grad (K,)
    its gradient in the last training step, update (K,) how much that step changed it; total: weights in the layer."""
    src: np.ndarray
    dst: np.ndarray
    w: np.ndarray
    grad: np.ndarray
    update: np.ndarray
    total: int


@dataclass(frozen=True)
class NetView:
    """The network at one moment: sizes (D, H_1, ..., C), acts (each hidden layer's activation, then "softmax"),
    units and links per dense layer, the chosen points (P, D) and their labels (P,), step (updates so far)."""
    sizes: tuple
    acts: tuple
    batchnorm: bool
    units: tuple
    links: tuple
    points: np.ndarray
    labels: np.ndarray
    step: int


def _dense_inputs(net, x) -> list:
    """The input of every dense layer in the last pass: x, then each hidden block's output (after BN "after",
    after dropout: what the next dense layer received)."""
    return [x] + [t.out for t in net.trace[:-1]]


def _tiles(acts: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(G*G, H) activations on the plane -> (H, G, G) uint8 pictures (125 at 0, symmetric around it) and (H,) scale."""
    finite = np.where(np.isfinite(acts), acts, 0.0)
    scale = np.abs(finite).max(axis=0)
    safe = np.where(scale > 0, scale, 1.0)
    levels = np.round((np.clip(finite / safe, -1, 1) + 1) / 2 * _LEVELS).astype(np.uint8)
    return levels.T.reshape(-1, side, side), scale.astype(np.float32)


def network_view(tr: train.Trainer, points: np.ndarray, labels: np.ndarray, plane=None, batch=None) -> NetView:
    """The network view of ``tr`` now. points (P, D), labels (P,): the chosen input points; plane: (xs (G,), ys (G,))
    for 2-D data (each unit's picture), batch (N, D): inputs for each unit's mean activation."""
    net = tr.net
    params = dict(zip(net.param_names, net.params))
    before = getattr(tr, "before_last", None)
    n_dense = len(net.blocks)
    with np.errstate(all="ignore"):  # a diverged network's numbers are drawn as gaps, never as a warning
        step_grads = {n: g.astype(np.float32) for n, g in zip(net.param_names, net.grads)}  # before the backward

        pictures, scales, means = [None] * n_dense, [None] * n_dense, [None] * n_dense
        if plane is not None:
            xs, ys = plane
            grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
            logits = net.forward(grid, train=False)
            per_layer = [t.a for t in net.trace[:-1]] + [losses.softmax(logits)]
            for i, acts in enumerate(per_layer):
                pictures[i], scales[i] = _tiles(acts, len(xs))
        if batch is not None:
            logits = net.forward(batch, train=False)
            per_layer = [t.a for t in net.trace[:-1]] + [losses.softmax(logits)]
            means = [np.nanmean(acts, axis=0).astype(np.float32) for acts in per_layer]
        logits = net.forward(points, train=False)
        inputs = _dense_inputs(net, np.asarray(points, dtype=net.dtype))
        _, dout = losses.get("cross_entropy")(logits, labels)
        net.backward(dout * len(points), need_dx=False)  # each point's own ∂L/∂z (the loss averages over points)
        units, links = [], []
        for i, (block, trace) in enumerate(zip(net.blocks, net.trace)):
            W, b = block.dense.W, block.dense.b
            a_in = inputs[i]
            z = a_in @ W + (b if b is not None else 0.0)
            a = losses.softmax(z) if i == n_dense - 1 else trace.a
            terms = a_in[:, :, None] * W[None, :, :]  # (P, D_in, H)
            order = np.argsort(-np.abs(np.nan_to_num(terms)), axis=1)[:, :TERMS, :]  # (P, T, H)
            top = np.take_along_axis(terms, order, axis=1)
            rest = np.nansum(terms, axis=1) - np.nansum(top, axis=1)
            pick = lambda arr: np.transpose(arr, (0, 2, 1)).astype(np.float32)  # noqa: E731 - (P, T, H) -> (P, H, T)
            h = W.shape[1]
            units.append(Units(
                z=z.astype(np.float32), a=np.asarray(a, np.float32), delta=trace.grad_out.astype(np.float32),
                bias=(b if b is not None else np.zeros(h)).astype(np.float32),
                term_i=np.transpose(order, (0, 2, 1)).astype(np.int16), term_w=pick(np.take_along_axis(
                    np.broadcast_to(W[None], terms.shape), order, axis=1)),
                term_a=pick(np.take_along_axis(np.broadcast_to(a_in[:, :, None], terms.shape), order, axis=1)),
                rest=rest.astype(np.float32), tiles=pictures[i],
                scale=scales[i] if scales[i] is not None else np.zeros(h, np.float32),
                mean=means[i] if means[i] is not None else np.zeros(h, np.float32)))
            name = f"dense{i}.W"
            k = min(W.size, LINKS)
            flat = np.argsort(-np.abs(np.nan_to_num(W)).ravel(), kind="stable")[:k]
            src, dst = np.unravel_index(flat, W.shape)
            last = (params[name] - before[name]) if before is not None else np.zeros_like(W)
            links.append(Links(src=src.astype(np.int16), dst=dst.astype(np.int16), w=W[src, dst].astype(np.float32),
                               grad=step_grads[name][src, dst], update=last[src, dst].astype(np.float32),
                               total=int(W.size)))
    net.release()
    acts = tuple(act.name for act in net.activations) + ("softmax",)
    return NetView(tuple(net.sizes), acts, bool(net.batchnorm), tuple(units), tuple(links),
                   np.asarray(points, np.float32), np.asarray(labels, int), int(tr.step))
