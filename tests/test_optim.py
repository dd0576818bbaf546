"""Optimizers: each rule against a hand-written loop, the DLfS preset, stacked = separate runs,
noise reproducibility, divergence, the inside-one-step view, averaged iterates, bad input, the registry
(an entry added at run time, inconsistent entries) and folded Adam against the textbook form."""

import contextlib
import dataclasses
import math
import warnings

import numpy as np
import pytest

from core import optim, schedules, surfaces

RNG = np.random.default_rng(42)
THETA0 = RNG.standard_normal((2, 3))
GRADS = [RNG.standard_normal((2, 3)) for _ in range(3)]  # a fixed gradient per step


def _hand_written(name, hp):
    """The first three updates of θ0 under GRADS, each rule written out as torch.optim documents it."""
    theta, out = THETA0.copy(), []
    b = s = m = v = u = np.zeros_like(theta)
    mu_product = 1.0
    lr = hp["lr"]
    for t, g in enumerate(GRADS, 1):
        if name == "sgd":
            theta = theta - lr * g
        elif name in ("momentum", "nesterov"):
            b = hp["momentum"] * b + g
            step = g + hp["momentum"] * b if name == "nesterov" else b
            theta = theta - lr * step
        elif name == "adagrad":
            s = s + g ** 2
            theta = theta - lr * g / (np.sqrt(s) + hp["eps"])
        elif name == "rmsprop":
            s = hp["rho"] * s + (1 - hp["rho"]) * g ** 2
            theta = theta - lr * g / (np.sqrt(s) + hp["eps"])
        else:
            b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
            m = b1 * m + (1 - b1) * g
            if name == "adam":
                v = b2 * v + (1 - b2) * g ** 2
                m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
                theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
            elif name == "adamax":
                u = np.maximum(b2 * u, np.abs(g) + eps)
                theta = theta - lr / (1 - b1 ** t) * m / u
            else:  # nadam
                psi = hp["momentum_decay"]
                mu_t = b1 * (1 - 0.5 * 0.96 ** (t * psi))
                mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
                mu_product = mu_product * mu_t
                v = b2 * v + (1 - b2) * g ** 2
                denom = np.sqrt(v / (1 - b2 ** t)) + eps
                theta = (theta - lr * (1 - mu_t) / (1 - mu_product) * g / denom
                         - lr * mu_next / (1 - mu_product * mu_next) * m / denom)
        out.append(theta)
    return out


NON_DEFAULT = {
    "sgd": {"lr": 0.07},
    "momentum": {"lr": 0.05, "momentum": 0.8},
    "nesterov": {"lr": 0.05, "momentum": 0.7},
    "adagrad": {"lr": 0.3, "eps": 1e-3},
    "rmsprop": {"lr": 0.02, "rho": 0.9, "eps": 1e-4},
    "adam": {"lr": 0.01, "beta1": 0.8, "beta2": 0.95, "eps": 1e-3},
    "nadam": {"lr": 0.01, "beta1": 0.85, "beta2": 0.99, "eps": 1e-4, "momentum_decay": 0.05},
    "adamax": {"lr": 0.02, "beta1": 0.7, "beta2": 0.9, "eps": 1e-2},
}


@pytest.mark.parametrize("name", optim.NAMES)
def test_first_three_steps_match_the_rule(name):
    opt = optim.make(name, **NON_DEFAULT[name])
    theta = THETA0.copy()
    for t, (g, expected) in enumerate(zip(GRADS, _hand_written(name, NON_DEFAULT[name])), 1):
        opt.step([theta], [g])
        assert opt.t == t
        np.testing.assert_allclose(theta, expected, rtol=1e-12, atol=1e-14)


def test_defaults_follow_torch():
    assert optim.NAMES == ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam",
                           "adamax")
    d = optim.DEFAULTS
    assert (d["adagrad"]["lr"], d["adagrad"]["eps"]) == (1e-2, 1e-10)
    assert (d["rmsprop"]["lr"], d["rmsprop"]["rho"], d["rmsprop"]["eps"]) == (1e-2, 0.99, 1e-8)
    assert (d["adam"]["lr"], d["adam"]["beta1"], d["adam"]["beta2"], d["adam"]["eps"]) == (
        1e-3, 0.9, 0.999, 1e-8)
    assert (d["nadam"]["lr"], d["nadam"]["momentum_decay"], d["adamax"]["lr"]) == (2e-3, 4e-3, 2e-3)


