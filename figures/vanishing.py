"""Figures of the vanishing/exploding gradients page: per-layer gradient norms, the activation's slope,
the layers x steps heat map, loss and global-norm curves, and how far each layer's weights moved.

Arrays in, figure specs out; every visible word arrives in the builder's ``labels`` mapping (listed in its
docstring; the page takes the words from the catalog).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from figures import describe, spec
from figures.common import curves, finite_or_none, heatmap
from figures.theme import color, figure, pattern

# The legend at the bottom edge of the whole figure (container coordinates), under the x-axis title: never on a
# chart's title, whatever the plot's height or the presenter's font size; BELOW_MARGIN leaves it the room.
LEGEND_BELOW = dict(orientation="h", yref="container", yanchor="bottom", y=0.01, xanchor="left", x=0)
BELOW_MARGIN = dict(b=130)


def _positive(values) -> list:
    """Log axes cannot show 0, negatives, NaN or inf: those become gaps."""
    arr = np.asarray(values, dtype=float)
    return finite_or_none(np.where(arr > 0, arr, np.nan))


def layer_profile(norms, bound, labels: Mapping[str, str], height: int = 380) -> spec.Figure:
    """norms (L,): the gradient ‖δ_l‖ reaching layers 1..L; bound (L,) or None: the chain-rule bound on it (dashed),
    computed from the network's measured weight norms, which every measured point lies under.

    labels: "title", "x", "y", "measured" (the norms' series), "bound" (the dashed line's); optional "above" (a
    sentence for the text alternative: the bound lies above every measured point, said when it does)."""
    norms = np.asarray(norms, dtype=float)
    layers = np.arange(1, norms.size + 1)
    fig = figure(labels["title"], labels["x"], labels["y"], height)
    if bound is not None:
        fig.add_trace(spec.scatter(x=layers, y=_positive(bound), mode="lines", name=labels["bound"],
                                   line=dict(color=color(1), width=2.5, dash="dash")))
    fig.add_trace(spec.scatter(x=layers, y=_positive(norms), mode="lines+markers", name=labels["measured"],
                               line=dict(color=color(0), width=3), marker=dict(size=7)))
    fig.alt = describe.Alt(describe.title(labels["title"]), describe.axes(labels["x"], labels["y"]),
                           describe.values(labels["measured"], labels["x"], layers, norms))
    table = [(labels["x"], [str(v) for v in layers]), (labels["measured"], [describe.num(v) for v in norms])]
    if bound is not None:
        bound = np.asarray(bound, dtype=float)
        fig.alt.add(describe.values(labels["bound"], labels["x"], layers, bound))
        if labels.get("above") and np.all(norms <= bound * (1 + 1e-9)):
            fig.alt.add(describe.text(labels["above"]))
        table.append((labels["bound"], [describe.num(v) for v in bound]))
    fig.alt.table = table
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(dtick=max(1, norms.size // 10))
    # under the plot: the lines can fill any corner of it (the bound rises to the left when it is loose)
    fig.update_layout(legend=LEGEND_BELOW, margin=BELOW_MARGIN, height=height + 40)
    return _roomy(fig)


def slope_curve(z, a, da, labels: Mapping[str, str], height: int = 380) -> spec.Figure:
    """The activation f(z) and its derivative f'(z) on a grid z (G,), with the derivative's peak marked.

    labels: "title", "f" and "slope" (the two series), "peak" (the note at the derivative's peak)."""
    z, a, da = (np.asarray(v, dtype=float) for v in (z, a, da))
    fig = figure(labels["title"], "z", "", height)
    fig.add_trace(spec.scatter(x=z, y=finite_or_none(a), mode="lines", name=labels["f"],
                               line=dict(color=color(0), width=2.5)))
    fig.add_trace(spec.scatter(x=z, y=finite_or_none(da), mode="lines", name=labels["slope"],
                               line=dict(color=color(3), width=3, dash="dash")))
    i = int(np.nanargmax(da))
    fig.add_trace(spec.scatter(x=[z[i]], y=[da[i]], mode="markers", showlegend=False,
                               marker=dict(color=color(3), size=12, symbol="diamond")))
    fig.alt = describe.Alt(describe.title(labels["title"]),
                           describe.lines({labels["f"]: (z, a), labels["slope"]: (z, da)}, "z", ""),
                           describe.text(labels["peak"]))
    top = float(np.nanmax(np.abs(a[np.isfinite(a)]))) if np.isfinite(a).any() else 1.0
    low, high = min(-0.1, float(np.nanmin(a)) - 0.1), max(1.1, min(top, 3.0) + 0.1)
    # the note points at the peak from below when the peak is in the upper half (tanh's at 1): above, it ran into
    # the title at presenter sizes (issue 23, item 6)
    upper = da[i] > (low + high) / 2
    fig.add_annotation(x=z[i], y=da[i], text=labels["peak"], showarrow=True, arrowhead=2, ax=60, ay=45 if upper else -40,
                       font=dict(size=15, color=color(3)), bgcolor="rgba(255,255,255,0.85)")
    fig.update_yaxes(range=[low, high])
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=0.98, xanchor="left", x=0.02,
                                  bgcolor="rgba(255,255,255,0.85)"))
    return _roomy(fig)


