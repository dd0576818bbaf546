"""The data-preprocessing page as a notebook: the same network trained on raw and on standardized inputs."""
from __future__ import annotations

from notebooks._base import fields

FUNCTION = "preprocess_group"  # the lab function the first cell points to

FIELDS = fields("preprocessing", "data", "shift", "lr", "seed")  # lab/preprocessing.py SETTINGS


def steps(v) -> int:
    """The updates of the page's live run at these settings (its last frame)."""
    from lab import preprocessing as lab

    settings = lab.Settings(dataset=v["dataset"], shift=v["shift"], lr=v["lr"], seed=v["seed"])
    return lab.preprocess_run(settings).steps[-1]


def experiment(v) -> str:
    return f"""
group = lesson.preprocess_group(dataset, shift, lr, seed)  # one network, two copies: "raw" and "standardize"
group.run({steps(v)})  # updates each, as the page's Train

standardized = lesson.preprocessed(lesson.preprocess_source(dataset, shift, seed), "standardize")
# measured on the training set only, then applied to both sets
print("mean =", standardized.info["mean"].round(3), " std =", standardized.info["std"].round(3))
"""


IMPORTS = """
import plotly.graph_objects as go

from lab import preprocessing as lesson  # this page's experiments (lab/preprocessing.py), on the engine in core/
"""

NUMBERS = """
numbers = {}
for name, trainer in group.items():
    if len(trainer.history["step"]):  # a run that diverged before its first record has no loss to show
        numbers[f"train_loss_{name}"] = trainer.history["train_loss"][-1]
    # hidden ReLU units that output 0 on every training input: they pass no gradient, so they never recover
    numbers[f"dead_units_{name}"] = lesson.dead_units(trainer)
"""


def chart(text) -> str:
    return f"""
names = {{"raw": {text.label("preprocessing_raw")}, "standardize": {text.label("preprocessing_standardized")}}}
fig = go.Figure()
for name, trainer in group.items():
    fig.add_trace(go.Scatter(x=trainer.history["step"], y=trainer.history["train_loss"], mode="lines",
                             name=names[name], line=dict(width=3)))
fig.update_layout(title={text.label("preprocessing_chart_title")}, xaxis_title={text.label("common.step_axis")},
                  yaxis_title={text.label("common.loss_axis")})
fig.show()
"""
