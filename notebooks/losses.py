"""The loss-functions page as a notebook: MSE, MAE and Huber lines through data with outliers, and the gradient
cross-entropy and squared error give a confidently wrong classifier."""
from __future__ import annotations

from notebooks._base import fields

FUNCTION = "fit_lines"  # the lab function the first cell points to

FIELDS = fields("losses")  # lab/losses.py SETTINGS

IMPORTS = """
import numpy as np
import plotly.graph_objects as go

from lab import losses as lesson  # this page's experiments (lab/losses.py), built on the engine in core/
"""

EXPERIMENT = """
fits = lesson.fit_lines(outliers, outlier_size, delta, seed)  # one line per loss, by gradient descent from (0, 0)

wrong_p = lesson.WRONG_P  # "confidently wrong": the network gives the true class this probability
p, gradients, at_wrong = lesson.gradient_curves(classes, wrong_p)  # |dL/dz| of the true class's logit
"""

NUMBERS = """
numbers = {
    **{f"slope_{name}": fits.slope[name] for name in lesson.REGRESSION_LOSSES},
    **{f"intercept_{name}": fits.intercept[name] for name in lesson.REGRESSION_LOSSES},
    "gradient_cross_entropy": at_wrong["cross_entropy"][0],
    "gradient_mse": at_wrong["mse"][0],
}
"""


def chart(text) -> str:
    return f"""
names = {{"mse": {text.label("common.opt_mse")}, "mae": {text.label("common.opt_mae")},
         "huber": {text.label("common.opt_huber")} + f" (δ = {{delta:g}})"}}
line_x = np.array([fits.x.min(), fits.x.max()])
true_slope, true_intercept = fits.true

fig = go.Figure()
inliers, outliers = ~fits.outlier, fits.outlier
fig.add_trace(go.Scatter(x=fits.x[inliers], y=fits.y[inliers], mode="markers", marker=dict(color="lightgray"),
                         name={text.label("losses_data")}))
fig.add_trace(go.Scatter(x=fits.x[outliers], y=fits.y[outliers], mode="markers",
                         marker=dict(color="black", symbol="x", size=9), name={text.label("losses_outliers")}))
fig.add_trace(go.Scatter(x=line_x, y=true_slope * line_x + true_intercept, mode="lines",
                         line=dict(color="gray", dash="dot"), name={text.label("losses_true")}))
for name in lesson.REGRESSION_LOSSES:
    fig.add_trace(go.Scatter(x=line_x, y=fits.slope[name] * line_x + fits.intercept[name], mode="lines",
                             name=names[name], line=dict(width=3)))
fig.update_layout(title={text.label("losses_chart_title")}, xaxis_title="x", yaxis_title="y")
fig.show()
"""
