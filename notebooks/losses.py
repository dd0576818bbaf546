"""The loss-functions page as a notebook: MSE, MAE and Huber lines through data with outliers, and the gradient
cross-entropy and squared error give a confidently wrong classifier."""
from __future__ import annotations

from notebooks._base import chart_words, fields

FUNCTION = "fit_lines"  # the lab function the first cell points to

FIELDS = fields("losses")  # lab/losses.py SETTINGS

IMPORTS = """
import numpy as np

from core import losses               # the engine's loss functions
from figures import losses as charts  # the page's own chart builders (figures/losses.py)
from lab import losses as lesson      # this page's experiments (lab/losses.py), built on the engine in core/
"""

EXPERIMENT = """
fits = lesson.fit_lines(outliers, outlier_size, delta, seed)  # one line per loss, by gradient descent from (0, 0)

wrong_p = lesson.WRONG_P  # "confidently wrong": the network gives the true class this probability
p, gradients, at_wrong = lesson.gradient_curves(classes, wrong_p)  # |dL/dz| of the true class's logit
"""


def loop(v) -> str:
    return """
x, y, outlier, true = lesson.line_data(outliers, outlier_size, seed)  # the page's points (y ≈ 2x + 0.5, outliers up)
steps, lr = lesson.FIT["steps"], lesson.FIT["lr"]
for name in lesson.REGRESSION_LOSSES:
    loss = losses.get(name, **({"delta": delta} if name == "huber" else {}))  # the engine's loss
    w, b = 0.0, 0.0
    for t in range(steps):
        prediction = w * x[:, None] + b                # (N, 1): the line's value at every x
        value, dout = loss(prediction, y[:, None])     # the loss and its gradient with respect to each prediction
        gw, gb = float(dout[:, 0] @ x), float(dout[:, 0].sum())  # chain rule: ∂L/∂w = Σ dout·x, ∂L/∂b = Σ dout
        step = lr * (1 - 0.95 * t / steps)             # the rate decays to 5 %: MAE's fixed-size steps settle
        w, b = w - step * gw, b - step * gb            # one gradient-descent step
    same = (w, b) == (fits.slope[name], fits.intercept[name])
    print(f"{name:>5}: w = {w:.4f}, b = {b:.4f}; the page's line exactly: {same}")
    assert same, "the loop above no longer repeats lesson.fit_line"
"""


NUMBERS = """
numbers = {
    **{f"slope_{name}": fits.slope[name] for name in lesson.REGRESSION_LOSSES},
    **{f"intercept_{name}": fits.intercept[name] for name in lesson.REGRESSION_LOSSES},
    "gradient_cross_entropy": at_wrong["cross_entropy"][0],
    "gradient_mse": at_wrong["mse"][0],
}
"""


def charts(v) -> tuple:
    return ("fits",)


def chart(text, v) -> str:
    labels = chart_words(text, "losses", {
        "mse": "mse", "mae": "mae", "huber": ("huber", {"delta": "delta"}), "title": "fit_title", "data": "fit_data",
        "outliers": "fit_outliers", "true": "fit_true"})
    return f"""
{labels}
fig = charts.line_fits(fits, labels)
fig.show()
"""
