"""Figures of the transfer page: arrays in, figure specs out.

Every builder takes its words in one ``labels`` mapping (the page fills it from the text catalog).
"""
from __future__ import annotations

from typing import Mapping

from figures import describe, spec
from figures.ensembles import loss_curves  # the same curves with the legend below
from figures.theme import color, figure

__all__ = ["layer_map", "loss_curves"]
NEW_BOX = "#8F5F00"  # a new layer's box (5.5:1 under white text)


def layer_map(n_layers: int, n_reuse: int, labels: Mapping[str, str], height: int = 100) -> spec.Figure:
    """A row of boxes: input, hidden layers (reused or new), the new output layer.

    labels: "input", "hidden" (with an {i} placeholder for the layer number), "output" (box names);
    "data", "reused", "new" (what each box holds).
    """
    fig = figure("", "", "", height)  # a strip: the accuracy chart below it must start on the first screen
    names = [labels["input"]] + [labels["hidden"].format(i=i + 1) for i in range(n_layers)] + [labels["output"]]
    states = ([labels["data"]] + [labels["reused"] if i < n_reuse else labels["new"] for i in range(n_layers)]
              + [labels["new"]])
    # white words on the boxes at 4.5:1 or more: the palette's blue, and a darker orange than the palette's
    colours = ["#dddddd"] + [color(0) if i < n_reuse else NEW_BOX for i in range(n_layers)] + [NEW_BOX]
    for k, (name, state, col) in enumerate(zip(names, states, colours)):
        fig.add_shape(type="rect", x0=k, x1=k + 0.8, y0=0, y1=1, fillcolor=col, line=dict(color="#444"))
        fig.add_annotation(x=k + 0.4, y=0.5, text=f"<b>{name}</b><br>{state}", showarrow=False,
                           font=dict(color="white" if k else "#222", size=13))
        if k:
            fig.add_annotation(x=k - 0.02, y=0.5, ax=k - 0.18, ay=0.5, xref="x", yref="y", axref="x", ayref="y",
                               showarrow=True, arrowhead=2, text="")
    fig.update_xaxes(visible=False, range=[-0.1, len(names) - 0.1])
    fig.update_yaxes(visible=False, range=[-0.05, 1.05])
    fig.update_layout(margin=dict(l=4, r=4, t=4, b=4), showlegend=False)
    fig.alt = describe.Alt(describe.text(" → ".join(f"{name} ({state})" for name, state in zip(names, states))))
    return fig
