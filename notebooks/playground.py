"""The playground as a notebook: one network with every knob of the page, trained for the page's number of steps,
its decision map (2-D sets) or confusion matrix (digits). With the data set "custom" the settings cell carries the
student's own points (the page's "pts", checked again by lab.custom_data)."""
from __future__ import annotations

from notebooks import _base
from notebooks._base import read_one

FUNCTION = "build"  # the lab function the first cell points to

NAMES = ("dataset", "noise", "test_ratio", "layers", "width", "activations", "init", "init_std", "batchnorm", "dropout",
         "optimizer", "lr", "schedule", "batch_size", "steps", "l1", "l2", "max_norm", "seed", "points")


def read(settings) -> dict:
    """Every knob, checked by the page's own declaration (lab.playground.SETTINGS, the one the configuration file
    is checked with); then the whole configuration is checked by the playground's own file reader, and a
    configuration it refuses becomes the defaults."""
    from lab import custom_data
    from lab import playground as lab

    values = _base.read(lab.SETTINGS, settings)
    values["activations"] = tuple(read_one(lab.activation_setting(i), settings)
                                  for i in range(1, values["layers"] + 1))
    values["points"] = ()
    if values["dataset"] == lab.CUSTOM:  # the page's points: its link text, or the tuple it keeps, read afresh
        raw = settings.get("pts", ())
        try:
            values["points"] = custom_data.decode(raw) if isinstance(raw, str) else custom_data.check(raw)
        except (ValueError, TypeError):
            pass
    try:
        lab.from_json(lab.PlaygroundConfig(**values).to_json())
    except (ValueError, TypeError):
        defaults = lab.PlaygroundConfig()
        values = {name: getattr(defaults, name) for name in NAMES}
    return values


def extra_keys() -> tuple:
    from lab import playground as lab

    return (*lab.SETTINGS.keys(), *(lab.activation_setting(i).key for i in range(1, lab.MAX_LAYERS + 1)), "pts")


IMPORTS = """
import numpy as np
import plotly.graph_objects as go

from lab import playground as lesson  # this page's experiments (lab/playground.py), built on the engine in core/
"""

EXPERIMENT = """
cfg = lesson.PlaygroundConfig(dataset=dataset, noise=noise, test_ratio=test_ratio, layers=layers, width=width,
                              activations=activations, init=init, init_std=init_std, batchnorm=batchnorm,
                              dropout=dropout, optimizer=optimizer, lr=lr, schedule=schedule, batch_size=batch_size,
                              steps=steps, l1=l1, l2=l2, max_norm=max_norm, seed=seed, points=points)
trainer = lesson.build(cfg)  # data (core.data) + network (core.nn.MLP) + training loop (core.train.Trainer)
trainer.run(cfg.steps)
print(trainer.net, trainer.optimizer)
"""

NUMBERS = """
numbers = {key: trainer.history[key][-1] for key in ("train_loss", "test_loss", "train_acc", "test_acc")}
"""


def chart(text) -> str:
    return f"""
ds = trainer.data
if ds.n_features == 2:  # a 2-D set: the probability of class 1 over the plane, with the points
    xs, ys, p = lesson.decision_grid(trainer, n=80)  # one's own points: the whole plane they lie on
    fig = go.Figure(go.Contour(x=xs, y=ys, z=p, colorscale="RdBu", zmin=0, zmax=1, opacity=0.8,
                               colorbar=dict(title="P(1)")))
    for x, y, name, symbol in ((ds.x_train, ds.y_train, {text.label("common.train_set")}, "circle"),
                               (ds.x_test, ds.y_test, {text.label("common.test_set")}, "diamond-open")):
        fig.add_trace(go.Scatter(x=x[:, 0], y=x[:, 1], mode="markers", name=name,
                                 marker=dict(color=y, colorscale=[[0, "#d62728"], [1, "#1f77b4"]], symbol=symbol,
                                             size=7, line=dict(width=1, color="white"))))
    fig.update_layout(title={text.label("playground_boundary_title")}, height=560, width=620,
                      legend=dict(orientation="h", yanchor="top", y=-0.1))
else:  # the digits: how often each true class (rows) was predicted as each class (columns)
    matrix = lesson.confusion(trainer.labels_test, trainer.predict(trainer.x_test), ds.n_classes)
    fig = go.Figure(go.Heatmap(z=matrix, colorscale="Blues", text=matrix, texttemplate="%{{text}}"))
    fig.update_layout(title={text.label("playground_confusion_title")}, height=520, width=600,
                      xaxis_title={text.label("playground_predicted")}, yaxis_title={text.label("playground_true")},
                      yaxis_autorange="reversed")
fig.show()
"""