def grad_heatmap(steps, grad_norm, labels: Mapping[str, str], height: int = 380) -> spec.Figure:
    """steps (T,), grad_norm (T, L) -> colour = log10 ‖∂L/∂W‖, layers up the y axis, steps along x.
    No step recorded yet (T = 0): an empty chart. labels: "title", "x", "y", "colorbar"."""
    grad_norm = np.asarray(grad_norm, dtype=float).reshape(len(steps), -1) if len(steps) else np.zeros((0, 0))
    layers = np.arange(1, grad_norm.shape[1] + 1)
    fig = heatmap(grad_norm.T, x=list(np.asarray(steps).tolist()), y=layers.tolist(), title=labels["title"],
                  x_title=labels["x"], y_title=labels["y"], colorbar_title=labels["colorbar"], log=True,
                  height=height)
    fig.update_yaxes(dtick=max(1, layers.size // 10))
    return _roomy(fig)  # its text alternative: the colour's range and where it is highest (figures.common.heatmap)


def run_curves(runs: Mapping[str, tuple], labels: Mapping[str, str], threshold: float | None = None,
               height: int = 340, focus: tuple[str, ...] | None = None) -> spec.Figure:
    """{label: (steps (T,), values (T,))} on a log axis; an optional horizontal threshold line.

    focus: the runs whose values set the y axis (the runs that did not diverge, beside one that did): a diverged
    run's 10⁴⁷ would otherwise squash them into a flat line. A run that leaves the axis is drawn up to its edge, and
    a note at the top says how far it went ("labels["off_chart"]" with {name}, {value}, {step}).

    labels: "title", "x", "y", "threshold" (the line's note) when a threshold is drawn, "off_chart" with focus."""
    fig = curves(runs, labels["title"], labels["x"], labels["y"], log_y=True, height=height)
    for trace in fig.data:
        if len(trace.get("x") or []) < 3:
            trace["mode"] = "lines+markers"
    fig.alt = describe.Alt(describe.title(labels["title"]), describe.lines(runs, labels["x"], labels["y"]),
                           table=describe.series_table(runs, labels["x"]))
    if threshold is not None:
        fig.add_hline(y=threshold, line=dict(color="#555", dash="dot", width=2),
                      annotation_text=labels["threshold"], annotation_position="top left")
        fig.alt.add(describe.level(labels["threshold"], threshold))
    if focus:
        _focus_axis(fig, runs, focus, labels, threshold)
    fig.update_layout(legend=LEGEND_BELOW, margin=BELOW_MARGIN, height=height + 40)
    return _roomy(fig)


def _log_span(values) -> tuple[float, float] | None:
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr) & (arr > 0)]
    return (float(np.log10(arr.min())), float(np.log10(arr.max()))) if arr.size else None


