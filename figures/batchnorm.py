"""Figures for the batch-normalization page: arrays in, figure specs out.

Every builder takes its words in one mapping, ``labels``: "title", "x", "y" for the axes it has, plus its own keys
(series and panel names), listed in its docstring. A variant's series are keyed by the variant ("bn", "plain") and
named by ``labels[variant]``.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from figures import describe, spec
from figures.common import curves, finite_or_none
from figures.theme import color, dash, figure, grid, pattern, symbol

PCT_DASH = ("dot", "solid", "dash")  # 15th, 50th, 85th percentile
PCT_KEYS = ("p15", "p50", "p85")


def _finish(fig: spec.Figure, height: int) -> spec.Figure:
    """Subplot titles sit at the top, so the legend goes above them with room to spare."""
    fig.update_layout(height=height, margin=dict(l=60, r=20, t=95, b=50),
                      legend=dict(orientation="h", yanchor="bottom", y=1.12, xanchor="left", x=0))
    return _room(fig)


def _room(fig: spec.Figure) -> spec.Figure:
    """Axis titles keep clear of their tick labels at any font size (presenter mode enlarges both)."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def metric_curves(series: Mapping[str, tuple], labels: Mapping[str, str],
                  total_steps: int | None = None) -> spec.Figure:
    """{variant: (steps, values)}: one line per variant (BN first, so it keeps the first colour); with
    ``total_steps`` the x axis is fixed to the whole run, so a live run fills it as it trains.

    labels: title, x, y, and a name per variant."""
    fig = curves({labels[k]: xy for k, xy in series.items()}, title=labels["title"], x_title=labels["x"],
                 y_title=labels["y"], height=350)
    fig.update_layout(margin=dict(t=95), legend=dict(y=1.04))  # the legend below the title, not over it
    if total_steps is not None:
        fig.update_xaxes(range=[-0.02 * total_steps, total_steps * 1.02])
    for i, (steps, values) in enumerate(series.values()):  # a dot where each line ends: step 0 shows too
        if len(steps):
            fig.add_trace(spec.scatter(x=finite_or_none(steps[-1:]), y=finite_or_none(values[-1:]), mode="markers",
                                       showlegend=False, hoverinfo="skip",
                                       marker=dict(color=color(i), size=9, symbol=symbol(i))))
    return _room(fig)


def percentile_panels(panels: Mapping[str, tuple[np.ndarray, np.ndarray]], labels: Mapping[str, str],
                      total_steps: int | None = None) -> spec.Figure:
    """{variant: (steps (P,), percentiles (P, 3))}: one panel per variant, side by side on one y scale (with
    ``total_steps``, x spans the whole run).

    labels: x, y, p15, p50, p85 (the dashes' names), and a panel title per variant."""
    pct_names = [labels[k] for k in PCT_KEYS]
    fig = grid(rows=1, cols=len(panels), subplot_titles=[labels[k] for k in panels], shared_yaxes=True,
               horizontal_spacing=0.06)
    for k, (steps, pct) in enumerate(panels.values()):
        for j, name in enumerate(pct_names):
            fig.add_trace(spec.scatter(x=finite_or_none(steps), y=finite_or_none(pct[:, j]), mode="lines", name=name,
                                       legendgroup=name, showlegend=False,
                                       line=dict(color=color(k), width=2.5, dash=PCT_DASH[j])), row=1, col=k + 1)
        if len(steps):  # the percentiles now, as dots: a run that has only its first probe shows it
            fig.add_trace(spec.scatter(x=finite_or_none([steps[-1]] * 3), y=finite_or_none(pct[-1]), mode="markers",
                                       showlegend=False, hoverinfo="skip",
                                       marker=dict(color=color(k), size=8, symbol=symbol(k))), row=1, col=k + 1)
        fig.update_xaxes(title_text=labels["x"], row=1, col=k + 1,
                         **({} if total_steps is None else {"range": [-0.02 * total_steps, 1.02 * total_steps]}))
    for j, name in enumerate(pct_names):  # the legend names the dash only: colour already says which panel
        fig.add_trace(spec.scatter(x=[None], y=[None], mode="lines", name=name, legendgroup=name,
                                   line=dict(color="#555", width=2.5, dash=PCT_DASH[j])), row=1, col=1)
    fig.update_yaxes(title_text=labels["y"], row=1, col=1)
    fig.alt = describe.Alt(*[describe.title(labels[k]) + describe.lines(
        {name: (steps, pct[:, j]) for j, name in enumerate(pct_names)}, labels["x"], labels["y"])
        for k, (steps, pct) in panels.items()])
    return _finish(fig, 380)


