"""Learning-rate schedules: ``lr_at(step) -> float``, step counting from 0.

Every schedule is a small frozen dataclass (hashable, so pages can cache on it). With the default
reference rate (``lr = 1.0`` or ``max_lr = 1.0``) a schedule is a *multiplier*: that is how the 2-D
races use it (each optimizer's own lr times the factor). The training loop builds it with its
real rate and calls ``opt.set_lr(schedule(step))``.

Public API::

    schedules.NAMES                                  # ("constant", "step", ..., "cyclic")
    schedules.DEFAULTS[name]                         # dict of default hyperparameters
    lr_at = schedules.get("cosine", lr=0.1, T_max=500, warmup_steps=20)
    lr_at(0), lr_at(499)                             # floats
    schedules.curve("one_cycle", 300, total_steps=300)  # (T,) array of lr_at(0..T-1)
    schedules.cycle_ends(500, cycle_len=100)         # [99, 199, 299, 399, 499]: snapshot steps
    schedules.warmup(lr_at, warmup_steps=50)         # wraps any schedule with a linear warm-up
"""

import math
from dataclasses import dataclass

import numpy as np

from core.registry import with_defaults


def _constant(step, lr):
    """lr_t = lr."""
    return lr


def _step(step, lr, step_size, gamma):
    """lr_t = lr · γ^⌊t / step_size⌋ (PyTorch StepLR)."""
    return lr * gamma ** (step // step_size)


def _exponential(step, lr, gamma):
    """lr_t = lr · γ^t (PyTorch ExponentialLR)."""
    return lr * gamma ** step


def _cosine(step, lr, T_max, eta_min):
    """lr_t = η_min + ½(lr − η_min)(1 + cos(π·t / T_max)) for t ≤ T_max, then η_min.

    Loshchilov & Hutter 2017 (SGDR), one cycle without restart. PyTorch's CosineAnnealingLR keeps
    following the cosine back up after T_max; we hold η_min, which is what a run of T_max steps shows.
    """
    if step >= T_max:
        return eta_min
    return eta_min + 0.5 * (lr - eta_min) * (1.0 + math.cos(math.pi * step / T_max))


def _cos_between(start, end, fraction):
    """Half a cosine from ``start`` (fraction 0) to ``end`` (fraction 1)."""
    return end + 0.5 * (start - end) * (1.0 + math.cos(math.pi * fraction))


def _one_cycle(step, max_lr, total_steps, pct_start, div_factor, final_div_factor):
    """Smith & Topin 2019 1cycle, cosine annealing as in PyTorch OneCycleLR (two phases).

    lr rises from max_lr / div_factor to max_lr over the first pct_start·total_steps steps, then
    falls to max_lr / (div_factor · final_div_factor) at step total_steps − 1 (held afterwards).
    """
    initial = max_lr / div_factor
    final = initial / final_div_factor
    peak_step = pct_start * total_steps - 1.0  # PyTorch's phase boundary
    last_step = total_steps - 1.0
    if step <= peak_step:
        return _cos_between(initial, max_lr, step / peak_step if peak_step > 0 else 1.0)
    if step >= last_step:
        return final
    return _cos_between(max_lr, final, (step - peak_step) / (last_step - peak_step))


def _cyclic(step, base_lr, max_lr, cycle_len, mode):
    """Cycles of ``cycle_len`` steps; p = (t mod cycle_len) / cycle_len is the place in the cycle.

    mode "cosine" (default; Loshchilov & Hutter 2017 warm restarts, used by the snapshot ensembles
    of Huang et al. 2017): lr_t = base_lr + ½(max_lr − base_lr)(1 + cos(π·p)), restarting at max_lr.
    mode "triangular" (Smith 2017): up from base_lr to max_lr over the first half, back down over the
    second. Either way the lr is lowest at the end of a cycle, where a snapshot is taken.
    """
    place = (step % cycle_len) / cycle_len
    if mode == "cosine":
        return base_lr + 0.5 * (max_lr - base_lr) * (1.0 + math.cos(math.pi * place))
    return base_lr + (max_lr - base_lr) * (1.0 - abs(2.0 * place - 1.0))


_FORMULAS = {
    "constant": _constant,
    "step": _step,
    "exponential": _exponential,
    "cosine": _cosine,
    "one_cycle": _one_cycle,
    "cyclic": _cyclic,
}

DEFAULTS = {
    "constant": {"lr": 1.0},
    "step": {"lr": 1.0, "step_size": 100, "gamma": 0.1},
    "exponential": {"lr": 1.0, "gamma": 0.99},
    "cosine": {"lr": 1.0, "T_max": 100, "eta_min": 0.0},
    "one_cycle": {"max_lr": 1.0, "total_steps": 100, "pct_start": 0.3,
                  "div_factor": 25.0, "final_div_factor": 1e4},
    "cyclic": {"base_lr": 0.01, "max_lr": 1.0, "cycle_len": 100, "mode": "cosine"},
}

NAMES = tuple(_FORMULAS)

_POSITIVE = ("lr", "max_lr", "gamma", "div_factor", "final_div_factor")
_COUNTS = ("step_size", "T_max", "total_steps", "cycle_len")


def _check(name, hp):
    """ValueError with a clear message for a hyperparameter outside its range."""
    for key in _POSITIVE:
        if key in hp and not hp[key] > 0:
            raise ValueError(f"{name} schedule: {key} must be > 0, got {hp[key]}")
    for key in _COUNTS:
        if key in hp and not (hp[key] >= 1 and float(hp[key]).is_integer()):
            raise ValueError(f"{name} schedule: {key} must be a whole number >= 1, got {hp[key]}")
    if "eta_min" in hp and not 0 <= hp["eta_min"] <= hp["lr"]:
        raise ValueError(f"cosine schedule: eta_min must be in [0, lr], got {hp['eta_min']}")
    if "pct_start" in hp and not 0 < hp["pct_start"] < 1:
        raise ValueError(f"one_cycle schedule: pct_start must be in (0, 1), got {hp['pct_start']}")
    if "base_lr" in hp and not 0 <= hp["base_lr"] <= hp["max_lr"]:
        raise ValueError(f"cyclic schedule: base_lr must be in [0, max_lr], got {hp['base_lr']}")
    if "mode" in hp and hp["mode"] not in ("cosine", "triangular"):
        raise ValueError(f"cyclic schedule: unknown mode {hp['mode']!r}; valid: cosine, triangular")


@dataclass(frozen=True)
class Schedule:
    """``lr_at(step) -> float``. hp: the formula's hyperparameters as sorted (key, value) pairs.

    warmup_steps > 0 puts a linear warm-up in front (Goyal et al. 2017): step t < W gets
    base(0) · (t + 1) / W, and the wrapped schedule then starts its own count at step W.
    """

    name: str
    hp: tuple
    warmup_steps: int = 0

    def __call__(self, step) -> float:
        step = int(step)
        if step < 0:
            raise ValueError(f"schedule step counts from 0, got {step}")
        formula = _FORMULAS[self.name]
        if step < self.warmup_steps:
            return formula(0, **dict(self.hp)) * (step + 1) / self.warmup_steps
        return float(formula(step - self.warmup_steps, **dict(self.hp)))


def get(name, warmup_steps: int = 0, **hp) -> Schedule:
    """The schedule ``name`` with ``hp`` over its DEFAULTS; unknown name or hyperparameter,
    or a value out of range -> ValueError."""
    merged = with_defaults(DEFAULTS, name, "schedule", hp, also=("warmup_steps",))
    _check(name, merged)
    for key in _COUNTS:
        if key in merged:
            merged[key] = int(merged[key])
    if not (warmup_steps >= 0 and float(warmup_steps).is_integer()):
        raise ValueError(f"warmup_steps must be a whole number >= 0, got {warmup_steps}")
    return Schedule(name, tuple(sorted(merged.items())), int(warmup_steps))


def warmup(schedule: Schedule, warmup_steps: int) -> Schedule:
    """``schedule`` with a linear warm-up of ``warmup_steps`` steps in front (see Schedule)."""
    return get(schedule.name, warmup_steps=warmup_steps, **dict(schedule.hp))


def curve(name, steps: int, **hp) -> np.ndarray:
    """(T,) array: lr_at(0), ..., lr_at(T − 1) for ``get(name, **hp)`` (warmup_steps allowed)."""
    lr_at = get(name, **hp)
    return np.array([lr_at(step) for step in range(int(steps))], dtype=float)


def cycle_ends(total_steps: int, cycle_len: int) -> list:
    """Steps (from 0) that end a cycle of the cyclic schedule, within total_steps: where a
    snapshot ensemble (Huang et al. 2017) saves the weights, at the bottom of the learning rate."""
    if not cycle_len >= 1:
        raise ValueError(f"cycle_len must be >= 1, got {cycle_len}")
    return list(range(int(cycle_len) - 1, int(total_steps), int(cycle_len)))
