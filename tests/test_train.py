"""core.train: convergence, chunking, determinism, divergence, freezing, penalties, max-norm."""

import warnings

import numpy as np
import pytest

from core import data, nn, train


def _net(sizes=(2, 16, 16, 2), seed=0, **kw):
    return nn.MLP(list(sizes), seed=seed, **kw)


def _same_history(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_full_batch_gd_separates_blobs():
    ds = data.get("blobs", n=200, noise=0.3, n_classes=2, seed=0)
    tr = train.fit(_net(), ds, 200, optimizer="sgd", opt_kwargs={"lr": 0.1})
    assert tr.history["train_acc"][-1] > 0.95
    assert tr.history["train_loss"][-1] < tr.history["train_loss"][0]
    assert tr.evaluate(ds.x_train, ds.y_train)[1] == tr.history["train_acc"][-1]
    assert np.array_equal(tr.predict(ds.x_test), tr.predict_proba(ds.x_test).argmax(axis=1))
    assert np.allclose(tr.predict_proba(ds.x_test).sum(axis=1), 1.0)


def test_history_shapes_and_counters():
    ds = data.get("moons", n=100, seed=0)
    tr = train.Trainer(_net((2, 8, 8, 8, 2)), ds, batch_size=14, eval_every=5,
                       opt_kwargs={"lr": 0.1}).run(23)
    h = tr.history
    assert tr.step == 23 and np.array_equal(h["step"], [5, 10, 15, 20])
    assert h["grad_norm"].shape == (4, 4) and h["dead_fraction"].shape == (4, 3)
    assert tr.epoch == pytest.approx(23 * 14 / 70)  # 70 training samples, batches of 14
    assert np.allclose(h["epoch"], h["step"] * 14 / 70)


def test_recorded_statistics_match_their_definitions():
    ds = data.get("moons", n=100, seed=0)
    net = _net((2, 8, 8, 2))
    tr = train.Trainer(net, ds, optimizer="sgd", opt_kwargs={"lr": 0.5})
    before = [W.copy() for W in net.weights]
    tr.run(1)
    h = tr.history
    # plain SGD, full batch: ΔW = -lr · dW, so ||ΔW|| / ||W|| = lr · ||dW|| / ||W_before||
    expected_ratio = [np.linalg.norm(W - W0) / np.linalg.norm(W0) for W, W0 in zip(net.weights, before)]
    assert np.allclose(h["update_ratio"][0], expected_ratio)
    assert np.allclose(h["update_ratio"][0],
                       0.5 * h["grad_norm"][0] / [np.linalg.norm(W0) for W0 in before])
    assert np.allclose(h["weight_norm"][0], [np.linalg.norm(W) for W in net.weights])


def test_chunks_are_bit_identical_to_one_run():
    ds = data.get("spirals", n=120, seed=1)
    kw = dict(optimizer="adam", opt_kwargs={"lr": 0.01}, batch_size=32, l2=1e-3, seed=5)
    one = train.Trainer(_net(dropout=0.2), ds, **kw).run(40)
    parts = train.Trainer(_net(dropout=0.2), ds, **kw).run(13).run(27)
    assert _same_history(one.history, parts.history)
    for a, b in zip(one.net.params, parts.net.params):
        assert np.array_equal(a, b)


def test_same_seed_same_run_different_seed_differs():
    ds = data.get("moons", n=120, seed=0)
    kw = dict(optimizer="momentum", opt_kwargs={"lr": 0.05}, batch_size=16)
    a = train.fit(_net(), ds, 30, seed=1, **kw)
    b = train.fit(_net(), ds, 30, seed=1, **kw)
    c = train.fit(_net(), ds, 30, seed=2, **kw)
    assert _same_history(a.history, b.history)
    assert not np.array_equal(a.history["batch_loss"], c.history["batch_loss"])


@pytest.mark.parametrize("case", ["huge_lr", "huge_init"])
def test_divergence_stops_cleanly_without_warnings(case):
    ds = data.get("line", n=60, seed=0)
    init = 30.0 if case == "huge_init" else "xavier_normal"
    lr = 1e3 if case == "huge_lr" else 0.1
    net = _net((1, 16, 16, 1), activation="tanh", init=init)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = train.Trainer(net, ds, loss="mse", optimizer="sgd", opt_kwargs={"lr": lr}).run(500)
        tr.run(10)  # a diverged run stays stopped
    assert tr.diverged and tr.done and tr.diverged_at == tr.step + 1
    assert tr.diverged_at < 500 and str(tr.diverged_at) in tr.message
    h = tr.history
    assert len(h["step"]) == tr.step
    assert all(np.all(np.isfinite(v)) for v in h.values())


def test_frozen_layer_does_not_change():
    ds = data.get("moons", n=100, seed=0)
    net = _net((2, 8, 8, 2), batchnorm=True)
    net.freeze(0)
    first_block = [i for i, name in enumerate(net.param_names) if name.startswith(("dense0.", "bn0."))]
    frozen = [net.params[i].copy() for i in first_block]
    tr = train.fit(net, ds, 20, optimizer="adam", opt_kwargs={"lr": 0.05, "weight_decay": 0.1})
    assert all(np.array_equal(net.params[i], p) for i, p in zip(first_block, frozen))
    assert tr.history["update_ratio"][-1][0] == 0.0 and tr.history["update_ratio"][-1][1] > 0
    net.unfreeze()
    tr.run(1)  # unfreezing between chunks resumes the updates
    assert not np.array_equal(net.weights[0], frozen[0])


def test_l2_shrinks_weights_and_l1_adds_its_penalty():
    ds = data.get("moons", n=100, seed=0)
    kw = dict(optimizer="sgd", opt_kwargs={"lr": 0.1})
    plain = train.fit(_net(), ds, 100, **kw)
    decayed = train.fit(_net(), ds, 100, l2=0.05, **kw)
    assert decayed.history["weight_norm"][-1].sum() < plain.history["weight_norm"][-1].sum()
    lasso = train.fit(_net(), ds, 1, l1=0.01, **kw)
    # the first update's penalty is λΣ|W| of the initial weights
    expected = 0.01 * sum(np.abs(W).sum() for W in _net().weights)
    assert lasso.history["penalty"][0] == pytest.approx(expected)


def test_max_norm_caps_every_column():
    ds = data.get("moons", n=100, seed=0)
    tr = train.fit(_net(init=2.0), ds, 5, optimizer="sgd", opt_kwargs={"lr": 0.5}, max_norm=1.5)
    for W in tr.net.weights:
        assert np.all(np.linalg.norm(W, axis=0) <= 1.5 + 1e-12)


def test_clip_norm_bounds_the_first_step():
    ds = data.get("moons", n=100, seed=0)
    net = _net()
    before = [p.copy() for p in net.params]
    tr = train.fit(net, ds, 1, optimizer="sgd", opt_kwargs={"lr": 1.0}, clip_norm=0.01)
    step = np.sqrt(sum(((p - b) ** 2).sum() for p, b in zip(net.params, before)))
    assert step == pytest.approx(0.01, rel=1e-4) and tr.history["grad_norm"][0].max() > 0.01


def test_schedule_sets_the_learning_rate_each_step():
    ds = data.get("moons", n=100, seed=0)
    tr = train.fit(_net(), ds, 6, optimizer="sgd", opt_kwargs={"lr": 0.4},
                   schedule=("step", {"step_size": 2, "gamma": 0.5}))
    assert np.allclose(tr.history["lr"], [0.4, 0.4, 0.2, 0.2, 0.1, 0.1])


def test_regression_with_mse_fits_the_line():
    ds = data.get("line", n=100, noise=0.05, seed=0)
    tr = train.fit(nn.MLP([1, 1], seed=0), ds, 300, loss="mse", optimizer="sgd",
                   opt_kwargs={"lr": 0.3})
    W, b = tr.net.params
    assert W[0, 0] == pytest.approx(2.0, abs=0.05) and b[0] == pytest.approx(0.5, abs=0.05)
    assert "train_acc" not in tr.history and tr.evaluate(ds.x_test, ds.y_test)[1] is None


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"l2": -1.0}, {"max_norm": 0.0},
                                    {"eval_every": 0}, {"loss": "nope"}, {"optimizer": "nope"},
                                    {"opt_kwargs": {"lr": -1.0}}, {"schedule": ("nope", {})}])
