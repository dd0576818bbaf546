"""The dropout page as a notebook: three copies of a deep network on a few points of two noisy spirals (no
regularization, dropout, L2), trained side by side; the gap between training and test accuracy."""
from __future__ import annotations

from notebooks._base import chart_words, fields, last_records, training_loop

FUNCTION = "overfit_group"  # the lab function the first cell points to

FIELDS = fields("dropout", "rate", "l2", "seed")  # lab/dropout.py SETTINGS


def steps(v) -> int:
    """The updates of the page's live run at these settings (its last frame)."""
    from lab import dropout as lab

    return lab.overfit_run(v["rate"], v["l2"], v["seed"]).steps[-1]


def experiment(v) -> str:
    return f"""
# "none", "dropout" (drop rate `rate`), "l2" (½·l2·ΣW²): the same initial weights and mini-batches; every curve
# starts with the untrained network's accuracy (lesson.overfit_start), as the page's
group = lesson.overfit_start(rate, l2, seed)
group.run({steps(v)})  # updates, as the page's Train: this takes a few seconds
print(lesson.OVERFIT)
"""


def loop(v) -> str:
    return training_loop('lesson.overfit_group(rate, l2, seed)["dropout"]', 'group["dropout"]')


IMPORTS = """
import numpy as np

from core import losses                # the engine: the loss functions the loop below calls
from figures import dropout as charts  # the page's own chart builders (figures/dropout.py)
from lab import dropout as lesson      # this page's experiments (lab/dropout.py), built on the engine in core/
"""

NUMBERS = last_records(("test_acc",), extra=('numbers[f"gap_{name}"] = lesson.gap(trainer)',))


def charts(v) -> tuple:
    return ("overfit",)


def chart(text, v) -> str:
    labels = chart_words(text, "dropout", {
        "none": "m_none", "dropout": ("m_dropout", {"rate": "rate"}), "l2": ("m_l2", {"lam": "l2"}),
        "x": "common.step_axis", "y": "acc", "gap": "gap", "acc_title": "title_acc", "gap_title": "title_gap",
        "train": "common.train_set", "test": "common.test_set"})
    return f"""
view = lesson.overfit_snapshot(group)  # what the page draws of the three runs at their last step
{labels}
fig = charts.overfit_curves(view.histories, labels, lesson.OVERFIT["steps"])
fig.show()
"""
