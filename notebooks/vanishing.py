"""The vanishing/exploding-gradients page as a notebook: the gradient reaching every layer at initialization (one real
backward pass) beside the chain-rule bound from the weights drawn, then the same network trained by SGD with the
page's clipping."""
from __future__ import annotations

from notebooks._base import Code, chart_words, fields, training_loop

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


def loop(v) -> str:
    return training_loop("lesson.training_group(ds, lr, clip, threshold, depth=depth, width=width, act=activation, "
                         "init=init, std=std,\n                              bn=batchnorm, seed=seed)[\"yours\"]",
                         'group["yours"]', parts=("clip",))


IMPORTS = """
import numpy as np

from core import losses, regularization  # the engine: the loss functions and the clipping the loop below calls
from figures import vanishing as charts  # the page's own chart builders (figures/vanishing.py)
from lab import vanishing as lesson      # this page's experiments (lab/vanishing.py), built on the engine in core/
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


def charts(v) -> tuple:
    return ("profile", "loss")


def chart(text, v) -> str:
    profile = chart_words(text, "vanishing", {
        "title": "profile_title", "x": "layer_axis", "y": "delta_axis", "measured": "measured", "bound": "bound_line"})
    names = chart_words(text, "vanishing", {
        "yours": Code(f'{text.label("vanishing.run_clipped")} if clip != "none" else '
                      f'{text.label("vanishing.run_yours")}'),
        "plain": "run_plain"}, name="names")
    loss = chart_words(text, "vanishing", {"title": "loss_title", "x": "common.step_axis", "y": "common.loss_axis"})
    return f"""
# at initialization: the gradient reaching every layer, and the chain rule's bound on it
{profile}
charts.layer_profile(profile.delta_norm, profile.bound, labels).show()

# while training: the loss of each run ("yours", and beside it "plain" when `clip` is on)
view = lesson.snapshot(group)  # what the page draws of the runs at their last step
{names}
{loss}
fig = charts.run_curves({{names[k]: (m.step, m.train_loss) for k, m in view.members.items()}}, labels)
fig.show()
"""
