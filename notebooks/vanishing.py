"""The vanishing/exploding-gradients page as a notebook: every layer's gradient at initialization (one real
backward pass), then the same network trained by SGD with the page's clipping, its gradients layer by layer."""
from __future__ import annotations

from notebooks._base import Field, code, flag, from_lab, md, number, options

FUNCTION = "profile"  # the lab function the first cell points to



FIELDS = (
    Field("data", "dataset", options(from_lab("vanishing", "DATASETS")), "digits"),
    Field("depth", "depth", number(2, 50, integer=True), 12),
    Field("width", "width", options((8, 16, 24, 32, 40, 48, 56, 64)), 32),
    Field("act", "activation", options(from_lab("vanishing", "ACTIVATIONS")), "sigmoid"),
    Field("init", "init", options(from_lab("vanishing", "INITS")), "xavier_normal"),
    Field("std", "std", options((0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)), 1.0, note="vanishing_std_note"),
    Field("bn", "batchnorm", flag, False),
    Field("lr", "lr", options((0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)), 0.1),
    Field("clip", "clip", options(from_lab("vanishing", "CLIPS")), "none"),
    Field("thr", "threshold", options((0.01, 0.1, 0.3, 1.0, 3.0, 10.0)), 1.0, note="vanishing_threshold_note"),
    Field("seed", "seed", number(0, 9999, integer=True), 0),
)

IMPORTS = """
import numpy as np
import plotly.graph_objects as go

from lab import vanishing as lesson  # this page's experiments (lab/vanishing.py), built on the engine in core/
"""

EXPERIMENT = """
ds = lesson.dataset(dataset, seed)
net = dict(depth=depth, width=width, act=activation, init=init, std=std, bn=batchnorm, seed=seed)
profile = lesson.profile(ds, **net)  # one forward and backward pass on the whole training set, nothing updated
print(lesson.network(ds, **net))
"""

TRAINING = """
group = lesson.training_group(ds, lr, clip, threshold, **net)  # "yours" (clipped unless clip = "none"), "plain"
group.run(lesson.TOTAL_STEPS)                                   # as many updates as the page's Train
"""

NUMBERS = """
numbers = {
    "grad_norm_first_layer": profile.weight_grad_norm[0],
    "grad_norm_last_layer": profile.weight_grad_norm[-1],
    "ratio_first_to_last": profile.weight_grad_norm[0] / profile.weight_grad_norm[-1],
    "max_slope": profile.max_slope,
    "chain_rule_bound": profile.max_slope ** depth,
}
for name, trainer in group.items():
    if len(trainer.history["step"]):  # a run that diverged before its first record has nothing to show
        numbers[f"train_loss_{name}"] = trainer.history["train_loss"][-1]
"""


def chart(text) -> str:
    return f"""
norms = profile.weight_grad_norm
layers = np.arange(1, len(norms) + 1)
fig = go.Figure()
if profile.max_slope < 1:  # what the chain rule allows with unit-gain weights: max f' per layer, from the top down
    bound = norms[-1] * profile.max_slope ** (len(norms) - layers).astype(float)
    fig.add_trace(go.Scatter(x=layers, y=bound, mode="lines", line=dict(dash="dash"),
                             name={text.label("vanishing_bound")} + f" ({{profile.max_slope:g}}^L)"))
fig.add_trace(go.Scatter(x=layers, y=norms, mode="lines+markers", line=dict(width=3),
                         name={text.label("vanishing_measured")}))
fig.update_layout(title={text.label("vanishing_chart_title")}, xaxis_title={text.label("vanishing_layer_axis")},
                  yaxis_title="‖∂L/∂W‖", yaxis_type="log")
fig.show()
"""


def heatmap(text) -> str:
    return f"""
h = group["yours"].history
fig = go.Figure(go.Heatmap(x=h["step"], y=np.arange(1, h["grad_norm"].shape[1] + 1),
                           z=np.log10(np.maximum(h["grad_norm"].T, 1e-300)),  # log scale; a zero norm stays finite
                           colorbar=dict(title="log₁₀ ‖∂L/∂W‖")))
fig.update_layout(title={text.label("vanishing_heat_title")}, xaxis_title={text.label("common.step_axis")},
                  yaxis_title={text.label("vanishing_layer_axis")})
fig.show()
"""


def after(text):
    return [md(text("vanishing_training")), code(TRAINING), code(heatmap(text))]
