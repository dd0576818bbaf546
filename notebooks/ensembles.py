"""The ensembles page as a notebook: K networks that differ only in their seed, and the accuracy of their averaged
predictions beside each member's."""
from __future__ import annotations

from notebooks._base import fields

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


IMPORTS = """
import plotly.graph_objects as go

from lab import ensembles as lesson  # this page's experiments (lab/ensembles.py), built on the engine in core/
"""

NUMBERS = """
numbers = {
    **{f"test_acc_member_{i + 1}": acc for i, acc in enumerate(scores.members)},
    "test_acc_mean": scores.mean,
    "test_acc_ensemble": scores.ensemble,
    "disagree": scores.disagree,  # share of test digits on which the members do not all predict the same class
}
"""


def chart(text) -> str:
    return f"""
names = [{text.label("ensembles_member")} + f" {{i + 1}}" for i in range(k)]
names += [{text.label("ensembles_mean")}, {text.label("ensembles_ensemble")}]
values = [*scores.members, scores.mean, scores.ensemble]
colors = ["#9ecae1"] * k + ["#6baed6", "#ff7f0e"]
fig = go.Figure(go.Bar(x=names, y=values, marker_color=colors, text=[f"{{v:.1%}}" for v in values],
                       textposition="outside"))
fig.update_layout(title={text.label("ensembles_chart_title")}, yaxis_title={text.label("common.accuracy_axis")},
                  yaxis_range=[0, 1.05])
fig.show()
"""
