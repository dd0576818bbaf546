"""The NumPy engine behind the lab: ``from core import nn, losses, optim, surfaces``.

Network half: activations, initializers, layers, losses, regularization, nn (MLP), gradcheck.
Optimizers (optim, schedules, surfaces) and data/training (data, train, probe) are imported
when present, so one missing module never breaks ``import core``.
"""
import importlib

from . import activations, gradcheck, initializers, layers, losses, nn, registry, regularization

for _name in ("optim", "schedules", "surfaces", "data", "train", "probe"):
    try:
        globals()[_name] = importlib.import_module(f".{_name}", __name__)
    except ImportError as _err:
        # skip only a missing engine module (this one, or a sibling it needs that is not written yet);
        # any other ImportError (a third-party package, a typo'd name) still fails loudly
        if not (_err.name or "").startswith(f"{__name__}."):
            raise
del _name
