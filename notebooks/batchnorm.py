"""The batch-normalization page as a notebook: the same sigmoid network with and without batch norm, trained side
by side as far as the page's Train goes."""
from __future__ import annotations

from notebooks._base import Field, last_records, number, options

FUNCTION = "sigmoid_trainer"  # the lab function the first cell points to

FIELDS = (
    Field("pos", "position", options(("before", "after")), "before"),
    Field("lr", "lr", options((0.1, 0.3, 1.0, 2.0, 3.0, 10.0)), 1.0),
    Field("std", "init_std", options((0.01, 0.03, 0.1, 0.3, 1.0)), 0.1),
    Field("mom", "momentum", options((0.01, 0.03, 0.1, 0.3, 0.9)), 0.1),
    Field("eps", "eps", options((1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2)), 1e-5),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
)
STEPS = 1500  # the page's live panel trains this many updates (lessons/batchnorm.py, TOTAL_STEPS)

IMPORTS = """
import plotly.graph_objects as go

from core import compare
from lab import batchnorm as lesson  # this page's experiments (lab/batchnorm.py), built on the engine in core/
"""

EXPERIMENT = f"""
# 3 hidden layers of 100 sigmoid units on the 8×8 digits, W ~ N(0, init_std²), SGD on mini-batches of 60
def trainer(batchnorm):
    return lesson.sigmoid_trainer(batchnorm, bn_position=position, init_std=init_std, lr=lr, momentum=momentum,
                                  eps=eps, seed=seed, eval_every=10)


group = compare.Group({{"bn": trainer(True), "plain": trainer(False)}})
group.run({STEPS})  # as many updates as the page's Train: this takes a while (about 10 s)
print(group["bn"].net)
"""

NUMBERS = last_records(("test_acc", "train_loss"))


def chart(text) -> str:
    return f"""
names = {{"bn": {text.label("batchnorm_bn")}, "plain": {text.label("batchnorm_plain")}}}
fig = go.Figure()
for name, trainer in group.items():
    fig.add_trace(go.Scatter(x=trainer.history["step"], y=trainer.history["test_acc"], mode="lines", name=names[name],
                             line=dict(width=3)))
fig.update_layout(title={text.label("batchnorm_chart_title")}, xaxis_title={text.label("common.step_axis")},
                  yaxis_title={text.label("common.accuracy_axis")}, yaxis_range=[0, 1])
fig.show()
"""
