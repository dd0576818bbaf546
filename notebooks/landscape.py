"""The loss-landscape page as a notebook: train a small network, then the loss on a 2-D slice of parameter space
around the weights it found, with the training path drawn on it (Li et al. 2018)."""
from __future__ import annotations

from notebooks._base import Field, number, options

FUNCTION = "slice_run"  # the lab function the first cell points to

FIELDS = (
    Field("data", "dataset", options(("moons", "circles", "spirals", "xor")), "moons"),
    Field("width", "width", number(2, 24, integer=True), 16),
    Field("depth", "depth", number(1, 3, integer=True), 2),
    Field("act", "activation", options(("relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid")), "relu"),
    Field("opt", "optimizer", options(("sgd", "momentum", "rmsprop", "adam")), "adam"),
    Field("lr", "lr", options((1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)), 0.01),
    Field("steps", "steps", options(tuple(range(50, 1001, 50))), 300),
    Field("batch", "batch", options(("full", "32", "8")), "full"),
    Field("wd", "weight_decay", options((0.0, 1e-4, 1e-3, 1e-2, 3e-2)), 0.0),
    Field("dirs", "directions", options(("random", "pca")), "random"),
    Field("grid", "grid", options((21, 31, 41, 51, 61, 71, 81)), 41),
    Field("span", "span", options((0.25, 0.5, 1.0, 2.0, 4.0)), 1.0),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
)

IMPORTS = """
import numpy as np
import plotly.graph_objects as go

from lab import landscape as lesson  # this page's experiments (lab/landscape.py), built on the engine in core/
"""

EXPERIMENT = """
run = lesson.train_run(dataset=dataset, hidden=(width,) * depth, activation=activation, optimizer=optimizer, lr=lr,
                       steps=steps, batch_size=None if batch == "full" else int(batch), weight_decay=weight_decay,
                       seed=seed)
print(run.net)
if run.diverged_at:
    print("the run diverged at update", run.diverged_at)

# the page keeps the slice affordable: a smaller grid for a network whose slice would take too long
grid = lesson.affordable_grid(run.net.sizes, activation, len(run.ds.x_train), grid)
res = lesson.slice_run(run, grid=grid, span=span, directions=directions)  # f(α, β) = L(θ* + α·δ + β·η)
"""

NUMBERS = """
numbers = {
    "center_loss": res.center_loss,
    "train_acc": res.train_acc,
    "captured": res.captured,
    "n_params": res.n_params,
    "span": res.span,
    "grid": len(res.alphas),
}
"""


def chart(text) -> str:
    return f"""
fig = go.Figure(go.Contour(x=res.alphas, y=res.betas, z=np.log10(res.loss), colorscale="Viridis", ncontours=25,
                           colorbar=dict(title="log₁₀ " + {text.label("common.loss_axis")})))
fig.add_trace(go.Scatter(x=res.path[:, 0], y=res.path[:, 1], mode="lines+markers",
                         name={text.label("landscape_path")},
                         line=dict(color="#ff7f0e", width=2), marker=dict(size=4, color="#ff7f0e")))
fig.add_trace(go.Scatter(x=[res.path[0, 0]], y=[res.path[0, 1]], mode="markers", name={text.label("landscape_start")},
                         marker=dict(color="red", size=11, symbol="circle")))
fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", name="θ*", marker=dict(color="gold", size=14, symbol="star")))
fig.update_layout(title={text.label("landscape_chart_title")}, xaxis_title="α", yaxis_title="β", height=560, width=620,
                  legend=dict(orientation="h", yanchor="top", y=-0.15))
fig.show()
"""
