"""figures/spec.py writes Plotly JSON by hand; Plotly itself is the reference it is checked against."""
import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from figures import spec, theme


def plotly_json(fig) -> dict:
    """What Plotly would send for the same figure (its own validation and encoding)."""
    return json.loads(go.Figure(fig).to_json())


def ours(fig: spec.Figure) -> dict:
    return json.loads(json.dumps(fig.to_dict()))


def decoded(node):
    """Typed arrays -> lists of floats, so Plotly's narrowest-int choice and ours compare by value."""
    if isinstance(node, dict):
        if "bdata" in node:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            return values.astype(float).tolist()
        return {k: decoded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [decoded(v) for v in node]
    return node


def close(a, b, tol=1e-6) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= tol
    return a == b


def test_magic_underscores_and_titles_expand_as_plotly_does():
    trace = spec.scatter(y=[1, 2], marker_line_width=0, marker_color="#000", line_dash="dot")
    assert trace == {"type": "scatter", "y": [1, 2], "marker": {"line": {"width": 0}, "color": "#000"},
                     "line": {"dash": "dot"}}
    fig = spec.Figure(dict(paper_bgcolor="white", xaxis_title="x", title="T", title_font_size=20))
    assert fig.layout == {"paper_bgcolor": "white", "xaxis": {"title": {"text": "x"}},
                          "title": {"text": "T", "font": {"size": 20}}}
    theirs = plotly_json(fig.to_dict())["layout"]
    theirs.pop("template")  # Plotly adds its default template; ours are explicit (theme.TEMPLATE)
    assert close(ours(fig)["layout"], theirs)


def _draw(fig, scatter, heatmap):
    """The same calls on our figure and on Plotly's (the API mirrors it)."""
    fig.add_trace(scatter(x=np.arange(5), y=np.linspace(0, 1, 5), mode="lines", name="a",
                          line=dict(color=theme.color(1), width=2)))
    fig.add_trace(heatmap(z=np.eye(3), colorscale=theme.DIVERGING, reversescale=True))
    fig.update_yaxes(type="log", exponentformat="power")
    fig.add_hline(0.5, line_dash="dot", annotation_text="half", annotation_position="bottom left")
    fig.add_vline(2, annotation_text="two")
    fig.add_vrect(1, 3, fillcolor="#eee", opacity=0.5)
    return fig


def test_a_house_style_figure_matches_plotly():
    fig = _draw(theme.figure("loss", "step", "L", height=300), spec.scatter, spec.heatmap)
    fig.finishers.clear()  # the house's last touch (full-size log labels) is ours, not Plotly's: compared without it
    reference = go.Figure()
    reference.update_layout(template=go.layout.Template(theme.TEMPLATE), title=dict(text="loss"), height=300,
                            xaxis_title="step", yaxis_title="L")
    _draw(reference, go.Scatter, go.Heatmap)
    mine, theirs = decoded(ours(fig)), decoded(json.loads(reference.to_json()))
    assert close(mine["data"], theirs["data"])
    for key in ("template", "title", "height", "xaxis", "yaxis", "shapes"):
        assert close(mine["layout"][key], theirs["layout"][key]), key
    # annotations: same text, position and anchors (Plotly adds no more than we do here)
    assert close(mine["layout"]["annotations"], theirs["layout"]["annotations"])


@pytest.mark.parametrize("rows,cols,kw", [(1, 3, dict(horizontal_spacing=0.04)),
                                          (2, 3, dict(shared_yaxes=True, vertical_spacing=0.12)),
                                          (3, 2, dict())])
def test_subplot_grid_matches_make_subplots(rows, cols, kw):
    titles = [f"panel {k}" for k in range(rows * cols - 1)]  # one cell without a title
    mine = spec.subplots(rows, cols, subplot_titles=titles, **kw)
    theirs = make_subplots(rows=rows, cols=cols, subplot_titles=titles, **kw)
    for fig in (mine, theirs):
        fig.add_trace(go.Scatter(y=[1, 2]).to_plotly_json() if fig is mine else go.Scatter(y=[1, 2]),
                      row=rows, col=cols)
        fig.update_xaxes(type="log", row=1, col=2)
        fig.add_hline(1.5, row=rows, col=cols)  # Plotly skips empty cells: use the one with the trace
    a, b = ours(mine), json.loads(theirs.to_json())
    assert close(a["data"], b["data"])
    layout_b = {k: v for k, v in b["layout"].items() if k != "template"}
    assert close(a["layout"], layout_b, tol=1e-5)  # Plotly places titles from domains rounded to 6 places


def test_numpy_arrays_travel_as_typed_arrays_plotly_can_read():
    fig = spec.Figure()
    fig.add_trace(spec.heatmap(z=np.arange(6, dtype=np.float32).reshape(2, 3), x=np.arange(3), y=[0.5, 1.5]))
    data = fig.to_dict()["data"][0]
    assert data["z"]["dtype"] == "f4" and data["z"]["shape"] == "2, 3"
    assert data["x"]["dtype"] == "i1"  # int64 narrowed as Plotly does (plotly.js has no 64-bit ints)
    go.Figure(fig.to_dict())  # Plotly's schema accepts typed arrays
    assert decoded(data["z"]) == list(range(6)) and decoded(data["x"]) == [0, 1, 2]


def test_named_colour_scales_resolve_like_plotly_python():
    # plotly.js has its own "RdBu"/"Greys" running the other way; names must resolve in Python
    for name in ("RdBu", "Greys", "Viridis"):
        mine = spec.heatmap(z=[[0]], colorscale=name)["colorscale"]
        theirs = go.Heatmap(z=[[0]], colorscale=name).to_plotly_json()["colorscale"]
        assert close([list(p) for p in theirs], mine)


def test_cells_outside_the_grid_are_refused():
    fig = spec.subplots(1, 2)
    with pytest.raises(ValueError, match="outside"):
        fig.add_trace(spec.scatter(y=[1]), row=1, col=3)
    with pytest.raises(ValueError, match="no subplot grid"):
        spec.Figure().add_trace(spec.scatter(y=[1]), row=1, col=1)


def test_presenter_style_enlarges_text_and_lines():
    fig = theme.figure("t")
    fig.add_trace(spec.scatter(y=[1, 2], mode="lines"))
    fig.add_trace(spec.scatter(y=[1, 2], mode="markers"))
    theme.presenter(fig)
    assert fig.layout["font"]["size"] == theme.PRESENTER_FONT_SIZE
    assert fig.data[0]["line"]["width"] == 3.5 and "line" not in fig.data[1]


def test_has_data_tells_an_empty_chart():
    fig = theme.figure("t")
    assert not fig.has_data()
    fig.add_trace(spec.scatter(x=[], y=[], name="not yet"))
    assert not fig.has_data()
    fig.add_trace(spec.scatter(x=np.arange(1), y=np.zeros(1)))
    assert fig.has_data()
