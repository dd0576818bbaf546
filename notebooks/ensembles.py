"""The ensembles page as a notebook: K networks that differ only in their seed, and the accuracy of their averaged
predictions beside each member's."""
from __future__ import annotations

from notebooks._base import chart_words, fields, training_loop

FUNCTION = "seed_ensemble"  # the lab function the first cell points to

FIELDS = fields("ensembles", "k", "seed")  # lab/ensembles.py SETTINGS


def steps(v) -> int:
    """The updates of the page's first live run (the k networks) at these settings (its last frame)."""
    from lab import ensembles as lab

    return lab.seeds_run(lab.Settings(k=v["k"], seed=v["seed"])).steps[-1]


def experiment(v) -> str:
    return f"""
group = lesson.seed_ensemble(k, seed)  # k copies of one network: their seeds (weights, batch order) differ
group.run({steps(v)})  # updates each, as the page's Train

nets = [member.net for _, member in group.items()]
scores = lesson.score_ensemble(nets, group.test)  # each member alone, and their averaged probabilities
"""


def loop(v) -> str:
    return training_loop('lesson.seed_ensemble(k, seed)["m0"].trainer', 'group["m0"]')


IMPORTS = """
import numpy as np

from core import losses                  # the engine: the loss functions the loop below calls
from figures import ensembles as charts  # the page's own chart builders (figures/ensembles.py)
from lab import ensembles as lesson      # this page's experiments (lab/ensembles.py), built on the engine in core/
"""

NUMBERS = """
numbers = {
    **{f"test_acc_member_{i + 1}": acc for i, acc in enumerate(scores.members)},
    "test_acc_mean": scores.mean,
    "test_acc_ensemble": scores.ensemble,
    "disagree": scores.disagree,  # share of test digits on which the members do not all predict the same class
}
"""


def charts(v) -> tuple:
    return ("seeds",)


def chart(text, v) -> str:
    labels = chart_words(text, "ensembles", {"title": ("seeds_title", {"k": "k", "step": "group.step"}),
                                             "y": "acc_axis"})
    words = chart_words(text, "ensembles", {"member": "member", "mean": "mean", "ensemble": "ensemble"},
                        name="words")
    return f"""
{labels}
{words}
names = [words["member"].format(i=i + 1) for i in range(k)] + [words["mean"], words["ensemble"]]
values = [*scores.members, scores.mean, scores.ensemble]
fig = charts.score_bars(names, values, [0] * k + [1, 2], labels)  # the colours: members, their mean, the ensemble
fig.show()
"""