def test_weight_decay_coupled_and_decoupled():
    wd, lr = 0.1, 0.01
    theta, g = THETA0.copy(), GRADS[0]
    optim.make("sgd", lr=lr, weight_decay=wd).step([theta], [g])
    np.testing.assert_allclose(theta, THETA0 - lr * (g + wd * THETA0), rtol=1e-14)
    # AdamW: θ ← θ(1 − lr·λ) − lr·m̂/(√v̂ + ε); at t = 1, m̂ = g and √v̂ = |g|
    theta = THETA0.copy()
    optim.make("adam", lr=lr, weight_decay=wd, decoupled_weight_decay=True).step([theta], [g])
    expected = THETA0 * (1 - lr * wd) - lr * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(theta, expected, rtol=1e-12)


def test_state_is_kept_per_position_and_dtype_is_kept():
    a, b = THETA0.astype(np.float32), THETA0[0].astype(np.float32)
    opt = optim.make("adam", lr=0.1)
    a_alone, b_alone = a.copy(), b.copy()
    opt_a, opt_b = optim.make("adam", lr=0.1), optim.make("adam", lr=0.1)
    for g in GRADS:
        ga, gb = g.astype(np.float32), (2 * g[1]).astype(np.float32)
        opt.step([a, b], [ga, gb])
        opt_a.step([a_alone], [ga])
        opt_b.step([b_alone], [gb])
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, a_alone)
    np.testing.assert_array_equal(b, b_alone)


def test_set_lr_and_state_dict_resume():
    opt = optim.make("nadam", lr=0.01)
    theta = THETA0.copy()
    opt.step([theta], [GRADS[0]])
    saved, theta_saved = opt.state_dict(), theta.copy()
    opt.set_lr(0.005)
    assert opt.lr == 0.005
    opt.step([theta], [GRADS[1]])
    resumed = optim.make("nadam", lr=0.5)
    resumed.load_state_dict(saved)
    resumed.set_lr(0.005)
    resumed.step([theta_saved], [GRADS[1]])
    assert resumed.t == opt.t == 2
    np.testing.assert_array_equal(theta, theta_saved)


# ---------------------------------------------------------------- Deep Learning from Scratch
def test_dlfs_preset_positions():
    preset = optim.DLFS_PRESET
    result = optim.race(preset["entries"], preset["surface"], preset["start"], preset["steps"])
    assert result.paths.shape == (4, 31, 2) and result.diverged_at == [None] * 4

    def grad(x, y):
        return x / 10.0, 2.0 * y

    expected = {name: [(-7.0, 2.0)] for name in ("sgd", "momentum", "adagrad", "adam")}
    x, y = -7.0, 2.0  # SGD lr 0.95
    for _ in range(30):
        gx, gy = grad(x, y)
        x, y = x - 0.95 * gx, y - 0.95 * gy
        expected["sgd"].append((x, y))
    x, y, bx, by = -7.0, 2.0, 0.0, 0.0  # momentum lr 0.1, μ 0.9, PyTorch's b ← μb + g
    for _ in range(30):
        gx, gy = grad(x, y)
        bx, by = 0.9 * bx + gx, 0.9 * by + gy
        x, y = x - 0.1 * bx, y - 0.1 * by
        expected["momentum"].append((x, y))
    x, y, sx, sy = -7.0, 2.0, 0.0, 0.0  # AdaGrad lr 1.5, ε 1e-10 outside the root
    for _ in range(30):
        gx, gy = grad(x, y)
        sx, sy = sx + gx * gx, sy + gy * gy
        x, y = x - 1.5 * gx / (math.sqrt(sx) + 1e-10), y - 1.5 * gy / (math.sqrt(sy) + 1e-10)
        expected["adagrad"].append((x, y))
    x, y, mx, my, vx, vy = -7.0, 2.0, 0.0, 0.0, 0.0, 0.0  # Adam lr 0.3
    for t in range(1, 31):
        gx, gy = grad(x, y)
        mx, my = 0.9 * mx + 0.1 * gx, 0.9 * my + 0.1 * gy
        vx, vy = 0.999 * vx + 0.001 * gx * gx, 0.999 * vy + 0.001 * gy * gy
        c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
        x = x - 0.3 * (mx / c1) / (math.sqrt(vx / c2) + 1e-8)
        y = y - 0.3 * (my / c1) / (math.sqrt(vy / c2) + 1e-8)
        expected["adam"].append((x, y))
    for k, name in enumerate(("sgd", "momentum", "adagrad", "adam")):
        np.testing.assert_allclose(result.paths[k], expected[name], rtol=1e-12, atol=1e-12)
    # what the book shows: SGD zig-zags across y (y ← −0.9·y), AdaGrad flattens y quickly
    sgd_y = result.paths[0, :, 1]
    assert np.all(sgd_y[1:] * sgd_y[:-1] < 0)
    assert abs(result.paths[2, 10, 1]) < abs(sgd_y[10])


