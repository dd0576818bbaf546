"""The loss-landscape page as a notebook: train a small network, then the loss on a 2-D slice of parameter space
around the weights it found, with the training path drawn on it (Li et al. 2018)."""
from __future__ import annotations

from notebooks._base import fields

FUNCTION = "Exploration"  # the lab function the first cell points to


# the settings cell: these settings of the page, as lab/landscape.py SETTINGS declares them
FIELDS = fields("landscape", "data", "width", "depth", "act", "opt", "lr", "steps", "batch", "wd", "dirs", "grid", "span",
                "seed")

IMPORTS = """
import numpy as np
import plotly.graph_objects as go

from lab import landscape as lesson  # this page's experiments (lab/landscape.py), built on the engine in core/
"""

EXPERIMENT = """
settings = lesson.Settings(dataset=dataset, width=width, depth=depth, activation=activation, optimizer=optimizer,
                           lr=lr, steps=steps, batch=batch, weight_decay=weight_decay, directions=directions,
                           grid=grid, span=span, seed=seed)
# the page's run: train for `steps` updates, then f(α, β) = L(θ* + α·δ + β·η) row by row; finish() runs it to the end
res = lesson.Exploration(settings, compare=False).finish()  # compare: the page's weight-decay cuts, not drawn here
if res.diverged_at:
    print("the run diverged at update", res.diverged_at)
"""

NUMBERS = """
numbers = {
    "center_loss": res.center_loss,  # the training loss at θ*, the trained weights
    "train_acc": res.train_acc,
    "captured": res.captured,        # the share of the start-to-θ* distance the plane sees
    "n_params": res.n_params,
    "span": res.span,                # the half-width of the grid (with "pca" it grows to hold the whole path)
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
