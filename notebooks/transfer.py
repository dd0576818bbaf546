"""The transfer-learning page as a notebook: a digit classifier pre-trained once, its lower layers reused for
"is the digit odd?" with few samples, frozen vs fine-tuned vs from scratch."""
from __future__ import annotations

from notebooks._base import fields, last_records

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


IMPORTS = """
import plotly.graph_objects as go

from lab import transfer as lesson  # this page's experiments (lab/transfer.py), built on the engine in core/
"""

NUMBERS = last_records(("test_acc",), first='{"source_test_acc": source_acc}')


def chart(text) -> str:
    return f"""
names = {{"frozen": {text.label("transfer_frozen")}, "finetune": {text.label("transfer_finetune")},
         "scratch": {text.label("transfer_scratch")}}}
fig = go.Figure()
for name, trainer in group.items():
    fig.add_trace(go.Scatter(x=trainer.history["step"], y=trainer.history["test_acc"], mode="lines", name=names[name],
                             line=dict(width=3, dash="dot" if name == "scratch" else "solid")))
fig.update_layout(title={text.label("transfer_chart_title")}, xaxis_title={text.label("common.step_axis")},
                  yaxis_title={text.label("common.accuracy_axis")})
fig.show()
"""
