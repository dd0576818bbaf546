"""The data-preprocessing page as a notebook: the same network trained on raw and on standardized inputs."""
from __future__ import annotations

from notebooks._base import chart_words, fields, training_loop

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


def loop(v) -> str:
    return training_loop('lesson.preprocess_group(dataset, shift, lr, seed)["standardize"]', 'group["standardize"]')


IMPORTS = """
import numpy as np

from core import losses                      # the engine: the loss functions the loop below calls
from figures import preprocessing as charts  # the page's own chart builders (figures/preprocessing.py)
from lab import preprocessing as lesson      # this page's experiments (lab/preprocessing.py), on the engine in core/
"""

NUMBERS = """
numbers = {}
for name, trainer in group.items():
    if len(trainer.history["step"]):  # a run that diverged before its first record has no loss to show
        numbers[f"train_loss_{name}"] = trainer.history["train_loss"][-1]
    # hidden ReLU units that output 0 on every training input: they pass no gradient, so they never recover
    numbers[f"dead_units_{name}"] = lesson.dead_units(trainer)
"""


def charts(v) -> tuple:
    return ("curves",)


def chart(text, v) -> str:
    labels = chart_words(text, "preprocessing", {
        "raw": "m_raw", "standardize": "m_std", "title": "c_title", "x": "common.step_axis", "y": "common.loss_axis"})
    return f"""
view = lesson.snapshot(group)  # what the page draws of the two runs at their last step
{labels}
fig = charts.preprocess_curves(view.histories, labels)
fig.show()
"""
