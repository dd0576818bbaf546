"""The NumPy engine behind the lab: ``from core import nn, losses, optim, surfaces``.

Families (each a registry with NAMES and get(name, **hp)): activations, initializers, losses, optim,
schedules, surfaces, data. Building blocks: layers, nn (MLP), regularization, train (Trainer),
compare (side-by-side groups), probe (activation statistics), gradcheck. Never imports Streamlit or Plotly.
"""
from . import runtime

runtime.tune_allocator()  # ~1.5x faster training steps on glibc (see core/runtime.py); results are unchanged

from . import (activations, compare, data, gradcheck, initializers, layers, losses, nn, optim,  # noqa: E402
               probe, registry, regularization, schedules, surfaces, train)

__all__ = ["activations", "compare", "data", "gradcheck", "initializers", "layers", "losses", "nn", "optim",
           "probe", "registry", "regularization", "runtime", "schedules", "surfaces", "train"]
