"""The regularization page as a notebook: five copies of one network on a few digits, a share of them labelled wrong
(no regularization, L2, decoupled weight decay, L1, max-norm), trained side by side, and early stopping's best step:
the page's table."""
from __future__ import annotations

from notebooks._base import chart_words, fields, training_loop

FUNCTION = "regularization_group"  # the lab function the first cell points to


FIELDS = fields("regularization", "n", "width", "lam", "wd", "c", "seed", "show")  # lab/regularization.py SETTINGS


def settings(v):
    from lab import regularization as lab

    return lab.Settings(n_train=v["n_train"], width=v["width"], lam=v["lam"], wd=v["wd"], c=v["c"], seed=v["seed"])


def steps(v) -> int:
    """The updates of the page's live run at these settings (its last frame)."""
    from lab import regularization as lab

    return lab.training_run(settings(v)).steps[-1]


def words(v) -> dict:
    from lab import regularization as lab

    return {"steps": steps(v), "wrong": round(100 * lab.REG["label_noise"])}


def experiment(v) -> str:
    return f"""
settings = lesson.Settings(n_train=n_train, width=width, lam=lam, wd=wd, c=c, seed=seed)
group = lesson.regularization_group(settings)  # "none", "l2", "decoupled", "l1", "maxnorm"
group.run({steps(v)})  # updates, as the page's Train

rows = {{name: lesson.summary(member, group.test) for name, member in group.items()}}
# early stopping: the unregularized network with its weights at the lowest validation loss
rows["early"] = lesson.summary(group["none"], group.test, group["none"].best_state)
for name, row in rows.items():
    print(f"{{name:>9}}: train {{row.train_acc:.1%}}, test {{row.test_acc:.1%}}, gap {{row.gap:+.1%}}, "
          f"wrong labels learned {{row.memorized:.1%}}, best step {{row.best_step}}")
"""


def loop(v) -> str:
    return training_loop('lesson.regularization_group(settings)["l2"].trainer', 'group["l2"]', parts=("l2",))


IMPORTS = """
import numpy as np

from core import losses, regularization       # the engine: the loss functions and the L2 penalty of the loop below
from figures import regularization as charts  # the page's own chart builders (figures/regularization.py)
from lab import regularization as lesson      # this page's experiments (lab/regularization.py), on the engine in core/
"""

NUMBERS = """
numbers = {}
for name, row in rows.items():  # the page's table, one row per method
    numbers[f"train_acc_{name}"] = row.train_acc  # on the training labels as given, the wrong ones included
    numbers[f"test_acc_{name}"] = row.test_acc
    numbers[f"gap_{name}"] = row.gap
    numbers[f"memorized_{name}"] = row.memorized  # wrongly labelled training digits predicted with their wrong label
    numbers[f"best_step_{name}"] = row.best_step  # the step of the lowest validation loss
    numbers[f"weight_norm_{name}"] = row.weight_norm
    numbers[f"zero_weights_{name}"] = row.zero_frac  # weights exactly 0
"""


def charts(v) -> tuple:
    return (f"curves_{v['shown']}",)


def chart(text, v) -> str:
    labels = chart_words(text, "regularization", {
        "acc_title": "acc_title", "loss_title": "loss_title", "val": "val", "best": "best", "x": "common.step_axis",
        "train": "common.train_set"})
    return f"""
view = lesson.snapshot(group)  # what the page draws of the five runs at their last step
history = view.histories[shown]  # the method chosen on the page
{labels}
fig = charts.train_val(history, lesson.best_step(history), labels)  # best: early stopping's step
fig.show()
"""
