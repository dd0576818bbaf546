"""The batch-normalization page as a notebook: the same sigmoid network with and without batch norm, trained side
by side as far as the page's Train goes, and how the input of one sigmoid of the last hidden layer drifts
(Ioffe & Szegedy 2015, fig. 1)."""
from __future__ import annotations

from notebooks._base import chart_words, fields, last_records, training_loop

FUNCTION = "pair"  # the lab function the first cell points to

FIELDS = fields("batchnorm", "pos", "lr", "std", "mom", "eps", "unit", "seed")  # lab/batchnorm.py SETTINGS


def steps(v) -> int:
    """The updates of the page's live pair at these settings (its last frame)."""
    from lab import batchnorm as lab

    return lab.pair_run(v["position"], v["lr"], v["init_std"], v["momentum"], v["eps"], v["seed"]).steps[-1]


def experiment(v) -> str:
    return f"""
# 3 hidden layers of 100 sigmoid units on the 8×8 digits, W ~ N(0, init_std²), SGD on mini-batches of 60;
# every few updates the input of each last-hidden-layer sigmoid is measured on 200 held-out digits
group = lesson.pair(position, lr, init_std, momentum, eps, seed)  # "bn" (batch norm in every hidden layer), "plain"
group.run({steps(v)})  # updates, as the page's Train: this takes a while
print(group["bn"].net)
"""


def loop(v) -> str:
    return training_loop('lesson.pair(position, lr, init_std, momentum, eps, seed)["bn"].trainer', 'group["bn"]')


IMPORTS = """
import numpy as np

from core import losses                  # the engine: the loss functions the loop below calls
from figures import batchnorm as charts  # the page's own chart builders (figures/batchnorm.py)
from lab import batchnorm as lesson      # this page's experiments (lab/batchnorm.py), built on the engine in core/
"""

NUMBERS = last_records(("test_acc", "train_loss"), extra=(
    '# how far the followed unit\'s 15th, 50th and 85th percentiles wandered: the mean of their (max − min)',
    'numbers[f"drift_{name}"] = lesson.percentile_drift(trainer.percentiles, unit)'))


def charts(v) -> tuple:
    return (f"pct{v['unit']}",)


def chart(text, v) -> str:
    labels = chart_words(text, "batchnorm", {
        "bn": "bn", "plain": "plain", "x": "common.step_axis", "p15": "p15", "p50": "p50", "p85": "p85",
        "y": ("z_axis", {"unit": "unit"})})
    return f"""
view = lesson.pair_snapshot(group)  # what the page draws of the pair at its last step
# per network: the probe steps, and the 15th, 50th and 85th percentiles of the followed unit's input at each
panels = {{name: (m.probe_steps, m.percentiles[:, :, unit]) for name, m in view.members.items()}}
{labels}
fig = charts.percentile_panels(panels, labels, lesson.TOTAL_STEPS)
fig.show()
"""
