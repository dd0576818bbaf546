"""The batches page as a notebook: the same network trained by full-batch, mini-batch and single-sample gradient
descent, side by side, as far as the page's Train goes; epochs done, the loss at equal epochs and the step noise."""
from __future__ import annotations

from notebooks._base import fields

FUNCTION = "batch_group"  # the lab function the first cell points to

FIELDS = fields("batches", "batch", "lr", "seed", "epochs")  # lab/batches.py SETTINGS


def steps(v) -> int:
    """The updates of the page's live run at these settings (its last frame)."""
    from lab import batches as lab

    return lab.batch_run(lab.Settings(v["batch_size"], v["lr"], v["seed"])).steps[-1]


def experiment(v) -> str:
    return f"""
group = lesson.batch_group(batch_size, lr, seed)  # three copies of one network: "full", "mini", "single"
group.run({steps(v)})  # updates each, as the page's Train
"""


IMPORTS = """
import plotly.graph_objects as go

from lab import batches as lesson  # this page's experiments (lab/batches.py), built on the engine in core/
"""

NUMBERS = """
epochs = {name: trainer.history["epoch"][-1] for name, trainer in group.items()}  # passes over the training set
common_epoch = min(epochs.values())  # as far as every run has gone: the single-sample run's epochs

numbers = {"common_epoch": common_epoch}
for name, trainer in group.items():
    numbers[f"epochs_{name}"] = epochs[name]
    # the whole training set's loss when the run had done common_epoch epochs: the runs compared at equal epochs
    numbers[f"loss_at_common_epoch_{name}"] = lesson.loss_at_epoch(trainer.history, common_epoch)
    # how jagged the loss on each update's own batch is: the variance of its step-to-step change
    numbers[f"step_noise_{name}"] = lesson.step_noise(trainer.history["batch_loss"])
"""


def chart(text) -> str:
    return f"""
names = {{"full": {text.label("batches_full")} + f" (N = {{lesson.N_TRAIN}})",
         "mini": {text.label("batches_mini")} + f" (B = {{batch_size}})", "single": {text.label("batches_single")}}}
x_key = "epoch" if x_in_epochs else "step"
fig = go.Figure()
for i, (name, trainer) in enumerate(group.items()):
    h = trainer.history
    color = ("#1f77b4", "#ff7f0e", "#2ca02c")[i]
    fig.add_trace(go.Scatter(x=h[x_key], y=h["batch_loss"], mode="lines", opacity=0.35, line=dict(color=color, width=1),
                             name=names[name] + " · " + {text.label("batches_on_batch")}))
    fig.add_trace(go.Scatter(x=h[x_key], y=h["train_loss"], mode="lines", line=dict(color=color, width=3),
                             name=names[name] + " · " + {text.label("batches_on_whole")}))
fig.update_layout(title={text.label("batches_chart_title")},
                  xaxis_title={text.label("common.epoch_axis")} if x_in_epochs else {text.label("common.step_axis")},
                  yaxis_title={text.label("common.loss_axis")})
fig.show()
"""
