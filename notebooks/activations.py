"""The activation-functions page as a notebook: one function beside its derivative, then the same network
trained with each chosen activation (each with its recommended initialization), side by side."""
from __future__ import annotations

from notebooks._base import code, Field, from_lab, last_records, md, number, options, read as read_fields, subset

FUNCTION = "compare_group"  # the lab function the first cell points to


FUNCTIONS = from_lab("activations", "FUNCTIONS")  # the page's menus: every activation but "linear"


FIELDS = (
    Field("fn", "function", options(FUNCTIONS), "relu"),
    Field("acts", "activations", subset(FUNCTIONS), ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu"]),
    Field("ds", "dataset", options(from_lab("activations", "COMPARE_DATASETS")),
          from_lab("activations", "COMPARE", "dataset")),
    Field("cmp_lr", "lr", options((1e-3, 3e-3, 0.01, 0.03, 0.1)), from_lab("activations", "COMPARE", "lr")),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
)

# The page's sliders for the hyperparameters of the function it draws: {function: ((key, hp, lo, hi, default), ...)}
FUNCTION_HP = {
    "leaky_relu": (("leaky_alpha", "alpha", 0.0, 0.5, 0.1),),
    "prelu": (("prelu_alpha", "alpha", 0.0, 1.0, 0.25),),
    "elu": (("elu_alpha", "alpha", 0.1, 3.0, 1.0),),
    "rrelu": (("rrelu_lower", "lower", 0.0, 1.0, 0.125), ("rrelu_upper", "upper", 0.0, 1.0, 0.335)),
    "swish": (("beta", "beta", 0.1, 5.0, 1.0),),
}


def read(settings) -> dict:
    """The fields, and ``hyperparameters``: the drawn function's sliders ({} for a function without any)."""
    values = read_fields(FIELDS, settings)
    hp = {name: Field(key, name, number(lo, hi), default).read(settings)
          for key, name, lo, hi, default in FUNCTION_HP.get(values["function"], ())}
    if "lower" in hp:  # the page reads a reversed pair as the band between them
        hp = {"lower": min(hp.values()), "upper": max(hp.values())}
    return {**values, "hyperparameters": hp}


def extra_keys() -> tuple:
    return tuple(key for sliders in FUNCTION_HP.values() for key, *_ in sliders)


NAMES = ("function", "hyperparameters", "activations", "dataset", "lr", "seed")

IMPORTS = """
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import activations as engine  # the activation functions, each a forward beside its derivative
from lab import activations as lesson   # this page's experiments (lab/activations.py), built on the engine in core/
"""

CURVE = """
curve = lesson.function_curve(function, **hyperparameters)  # f(z) and f'(z) on a grid of z
print(engine.get(function, **hyperparameters))
"""

EXPERIMENT = """
hidden, batch_size = lesson.COMPARE["hidden"], lesson.COMPARE["batch_size"]  # the page's fixed network and batches
group = lesson.compare_group(activations, dataset, hidden, lr, batch_size, seed)
group.run(lesson.COMPARE_STEPS)  # as many updates as the page's Train
"""

NUMBERS = last_records(("test_acc", "train_loss"))


def curve_chart(text) -> str:
    return """
fig = go.Figure()
fig.add_trace(go.Scatter(x=curve.z, y=curve.f, mode="lines", name="f(z)", line=dict(width=3)))
fig.add_trace(go.Scatter(x=curve.z, y=curve.d, mode="lines", name="f′(z)", line=dict(width=3, dash="dash")))
fig.update_layout(title=function, xaxis_title="z", height=350)
fig.show()
"""


def chart(text) -> str:
    labels = {name: text(f"common.opt_{name}") for name in FUNCTIONS()}
    return f"""
names = {labels!r}
fig = go.Figure()
for name, (steps, loss) in lesson.compare_losses(group).items():
    fig.add_trace(go.Scatter(x=steps, y=loss, mode="lines", name=names[name], line=dict(width=2.5)))
fig.update_layout(title={text.label("activations_chart_title")}, xaxis_title={text.label("common.step_axis")},
                  yaxis_title={text.label("common.loss_axis")}, yaxis_type="log")
fig.show()
"""


def before(text):
    return [md(text("activations_curve")), code(CURVE), code(curve_chart(text))]
