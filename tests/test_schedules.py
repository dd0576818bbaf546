"""Learning-rate schedules against their formulas."""

import math

import numpy as np
import pytest

from core import schedules


def test_constant_step_exponential():
    assert schedules.get("constant", lr=0.3)(77) == 0.3
    step = schedules.get("step", lr=0.5, step_size=10, gamma=0.2)
    assert [step(s) for s in (0, 9, 10, 19, 20, 35)] == pytest.approx(
        [0.5, 0.5, 0.1, 0.1, 0.02, 0.004])
    exp = schedules.get("exponential", lr=2.0, gamma=0.9)
    assert [exp(s) for s in (0, 1, 5)] == pytest.approx([2.0, 1.8, 2.0 * 0.9 ** 5])


def test_cosine_formula_then_holds_eta_min():
    lr_at = schedules.get("cosine", lr=0.4, T_max=20, eta_min=0.1)
    for s in (0, 3, 10, 19):
        assert lr_at(s) == pytest.approx(0.1 + 0.5 * 0.3 * (1 + math.cos(math.pi * s / 20)))
    assert lr_at(10) == pytest.approx(0.25)
    assert lr_at(20) == lr_at(50) == 0.1


def test_one_cycle_rises_to_max_then_falls_to_final():
    lr_at = schedules.get("one_cycle", max_lr=0.8, total_steps=100, pct_start=0.25,
                          div_factor=20.0, final_div_factor=100.0)
    initial, final, peak = 0.8 / 20, 0.8 / 20 / 100, 0.25 * 100 - 1
    assert lr_at(0) == pytest.approx(initial)
    assert lr_at(24) == pytest.approx(0.8)  # the peak sits at pct_start * total_steps - 1
    assert lr_at(99) == pytest.approx(final)
    mid_up = 12  # half a cosine between initial and max
    assert lr_at(mid_up) == pytest.approx(
        0.8 + 0.5 * (initial - 0.8) * (1 + math.cos(math.pi * mid_up / peak)))
    s = 60
    assert lr_at(s) == pytest.approx(
        final + 0.5 * (0.8 - final) * (1 + math.cos(math.pi * (s - peak) / (99 - peak))))
    curve = schedules.curve("one_cycle", 100, max_lr=0.8, total_steps=100, pct_start=0.25)
    assert np.all(np.diff(curve[:25]) > 0) and np.all(np.diff(curve[24:]) < 0)


def test_cyclic_cosine_restarts_and_cycle_ends():
    lr_at = schedules.get("cyclic", base_lr=0.01, max_lr=0.5, cycle_len=10)
    for s in (0, 4, 9, 10, 23):
        place = (s % 10) / 10
        assert lr_at(s) == pytest.approx(0.01 + 0.5 * 0.49 * (1 + math.cos(math.pi * place)))
    assert lr_at(0) == lr_at(10) == lr_at(20) == pytest.approx(0.5)  # restart at max
    ends = schedules.cycle_ends(35, cycle_len=10)
    assert ends == [9, 19, 29]
    curve = schedules.curve("cyclic", 30, base_lr=0.01, max_lr=0.5, cycle_len=10)
    for end in ends:  # the snapshot is taken where the rate is lowest within its cycle
        assert curve[end] == curve[end - 9:end + 1].min()


def test_cyclic_triangular():
    lr_at = schedules.get("cyclic", base_lr=0.1, max_lr=1.1, cycle_len=8, mode="triangular")
    assert [lr_at(s) for s in (0, 2, 4, 6, 8)] == pytest.approx([0.1, 0.6, 1.1, 0.6, 0.1])


def test_warmup_ramps_linearly_then_hands_over():
    lr_at = schedules.get("cosine", lr=0.2, T_max=50, warmup_steps=10)
    ramp = [lr_at(s) for s in range(10)]
    assert ramp == pytest.approx([0.2 * (s + 1) / 10 for s in range(10)])
    base = schedules.get("cosine", lr=0.2, T_max=50)
    assert [lr_at(10 + s) for s in (0, 7, 30)] == pytest.approx([base(0), base(7), base(30)])
    wrapped = schedules.warmup(base, 10)
    assert [wrapped(s) for s in range(40)] == [lr_at(s) for s in range(40)]


def test_curve_equals_calls():
    curve = schedules.curve("step", 25, lr=1.0, step_size=7, gamma=0.5)
    lr_at = schedules.get("step", lr=1.0, step_size=7, gamma=0.5)
    assert curve.shape == (25,)
    np.testing.assert_array_equal(curve, [lr_at(s) for s in range(25)])


def test_every_name_has_defaults_and_runs():
    for name in schedules.NAMES:
        curve = schedules.curve(name, 50)
        assert curve.shape == (50,) and np.all(np.isfinite(curve)) and np.all(curve >= 0)


@pytest.mark.parametrize("name, hp, message", [
    ("cosinus", {}, "unknown schedule 'cosinus'; valid: constant, step"),
    ("cosine", {"T_maxx": 3}, "unknown hyperparameter"),
    ("step", {"lr": 0.0}, "lr must be > 0"),
    ("step", {"step_size": 0}, "step_size"),
    ("one_cycle", {"pct_start": 1.0}, "pct_start"),
    ("cyclic", {"base_lr": 2.0, "max_lr": 1.0}, "base_lr"),
    ("cyclic", {"mode": "zigzag"}, "mode"),
    ("cosine", {"warmup_steps": -1}, "warmup_steps"),
])
def test_bad_input_raises(name, hp, message):
    with pytest.raises(ValueError, match=message):
        schedules.get(name, **hp)


def test_negative_step_raises():
    with pytest.raises(ValueError):
        schedules.get("constant")(-1)
