"""Layout the losses, batches and preprocessing figures share: a readable log y axis, the legend below the plot."""
from __future__ import annotations

from figures import spec

LOG_TICKS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]


DECADES = [0.001, 0.01, 0.1, 1, 10, 100]


def log_y(fig: spec.Figure, ticks=LOG_TICKS) -> spec.Figure:
    """A log y axis labelled 0.1, 0.2, 0.5, 1, 2, 5 … (Plotly's own minor labels crowd a short range); a range of
    several decades takes ``ticks=DECADES``, which stay readable at presenter sizes."""
    fig.update_yaxes(type="log", tickvals=ticks, ticktext=[f"{v:g}" for v in ticks])
    return fig


def legend_below(fig: spec.Figure) -> spec.Figure:
    """The legend in a row under the x-axis title, not on it: the bottom margin makes room."""
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.3, xanchor="left", x=0),
                      margin=dict(b=130))
    return fig
