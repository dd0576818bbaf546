"""What sits under every lesson: the engine's own code for what the page teaches, and the page's experiment as a
notebook to download.

``CODE`` names, per lesson, the objects of ``core/`` that compute what the page shows: a layer's forward and
backward, an activation, an optimizer's update rule as ``core.optim``'s registry holds it, an initializer, a loss.
``code_behind`` reads their source with ``inspect.getsource`` when it first draws them, so a student reads the code
that runs (a name may step into a mapping: ``core.optim.RULES.adam.update`` is ``RULES["adam"].update``).
``notebook_button`` offers ``notebooks.build(page, the page's settings)`` as an .ipynb file, built when pressed.
"""
from __future__ import annotations

import functools
import importlib
import inspect
import textwrap
from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from ui import teacher
from ui.i18n import current_lang, t

ROOT = Path(__file__).resolve().parent.parent
_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "nadam", "adamax")

CODE: dict[str, tuple[str, ...]] = {
    "losses": ("core.losses.MSE.__call__", "core.losses.MAE.__call__", "core.losses.Huber.__call__",
               "core.losses._huber", "core.losses.CrossEntropy.__call__", "core.losses.softmax"),
    "batches": ("core.train.Trainer._next_batch", "core.optim.RULES.sgd.update", "core.train.Trainer.epoch",
                "core.train.Trainer.run"),
    "preprocessing": ("core.data.zero_center", "core.data.standardize", "core.layers.Dense.forward",
                      "core.layers.Dense.backward"),
    "activations": ("core.activations._sigmoid", "core.activations.Sigmoid", "core.activations.Tanh",
                    "core.activations.ReLU", "core.activations.LeakyReLU", "core.activations.ELU",
                    "core.activations.SELU", "core.activations.GELU", "core.activations.Swish",
                    "core.layers.ActivationLayer.backward"),
    "vanishing": ("core.nn.MLP.backward", "core.layers.Dense.backward_textbook", "core.layers.Dense.backward", "core.activations.Sigmoid.derivative",
                  "core.probe.gradient_profile", "core.regularization.clip_by_global_norm",
                  "core.regularization.clip_by_value"),
    "initialization": ("core.initializers.Initializer.__call__", "core.initializers.Normal",
                       "core.initializers.XavierNormal", "core.initializers.HeNormal",
                       "core.initializers.LecunNormal", "core.initializers.Zeros", "core.layers.Dense.__init__",
                       "core.probe.activation_stats"),
    "batchnorm": ("core.layers.BatchNorm.forward", "core.layers.BatchNorm.backward"),
    "dropout": ("core.layers.Dropout.forward", "core.layers.Dropout.backward"),
    "regularization": ("core.regularization.l2_penalty", "core.regularization.l1_penalty",
                       "core.regularization.max_norm_", "core.optim.Optimizer.step"),
    "ensembles": ("core.losses.softmax", "core.schedules._cyclic", "core.optim.ema_path", "core.optim.polyak_path"),
    "transfer": ("core.nn.MLP.freeze", "core.nn.MLP.trainable", "core.train.Trainer._update"),
    "optimizers": (*(f"core.optim.RULES.{name}.update" for name in _OPTIMIZERS), "core.optim.adam_textbook",
                   "core.optim.Optimizer.step"),
    "landscape": ("core.nn.MLP.forward", "core.losses.CrossEntropy.__call__", "core.optim.RULES.adam.update",
                  "core.optim.Optimizer.step"),
    "playground": ("core.nn.MLP.forward", "core.nn.MLP.backward", "core.layers.Dense.forward",
                   "core.layers.Dense.backward", "core.train.Trainer._update"),
}


def resolve(name: str):
    """The object a dotted name stands for: the longest importable module prefix, then attributes (or keys of a
    mapping) one by one. A property stands for its getter. An unknown name -> LookupError naming it."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            if isinstance(obj, Mapping) and part in obj:
                obj = obj[part]
            elif hasattr(obj, part):
                obj = getattr(obj, part)
            else:
                raise LookupError(f"{name}: nothing named {part!r} in {obj!r:.60}")
        return obj.fget if isinstance(obj, property) else obj
    raise LookupError(f"{name}: no module to import")


@functools.lru_cache(maxsize=None)
def source(name: str) -> tuple[str, str]:
    """(the object's source, where it is: "core/layers.py:125"), read once per process from the loaded code."""
    obj = inspect.unwrap(resolve(name))
    lines, start = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj)).resolve()
    where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    return textwrap.dedent("".join(lines)).rstrip("\n"), f"{where}:{start}"  # a method without its class's indent


def code_behind(page: str) -> None:
    """The expander "The code behind this page" (collapsed): each object of CODE[page] with its name and place,
    its source, and the pointer to the README's engine API. Nothing for a page without an entry."""
    names = CODE.get(page)
    if not names:
        return
    with st.expander(t("common.code_behind"), expanded=False, icon=":material/code:"):
        st.caption(t("common.code_behind_intro"))
        for name in names:
            text, where = source(name)
            st.markdown(f"`{name}` · `{where}`")
            st.code(text, language="python")
        st.caption(t("common.code_behind_api"))


def notebook_button(page: str) -> None:
    """A download button for the page's experiment as a Jupyter notebook, built from the page's control values
    (``teacher.current_settings``) and language when pressed. Nothing for a page without a notebook."""
    from notebooks import LESSONS  # light: nbformat is imported when the button is pressed, by build

    if page not in LESSONS:
        return
    settings = {**teacher.current_settings(), "lang": current_lang()}

    def notebook() -> bytes:
        import notebooks
        return notebooks.to_bytes(page, settings)

    st.download_button(t("common.notebook"), notebook, file_name=f"{page}.ipynb", mime="application/x-ipynb+json",
                       on_click="ignore", icon=":material/download:", help=t("common.notebook_help"),
                       key=f"_notebook.{page}")
