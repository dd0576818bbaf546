"""The transfer-learning page as a notebook: a digit classifier pre-trained once, its lower layers reused for
"is the digit odd?" with few samples, frozen vs fine-tuned vs from scratch."""
from __future__ import annotations

from notebooks._base import Field, from_lab, last_records, number, options

FUNCTION = "transfer_group"  # the lab function the first cell points to



FIELDS = (
    Field("n", "n_target", options((10, 20, 50, 100, 200, 500)), from_lab("transfer", "TRANSFER", "n_target")),
    Field("reuse", "n_reuse", lambda v: number(0, len(from_lab("transfer", "TRANSFER", "hidden")()), integer=True)(v),
          from_lab("transfer", "TRANSFER", "n_reuse")),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
)

IMPORTS = """
import plotly.graph_objects as go

from lab import transfer as lesson  # this page's experiments (lab/transfer.py), built on the engine in core/
"""

EXPERIMENT = """
source, source_acc = lesson.pretrain(seed)  # tells the 10 digits apart, trained on one half of the training images
print(f"source network: {source}, test accuracy {source_acc:.1%}")

group = lesson.transfer_group(source, n_target, n_reuse, seed)  # "frozen", "finetune", "scratch" on n_target images
group.run(lesson.TRANSFER["steps"])                            # as many updates as the page's Train
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