def running_vs_batch(steps: np.ndarray, running: tuple[np.ndarray, np.ndarray], probe: tuple[np.ndarray, np.ndarray],
                     labels: Mapping[str, str], total_steps: int | None = None) -> spec.Figure:
    """Live BN layer: running mean/var (lines) against the held-out batch's mean/var (dots), two panels (with
    ``total_steps``, x spans the whole run).

    labels: x, running (the lines), batch (the dots), mean_title, var_title (the panels)."""
    fig = grid(rows=1, cols=2, subplot_titles=[labels["mean_title"], labels["var_title"]], horizontal_spacing=0.1)
    for col, (run, batch) in enumerate(zip(running, probe), start=1):
        fig.add_trace(spec.scatter(x=finite_or_none(steps), y=finite_or_none(batch), mode="markers",
                                   name=labels["batch"], legendgroup="b", showlegend=col == 1,
                                   marker=dict(color=color(1), size=6, symbol="diamond")), row=1, col=col)
        fig.add_trace(spec.scatter(x=finite_or_none(steps), y=finite_or_none(run), mode="lines",
                                   name=labels["running"], legendgroup="r", showlegend=col == 1,
                                   line=dict(color=color(0), width=2.5)), row=1, col=col)
        fig.update_xaxes(title_text=labels["x"], row=1, col=col,
                         **({} if total_steps is None else {"range": [-0.02 * total_steps, 1.02 * total_steps]}))
    fig.alt = describe.Alt(*[describe.title(t) + describe.lines({labels["running"]: (steps, run),
                                                                  labels["batch"]: (steps, batch)}, labels["x"], "")
                             for t, run, batch in zip((labels["mean_title"], labels["var_title"]), running, probe)])
    return _finish(fig, 330)


def running_trace(batch_mean, batch_var, running_mean, running_var, pop_mean, pop_var,
                  labels: Mapping[str, str]) -> spec.Figure:
    """A BN layer fed batches from a fixed population: batch stats (dots), running stats (line), truth (dashed).

    labels: x, batch, running, population (the three series), mean_title, var_title (the panels)."""
    steps = np.arange(1, len(batch_mean) + 1)
    fig = grid(rows=1, cols=2, subplot_titles=[labels["mean_title"], labels["var_title"]], horizontal_spacing=0.1)
    for col, (batch, run, pop) in enumerate(((batch_mean, running_mean, pop_mean),
                                             (batch_var, running_var, pop_var)), start=1):
        show = col == 1
        fig.add_trace(spec.scatter(x=steps, y=finite_or_none(batch), mode="markers", name=labels["batch"],
                                   legendgroup="b", showlegend=show,
                                   marker=dict(color=color(1), size=5, opacity=0.7, symbol="diamond")),
                      row=1, col=col)
        fig.add_trace(spec.scatter(x=steps, y=finite_or_none(run), mode="lines", name=labels["running"],
                                   legendgroup="r", showlegend=show, line=dict(color=color(0), width=2.5)),
                      row=1, col=col)
        fig.add_trace(spec.scatter(x=[steps[0], steps[-1]], y=[pop, pop], mode="lines", name=labels["population"],
                                   legendgroup="p", showlegend=show, line=dict(color="#222", width=2, dash="dash")),
                      row=1, col=col)
        fig.update_xaxes(title_text=labels["x"], row=1, col=col)
    fig.alt = describe.Alt(*[describe.title(t) + describe.lines({labels["running"]: (steps, run),
                                                                  labels["batch"]: (steps, batch)}, labels["x"], "")
                             + describe.level(labels["population"], pop)
                             for t, batch, run, pop in ((labels["mean_title"], batch_mean, running_mean, pop_mean),
                                                        (labels["var_title"], batch_var, running_var, pop_var))])
    return _finish(fig, 330)


