"""The regularization page as a notebook: five copies of one network on a few noisy digits (no regularization,
L2, decoupled weight decay, L1, max-norm), trained side by side, and early stopping's best step."""
from __future__ import annotations

from notebooks._base import Field, from_lab, number, options

FUNCTION = "regularization_group"  # the lab function the first cell points to



FIELDS = (
    Field("n", "n_train", options((50, 100, 200, 400, 700, 1000)), from_lab("regularization", "REG", "n_train")),
    Field("width", "width", options((8, 16, 32, 64, 128, 256)), from_lab("regularization", "REG", "width")),
    Field("lam", "lam", options((1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)),
          from_lab("regularization", "REG", "lam")),
    Field("c", "c", number(0.25, 4.0), from_lab("regularization", "REG", "c")),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
    Field("show", "shown", options(from_lab("regularization", "REG_METHODS")), "none"),
)

IMPORTS = """
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab import regularization as lesson  # this page's experiments (lab/regularization.py), on the engine in core/
"""

EXPERIMENT = """
group = lesson.regularization_group(n_train, width, lam, c, seed)  # "none", "l2", "decoupled", "l1", "maxnorm"
group.run(lesson.REG["steps"])                                      # as many updates as the page's Train

rows = {name: lesson.summary(member, group.test) for name, member in group.items()}
# early stopping: the unregularized network with its weights at the lowest validation loss
rows["early"] = lesson.summary(group["none"], group.test, group["none"].best_state)
for name, row in rows.items():
    print(f"{name:>9}: train {row.train_acc:.1%}, test {row.test_acc:.1%}, gap {row.gap:+.1%}, best {row.best_step}")
"""

NUMBERS = """
numbers = {
    **{f"train_acc_{name}": row.train_acc for name, row in rows.items()},
    **{f"test_acc_{name}": row.test_acc for name, row in rows.items()},
    **{f"gap_{name}": row.gap for name, row in rows.items()},
}
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
