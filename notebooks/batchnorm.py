"""The batch-normalization page as a notebook: the same sigmoid network with and without batch norm, trained side
by side as far as the page's Train goes, and how the input of one sigmoid of the last hidden layer drifts
(Ioffe & Szegedy 2015, fig. 1)."""
from __future__ import annotations

from notebooks._base import fields, last_records

FUNCTION = "pair"  # the lab function the first cell points to

FIELDS = fields("batchnorm", "pos", "lr", "std", "mom", "eps", "unit", "seed")  # lab/batchnorm.py SETTINGS


def steps(v) -> int:
    """The updates of the page's live pair at these settings (its last frame)."""
    from lab import batchnorm as lab

    return lab.pair_run(v["position"], v["lr"], v["init_std"], v["momentum"], v["eps"], v["seed"]).steps[-1]


def experiment(v) -> str:
    return f"""
# 3 hidden layers of 100 sigmoid units on the 8×8 digits, W ~ N(0, init_std²), SGD on mini-batches of 60;
# every few updates the input of each last-hidden-layer sigmoid is measured on 200 held-out digits
group = lesson.pair(position, lr, init_std, momentum, eps, seed)  # "bn" (batch norm in every hidden layer), "plain"
group.run({steps(v)})  # updates, as the page's Train: this takes a while
print(group["bn"].net)
"""


IMPORTS = """
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab import batchnorm as lesson  # this page's experiments (lab/batchnorm.py), built on the engine in core/
"""

NUMBERS = last_records(("test_acc", "train_loss"), extra=(
    '# how far the followed unit\'s 15th, 50th and 85th percentiles wandered: the mean of their (max − min)',
    'numbers[f"drift_{name}"] = lesson.percentile_drift(trainer.percentiles, unit)'))


def chart(text) -> str:
    names = {k: text(f"batchnorm.{k}") for k in ("bn", "plain")}
    percentiles = [text(f"batchnorm.{k}") for k in ("p15", "p50", "p85")]
    return f"""
names, percentiles = {names!r}, {percentiles!r}
fig = make_subplots(rows=1, cols=2, subplot_titles=[names["bn"], names["plain"]], shared_yaxes=True)
for col, (name, trainer) in enumerate(group.items(), start=1):
    for j, dash in enumerate(("dot", "solid", "dash")):  # trainer.percentiles: (probes, 3, units)
        fig.add_trace(go.Scatter(x=trainer.probe_steps, y=trainer.percentiles[:, j, unit], mode="lines",
                                 name=percentiles[j], showlegend=col == 1, line=dict(color="#1f77b4", dash=dash)),
                      row=1, col=col)
    fig.update_xaxes(title_text={text.label("common.step_axis")}, row=1, col=col)
fig.update_yaxes(title_text={text.label("batchnorm.z_axis")}.format(unit=unit), row=1, col=1)
fig.update_layout(title={text.label("batchnorm_chart_title")})
fig.show()
"""
