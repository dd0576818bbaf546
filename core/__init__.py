"""The NumPy engine behind the lab: ``from core import nn, losses, optim, surfaces``.

Families (each a registry with NAMES and get(name, **hp)): activations, initializers, losses, optim,
schedules, surfaces, data. Building blocks: layers, nn (MLP), regularization, train (Trainer),
compare (side-by-side groups), probe (activation statistics), gradcheck. Never imports Streamlit or Plotly.
Importing it changes nothing in the process: the allocator tuning that makes training faster
(``core.runtime.tune_allocator``) is for entry points (the app, the benchmarks) to call.
"""
from . import (activations, compare, data, gradcheck, initializers, layers, losses, nn, optim, probe, registry,
               regularization, runtime, schedules, surfaces, train)

__all__ = ["activations", "compare", "data", "gradcheck", "initializers", "layers", "losses", "nn", "optim",
           "probe", "registry", "regularization", "runtime", "schedules", "surfaces", "train"]
