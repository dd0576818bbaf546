"""One look for every chart: a Plotly template (sent inside each figure) and the Okabe-Ito colorblind-safe palette."""
from __future__ import annotations

from figures.spec import Figure, expand, subplots

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
SEQUENTIAL = "Viridis"  # perceptually uniform, also readable in grey
DIVERGING = "RdBu"
FONT = "Noto Sans, Noto Sans CJK KR, Arial, sans-serif"
BASE_FONT_SIZE = 14
PRESENTER_FONT_SIZE = 20

# A plotly.js template object: layout defaults every figure starts from (`layout.template`).
TEMPLATE = expand(dict(
    layout=dict(
        colorway=list(PALETTE),
        font=dict(family=FONT, size=BASE_FONT_SIZE, color="#222"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=60, r=20, t=50, b=50),
        xaxis=dict(showgrid=True, gridcolor="#e6e6e6", zeroline=False, linecolor="#888", ticks="outside"),
        yaxis=dict(showgrid=True, gridcolor="#e6e6e6", zeroline=False, linecolor="#888", ticks="outside"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(font_size=13),
        colorscale=dict(sequential=SEQUENTIAL),
    )
))


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def figure(title: str = "", x_title: str = "", y_title: str = "", height: int = 380) -> Figure:
    """An empty figure in the house style."""
    return Figure(dict(template=TEMPLATE, title=dict(text=title), height=height,
                       xaxis_title=x_title, yaxis_title=y_title))


def grid(rows: int = 1, cols: int = 1, **kwargs) -> Figure:
    """An empty rows x cols grid of subplots in the house style (keywords as `figures.spec.subplots`)."""
    fig = subplots(rows, cols, **kwargs)
    fig.update_layout(template=TEMPLATE)
    return fig


def presenter(fig: Figure) -> Figure:
    """Bigger text and lines for projection (readable from the back row)."""
    fig.update_layout(font_size=PRESENTER_FONT_SIZE, title_font_size=PRESENTER_FONT_SIZE + 4)
    fig.update_traces(selector=dict(type="scatter", mode="lines"), line_width=3.5)
    return fig
