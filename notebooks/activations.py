"""The activation-functions page as a notebook: the same network trained with each chosen activation (each with its
recommended initialization), side by side, as the page's race; the test accuracy and loss each one ends with."""
from __future__ import annotations

from notebooks._base import chart_words, fields, last_records, training_loop

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


def loop(v) -> str:
    return training_loop("lesson.compare_group(activations[:1], dataset, hidden, lr, batch_size, seed)[activations[0]]",
                         "group[activations[0]]")


IMPORTS = """
import numpy as np

from core import losses                    # the engine: the loss functions the loop below calls
from figures import activations as charts  # the page's own chart builders (figures/activations.py)
from lab import activations as lesson      # this page's experiments (lab/activations.py), on the engine in core/
"""

NUMBERS = last_records(("test_acc", "train_loss"))


def charts(v) -> tuple:
    return ("chart_loss",)


def chart(text, v) -> str:
    from lab import activations as lab

    names = {name: text(f"common.opt_{name}") if text.has(f"common.opt_{name}") else name
             for name in lab.SETTINGS["acts"].options()}
    labels = chart_words(text, "activations", {"x": "common.step_axis", "y": "common.loss_axis"})
    return f"""
names = {names!r}
{labels}
curves = {{names[name]: steps_loss for name, steps_loss in lesson.compare_losses(group).items()}}  # from step 0
fig = charts.loss_race(curves, lesson.COMPARE_STEPS, labels, markers=group.step == 0)
fig.show()
"""
