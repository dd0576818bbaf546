"""The dropout page as a notebook: three copies of a deep network on a few points of two noisy spirals (no
regularization, dropout, L2), trained side by side; the gap between training and test accuracy."""
from __future__ import annotations

from notebooks._base import fields, last_records

FUNCTION = "overfit_group"  # the lab function the first cell points to

FIELDS = fields("dropout", "rate", "l2", "seed")  # lab/dropout.py SETTINGS


def steps(v) -> int:
    """The updates of the page's live run at these settings (its last frame)."""
    from lab import dropout as lab

    return lab.overfit_run(v["rate"], v["l2"], v["seed"]).steps[-1]


def experiment(v) -> str:
    return f"""
group = lesson.overfit_group(rate, l2, seed)  # "none", "dropout" (drop rate `rate`), "l2" (½·l2·ΣW²)
group.run({steps(v)})  # updates, as the page's Train: this takes a few seconds
print(lesson.OVERFIT)
"""


IMPORTS = """
import plotly.graph_objects as go

from lab import dropout as lesson  # this page's experiments (lab/dropout.py), built on the engine in core/
"""

NUMBERS = last_records(("test_acc",), extra=('numbers[f"gap_{name}"] = lesson.gap(trainer)',))


def chart(text) -> str:
    return f"""
names = {{"none": {text.label("dropout_none")}, "dropout": {text.label("dropout_dropout")} + f" ({{rate:g}})",
         "l2": "L2" + f" (λ = {{l2:g}})"}}
colors = {{"none": "#1f77b4", "dropout": "#ff7f0e", "l2": "#2ca02c"}}
fig = go.Figure()
for name, trainer in group.items():
    h = trainer.history
    fig.add_trace(go.Scatter(x=h["step"], y=h["train_acc"], mode="lines", line=dict(color=colors[name], dash="dot"),
                             name=names[name] + " · " + {text.label("common.train_set")}))
    fig.add_trace(go.Scatter(x=h["step"], y=h["test_acc"], mode="lines", line=dict(color=colors[name], width=3),
                             name=names[name] + " · " + {text.label("common.test_set")}))
fig.update_layout(title={text.label("dropout_chart_title")}, xaxis_title={text.label("common.step_axis")},
                  yaxis_title={text.label("common.accuracy_axis")})
fig.show()
"""
