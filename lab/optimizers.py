"""What the optimizers page computes, as plain functions over ``core.optim`` (NumPy only).

The page turns its controls into calls of these functions; the figures draw their results. Kept out
of the page so the numbers it shows can be tested directly (tests/test_page_optimizers.py).

Public API::

    LR_VALUES, HP_VALUES, PAGE_DEFAULTS, TUNABLE       # the controls' menus and first-load values
    hp_for(name, settings) -> dict                      # one optimizer's hp from {key: value} controls
    schedule_for(name, steps) -> Schedule | None        # a multiplier schedule scaled to the run
    frame_steps(steps, max_frames) -> list[int]         # which steps become animation frames
    display_levels(surface, values) -> array            # log10(value + c) on log surfaces, else value
    inside_step(name, hp, surface, start, step, schedule) -> dict   # the arrows of one update
    lr_study(name, hp, surface, start, steps) -> LrStudy            # sweep + too small / good / too large
    noisy_pair(entries, surface, start, steps, noise, seed, decay) -> (Race, ema, polyak)
"""

from dataclasses import dataclass

import numpy as np

from core import optim, schedules, surfaces

# A log-like ladder that holds the Deep Learning from Scratch rates (0.95, 1.5) exactly.
LR_VALUES = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.95,
             1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
