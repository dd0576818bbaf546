"""The playground as a notebook: one network with every knob of the page, trained for the page's number of steps,
its decision map (2-D sets) or confusion matrix (digits). With the data set "own" the settings cell carries the
student's own points (the page's "points", checked again by lab.own_points)."""
from __future__ import annotations

from notebooks import _base
from notebooks._base import chart_words, read_one, training_loop

FUNCTION = "build"  # the lab function the first cell points to

NAMES = ("dataset", "noise", "test_ratio", "layers", "width", "activations", "init", "init_std", "batchnorm", "dropout",
         "optimizer", "lr", "schedule", "batch_size", "steps", "l1", "l2", "max_norm", "seed", "points")


def read(settings) -> dict:
    """Every knob, checked by the page's own declaration (lab.playground.SETTINGS, the one the configuration file
    is checked with); then the whole configuration is checked by the playground's own file reader, and a
    configuration it refuses becomes the defaults."""
    from lab import own_points
    from lab import playground as lab

    values = _base.read(lab.SETTINGS, settings)
    values["activations"] = tuple(read_one(lab.activation_setting(i), settings)
                                  for i in range(1, values["layers"] + 1))
    values["points"] = ()
    if values["dataset"] == lab.OWN_SET:  # the page's points: its link text, or the tuple it keeps, read afresh
        raw = settings.get("points", ())
        try:
            values["points"] = own_points.decode(raw) if isinstance(raw, str) else own_points.check(raw)
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

    return (*lab.SETTINGS.keys(), *(lab.activation_setting(i).key for i in range(1, lab.MAX_LAYERS + 1)), "points")


IMPORTS = """
import numpy as np

from core import losses, regularization   # the engine: the loss functions and the penalties of the loop below
from figures import playground as charts  # the page's own chart builders (figures/playground.py)
from lab import playground as lesson      # this page's experiments (lab/playground.py), built on the engine in core/
"""


def loop(v) -> str:
    return training_loop("lesson.build(cfg)", "trainer", parts=("l1", "l2", "schedule", "max_norm"))

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


def charts(v) -> tuple:
    from lab import playground as lab

    return ("boundary" if v["dataset"] in lab.SETS_2D else "confusion",)


def chart(text, v) -> str:
    boundary = chart_words(text, "playground", {
        "x": "b_x", "y": "b_y", "prob": "b_prob", "class0": "b_class0", "class1": "b_class1",
        "train": "common.train_set", "test": "common.test_set"})
    confusion = chart_words(text, "playground", {"x": "c_pred", "y": "c_true", "hover": "c_hover"})
    return f"""
view = lesson.snapshot(trainer)  # what the page draws of the run at its last step
ds = trainer.data
if view.grid is not None:  # a 2-D set: the probability of class 1 over the plane, with the points
    {boundary.replace(chr(10), chr(10) + "    ")}
    fig = charts.boundary(*view.grid, ds.x_train, ds.y_train, ds.x_test, ds.y_test, labels)
else:  # the digits: how often each true digit (rows) was predicted as each digit (columns), on the test set
    {confusion.replace(chr(10), chr(10) + "    ")}
    fig = charts.confusion(view.confusion, labels)
fig.show()
"""