# ---------------------------------------------------------------- stacked, race, noise
@pytest.mark.parametrize("name, surface, hp", [
    ("adam", "rosenbrock", {"lr": [1e-3, 1e-2, 0.05, 0.1]}),
    ("momentum", "beale", {"lr": 1e-3, "momentum": [0.0, 0.5, 0.9]}),
    ("nadam", "himmelblau", {"lr": [0.01, 0.1], "weight_decay": [0.0, 0.01]}),
    ("adamax", "bowl", {"lr": [0.1, 0.5], "beta2": [0.9, 0.999]}),
    ("rmsprop", "booth", {"lr": [0.01, 0.1], "weight_decay": 0.05,
                          "decoupled_weight_decay": True}),
])
def test_stacked_sweep_equals_separate_runs(name, surface, hp):
    schedule = schedules.get("cosine", T_max=200)
    swept = optim.sweep(name, surface, None, 200, schedule=schedule, noise=0.3, seed=5, **hp)
    k_count = swept.paths.shape[0]
    for k in range(k_count):
        hp_k = {key: (v[k] if isinstance(v, list) else v) for key, v in hp.items()}
        alone = optim.trajectory(name, surface, None, 200, schedule=schedule, noise=0.3, seed=5,
                                 **hp_k)
        np.testing.assert_allclose(swept.paths[k], alone, rtol=0, atol=1e-12)
        assert swept.entries[k][1]["lr"] == hp_k["lr"]


def test_race_equals_trajectory_per_entry_and_noise_is_reproducible():
    entries = [(name, {"lr": 0.01}) for name in optim.NAMES]
    a = optim.race(entries, "rosenbrock", (-1.5, 2.0), 300, noise=0.5, seed=3)
    b = optim.race(entries, "rosenbrock", (-1.5, 2.0), 300, noise=0.5, seed=3)
    c = optim.race(entries, "rosenbrock", (-1.5, 2.0), 300, noise=0.5, seed=4)
    assert a.paths.shape == (8, 301, 2) and a.losses.shape == (8, 301)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert not np.array_equal(a.paths, c.paths)
    for k, (name, hp) in enumerate(entries):
        alone = optim.trajectory(name, "rosenbrock", (-1.5, 2.0), 300, noise=0.5, seed=3, **hp)
        np.testing.assert_array_equal(a.paths[k], alone)
    s = surfaces.get("rosenbrock")
    np.testing.assert_allclose(a.losses, s.value(a.paths[..., 0], a.paths[..., 1]))


