"""The numbers the loss-functions page shows, through the functions the page calls."""
import numpy as np
import pytest

from lab import losses as lab


def test_outliers_pull_the_mse_slope_more_than_the_mae_slope():
    clean = lab.fit_lines(n_outliers=0, outlier_scale=6.0)
    dirty = lab.fit_lines(n_outliers=5, outlier_scale=6.0)  # the page's defaults
    true_slope = dirty.true[0]
    err = {k: abs(dirty.slope[k] - true_slope) for k in lab.REGRESSION_LOSSES}
    # measured: MSE 2.170 (off by 0.170), MAE 1.983 (0.017), Huber 2.023 (0.023)
    assert err["mse"] > 0.1 and err["mse"] > 5 * err["mae"]
    assert err["huber"] < err["mse"]
    # the intercept tells the same story: MSE 0.875 vs MAE 0.510 (true 0.5)
    assert dirty.intercept["mse"] - 0.5 > 0.3 > abs(dirty.intercept["mae"] - 0.5)
    # without outliers all three agree with the true line
    for k in lab.REGRESSION_LOSSES:
        assert abs(clean.slope[k] - true_slope) < 0.05


def test_line_fit_reaches_the_least_squares_solution_with_mse():
    f = lab.fit_lines(n_outliers=5, outlier_scale=6.0)
    w, b = np.polyfit(f.x, f.y, 1)
    assert f.slope["mse"] == pytest.approx(w, abs=1e-3) and f.intercept["mse"] == pytest.approx(b, abs=1e-3)


@pytest.mark.parametrize("c", [2, 10])
def test_cross_entropy_keeps_a_large_gradient_when_confidently_wrong(c):
    g = lab.logit_gradients(np.array([0.01, 0.5]), c)
    assert g["cross_entropy"][0] == pytest.approx(0.99)  # p − 1
    p, rest = 0.01, 0.99 / (c - 1)
    assert g["mse"][0] == pytest.approx(2 * p * ((1 - p) ** 2 + (c - 1) * rest**2))
    assert g["cross_entropy"][0] > 10 * g["mse"][0]  # 25x for C = 2, 45x for C = 10


def test_logit_gradient_matches_finite_differences():
    from core import losses
    p_true, c, eps = 0.2, 3, 1e-6
    rest = (1 - p_true) / (c - 1)
    z = np.array([[np.log(p_true) - np.log(rest), 0.0, 0.0]])
    def mse(z):
        return float(np.sum((losses.softmax(z) - np.eye(c)[[0]]) ** 2))
    dz = np.zeros_like(z); dz[0, 0] = eps
    numeric = (mse(z + dz) - mse(z - dz)) / (2 * eps)
    assert lab.logit_gradients(np.array([p_true]), c)["mse"][0] == pytest.approx(abs(numeric), rel=1e-6)


# ---- every claim the page makes in words, at its defaults --------------------------------------------------

D = lab.DEFAULTS


def test_the_fitted_lines_caption_mse_is_pulled_mae_and_huber_stay():
    f = lab.fit_lines(D.n_outliers, D.outlier_size, D.delta, D.seed)  # cap_fits, q1_a
    b0 = f.true[1]
    assert f.intercept["mse"] - b0 > 0.3  # pulled up toward the outliers (measured 0.875 vs 0.5)
    assert abs(f.intercept["mae"] - b0) < 0.1 and abs(f.intercept["huber"] - b0) < 0.1


def test_the_residual_caption_and_the_answers_arithmetic():
    r, values = lab.residual_curves(D.delta)  # cap_residual: "a residual of 3 costs 9"; Huber inside/outside ±δ
    at3 = int(np.argmin(np.abs(r - 3)))
    assert r[at3] == pytest.approx(3) and values["mse"][at3] == pytest.approx(9) and values["mae"][at3] == 3
    inside, outside = np.abs(r) <= D.delta, np.abs(r) > D.delta
    assert np.allclose(values["huber"][inside], 0.5 * r[inside] ** 2)
    assert np.allclose(values["huber"][outside], D.delta * (np.abs(r[outside]) - 0.5 * D.delta))
    from core import losses  # q1_a: residual 6 costs 36 under MSE, and its gradient is 12 times a residual of 0.5's
    _, g = losses.get("mse")(np.array([[6.0], [0.5]]), np.zeros((2, 1)))
    assert losses.pointwise("mse", 6.0, 0.0) == 36 and g[0, 0] / g[1, 0] == pytest.approx(12)


def test_the_gradient_caption_and_answer():
    p, g, at = lab.gradient_curves(D.n_classes, lab.WRONG_P)  # cap_grads, q2_a, grad_numbers
    wrong = p <= lab.WRONG_P
    assert g["cross_entropy"][wrong].min() > 0.98 and g["mse"][wrong].max() < 0.05
    ratio = {c: float(np.divide(*(lab.gradient_curves(c, lab.WRONG_P)[2][k][0] for k in ("cross_entropy", "mse"))))
             for c in (2, 10)}
    assert 20 < ratio[2] < ratio[10] < 50  # "by a factor of about 25-50" (25 and 45)
    assert at["cross_entropy"][0] == pytest.approx(0.99)  # try: "cross-entropy's stays 0.99"
    assert lab.gradient_curves(10, lab.WRONG_P)[2]["mse"][0] < at["mse"][0]  # "gets even smaller"


def test_the_probability_caption():
    p, values = lab.probability_curves()  # cap_prob
    assert values["ce1"][0] > 6 and values["mse1"].max() <= 1
    assert np.allclose(values["ce1"], -np.log(p)) and np.allclose(values["bce0"], -np.log(1 - p))


def test_the_try_this_prompts():
    base = lab.fit_lines()
    clean = lab.fit_lines(n_outliers=0)
    assert max(abs(clean.slope[k] - clean.slope["mse"]) for k in clean.slope) < 0.05  # 0 outliers: all agree
    wide = lab.fit_lines(delta=3.0)  # δ 3: toward MSE, still closer to the data than MSE
    b0 = base.true[1]
    assert abs(wide.intercept["huber"] - wide.intercept["mse"]) < abs(base.intercept["huber"] - base.intercept["mse"])
    assert abs(wide.intercept["huber"] - b0) < abs(wide.intercept["mse"] - b0)
    narrow = lab.fit_lines(delta=0.1)  # δ 0.1: like MAE
    assert abs(narrow.slope["huber"] - narrow.slope["mae"]) < 0.01
    assert abs(narrow.intercept["huber"] - narrow.intercept["mae"]) < 0.01
    many = lab.fit_lines(n_outliers=20)  # 20 outliers: the MSE slope moves down at seed 0
    assert many.slope["mse"] < many.true[0]


def test_a_control_change_computes_only_what_it_changed():
    """A new δ refits the Huber line only: the MSE and MAE fits come from the shared store."""
    lab.fit_lines(3, 4.5, 1.0, 7)
    misses = lab.fit_one.cache.misses
    lab.fit_lines(3, 4.5, 1.7, 7)
    assert lab.fit_one.cache.misses == misses + 1


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_page_draws_its_four_charts(lang):
    from tests.apptest_util import errors, invalid_charts, non_finite_in_charts, open_page

    at = open_page("losses", lang)
    assert errors(at) == [] and invalid_charts(at) == [] and non_finite_in_charts(at) == []
    assert len(at.get("plotly_chart")) == 4
