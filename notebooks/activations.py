"""The activation-functions page as a notebook: the same network trained with each chosen activation (each with its
recommended initialization), side by side, as the page's race; the test accuracy and loss each one ends with."""
from __future__ import annotations

from notebooks._base import fields, last_records

FUNCTION = "compare_group"  # the lab function the first cell points to

FIELDS = fields("activations", "acts", "ds", "cmp_lr", "seed")  # lab/activations.py SETTINGS


def steps(v) -> int:
    """The updates of the page's race at these settings (its last frame)."""
    from lab import activations as lab

    return lab.race_run(tuple(v["activations"]), v["dataset"], v["lr"], v["seed"]).steps[-1]


def experiment(v) -> str:
    return f"""
hidden, batch_size = lesson.COMPARE["hidden"], lesson.COMPARE["batch_size"]  # the page's fixed network and batches
group = lesson.compare_group(activations, dataset, hidden, lr, batch_size, seed)  # Adam, one network per activation
group.run({steps(v)})  # updates, as the page's Train
"""


IMPORTS = """
import plotly.graph_objects as go

from lab import activations as lesson  # this page's experiments (lab/activations.py), built on the engine in core/
"""

NUMBERS = last_records(("test_acc", "train_loss"))


def chart(text) -> str:
    from lab import activations as lab

    labels = {name: text(f"common.opt_{name}") for name in lab.SETTINGS["acts"].options()}
    return f"""
names = {labels!r}
fig = go.Figure()
for name, (steps, loss) in lesson.compare_losses(group).items():  # from step 0: the loss before any update first
    fig.add_trace(go.Scatter(x=steps, y=loss, mode="lines", name=names[name], line=dict(width=2.5)))
fig.update_layout(title={text.label("activations_chart_title")}, xaxis_title={text.label("common.step_axis")},
                  yaxis_title={text.label("common.loss_axis")}, yaxis_type="log")
fig.show()
"""
