"""The weight-initialization page as a notebook: standard-normal inputs through a deep stack of layers, the
distribution of every layer's activations (cs231n lecture 6)."""
from __future__ import annotations

from notebooks._base import Field, from_lab, number, options

FUNCTION = "layer_statistics"  # the lab function the first cell points to



FIELDS = (
    Field("act", "activation", options(from_lab("initialization", "ACTIVATIONS")), "tanh"),
    Field("init", "init", options(from_lab("initialization", "INITS")), "normal"),
    Field("std", "std", options((1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)), 0.01, note="initialization_std_note"),
    Field("depth", "depth", number(2, 20, integer=True), 10),
    Field("width", "width", options((50, 100, 200, 500)), 500),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
)

IMPORTS = """
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab import initialization as lesson  # this page's experiments (lab/initialization.py), on the engine in core/
"""

EXPERIMENT = """
# N_INPUTS standard-normal inputs through `depth` layers of `width` units, no bias; "normal" draws W ~ N(0, std²)
weights = std if init == "normal" else init
stats = lesson.layer_statistics(depth, width, activation, weights, seed, gradients=False)
sigma, predicted = lesson.predicted_gain(activation, init, std, width)
print(f"σ_W = {sigma:.4g}: each layer should multiply the spread by about {predicted:.3g}")
print(f"measured: {stats['gain']:.3g}")
"""

NUMBERS = """
numbers = {
    **{f"std_layer_{i + 1}": s for i, s in enumerate(stats["std"])},
    **{f"mean_layer_{i + 1}": m for i, m in enumerate(stats["mean"])},
    "gain": stats["gain"],
}
"""


def chart(text) -> str:
    return f"""
shown = stats["shown"]  # at most 10 layers, spread over the depth: one histogram (counts) each
cols = min(5, len(shown))
rows = -(-len(shown) // cols)
titles = [{text.label("initialization_layer")} + f" {{i + 1}}" for i in shown]
fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles)
for k, (counts, edges) in enumerate(stats["act_hists"]):
    fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), showlegend=False,
                         marker_color="#1f77b4"), row=k // cols + 1, col=k % cols + 1)
fig.update_xaxes(range=stats["a_range"], nticks=3)
fig.update_layout(title={text.label("initialization_chart_title")}, height=250 * rows + 80, bargap=0)
fig.show()
"""
