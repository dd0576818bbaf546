"""The transfer-learning page as a notebook: a digit classifier pre-trained once, its lower layers reused for
"is the digit odd?" with few samples, frozen vs fine-tuned vs from scratch."""
from __future__ import annotations

from notebooks._base import chart_words, fields, last_records, training_loop

FUNCTION = "transfer_group"  # the lab function the first cell points to


FIELDS = fields("transfer")  # lab/transfer.py SETTINGS


def steps(v) -> int:
    """The updates of the page's live run at these settings (its last frame)."""
    from lab import transfer as lab

    return lab.transfer_run(lab.Settings(n_target=v["n_target"], n_reuse=v["n_reuse"], seed=v["seed"])).steps[-1]


def experiment(v) -> str:
    return f"""
# the "downloaded" model: trained once on the 10 digits with its own seed, the same for every setting of the page
source, source_acc = lesson.source_net()
print(f"source network: {{source}}, test accuracy {{source_acc:.1%}}")

group = lesson.transfer_group(source, n_target, n_reuse, seed)  # "frozen", "finetune", "scratch" on n_target images
group.run({steps(v)})  # updates, as the page's Train
"""


def loop(v) -> str:
    return training_loop('lesson.transfer_group(source, n_target, n_reuse, seed)["frozen"]', 'group["frozen"]',
                         parts=("frozen",))


IMPORTS = """
import numpy as np

from core import losses                 # the engine: the loss functions the loop below calls
from figures import transfer as charts  # the page's own chart builders (figures/transfer.py)
from lab import transfer as lesson      # this page's experiments (lab/transfer.py), built on the engine in core/
"""

NUMBERS = last_records(("test_acc",), first='{"source_test_acc": source_acc}')


def charts(v) -> tuple:
    return ("acc",)


def chart(text, v) -> str:
    names = chart_words(text, "transfer", {k: f"run_{k}" for k in ("frozen", "finetune", "scratch")}, name="names")
    labels = chart_words(text, "transfer", {"title": "acc_title", "x": "common.step_axis", "y": "acc_axis"})
    return f"""
view = lesson.snapshot(group)  # what the page draws of the three runs at their last step
{names}
{labels}
accuracy = {{names[k]: (h["step"], 100 * h["test_acc"]) for k, h in view.histories.items()}}  # in %
fig = charts.loss_curves(accuracy, labels, {{names["scratch"]: "dot"}})  # from scratch: dotted
fig.show()
"""
