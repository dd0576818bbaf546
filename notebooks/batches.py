"""The batches page as a notebook: the same network trained by full-batch, mini-batch and single-sample gradient
descent, side by side, as far as the page's Train goes; epochs done, the loss at equal epochs and the step noise."""
from __future__ import annotations

from notebooks._base import Code, chart_words, fields, training_loop

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


def loop(v) -> str:
    return training_loop('lesson.batch_group(batch_size, lr, seed)["mini"]', 'group["mini"]')


IMPORTS = """
import numpy as np

from core import losses                # the engine: the loss functions the loop below calls
from figures import batches as charts  # the page's own chart builders (figures/batches.py)
from lab import batches as lesson      # this page's experiments (lab/batches.py), built on the engine in core/
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


def charts(v) -> tuple:
    return (f"curves_{'epoch' if v['x_in_epochs'] else 'step'}",)


def chart(text, v) -> str:
    labels = chart_words(text, "batches", {
        "full": ("full", {"n": "lesson.N_TRAIN"}), "mini": ("mini", {"b": "batch_size"}), "single": "single",
        "title": "curve_title", "x": Code(f'{text.label("batches.x_epoch")} if x_in_epochs else '
                                          f'{text.label("batches.x_step")}'),
        "y": "common.loss_axis", "batch": "on_batch", "whole": "on_whole",
        "common": ("common_mark", {"e": 'f"{view.common_epoch:.2g}"'})})
    return f"""
view = lesson.snapshot(group)  # what the page draws of the three runs at their last step
x_axis = "epoch" if x_in_epochs else "step"
{labels}
fig = charts.batch_curves(view.histories, x_axis, labels, common_epoch=view.common_epoch)
fig.show()
"""
