"""One step, narrated (issue 26, item 2): the numbers the "Step inside" stops show are the engine's. The update is
recorded as the trainer takes it (lab._inside.record_update); here the same update is recomputed with core alone,
from a copy of the trainer one step before (its next mini-batch, a forward pass in training mode, the loss, the
backward pass, the optimizer's rule), and every recorded number is compared. Also: the stops and their formulas on
the playground and vanishing pages (AppTest), each formula's arithmetic holding."""
import copy
import dataclasses
import re

import numpy as np
import pytest

from core import losses, optim
from lab import playground, vanishing
from lab._inside import SHOWN, record_update
from tests.apptest_util import errors, open_page
from ui import inside

CONFIGS = {
    "default": playground.PlaygroundConfig(),
    "bn-tanh-momentum": playground.PlaygroundConfig(layers=3, width=8, activations=("tanh", "relu", "sigmoid"),
                                                    batchnorm=True, optimizer="momentum", lr=0.1, l2=0.001),
    "digits-rmsprop": playground.PlaygroundConfig(dataset="digits", layers=2, width=16, optimizer="rmsprop",
                                                  lr=0.003, batch_size=64),
}


def _last(row: str) -> str:
    """What a formula row ends equal to (its last side)."""
    return row.replace(r"\end{aligned}", "").rsplit("=", 1)[-1].strip()