def test_bad_parameters_raise(kwargs):
    with pytest.raises(ValueError):
        train.Trainer(_net(), data.get("moons", n=40), **kwargs)


def test_rows_do_not_depend_on_eval_every():
    """Per-layer statistics are only computed for recorded rows; that must not change the run."""
    ds = data.get("moons", n=120, seed=1)
    kw = dict(optimizer="adam", opt_kwargs={"lr": 0.01}, batch_size=32, l2=1e-3, clip_norm=5.0, seed=2)
    every = train.Trainer(_net(batchnorm=True, dropout=0.1), ds, eval_every=1, **kw).run(12)
    sparse = train.Trainer(_net(batchnorm=True, dropout=0.1), ds, eval_every=4, **kw).run(12)
    rows = every.history["step"] % 4 == 0
    for key, value in sparse.history.items():
        np.testing.assert_array_equal(value, every.history[key][rows], err_msg=key)
    np.testing.assert_array_equal(every.net.flat_params, sparse.net.flat_params)


def test_an_update_is_forward_backward_and_one_flat_optimizer_step():
    from core import losses, optim

    ds = data.get("moons", n=64, seed=3)
    tr = train.Trainer(_net(), ds, optimizer="rmsprop", opt_kwargs={"lr": 0.01}, seed=4).run(3)
    net, opt = _net(), optim.make("rmsprop", lr=0.01)
    for _ in range(3):
        _, dout = losses.get("cross_entropy")(net.forward(ds.x_train, train=True), ds.y_train)
        net.backward(dout, need_dx=False)
        opt.step([net.flat_params], [net.flat_grads])
    np.testing.assert_array_equal(tr.net.flat_params, net.flat_params)
