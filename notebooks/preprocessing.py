"""The data-preprocessing page as a notebook: the same network trained on raw and on standardized inputs."""
from __future__ import annotations

from notebooks._base import Field, from_lab, number, options

FUNCTION = "preprocess_group"  # the lab function the first cell points to



FIELDS = (
    Field("data", "dataset", options(("shifted", "digits")), "shifted"),
    Field("shift", "shift", number(0.0, 30.0), from_lab("preprocessing", "PREPROCESS", "shift")),
    Field("lr", "lr", options((0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3)),
          from_lab("preprocessing", "PREPROCESS", "lr")),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
)
STEPS = 400  # the page's live panel trains this many updates (lessons/preprocessing.py, TOTAL)

IMPORTS = """
import plotly.graph_objects as go

from lab import preprocessing as lesson  # this page's experiments (lab/preprocessing.py), on the engine in core/
"""

EXPERIMENT = f"""
group = lesson.preprocess_group(dataset, shift, lr, seed)  # one network, two copies: "raw" and "standardize"
group.run({STEPS})                                           # {STEPS} updates each, as the page's Train

standardized = lesson.preprocessed(lesson.preprocess_source(dataset, shift, seed), "standardize")
# measured on the training set only, then applied to both sets
print("mean =", standardized.info["mean"].round(3), " std =", standardized.info["std"].round(3))
"""

NUMBERS = """
numbers = {
    **{f"train_loss_{name}": trainer.history["train_loss"][-1] for name, trainer in group.items()},
    **{f"test_acc_{name}": trainer.history["test_acc"][-1] for name, trainer in group.items()},
}
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