def _reference(tr):
    """Update tr.step + 1 recomputed with core alone, on a copy: (batch indices, logits, loss, the trace of the
    backward pass, dW per layer)."""
    ref = copy.deepcopy(tr)
    idx = ref._next_batch()
    x, y = ref.x_train[idx], ref.y_train[idx]
    logits = ref.net.forward(x, train=True)
    value, dout = losses.get("cross_entropy")(logits, y)
    ref.net.backward(dout)
    trace = [(t.x_in.copy(), t.grad_out.copy(), t.a.copy(), t.grad_a) for t in ref.net.trace]
    dW = [b.dense.grads[0].copy() for b in ref.net.blocks]
    return idx, logits, value, trace, dW


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_recorded_update_is_the_engines(name):
    cfg = CONFIGS[name]
    k = 17
    tr = playground.build(cfg).run(k)
    idx, logits, loss, trace, dW = _reference(tr)
    record = record_update(copy.deepcopy(tr))
    after = playground.build(cfg).run(k + 1)  # the run itself, one update further
    assert record.step == k + 1 and record.batch == len(idx)
    np.testing.assert_array_equal(record.x, tr.x_train[idx][:SHOWN])
    np.testing.assert_array_equal(record.y, tr.labels_train[idx][:SHOWN])
    assert record.loss == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(record.probs, losses.softmax(logits)[:SHOWN], rtol=1e-10)
    np.testing.assert_allclose(np.exp(-record.loss_terms), record.probs[np.arange(SHOWN), record.y], rtol=1e-10)
    for i, (layer, block) in enumerate(zip(record.layers, tr.net.blocks)):
        x_in, grad_out, a, grad_a = trace[i]
        W, b = block.dense.W, block.dense.b  # the trainer at step k: the weights before the update
        np.testing.assert_allclose(layer.z, (x_in @ W + b)[:SHOWN], rtol=1e-10, atol=1e-12)
        if i < len(record.layers) - 1:
            np.testing.assert_allclose(layer.a, a[:SHOWN], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(layer.grad_a, grad_a[:SHOWN], rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(layer.delta, grad_out[:SHOWN], rtol=1e-9, atol=1e-15)
        assert layer.delta_norm == pytest.approx(np.linalg.norm(grad_out), rel=1e-9)
        j, n = layer.unit, layer.input
        assert j == int(np.argmax(np.abs(grad_out).mean(axis=0)))  # the unit that learns most in this update
        assert layer.grad_w == pytest.approx(dW[i][n, j], rel=1e-9, abs=1e-15)
        assert layer.grad_norm == pytest.approx(np.linalg.norm(dW[i]), rel=1e-9)
        assert layer.grad_b == pytest.approx(grad_out[:, j].sum(), rel=1e-9, abs=1e-15)
        # the formulas' sums add up to what they claim
        assert layer.terms[:, 1] @ layer.terms[:, 2] + layer.rest + layer.bias == pytest.approx(layer.z[0, j], abs=1e-9)
        assert layer.grad_terms[:, 0] @ layer.grad_terms[:, 1] + layer.grad_rest == pytest.approx(layer.grad_w,
                                                                                               abs=1e-12)
        if layer.slope is not None:
            np.testing.assert_allclose(layer.grad_a[0, j] * layer.slope[0], layer.delta[0, j], rtol=1e-9, atol=1e-15)
        # the update: the weight before and after, as the run itself has them
        assert layer.w == W[n, j] and layer.w_after == after.net.blocks[i].dense.W[n, j]
        # the optimizer's rule, for this weight, from its gradient, gives that update
        if record.optimizer == "sgd" and cfg.l2 == 0:
            assert layer.w_after - layer.w == pytest.approx(-record.lr * layer.grad_w, rel=1e-9)
        g = layer.step_grad
        expected_g = dW[i][n, j] + cfg.l2 * W[n, j] + cfg.l1 * np.sign(W[n, j])
        assert g == pytest.approx(expected_g, rel=1e-9, abs=1e-15)
    assert record.optimizer == cfg.optimizer and record.lr == pytest.approx(cfg.lr)


def test_the_update_rule_rows_fill_with_the_weights_numbers():
    cfg = CONFIGS["default"]  # Adam
    record = playground.inside(cfg, 30).record
    rows = inside.formula(record, "update", 2)
    assert all("$" not in row for row in rows), rows
    layer = record.layers[1]
    state_parts = layer.parts
    assert set(state_parts) >= {"first_moment", "scale"}
    assert layer.w_after - layer.w == pytest.approx(-record.lr * state_parts["first_moment"] / state_parts["scale"],
                                                    rel=1e-9)
    assert _last(rows[-1]) == inside._n(layer.w_after)


def test_every_stop_writes_its_formula_with_numbers_that_add_up():
    record = playground.inside(CONFIGS["bn-tanh-momentum"], 12).record
    walk = inside.stops(record)
    assert len(walk) >= 6 and walk[0] == ("inputs", 0) and walk[-1] == ("update", 4)
    assert [kind for kind, _ in walk] == ["inputs"] + ["forward"] * 4 + ["loss"] + ["backward"] * 4 + ["update"] * 4
    for kind, layer in walk:
        rows = inside.formula(record, kind, layer)
        assert rows and all("nan" not in row for row in rows)
    loss_row = inside.formula(record, "loss", 4)[0]
    assert _last(loss_row) == inside._n(record.loss)


def test_the_vanishing_step_shows_the_gradient_shrinking_on_its_way_back():
    record = vanishing.inside(vanishing.DEFAULT_NET, vanishing.DEFAULT_TRAINING, 0).record
    norms = [layer.delta_norm for layer in record.layers]
    assert norms[0] < 1e-6 * norms[-1]  # sigmoid, 12 layers: 10^-8 of the output's
    assert all(a < b for a, b in zip(norms, norms[1:]))
    words = inside.words(record, "backward", 1)
    ratio = norms[0] / norms[1]
    assert f"{ratio:.3g}" in words


@pytest.mark.app
def test_step_inside_walks_the_playgrounds_next_update_with_the_engines_numbers():
    at = open_page("playground", "en")
    at.toggle(key="_inside.playground.on").set_value(True).run()
    assert errors(at) == []
    record = playground.inside(playground.PlaygroundConfig(), 0).record
    seen = []
    for k in range(len(inside.stops(record))):
        title = next(m.value for m in at.markdown if m.value.startswith("**Stop "))
        seen.append(title)
        latex = [el.value for el in at.get("latex")]
        if "the loss" in title:
            assert any(inside._n(record.loss) in row for row in latex)
        if k < len(inside.stops(record)) - 1:
            at.button(key="_inside.playground.next").click().run()
            assert errors(at) == []
    assert len(seen) == 11 and seen[0].startswith("**Stop 1 of 11") and seen[-1].startswith("**Stop 11 of 11")
    # Next stays enabled at the end (a button disabled under the keyboard's focus sends the focus to the page's
    # top): pressing it keeps the last stop
    at.button(key="_inside.playground.next").click().run()
    assert next(m.value for m in at.markdown if m.value.startswith("**Stop ")).startswith("**Stop 11 of 11")
    at.button(key="_inside.playground.back").click().run()
    assert next(m.value for m in at.markdown if m.value.startswith("**Stop ")).startswith("**Stop 10 of 11")


def test_the_update_stop_adds_up_with_a_penalty_and_max_norm():
    """With L2 the optimizer is handed ∂L/∂w + λw, and max-norm rescales after the rule: the stop said "Δθ = −η g"
    with g = ∂L/∂w and a Δθ that was w_after − w, two numbers the rule does not give. Now g goes from ∂L/∂w to what
    the optimizer got, Δθ is the rule's, and a last row says where max-norm moved the weight."""
    cfg = playground.PlaygroundConfig(optimizer="sgd", lr=1.0, l2=0.1, max_norm=0.5, steps=100)
    record = playground.inside(cfg, 20).record
    for layer_no, layer in enumerate(record.layers, 1):
        rows = inside.formula(record, "update", layer_no)
        assert layer.rule_update == pytest.approx(-record.lr * layer.step_grad, rel=1e-9)
        assert _last(rows[-2] if len(rows) > 2 and r"\to" in rows[-1] else rows[-1]) == inside._n(
            layer.w + layer.rule_update)
        assert inside._n(layer.grad_w) in rows[0] and inside._n(layer.step_grad) in rows[0]
    moved = [n for n, layer in enumerate(record.layers, 1) if not inside._same(layer.w + layer.rule_update,
                                                                             layer.w_after)]
    assert moved, "max-norm 0.5 at lr 1 rescales some weight"
    for layer_no in moved:
        rows = inside.formula(record, "update", layer_no)
        assert inside._n(record.layers[layer_no - 1].w_after) in rows[-1]


def test_a_step_past_the_run_is_refused_before_anything_trains(monkeypatch):
    """A finished run's last frame offered "update N + 1": the page trained the whole run again, then refused it,
    on every rerun with the section open (no memo keeps a refusal)."""
    def no_training(*args, **kwargs):
        raise AssertionError("trained for a refusal")

    monkeypatch.setattr(playground, "build", no_training)
    monkeypatch.setattr(vanishing, "training_run", no_training)
    cfg = playground.PlaygroundConfig(steps=200)
    for step in (200, 5000, -1):
        with pytest.raises(ValueError):
            playground.inside(cfg, step)
    with pytest.raises(ValueError):
        vanishing.inside(vanishing.DEFAULT_NET, vanishing.DEFAULT_TRAINING, vanishing.TOTAL_STEPS)


def _same_record(a, b) -> None:
    """Two narrated updates are the same, number for number."""
    assert a.step == b.step and a.loss == b.loss and a.t == b.t
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.probs, b.probs)
    for la, lb in zip(a.layers, b.layers, strict=True):
        for name in ("z", "a", "delta", "terms", "grad_terms"):
            np.testing.assert_array_equal(getattr(la, name), getattr(lb, name))
        assert (la.w, la.w_after, la.grad_w, la.rule_update) == (lb.w, lb.w_after, lb.grad_w, lb.rule_update)


@pytest.mark.parametrize("page", ["playground", "vanishing"])
def test_step_inside_a_paused_run_starts_from_the_class_run_and_matches_a_fresh_one(page, monkeypatch):
    """Step inside used to train a fresh copy of the run up to the step shown (about 40 s near the end of the
    largest playground run). When the class's run stands at that step (a paused run stops at the frame it kept
    last), the narration starts from a copy of it: nothing is retrained, and every number is what a fresh run
    gives."""
    from runs import shared

    if page == "playground":
        cfg = playground.PlaygroundConfig(steps=300, seed=11)
        spec, compute = playground.training_run(cfg), lambda step: playground.inside.__wrapped__(cfg, step)
    else:
        training = vanishing.Training(lr=0.05)
        spec = vanishing.training_run(vanishing.DEFAULT_NET, training)
        compute = lambda step: vanishing.inside.__wrapped__(vanishing.DEFAULT_NET, training, step)  # noqa: E731
    shared.RUNS.clear(keep_pinned=False)
    run = shared.run(spec)
    run.advance(8, wait=True, budget=60)
    step = run.frames[-1].step
    assert run.read(lambda obj: obj.step) == step > 0
    fresh_builds = []
    real_build, real_spec = playground.build, vanishing.training_run
    monkeypatch.setattr(playground, "build", lambda c: fresh_builds.append(c) or real_build(c))
    monkeypatch.setattr(vanishing, "training_run", lambda *a: dataclasses.replace(
        real_spec(*a), build=lambda: fresh_builds.append(a) or real_spec(*a).build()))
    from_class = compute(step)
    assert fresh_builds == [] and run.read(lambda obj: obj.step) == step  # the class's run did not move
    shared.RUNS.clear(keep_pinned=False)  # no run to copy: trained from the start
    _same_record(from_class.record, compute(step).record)
