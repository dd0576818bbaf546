"""The regularization page as a notebook: five copies of one network on a few noisy digits (no regularization,
L2, decoupled weight decay, L1, max-norm), trained side by side, and early stopping's best step."""
from __future__ import annotations

from notebooks._base import Field, code, md, number, numbers_cells, opening, options, settings_code


def _lab():
    from lab import regularization
    return regularization


FIELDS = (
    Field("n", "n_train", options((50, 100, 200, 400, 700, 1000)), lambda: _lab().REG["n_train"]),
    Field("width", "width", options((8, 16, 32, 64, 128, 256)), lambda: _lab().REG["width"]),
    Field("lam", "lam", options((1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1)), lambda: _lab().REG["lam"]),
    Field("c", "c", number(0.25, 4.0), lambda: _lab().REG["c"]),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
    Field("show", "shown", lambda v: options(_lab().REG_METHODS)(v), "none"),
)

IMPORTS = """
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab import regularization as lesson  # this page's experiments (lab/regularization.py), built on the engine in core/
"""

EXPERIMENT = """
group = lesson.regularization_group(n_train, width, lam, c, seed)  # "none", "l2", "decoupled", "l1", "maxnorm"
group.run(lesson.REG["steps"])                                      # as many updates as the page's Train

rows = {name: lesson.summary(member, group.test) for name, member in group.items()}
rows["early"] = lesson.summary(group["none"], group.test, group["none"].best_state)  # early stopping: the best weights
for name, row in rows.items():
    print(f"{name:>9}: train {row.train_acc:.1%}  test {row.test_acc:.1%}  gap {row.gap:+.1%}  best step {row.best_step}")
"""

NUMBERS = """{
    **{f"train_acc_{name}": row.train_acc for name, row in rows.items()},
    **{f"test_acc_{name}": row.test_acc for name, row in rows.items()},
    **{f"gap_{name}": row.gap for name, row in rows.items()},
}"""


def chart(text) -> str:
    return f"""
h = group[shown].history
best = lesson.best_step(h)  # the step of the lowest validation loss: early stopping's choice
fig = make_subplots(rows=1, cols=2, subplot_titles=[{text.label("common.accuracy_axis")}, {text.label("common.loss_axis")}])
for col, keys in enumerate((("train_acc", "test_acc"), ("train_loss", "test_loss")), start=1):
    for key, name, color in zip(keys, ({text.label("common.train_set")}, {text.label("regularization_val")}), ("#1f77b4", "#ff7f0e")):
        fig.add_trace(go.Scatter(x=h["step"], y=h[key], mode="lines", name=name, line=dict(width=2.5, color=color),
                                 showlegend=col == 1, legendgroup=name), row=1, col=col)
    fig.add_vline(x=best, line=dict(dash="dot", color="gray"), row=1, col=col)
fig.update_layout(title={text.label("regularization_chart_title")} + f" ({{shown}}, " + {text.label("regularization_best")} + f" {{best}})")
fig.update_xaxes(title_text={text.label("common.step_axis")})
fig.show()
"""


def cells(v, text):
    return [*opening("regularization", text, ["regularization_group"]),
            code(settings_code([f.name for f in FIELDS], v)),
            code(IMPORTS),
            md(text("regularization_experiment")), code(EXPERIMENT),
            md(text("regularization_chart")), code(chart(text)),
            *numbers_cells(text, NUMBERS)]