def test_trajectory_follows_a_schedule():
    schedule = schedules.get("step", lr=1.0, step_size=5, gamma=0.5)
    path = optim.trajectory("sgd", "bowl", (-7.0, 2.0), 12, schedule=schedule, lr=0.4)
    x, y = -7.0, 2.0
    for t in range(12):  # step t + 1 uses lr · schedule(t)
        lr = 0.4 * 0.5 ** (t // 5)
        x, y = x - lr * x / 10, y - lr * 2 * y
        assert path[t + 1] == pytest.approx((x, y), rel=1e-14)


def test_network_training_with_a_schedule_matches_trajectory():
    """The training loop's pattern (opt.set_lr(schedule(step)) then step) on the bowl."""
    schedule = schedules.get("one_cycle", max_lr=0.5, total_steps=40)
    opt, point = optim.make("momentum", lr=0.5, momentum=0.8), np.array([-7.0, 2.0])
    bowl = surfaces.get("bowl")
    for step in range(40):
        opt.set_lr(schedule(step))  # absolute rates: max_lr 0.5
        opt.step([point], [np.array(bowl.grad(*point))])
    path = optim.trajectory("momentum", "bowl", (-7.0, 2.0), 40,
                            schedule=schedules.get("one_cycle", total_steps=40), lr=0.5,
                            momentum=0.8)
    np.testing.assert_allclose(point, path[-1], rtol=1e-12)


# ---------------------------------------------------------------- divergence
def test_divergence_is_reported_without_warnings_or_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = optim.race([("sgd", {"lr": 10.0}), ("adam", {"lr": 0.01})], "rosenbrock",
                            (-1.5, 2.0), 200)
        swept = optim.sweep("sgd", "rosenbrock", (-1.5, 2.0), 200, lr=[10.0, 1e-4])
    d = result.diverged_at[0]
    assert isinstance(d, int) and 1 <= d <= 200 and result.diverged_at[1] is None
    assert result.valid_len.tolist() == [d, 201]
    assert np.all(np.isfinite(result.paths)) and np.all(np.isfinite(result.losses))
    assert np.all(np.abs(result.paths[0, :d]) <= optim.DIVERGENCE_LIMIT)
    np.testing.assert_array_equal(result.paths[0, d:], np.broadcast_to(result.paths[0, d - 1],
                                                                       (201 - d, 2)))
    # the stacked pass reports the same step and the same finite points
    assert swept.diverged_at == [d, None]
    np.testing.assert_allclose(swept.paths[0], result.paths[0], atol=1e-12)
    assert np.all(np.isfinite(swept.paths)) and np.all(np.isfinite(swept.losses))


# ---------------------------------------------------------------- inside one step
@pytest.mark.parametrize("name", optim.NAMES)
def test_explain_step_matches_the_trajectory(name):
    hp = {**NON_DEFAULT[name], "lr": NON_DEFAULT[name]["lr"] / 10}  # small enough not to diverge
    path = optim.trajectory(name, "himmelblau", None, 7, noise=0.2, seed=1, **hp)
    parts = optim.explain_step(name, hp, "himmelblau", None, 7, noise=0.2, seed=1)
    np.testing.assert_array_equal(parts["point"], path[6])
    np.testing.assert_array_equal(parts["next_point"], path[7])
    lr = hp["lr"]
    g = parts["gradient"]
    if name in ("momentum", "nesterov", "adam", "adamax", "nadam"):
        assert parts["first_moment"].shape == (2,)
    if name in ("adagrad", "rmsprop", "adam", "adamax", "nadam"):
        assert np.all(parts["scale"] > 0)
    if name == "momentum":
        np.testing.assert_allclose(parts["update"], -lr * parts["first_moment"], rtol=1e-9)
    if name == "nesterov":  # momentum jump to the look-ahead point, then the gradient step
        np.testing.assert_allclose(parts["lookahead"] - lr * g, parts["next_point"], rtol=1e-12)
    else:
        assert parts["lookahead"] is None
    if name in ("adagrad", "rmsprop"):
        np.testing.assert_allclose(parts["update"], -lr * g / parts["scale"], rtol=1e-9)
    if name in ("adam", "adamax"):
        np.testing.assert_allclose(parts["update"], -lr * parts["first_moment"] / parts["scale"],
                                   rtol=1e-9)
    if name == "sgd":
        np.testing.assert_allclose(parts["update"], -lr * g, rtol=1e-9)
        assert parts["first_moment"] is None and parts["scale"] is None


def test_explain_step_gradient_is_the_surface_gradient_without_noise():
    path = optim.trajectory("adam", "beale", None, 3, lr=0.01)
    parts = optim.explain_step("adam", {"lr": 0.01}, "beale", None, 3)
    assert tuple(parts["gradient"]) == surfaces.get("beale").grad(*path[2])


def test_explain_step_after_divergence_raises():
    d = optim.race([("sgd", {"lr": 10.0})], "rosenbrock", (-1.5, 2.0), 100).diverged_at[0]
    with pytest.raises(ValueError, match="diverged"):
        optim.explain_step("sgd", {"lr": 10.0}, "rosenbrock", (-1.5, 2.0), d + 1)


# ---------------------------------------------------------------- averaged iterates
def test_ema_and_polyak_paths():
    path = RNG.standard_normal((3, 20, 2))
    ema = optim.ema_path(path, 0.8)
    polyak = optim.polyak_path(path)
    for k in range(3):
        avg = path[k, 0]
        for t in range(20):
            if t:
                avg = 0.8 * avg + 0.2 * path[k, t]
            np.testing.assert_allclose(ema[k, t], avg, rtol=1e-12)
            np.testing.assert_allclose(polyak[k, t], path[k, :t + 1].mean(axis=0), rtol=1e-12)
    with pytest.raises(ValueError):
        optim.ema_path(path, 1.0)


def test_averaging_reduces_noise_near_a_minimum():
    path = optim.trajectory("sgd", "bowl", (0.0, 0.0), 400, noise=1.0, seed=0, lr=0.1)
    tail = slice(200, None)
    assert (np.abs(optim.polyak_path(path)[tail]).mean() < np.abs(path[tail]).mean())
    assert (np.abs(optim.ema_path(path, 0.95)[tail]).mean() < np.abs(path[tail]).mean())


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("name, hp, message", [
    ("adamw", {}, "unknown optimizer 'adamw'; valid: sgd, momentum, nesterov"),
    ("adam", {"beta3": 0.9}, "unknown hyperparameter.*beta3.*valid: lr, beta1"),
    ("adam", {"lr": 0.0}, "lr must be > 0"),
    ("sgd", {"lr": -1.0}, "lr must be > 0"),
    ("momentum", {"momentum": -0.1}, "momentum must be >= 0"),
    ("rmsprop", {"rho": 1.0}, "rho must be in"),
    ("adam", {"beta1": 1.0}, "beta1 must be in"),
    ("adagrad", {"eps": 0.0}, "eps must be > 0"),
    ("sgd", {"weight_decay": -1e-3}, "weight_decay must be >= 0"),
    ("sgd", {"decoupled_weight_decay": "yes"}, "decoupled_weight_decay"),
    ("sgd", {"lr": float("nan")}, "lr must be > 0"),
])
def test_bad_hyperparameters_raise(name, hp, message):
    with pytest.raises(ValueError, match=message):
        optim.make(name, **hp)


def test_bad_calls_raise():
    opt = optim.make("sgd", lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        opt.set_lr(-0.1)
    with pytest.raises(ValueError, match="shape"):
        opt.step([np.zeros(3)], [np.zeros(4)])
    with pytest.raises(ValueError, match="parameters but"):
        opt.step([np.zeros(3)], [])
    with pytest.raises(ValueError, match="unknown surface"):
        optim.trajectory("sgd", "moon", None, 5)
    with pytest.raises(ValueError, match="unknown optimizer"):
        optim.race([("sgd", {}), ("adamm", {})], "bowl", None, 5)
    with pytest.raises(ValueError, match="use sweep"):
        optim.race([("sgd", {"lr": [0.1, 0.2]})], "bowl", None, 5)
    with pytest.raises(ValueError, match="one length"):
        optim.sweep("sgd", "bowl", None, 5, lr=[0.1, 0.2], weight_decay=[0, 0.1, 0.2])
    with pytest.raises(ValueError, match="noise"):
        optim.trajectory("sgd", "bowl", None, 5, noise=-1.0)


def test_step_writes_only_theta_and_its_own_state():
    rng = np.random.default_rng(6)
    theta, g = rng.standard_normal(50), rng.standard_normal(50)
    g_before = g.copy()
    opt = optim.make("adam")
    opt.step([theta], [g])
    saved = opt.state_dict()
    opt.step([theta], [g])
    np.testing.assert_array_equal(g, g_before)  # the gradient is read only
    assert not np.array_equal(saved["state"][0][0], opt.state_dict()["state"][0][0])  # a copy was kept


# ---------------------------------------------------------------- the registry
@contextlib.contextmanager
def registered(entry):
    """``entry`` in the registry for the block, removed afterwards even if the block fails."""
    optim.register(entry)
    try:
        yield optim.rule(entry.name)
    finally:
        optim.unregister(entry.name)


def test_every_name_is_one_consistent_entry():
    assert optim.NAMES == tuple(optim.RULES)
    for name in optim.NAMES:
        entry = optim.rule(name)
        assert entry.name == name and optim.DEFAULTS[name] == {
            **entry.defaults, "weight_decay": 0.0, "decoupled_weight_decay": False}
        assert set(entry.sliders) <= set(entry.hp_names) and entry.first_lr > 0


def test_a_registered_optimizer_runs_everywhere_and_leaves_no_trace():
    copy = dataclasses.replace(optim.rule("sgd"), name="sgd_copy", first_lr=0.5)
    before = (optim.NAMES, dict(optim.DEFAULTS))
    with registered(copy):
        assert optim.NAMES[-1] == "sgd_copy" and optim.DEFAULTS["sgd_copy"]["lr"] == 1e-3
        np.testing.assert_array_equal(optim.trajectory("sgd_copy", "beale", None, 20, lr=0.01),
                                      optim.trajectory("sgd", "beale", None, 20, lr=0.01))
        theta = THETA0.copy()
        optim.make("sgd_copy", lr=0.07).step([theta], [GRADS[0]])
        np.testing.assert_allclose(theta, THETA0 - 0.07 * GRADS[0], rtol=1e-15)
        with pytest.raises(ValueError, match="already registered"):
            optim.register(copy)
    assert (optim.NAMES, optim.DEFAULTS) == before
    with pytest.raises(ValueError, match="unknown optimizer 'sgd_copy'"):
        optim.make("sgd_copy")


@pytest.mark.parametrize("change, message", [
    ({"defaults": {"lr": 1e-3, "beta2": 0.999, "beta1": 0.9, "eps": 1e-8}}, "in call order"),
    ({"defaults": {"beta1": 0.9, "lr": 1e-3, "beta2": 0.999, "eps": 1e-8}}, "list lr first"),
    ({"ranges": {"beta1": optim.UNIT, "beta2": optim.UNIT}}, "give a range for each of beta1, beta2, eps"),
    ({"sliders": {"beta1": (0.5, 0.8)}}, "default beta1 = 0.9 is not among"),
    ({"sliders": {"beta1": (0.9, 1.5)}}, "beta1 must be in"),
    ({"sliders": {"gamma": (0.1,)}}, "gamma is not a hyperparameter"),
    ({"first_lr": 0.0}, "lr must be > 0"),
    ({"latex": (r"\Delta\theta = $update_vector",)}, "update_vector"),
    ({"name": "my adam"}, "identifier"),
])
def test_an_inconsistent_entry_fails_when_registered(change, message):
    entry = dataclasses.replace(optim.rule("adam"), **{"name": "adam2", **change})
    with pytest.raises(ValueError, match=message):
        optim.register(entry)
    assert "adam2" not in optim.NAMES


def _textbook_adam():
    """The adam entry with the textbook rule (adam_textbook) under another name."""
    return dataclasses.replace(optim.rule("adam"), name="adam_textbook", update=optim.adam_textbook)


def _assert_close_relative(a, b, rtol):
    """max |a − b| within rtol of max |b|: relative to the array's scale (single entries may sit near 0)."""
    assert np.max(np.abs(a - b)) <= rtol * np.max(np.abs(b)), np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize("hp", [{"lr": 1e-2}, {"lr": 3e-3, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3,
                                               "weight_decay": 1e-2}])
def test_folded_adam_equals_the_textbook_step_for_step_on_a_network(hp):
    from core import losses, nn

    rng = np.random.default_rng(8)
    x, y = rng.standard_normal((64, 5)), rng.integers(0, 3, 64)
    loss = losses.get("cross_entropy")
    nets = [nn.MLP([5, 32, 32, 3], seed=2) for _ in range(2)]
    with registered(_textbook_adam()):
        opts = [optim.make("adam", **hp), optim.make("adam_textbook", **hp)]
        for step in range(100):
            batch = slice(16 * (step % 4), 16 * (step % 4 + 1))
            for net, opt in zip(nets, opts):
                _, dout = loss(net.forward(x[batch], train=True), y[batch])
                net.backward(dout, need_dx=False)
                opt.step([net.flat_params], [net.flat_grads])
            _assert_close_relative(nets[0].flat_params, nets[1].flat_params, 1e-12)
    assert not np.allclose(nets[0].flat_params, nn.MLP([5, 32, 32, 3], seed=2).flat_params)  # it trained


@pytest.mark.parametrize("surface, hp", [("rosenbrock", {"lr": 0.01}), ("beale", {"lr": 0.05, "beta1": 0.8}),
                                         ("bowl", {"lr": 0.3})])
def test_folded_adam_equals_the_textbook_step_for_step_on_a_surface(surface, hp):
    with registered(_textbook_adam()):
        folded = optim.trajectory("adam", surface, None, 100, noise=0.1, seed=2, **hp)
        textbook = optim.trajectory("adam_textbook", surface, None, 100, noise=0.1, seed=2, **hp)
        for step in (1, 50, 100):  # the inside-one-step view shows the same m̂ and √v̂ + ε
            for key, value in optim.explain_step("adam", hp, surface, None, step, noise=0.1, seed=2).items():
                other = optim.explain_step("adam_textbook", hp, surface, None, step, noise=0.1, seed=2)[key]
                if value is not None:
                    _assert_close_relative(value, other, 1e-12)
    for t in range(101):
        _assert_close_relative(folded[t], textbook[t], 1e-12)
    assert np.abs(folded[-1] - folded[0]).max() > 0.05  # it moved
