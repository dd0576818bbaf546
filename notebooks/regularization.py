"""The regularization page as a notebook: five copies of one network on a few digits, a share of them labelled wrong
(no regularization, L2, decoupled weight decay, L1, max-norm), trained side by side, and early stopping's best step:
the page's table."""
from __future__ import annotations

from notebooks._base import fields

FUNCTION = "regularization_group"  # the lab function the first cell points to


FIELDS = fields("regularization", "n", "width", "lam", "wd", "c", "seed", "show")  # lab/regularization.py SETTINGS


def settings(v):
    from lab import regularization as lab

    return lab.Settings(n_train=v["n_train"], width=v["width"], lam=v["lam"], wd=v["wd"], c=v["c"], seed=v["seed"])


def steps(v) -> int:
    """The updates of the page's live run at these settings (its last frame)."""
    from lab import regularization as lab

    return lab.training_run(settings(v)).steps[-1]


def words(v) -> dict:
    from lab import regularization as lab

    return {"steps": steps(v), "wrong": round(100 * lab.REG["label_noise"])}


def experiment(v) -> str:
    return f"""
settings = lesson.Settings(n_train=n_train, width=width, lam=lam, wd=wd, c=c, seed=seed)
group = lesson.regularization_group(settings)  # "none", "l2", "decoupled", "l1", "maxnorm"
group.run({steps(v)})  # updates, as the page's Train

rows = {{name: lesson.summary(member, group.test) for name, member in group.items()}}
# early stopping: the unregularized network with its weights at the lowest validation loss
rows["early"] = lesson.summary(group["none"], group.test, group["none"].best_state)
for name, row in rows.items():
    print(f"{{name:>9}}: train {{row.train_acc:.1%}}, test {{row.test_acc:.1%}}, gap {{row.gap:+.1%}}, "
          f"wrong labels learned {{row.memorized:.1%}}, best step {{row.best_step}}")
"""


IMPORTS = """
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab import regularization as lesson  # this page's experiments (lab/regularization.py), on the engine in core/
"""

NUMBERS = """
numbers = {}
for name, row in rows.items():  # the page's table, one row per method
    numbers[f"train_acc_{name}"] = row.train_acc  # on the training labels as given, the wrong ones included
    numbers[f"test_acc_{name}"] = row.test_acc
    numbers[f"gap_{name}"] = row.gap
    numbers[f"memorized_{name}"] = row.memorized  # wrongly labelled training digits predicted with their wrong label
    numbers[f"best_step_{name}"] = row.best_step  # the step of the lowest validation loss
    numbers[f"weight_norm_{name}"] = row.weight_norm
    numbers[f"zero_weights_{name}"] = row.zero_frac  # weights exactly 0
"""


def chart(text) -> str:
    return f"""
h = group[shown].history
best = lesson.best_step(h)  # the step of the lowest validation loss: early stopping's choice
names, colors = ({text.label("common.train_set")}, {text.label("regularization_val")}), ("#1f77b4", "#ff7f0e")
fig = make_subplots(rows=1, cols=2, subplot_titles=[{text.label("common.accuracy_axis")}, {text.label("common.loss_axis")}])
for col, keys in enumerate((("train_acc", "test_acc"), ("train_loss", "test_loss")), start=1):
    for key, name, color in zip(keys, names, colors):
        fig.add_trace(go.Scatter(x=h["step"], y=h[key], mode="lines", name=name, line=dict(width=2.5, color=color),
                                 showlegend=col == 1, legendgroup=name), row=1, col=col)
    fig.add_vline(x=best, line=dict(dash="dot", color="gray"), row=1, col=col)
title = {text.label("regularization_chart_title")} + f" ({{shown}}, " + {text.label("regularization_best")} + f" {{best}})"
fig.update_layout(title=title)
fig.update_xaxes(title_text={text.label("common.step_axis")})
fig.show()
"""
