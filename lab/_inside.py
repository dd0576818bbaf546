"""One training step, recorded as the engine takes it (private to the lessons that narrate it: the playground and
vanishing gradients): the mini-batch, every layer's pre-activation and activation, the loss, the gradient flowing
back layer by layer and the update of every weight matrix, with the numbers of one sample, one unit and one weight
per layer for the formulas.

    record = record_update(trainer)          # trains trainer ONE update and returns what it computed (plain data)
    record.layers[0].z[0, j]                 # the first layer's pre-activation of sample 0, unit j (the chosen one)

Nothing is computed twice: the trainer's own update runs (core.train.Trainer._update through ``run(1)``), and the
record listens to it: the indices of its mini-batch, its loss and the loss's gradient, the network's trace after
its backward pass, and the gradient and the state its optimizer was handed. A test recomputes all of it with core
alone (tests/test_inside.py). Shapes: S samples shown (the first of the batch), B the batch, D_in/H a layer's inputs
and units, T terms of a sum shown.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import optim

SHOWN = 3   # S: the samples of the mini-batch whose numbers are kept (the first ones)
TERMS = 3   # T: the largest terms of a sum written out (the others summed)


@dataclass(frozen=True)
class LayerStep:
    """One dense layer (and its activation) in the recorded update.

    unit j, input i: the unit and the weight w_ij the formulas use (the unit with the largest mean |∂L/∂z| on the
    batch, its input with the largest |∂L/∂w_ij|). Forward, for the S first samples: z (S, H) the dense output
    x·W + b, a (S, H) the activation (the output layer: softmax), bn ((μ_B, σ²_B, γ, β, ε) of unit j, or None);
    terms (T, 3) of z[0, j]: (input index, w, a) of its largest w·a, rest (the others), bias b_j.
    Backward: delta (S, H) ∂L/∂z (the loss is the batch's mean), grad_a (S, H) ∂L/∂a (None for the output),
    slope (S,) f′ at z[:, j] (None for the output or with batch norm); delta_norm ‖∂L/∂z‖ on the batch;
    grad_terms (T, 2) of ∂L/∂w_ij = Σ_n a_n,i δ_n,j: (a_n,i, δ_n,j) of the first samples, grad_rest, grad_w,
    grad_b (∂L/∂b_j), grad_norm ‖∂L/∂W‖. Update: w, w_after, step_grad (the gradient the optimizer was handed for
    w_ij, after penalties and clipping), parts (the rule's inside for w_ij: first_moment, scale, ...), rule_update
    (the rule's Δw for w_ij: w_after differs from w + rule_update only by what the trainer does after the rule,
    decoupled weight decay, max-norm), update_norm
    ‖ΔW‖/‖W‖; shape (D_in, H).
    """
    unit: int
    input: int
    shape: tuple
    z: np.ndarray
    a: np.ndarray
    bn: tuple | None
    terms: np.ndarray
    rest: float
    bias: float
    delta: np.ndarray
    grad_a: np.ndarray | None
    slope: np.ndarray | None
    delta_norm: float
    grad_terms: np.ndarray
    grad_rest: float
    grad_w: float
    grad_b: float
    grad_norm: float
    w: float
    w_after: float
    step_grad: float
    parts: dict
    rule_update: float
    update_norm: float


@dataclass(frozen=True)
class Inside:
    """What a narrated step draws and says: the network before the update (lab._network.NetView, for the diagram)
    and the update itself."""
    view: object
    record: "StepRecord"


@dataclass(frozen=True)
class StepRecord:
    """Update number ``step`` (counted from 1) of a run: sizes (D, H_1, ..., C), acts (each hidden layer's
    activation), batchnorm, batch (B), x (S, D) and y (S,) the first samples, probs (S, C), loss (the batch's data
    loss), loss_terms (S,) −log p of each shown sample's class, penalty, lr, optimizer, hp (its hyperparameters),
    t (the optimizer's step count), layers (LayerStep per dense layer, input side first)."""
    step: int
    sizes: tuple
    acts: tuple
    batchnorm: bool
    batch: int
    x: np.ndarray
    y: np.ndarray
    probs: np.ndarray
    loss: float
    loss_terms: np.ndarray
    penalty: float
    lr: float
    optimizer: str
    hp: dict
    t: int
    layers: tuple


def _largest(values: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-np.abs(np.nan_to_num(values)), kind="stable")[:k]


def record_update(tr) -> StepRecord:
    """Train ``tr`` (a core.train.Trainer that has not diverged) one update and return what that update computed."""
    net, seen = tr.net, {}
    next_batch, loss_fn, backward, step = tr._next_batch, tr.loss_fn, net.backward, tr.optimizer.step

    def batch():
        seen["idx"] = idx = next_batch()
        return idx

    def loss(out, y):
        value, dout = loss_fn(out, y)
        if "loss" not in seen:  # the update's own loss (the evaluations after it call the loss too)
            seen.update(out=np.array(out), loss=float(value), dout=np.array(dout))
        return value, dout

    def back(dout, need_dx=True):
        result = backward(dout, need_dx)
        seen["trace"] = [(np.array(t.z), np.array(t.a), None if t.grad_a is None else np.array(t.grad_a),
                          np.array(t.x_in), np.array(t.grad_out), np.array(t.grad_W)) for t in net.trace]
        seen["grads"] = [np.array(g) for g in net.grads]
        return result

    def optimizer_step(params, grads):
        seen["step_grad"] = np.array(grads[0])
        state = tr.optimizer._state
        seen["state"] = None if state is None else [tuple(np.copy(s) for s in slot) for slot in state]
        seen["t"] = tr.optimizer.t + 1
        return step(params, grads)

    names = net.param_names
    before = {n: np.array(p) for n, p in zip(names, net.params)}
    lr = float(tr.lr)
    tr._next_batch, tr.loss_fn, net.backward, tr.optimizer.step = batch, loss, back, optimizer_step
    try:
        tr.run(1)
    finally:
        for owner, name in ((tr, "_next_batch"), (tr, "loss_fn"), (net, "backward"), (tr.optimizer, "step")):
            owner.__dict__.pop(name, None)
    if "trace" not in seen:
        raise ValueError(f"update {tr.step + 1} computed no gradient (the run diverged or ended)")
    after = {n: np.array(p) for n, p in zip(names, net.params)}
    offsets = np.cumsum([0] + [p.size for p in net.params])
    flat_of = dict(zip(names, offsets[:-1]))
    idx = seen["idx"]
    x = tr.x_train if idx is None else tr.x_train[idx]
    labels = np.asarray(tr.labels_train if idx is None else tr.labels_train[idx])
    out = seen["out"]
    probs = np.exp(out - out.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    rule = optim.rule(tr.optimizer.name)
    hp = {k: float(v) for k, v in tr.optimizer.hp.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    layers = []
    n_dense = len(net.blocks)
    for i, (block, (z_act, a, grad_a, x_in, grad_out, grad_W)) in enumerate(zip(net.blocks, seen["trace"])):
        W, b = before[f"dense{i}.W"], before.get(f"dense{i}.b")
        z = x_in @ W + (b if b is not None else 0.0)
        output = i == n_dense - 1
        j = int(_largest(np.abs(grad_out).mean(axis=0), 1)[0])
        col = x_in * grad_out[:, j:j + 1]  # (B, D_in): a_n,i δ_n,j
        i_in = int(_largest(col.sum(axis=0), 1)[0])
        terms_all = x_in[0] * W[:, j]
        top = _largest(terms_all, TERMS)
        bn = None
        if block.bn is not None and net.bn_position == "before":
            mean, var = z[:, j].mean(), z[:, j].var()
            bn = (float(mean), float(var), float(before[f"bn{i}.gamma"][j]), float(before[f"bn{i}.beta"][j]),
                  float(block.bn.eps))
        slope = None
        if not output and block.bn is None and grad_a is not None and not net.activations[i].learnable:
            try:  # f′ at z, for δ = ∂L/∂a · f′(z) (rrelu's random slopes have none to show)
                slope = np.asarray(net.activations[i].derivative(z_act[:SHOWN, j]), float)
            except TypeError:
                slope = None
        g_col = x_in[:, i_in] * grad_out[:, j]
        shown = _largest(g_col, TERMS)
        k = flat_of[f"dense{i}.W"] + i_in * W.shape[1] + j
        g_step = float(seen["step_grad"][k])
        parts: dict = {}  # the rule's inside for this one weight: its state before the step (zeros at the first)
        state = rule.init(0.0) if seen["state"] is None else tuple(s[k] if np.ndim(s) else s
                                                                    for s in seen["state"][0])
        rule_delta, _ = rule.update(g_step, state, seen["t"], lr, *(tr.optimizer.hp[h] for h in rule.hp_names),
                                    np.sqrt, np.maximum, parts=parts)
        parts = {key: float(value) for key, value in parts.items() if np.ndim(value) == 0}
        w_after = after[f"dense{i}.W"]
        layers.append(LayerStep(
            unit=j, input=i_in, shape=tuple(W.shape), z=z[:SHOWN].copy(),
            a=(probs[:SHOWN] if output else a[:SHOWN]).copy(), bn=bn,
            terms=np.column_stack([top, W[top, j], x_in[0, top]]), rest=float(terms_all.sum() - terms_all[top].sum()),
            bias=float(b[j]) if b is not None else 0.0, delta=grad_out[:SHOWN].copy(),
            grad_a=None if output else grad_a[:SHOWN].copy(), slope=slope,
            delta_norm=float(np.linalg.norm(grad_out)), grad_terms=np.column_stack([x_in[shown, i_in],
                                                                                     grad_out[shown, j]]),
            grad_rest=float(g_col.sum() - g_col[shown].sum()), grad_w=float(grad_W[i_in, j]),
            grad_b=float(grad_out[:, j].sum()), grad_norm=float(np.linalg.norm(grad_W)), w=float(W[i_in, j]),
            w_after=float(w_after[i_in, j]), step_grad=g_step, parts=parts, rule_update=float(rule_delta),
            update_norm=float(np.linalg.norm(w_after - W) / (np.linalg.norm(W) + 1e-12))))
    loss_terms = -np.log(np.clip(probs[np.arange(min(SHOWN, len(labels))), labels[:SHOWN]], 1e-300, None))
    return StepRecord(
        step=int(tr.step), sizes=tuple(net.sizes), acts=tuple(a.name for a in net.activations),
        batchnorm=bool(net.batchnorm), batch=int(len(labels)), x=np.array(x[:SHOWN]), y=labels[:SHOWN].copy(),
        probs=probs[:SHOWN].copy(), loss=seen["loss"], loss_terms=loss_terms,
        penalty=float(sum(tr.l1 * np.abs(before[f"dense{i}.W"]).sum() + 0.5 * tr.l2 * (before[f"dense{i}.W"] ** 2).sum()
                          for i in range(n_dense))),
        lr=lr, optimizer=tr.optimizer.name, hp=hp, t=int(seen["t"]), layers=tuple(layers))