HP_VALUES = {
    "momentum": (0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
    "rho": (0.0, 0.5, 0.9, 0.95, 0.99, 0.999),
    "beta1": (0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
    "beta2": (0.5, 0.9, 0.99, 0.999, 0.9999),
    "eps": (1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 0.1, 1.0),
}
# The hyperparameters the page exposes per optimizer (momentum_decay and weight decay stay at torch's).
TUNABLE = {name: tuple(k for k in optim.DEFAULTS[name] if k in HP_VALUES) for name in optim.NAMES}
_FIRST_LR = {"sgd": 0.95, "momentum": 0.1, "nesterov": 0.1, "adagrad": 1.5, "rmsprop": 0.1,
             "adam": 0.3, "nadam": 0.3, "adamax": 0.3}  # DLFS ch. 6 rates for the four it races
PAGE_DEFAULTS = {name: {"lr": _FIRST_LR[name], **{k: optim.DEFAULTS[name][k] for k in TUNABLE[name]}}
                 for name in optim.NAMES}
SCHEDULE_NAMES = schedules.NAMES
# The learning-rate study's grid: 1, 1.5, 2, 3, 5, 7 per decade from 1e-4 to 10 (31 rates).
LR_GRID = tuple(float(f"{m * 10.0 ** e:.6g}") for e in range(-4, 1) for m in (1, 1.5, 2, 3, 5, 7)) + (10.0,)


def hp_for(name, settings: dict) -> dict:
    """{lr, momentum, ...} of optimizer ``name`` from controls keyed ``<hp>_<name>`` (e.g. lr_adam);
    a missing key falls back to PAGE_DEFAULTS."""
    return {key: settings.get(f"{key}_{name}", default) for key, default in PAGE_DEFAULTS[name].items()}


def schedule_for(name, steps):
    """A multiplier schedule (factor 1 at its peak) fitted to a run of ``steps`` steps; None for constant."""
    steps = max(1, int(steps))
    third = max(1, steps // 3)
    hp = {
        "constant": None,
        "step": {"step_size": third, "gamma": 0.3},
        "exponential": {"gamma": 0.02 ** (1.0 / steps)},  # ends near 2 % of the rate
        "cosine": {"T_max": steps},
        "one_cycle": {"total_steps": steps},
        "cyclic": {"base_lr": 0.05, "max_lr": 1.0, "cycle_len": third},
    }
    if name not in hp:
        raise ValueError(f"unknown schedule {name!r}; valid: {', '.join(hp)}")
    return None if hp[name] is None else schedules.get(name, **hp[name])


def schedule_curves(steps) -> dict:
    """{schedule name: (T,) multipliers} for every schedule the page offers."""
    return {name: (np.ones(int(steps)) if name == "constant"
                   else np.array([schedule_for(name, steps)(t) for t in range(int(steps))]))
            for name in SCHEDULE_NAMES}


def frame_steps(steps, max_frames=60) -> list:
    """At most ``max_frames`` steps from 0 to ``steps`` (both included), evenly spread."""
    steps = int(steps)
    count = min(steps + 1, max(2, int(max_frames)))
    return sorted({int(round(v)) for v in np.linspace(0, steps, count)})


def display_levels(surface, values):
    """The height the contours and the 3-D view use: log10(value + c) on a surface with log-spaced
    levels (Surface.log_levels = c), the value itself otherwise."""
    surf = surfaces.get(surface)
    values = np.asarray(values, dtype=float)
    if surf.log_levels is None:
        return values
    return np.log10(np.maximum(values, 0.0) + surf.log_levels)


def grid(surface, n=100, xlim=None, ylim=None):
    """xs (n,), ys (n,), Z (n, n) display levels over the surface's domain or the given window."""
    surf = surfaces.get(surface)
    xs = np.linspace(*(xlim or surf.xlim), int(n))
    ys = np.linspace(*(ylim or surf.ylim), int(n))
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        return xs, ys, display_levels(surface, surf.value(X, Y))


def inside_step(name, hp, surface, start, step, schedule=None) -> dict:
    """optim.explain_step plus the arrows the page draws, each a 2-vector added to the point:
    gradient_step −η·g (plain SGD with this η), momentum_step −η·(first moment), adaptive_step
    −η·g / scale (the per-coordinate scaling without momentum), update (the real move).
    Also lr (η at this step, after the schedule) and step."""
    info = optim.explain_step(name, hp, surface, start, step, schedule)
    lr = float(hp.get("lr", optim.DEFAULTS[name]["lr"])) * (1.0 if schedule is None else schedule(step - 1))
    info = dict(info, lr=lr, step=int(step))
    info["gradient_step"] = -lr * info["gradient"]
    info["momentum_step"] = None if info["first_moment"] is None else -lr * info["first_moment"]
    info["adaptive_step"] = None if info["scale"] is None else -lr * info["gradient"] / info["scale"]
    return info


@dataclass
class LrStudy:
    """One optimizer swept over ``lrs`` (K,): ``race`` holds the K runs; ``final`` (K,) the last
    finite loss (NaN if the run diverged); ``picks`` the indices of too small, good, too large."""

    lrs: np.ndarray
    race: optim.Race
    final: np.ndarray
    picks: tuple


def lr_study(name, hp, surface, start, steps, lrs=None) -> LrStudy:
    """One vectorized sweep over learning rates (other hp fixed), then three picks:
    good = the lowest final loss; too large = the first rate above it that diverges or ends higher
    than it started (else the largest); too small = about good / 30 (else the smallest)."""
    lrs = np.asarray(LR_GRID if lrs is None else lrs, dtype=float)
    others = {k: v for k, v in hp.items() if k != "lr"}
    result = optim.sweep(name, surface, start, int(steps), lr=list(lrs), **others)
    diverged = np.array([d is not None for d in result.diverged_at])
    final = np.where(diverged, np.nan, result.losses[:, -1])
    start_loss = result.losses[0, 0]
    good = int(np.nanargmin(final)) if np.isfinite(final).any() else 0
    bad = [k for k in range(good + 1, len(lrs)) if diverged[k] or final[k] > start_loss]
    large = bad[0] if bad else len(lrs) - 1
    small = int(np.argmin(np.abs(np.log(lrs) - np.log(lrs[good] / 30.0))))
    return LrStudy(lrs, result, final, (small, good, large))


def noisy_pair(entries, surface, start, steps, noise, seed, decay):
    """race(entries) with minibatch-like gradient noise, and its EMA and Polyak-averaged iterates
    (each (K, T+1, 2); read them only up to Race.valid_len)."""
    result = optim.race(entries, surface, start, int(steps), noise=float(noise), seed=int(seed))
    return result, optim.ema_path(result.paths, decay), optim.polyak_path(result.paths)
