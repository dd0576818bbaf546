"""The weight-initialization page as a notebook: standard-normal inputs through a deep stack of layers, layer by layer
forward and then the gradient back (cs231n lecture 6): the distribution of every layer's activations, their mean and
spread, and the gradient's spread."""
from __future__ import annotations

from notebooks._base import chart_words, fields

FUNCTION = "LayerProbe"  # the lab function the first cell points to

FIELDS = fields("initialization", "act", "init", "std", "depth", "width", "seed")  # lab/initialization.py SETTINGS


EXPERIMENT = """
# N_INPUTS standard-normal inputs through `depth` layers of `width` units, no bias; "normal" draws W ~ N(0, std²)
probe = lesson.LayerProbe(lesson.Probe(depth, width, activation, init, std, seed))
probe.run(probe.total)  # one layer per step, as the page's frames: every layer forward, then the gradient back
stats = lesson.stats_snapshot(probe)  # per layer: mean, std, saturated share, gradient std; histograms

sigma, predicted = lesson.predicted_gain(activation, init, std, width)
print(f"σ_W = {sigma:.4g}: each layer should multiply the spread by about {predicted:.3g}")
print(f"measured: {stats.gain:.3g}")
"""


def loop(v) -> str:
    return """
f = activations.get(activation)  # the engine's activation function
h = lesson.inputs(seed, width)   # the probe's standard-normal inputs (float32), the page's
for layer in range(depth):
    W = probe.weights(layer)     # this layer's weights, drawn by `init` from the layer's own random stream
    z = h @ W                    # the layer's weighted sums (no bias)
    if not np.all(np.isfinite(z)):  # beyond float32's range: this layer in float64
        z = h.astype(np.float64) @ W.astype(np.float64)
    h = f.forward(z)             # the layer's output, the next layer's input
    same = h.std(dtype=np.float64) == stats.std[layer]
    print(f"layer {layer + 1:>2}: mean {h.mean(dtype=np.float64):+.3g}, std {h.std(dtype=np.float64):.4g}; "
          f"the page's: {same}")
    assert same, "the loop above no longer repeats lesson.LayerProbe"
"""


IMPORTS = """
import numpy as np

from core import activations                  # the engine's activation functions
from figures import initialization as charts  # the page's own chart builders (figures/initialization.py)
from lab import initialization as lesson      # this page's experiments (lab/initialization.py), on the engine in core/
"""

NUMBERS = """
numbers = {}
for i in range(depth):
    numbers[f"mean_layer_{i + 1}"] = stats.mean[i]
    numbers[f"std_layer_{i + 1}"] = stats.std[i]
    numbers[f"grad_std_layer_{i + 1}"] = stats.grad_std[i]
numbers["gain"] = stats.gain  # std of the last layer over the one before
"""


def charts(v) -> tuple:
    return ("act_hist", "stats")


def chart(text, v) -> str:
    words = chart_words(text, "initialization", {"layer": "layer_n", "saturated": "sat", "zero": "zero",
                                                 "x": "x_act"}, name="words")
    labels = chart_words(text, "initialization", {
        "mean": "s_mean", "std": "s_std", "grad_std": "s_grad_std", "act_title": "t_act_stats",
        "grad_title": "t_grad_stats", "x": "common.layer"})
    return f"""
# one histogram per shown layer: its title says the share of saturated units (tanh, sigmoid) or of zeros (ReLU)
{words}
titles = []
for i in stats.shown:
    extra = ""
    if i < stats.forward:
        if stats.saturated[i] >= 0.01:
            extra = words["saturated"].format(p=f"{{100 * stats.saturated[i]:.0f}}")
        elif activation == "relu":
            extra = words["zero"].format(p=f"{{100 * stats.zeros[i]:.0f}}")
    titles.append(f"{{words['layer'].format(i=i + 1)}} {{extra}}".rstrip())
charts.layer_histograms(stats.act_hists, {{"panels": titles, "x": words["x"]}}, 0, stats.a_range).show()

# every layer's mean and spread, and the spread of the gradient sent back through them
{labels}
charts.layer_stats(np.arange(1, depth + 1), stats.mean, stats.std, stats.grad_std, labels).show()
"""
