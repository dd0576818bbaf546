"""The weight-initialization page as a notebook: standard-normal inputs through a deep stack of layers, layer by layer
forward and then the gradient back (cs231n lecture 6): the distribution of every layer's activations, their mean and
spread, and the gradient's spread."""
from __future__ import annotations

from notebooks._base import fields

FUNCTION = "LayerProbe"  # the lab function the first cell points to

FIELDS = fields("initialization", "act", "init", "std", "depth", "width", "seed")  # lab/initialization.py SETTINGS


EXPERIMENT = """
# N_INPUTS standard-normal inputs through `depth` layers of `width` units, no bias; "normal" draws W ~ N(0, std²)
probe = lesson.LayerProbe(lesson.Probe(depth, width, activation, init, std, seed))
probe.run(probe.total)  # one layer per step, as the page's frames: every layer forward, then the gradient back
stats = lesson.stats_snapshot(probe)  # per layer: mean, std, saturated share, gradient std; histograms

sigma, predicted = lesson.predicted_gain(activation, init, std, width)
print(f"σ_W = {sigma:.4g}: each layer should multiply the spread by about {predicted:.3g}")
print(f"measured: {stats.gain:.3g}")
"""


IMPORTS = """
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab import initialization as lesson  # this page's experiments (lab/initialization.py), on the engine in core/
"""

NUMBERS = """
numbers = {}
for i in range(depth):
    numbers[f"mean_layer_{i + 1}"] = stats.mean[i]
    numbers[f"std_layer_{i + 1}"] = stats.std[i]
    numbers[f"grad_std_layer_{i + 1}"] = stats.grad_std[i]
numbers["gain"] = stats.gain  # std of the last layer over the one before
"""


def chart(text) -> str:
    return f"""
shown = stats.shown  # at most 10 layers, spread over the depth: one histogram (counts) each
cols = min(5, len(shown))
rows = -(-len(shown) // cols)
titles = [{text.label("initialization_layer")} + f" {{i + 1}}" for i in shown]
fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles)
for k, (counts, edges) in enumerate(stats.act_hists):
    fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), showlegend=False,
                         marker_color="#1f77b4"), row=k // cols + 1, col=k % cols + 1)
fig.update_xaxes(range=stats.a_range, nticks=3)
fig.update_layout(title={text.label("initialization_chart_title")}, height=250 * rows + 80, bargap=0)
fig.show()
"""
