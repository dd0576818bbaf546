"""The batches page as a notebook: the same network trained by full-batch, mini-batch and single-sample gradient
descent, side by side, as far as the page's Train goes."""
from __future__ import annotations

from notebooks._base import Field, flag, from_lab, number, options

FUNCTION = "batch_group"  # the lab function the first cell points to



FIELDS = (
    Field("batch", "batch_size", options((2, 4, 8, 16, 32, 64, 128)),
          from_lab("batches", "BATCH", "batch_size")),
    Field("lr", "lr", options((0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0)), from_lab("batches", "BATCH", "lr")),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
    Field("epochs", "x_in_epochs", flag, False),
)
STEPS = 400  # the page's live panel trains this many updates (lessons/batches.py, TOTAL)

IMPORTS = """
import plotly.graph_objects as go

from lab import batches as lesson  # this page's experiments (lab/batches.py), built on the engine in core/
"""

EXPERIMENT = f"""
group = lesson.batch_group(batch_size, lr, seed)  # three copies of one network: "full", "mini", "single"
group.run({STEPS})                                   # {STEPS} updates each, as the page's Train
"""

NUMBERS = """
numbers = {
    **{f"epochs_{name}": epochs for name, (epochs, _) in lesson.progress(group).items()},
    **{f"step_noise_{name}": noise for name, (_, noise) in lesson.progress(group).items()},
    **{f"train_loss_{name}": trainer.history["train_loss"][-1] for name, trainer in group.items()},
}
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
