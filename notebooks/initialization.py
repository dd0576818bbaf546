"""The weight-initialization page as a notebook: standard-normal inputs through a deep stack of layers, the
distribution of every layer's activations (cs231n lecture 6)."""
from __future__ import annotations

from notebooks._base import Field, code, md, number, numbers_cells, opening, options, settings_code


def _lab():
    from lab import initialization
    return initialization


FIELDS = (
    Field("act", "activation", lambda v: options(_lab().ACTIVATIONS)(v), "tanh"),
    Field("init", "init", lambda v: options(_lab().INITS)(v), "normal"),
    Field("std", "std", options((1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)), 0.01, note="initialization_std_note"),
    Field("depth", "depth", number(2, 20, integer=True), 10),
    Field("width", "width", options((50, 100, 200, 500)), 500),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
)

IMPORTS = """
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab import initialization as lesson  # this page's experiments (lab/initialization.py), built on the engine in core/
"""

EXPERIMENT = """
# N_INPUTS standard-normal inputs through `depth` layers of `width` units, no bias; "normal" draws W ~ N(0, std²)
stats = lesson.layer_statistics(depth, width, activation, std if init == "normal" else init, seed, gradients=False)
sigma, predicted = lesson.predicted_gain(activation, init, std, width)
print(f"σ_W = {sigma:.4g}: each layer should multiply the spread by about {predicted:.3g}; measured {stats['gain']:.3g}")
"""

NUMBERS = """{
    **{f"std_layer_{i + 1}": s for i, s in enumerate(stats["std"])},
    **{f"mean_layer_{i + 1}": m for i, m in enumerate(stats["mean"])},
    "gain": stats["gain"],
}"""


def chart(text) -> str:
    return f"""
shown = stats["shown"]  # at most 10 layers, spread over the depth: one histogram (counts) each
cols = min(5, len(shown))
rows = -(-len(shown) // cols)
fig = make_subplots(rows=rows, cols=cols, subplot_titles=[{text.label("initialization_layer")} + f" {{i + 1}}" for i in shown])
for k, (counts, edges) in enumerate(stats["act_hists"]):
    fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), showlegend=False,
                         marker_color="#1f77b4"), row=k // cols + 1, col=k % cols + 1)
fig.update_xaxes(range=stats["a_range"], nticks=3)
fig.update_layout(title={text.label("initialization_chart_title")}, height=250 * rows + 80, bargap=0)
fig.show()
"""


def cells(v, text):
    notes = {f.name: text(f.note) for f in FIELDS if f.note}
    return [*opening("initialization", text, ["layer_statistics"]),
            code(settings_code([f.name for f in FIELDS], v, notes)),
            code(IMPORTS),
            md(text("initialization_experiment")), code(EXPERIMENT),
            md(text("initialization_chart")), code(chart(text)),
            *numbers_cells(text, NUMBERS)]
