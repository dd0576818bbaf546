"""The vanishing/exploding-gradients page as a notebook: the gradient reaching every layer at initialization (one real
backward pass) beside the chain-rule bound from the weights drawn, then the same network trained by SGD with the
page's clipping."""
from __future__ import annotations

from notebooks._base import fields

FUNCTION = "profile"  # the lab function the first cell points to

FIELDS = fields("vanishing")  # lab/vanishing.py SETTINGS


def page_run(v):
    """The page's live run at these settings (``lab.vanishing.training_run``)."""
    from lab import vanishing as lab

    net = lab.Net(v["dataset"], v["depth"], v["width"], v["activation"], v["init"], v["std"], v["batchnorm"],
                  v["seed"])
    return lab.training_run(net, lab.Training(v["lr"], v["clip"], v["threshold"]))


def steps(v) -> int:
    return page_run(v).steps[-1]


def experiment(v) -> str:
    return f"""
net = lesson.Net(dataset, depth, width, activation, init, std, batchnorm, seed)  # the network's settings
profile = lesson.profile(net)  # one forward and one backward pass at initialization, nothing updated
print(lesson.fresh_network(net))

ds = lesson.dataset(dataset, seed)
group = lesson.training_group(ds, lr, clip, threshold, depth=depth, width=width, act=activation, init=init, std=std,
                              bn=batchnorm, seed=seed)  # "yours" (clipped unless clip = "none"), beside it "plain"
group.run({steps(v)})  # updates, as the page's Train
"""


IMPORTS = """
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lab import vanishing as lesson  # this page's experiments (lab/vanishing.py), built on the engine in core/
"""

NUMBERS = """
numbers = {
    "max_slope": profile.max_slope,          # the activation's largest slope, max f'(z)
    "measured_ratio": profile.ratio,         # ‖δ_1‖ / ‖δ_out‖: the gradient reaching layer 1, over the output's
    "chain_rule_bound": profile.bound_ratio,  # what the chain rule allows for it (nan with batch norm)
}
for name, trainer in group.items():
    if len(trainer.history["step"]):  # a run that diverged before its first record has nothing to show
        numbers[f"train_loss_{name}"] = trainer.history["train_loss"][-1]
"""


def chart(text) -> str:
    return f"""
layers = np.arange(1, len(profile.delta_norm) + 1)
names = {{"yours": {text.label("vanishing.run_clipped")} if clip != "none" else {text.label("vanishing.run_yours")},
         "plain": {text.label("vanishing.run_plain")}}}
fig = make_subplots(rows=1, cols=2, subplot_titles=[{text.label("vanishing.profile_title")},
                                                    {text.label("vanishing.loss_title")}])
if profile.bound is not None:  # no bound with batch norm: its backward pass adds a factor per layer
    fig.add_trace(go.Scatter(x=layers, y=profile.bound, mode="lines", line=dict(dash="dash", width=2.5),
                             name={text.label("vanishing.bound_line")}), row=1, col=1)
fig.add_trace(go.Scatter(x=layers, y=profile.delta_norm, mode="lines+markers", line=dict(width=3),
                         name={text.label("vanishing.measured")}), row=1, col=1)
for name, trainer in group.items():
    fig.add_trace(go.Scatter(x=trainer.history["step"], y=trainer.history["train_loss"], mode="lines",
                             line=dict(width=2.5), name=names[name]), row=1, col=2)
fig.update_yaxes(type="log", exponentformat="power", title_text={text.label("vanishing.delta_axis")}, row=1, col=1)
fig.update_xaxes(title_text={text.label("vanishing.layer_axis")}, row=1, col=1)
fig.update_xaxes(title_text={text.label("common.step_axis")}, row=1, col=2)
fig.update_layout(height=450)
fig.show()
"""