def batch_dependence(sizes: np.ndarray, batch_prob: np.ndarray, running_prob: np.ndarray,
                     labels: Mapping[str, str]) -> spec.Figure:
    """One sample's probability of its class: a dot per random batch (batch stats) vs running stats.

    labels: x, y, batch, running (the two series)."""
    fig = figure("", labels["x"], labels["y"], 340)
    reps = batch_prob.shape[1]
    jitter = np.linspace(-0.18, 0.18, reps)
    x = (sizes[:, None] + jitter[None, :]).ravel()
    fig.add_trace(spec.scatter(x=x, y=finite_or_none(batch_prob.ravel()), mode="markers", name=labels["batch"],
                               marker=dict(color=color(3), size=7, opacity=0.7)))
    fig.add_trace(spec.scatter(x=x, y=finite_or_none(running_prob.ravel()), mode="markers", name=labels["running"],
                               marker=dict(color=color(0), size=7, symbol="diamond")))
    fig.update_xaxes(tickmode="array", tickvals=list(sizes))
    fig.update_yaxes(range=[-0.03, 1.03])
    fig.alt = describe.Alt(describe.axes(labels["x"], labels["y"]),
                           *[describe.values(labels[k], labels["x"], sizes, np.mean(p, axis=1))
                             for k, p in (("batch", batch_prob), ("running", running_prob))],
                           table=[(labels["x"], [describe.num(v) for v in sizes]),
                                  ((labels["batch"], describe.Word("col_low")), [describe.num(v) for v in batch_prob.min(1)]),
                                  ((labels["batch"], describe.Word("col_high")), [describe.num(v) for v in batch_prob.max(1)]),
                                  (labels["running"], [describe.num(v) for v in running_prob.mean(1)])])
    return _room(fig)


def gamma_beta(gamma: np.ndarray, beta: np.ndarray, labels: Mapping[str, str]) -> spec.Figure:
    """The learned scale γ and shift β of every unit of one BN layer, as bars (γ starts at 1, β at 0).

    labels: x, gamma_title, beta_title (the panels)."""
    units = np.arange(len(gamma))
    fig = grid(rows=1, cols=2, subplot_titles=[labels["gamma_title"], labels["beta_title"]], horizontal_spacing=0.08)
    for col, (values, base) in enumerate(((gamma, 1.0), (beta, 0.0)), start=1):
        fig.add_trace(spec.bar(x=units, y=finite_or_none(values), marker_color=color(col + 1), marker_line_width=0,
                               marker_pattern=pattern(col - 1), showlegend=False), row=1, col=col)
        fig.add_hline(y=base, line=dict(color="#222", width=1, dash="dash"), row=1, col=col)
        fig.update_xaxes(title_text=labels["x"], row=1, col=col)
    fig.update_layout(bargap=0.1)
    fig.alt = describe.Alt(describe.title(labels["gamma_title"]), describe.values("γ", labels["x"], units, gamma),
                           describe.title(labels["beta_title"]), describe.values("β", labels["x"], units, beta))
    return _finish(fig, 300)


def sweep_chart(values: np.ndarray, acc: Mapping[str, np.ndarray], diverged: Mapping[str, np.ndarray],
                labels: Mapping[str, str], done: Mapping[str, np.ndarray] | None = None) -> spec.Figure:
    """Final accuracy vs the swept value (log x), one line per variant of ``acc``; diverged runs as ✕ at 0.
    ``done`` {variant: (V,) bool}: the values trained so far (default: all); the x axis always spans every value,
    so a sweep that plays fills the chart from the left.

    labels: x, y, diverged (the ✕ series, after the variant's name), and a name per variant."""
    values = np.asarray(values, dtype=float)
    fig = figure("", labels["x"], labels["y"], 360)
    for i, key in enumerate(acc):
        name = labels[key]
        shown = np.ones(len(values), bool) if done is None else np.asarray(done[key], bool)
        if not shown.any():
            continue
        fig.add_trace(spec.scatter(x=list(values[shown]), y=finite_or_none(np.asarray(acc[key])[shown]),
                                   mode="lines+markers", name=name, line=dict(color=color(i), width=2.5, dash=dash(i)),
                                   marker=dict(size=8, symbol=symbol(i))))
        bad = np.asarray(diverged[key], bool) & shown
        if bad.any():
            fig.add_trace(spec.scatter(x=list(values[bad]), y=[0.0] * int(bad.sum()), mode="markers",
                                       name=f"{name}: {labels['diverged']}",
                                       marker=dict(color=color(i), size=12, symbol="x")))
    low, high = np.log10(values.min()), np.log10(values.max())
    fig.update_xaxes(type="log", exponentformat="power", range=[low - 0.15, high + 0.15])
    fig.update_yaxes(range=[-0.03, 1.03])
    done_of = {key: (np.ones(len(values), bool) if done is None else np.asarray(done[key], bool)) for key in acc}
    fig.alt = describe.Alt(describe.axes(labels["x"], labels["y"]),
                           *[describe.values(labels[key], labels["x"], values[done_of[key]],
                                             np.asarray(acc[key])[done_of[key]]) for key in acc],
                           table=[(labels["x"], [describe.num(v) for v in values]),
                                  *[(labels[key], [describe.num(a) if d else "—" for a, d in zip(acc[key], done_of[key])])
                                    for key in acc]])
    return _room(fig)