def focus_range(runs: Mapping[str, tuple], focus, threshold: float | None = None) -> list[float] | None:
    """The log10 y range that shows the ``focus`` runs (and the threshold) with a margin, or None when every run
    fits in it anyway (then Plotly's own range is right)."""
    spans = [_log_span(runs[name][1]) for name in focus if name in runs]
    spans = [sp for sp in spans if sp is not None]
    if threshold is not None and threshold > 0:
        spans.append((np.log10(threshold),) * 2)
    if not spans:
        return None
    lo, hi = min(sp[0] for sp in spans), max(sp[1] for sp in spans)
    pad = max(0.15, 0.1 * (hi - lo))
    lo, hi = lo - pad, hi + 2 * pad
    every = [_log_span(values) for _, values in runs.values()]
    if all(sp is None or (sp[0] >= lo and sp[1] <= hi) for sp in every):
        return None
    return [lo, hi]


def _focus_axis(fig: spec.Figure, runs: Mapping[str, tuple], focus, labels: Mapping[str, str],
                threshold: float | None) -> None:
    span = focus_range(runs, focus, threshold)
    if span is None:
        return
    fig.update_yaxes(range=span)
    if span[1] - span[0] < 2:  # under two decades Plotly labels every digit: 1, 2, 5, 10 read better
        fig.update_yaxes(dtick="D2")
    notes = []
    for name, (steps, values) in runs.items():
        arr = np.asarray(values, dtype=float)
        ok = np.isfinite(arr) & (arr > 0)
        if name in focus or not ok.any() or np.log10(arr[ok].max()) <= span[1]:
            continue
        i = int(np.flatnonzero(ok)[np.argmax(arr[ok])])
        mantissa, exponent = f"{arr[i]:.1e}".split("e")
        value = f"{mantissa} × 10{_superscript(int(exponent))}"
        notes.append(labels["off_chart"].format(name=name, value=value, step=int(np.asarray(steps)[i])))
    if notes:
        fig.add_annotation(text="<br>".join(notes), xref="paper", yref="paper", x=0.98, y=0.98, xanchor="right",
                           yanchor="top", showarrow=False, align="right", font=dict(size=12, color="#333"),
                           bgcolor="rgba(255,255,255,0.9)")


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def global_norm(grad_norm) -> np.ndarray:
    """(T, L) per-layer norms -> (T,) joint norm √(Σ_l ‖∂L/∂W_l‖²) of all weight gradients."""
    g = np.asarray(grad_norm, dtype=float)
    return np.sqrt((g * g).sum(axis=1)) if g.ndim == 2 else np.zeros(0)


def weight_change(changes: Mapping[str, np.ndarray], labels: Mapping[str, str], height: int = 340) -> spec.Figure:
    """{label: (L,) relative change ‖W − W⁰‖ / ‖W⁰‖}: grouped bars per layer on a log axis.
    labels: "title", "x", "y"."""
    fig = figure(labels["title"], labels["x"], labels["y"], height)
    for i, (label, values) in enumerate(changes.items()):
        values = np.asarray(values, dtype=float)
        fig.add_trace(spec.bar(x=np.arange(1, values.size + 1), y=_positive(values), name=label,
                               marker_color=color(i), marker_pattern=pattern(i)))
    series = {label: (np.arange(1, np.asarray(v).size + 1), v) for label, v in changes.items()}
    fig.alt = describe.Alt(describe.title(labels["title"]), describe.bars(series, labels["x"], labels["y"]),
                           table=describe.bar_table(series, labels["x"]))
    fig.update_layout(barmode="group", bargap=0.15, legend=LEGEND_BELOW, margin=BELOW_MARGIN, height=height + 40)
    fig.update_yaxes(type="log", exponentformat="power")
    n = max((np.asarray(v).size for v in changes.values()), default=1)
    fig.update_xaxes(dtick=max(1, n // 10))
    return _roomy(fig)


def _roomy(fig: spec.Figure) -> spec.Figure:
    """Axis titles kept clear of their tick labels at any font size (presenter mode): Plotly widens the margins."""
    fig.update_xaxes(automargin=True, title_standoff=10)
    fig.update_yaxes(automargin=True, title_standoff=10)
    return fig
