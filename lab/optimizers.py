"""What the optimizers page computes, as plain functions over ``core.optim`` (NumPy only).

The page turns its controls into calls of these functions; the figures draw their results (arrays only:
every surface evaluation happens here). Kept out of the page so the numbers it shows can be tested
directly (tests/test_page_optimizers.py). What the page knows about each optimizer (its sliders, first
learning rate, formula) comes from its entry in ``core.optim.RULES``, read on every call, so an optimizer
registered at run time appears on the page.

Public API::

    LR_VALUES                                           # the learning-rate slider's values (every optimizer)
    page_defaults(name) -> dict                         # first-load value of each of its controls
    slider_values(name, key) -> tuple                   # the values of one of its sliders
    hp_for(name, settings) -> dict                      # one optimizer's hp from {key: value} controls
    preset_controls() -> dict                           # the controls of the Deep Learning from Scratch preset
    schedule_for(name, steps) -> Schedule | None        # a multiplier schedule scaled to the run
    race(entries, surface, start, steps, schedule) -> Race          # the race, schedule by name
    frame_steps(steps, max_frames) -> list[int]         # which steps the race is shown at
    race_run(entries, surface, start, steps, schedule) -> RunSpec   # the race as a run the page plays (ui.live)
    display_levels(surface, values) -> array            # log10(value + c) on log surfaces, else value
    surface_map(surface, n, xlim, ylim) -> SurfaceMap   # the contour grid the figures draw
    on_surface(race) -> [(n_k, 3)]                      # each path with its height, for the 3-D view
    inside_step(name, hp, surface, start, step, schedule) -> dict   # the arrows of one update
    lr_study(name, hp, surface, start, steps) -> LrStudy            # sweep + too small / good / too large
    noisy_pair(entries, surface, start, steps, noise, seed, decay) -> NoisyRuns

What the page shows is shared by every session of the server (``runs.shared``): the ``*_of`` functions are the
functions above with hashable arguments (an optimizer's hp as ``frozen_hp``, a race's entries as a tuple of
(name, frozen hp)), memoized, and ``warm()`` computes the page's defaults (``DEFAULTS``) at server start.
"""

from dataclasses import dataclass

import numpy as np

import math

from core import optim, schedules, surfaces
from runs import shared
from lab.settings import SEED, Settings, choice, choices, flag, level, number

# A log-like ladder that holds the Deep Learning from Scratch rates (0.95, 1.5) exactly.
LR_VALUES = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.95,
             1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
SCHEDULE_NAMES = schedules.NAMES
# The learning-rate study's grid: 1, 1.5, 2, 3, 5, 7 per decade from 1e-4 to 10 (31 rates).
LR_GRID = tuple(float(f"{m * 10.0 ** e:.6g}") for e in range(-4, 1) for m in (1, 1.5, 2, 3, 5, 7)) + (10.0,)


def page_defaults(name) -> dict:
    """{"lr": the entry's first_lr, hp: torch's default, ...} for the hyperparameters the page lets a student
    tune (the entry's sliders; others, such as NAdam's momentum_decay and weight decay, stay at torch's)."""
    entry = optim.rule(name)
    return {"lr": entry.first_lr, **{key: value for key, value in entry.defaults.items() if key in entry.sliders}}


def slider_values(name, key) -> tuple:
    """The values the slider of hyperparameter ``key`` of optimizer ``name`` offers."""
    return LR_VALUES if key == "lr" else optim.rule(name).sliders[key]


def hp_for(name, settings: dict) -> dict:
    """{lr, momentum, ...} of optimizer ``name`` from controls keyed ``<hp>_<name>`` (e.g. lr_adam);
    a missing key falls back to page_defaults."""
    return {key: settings.get(f"{key}_{name}", default) for key, default in page_defaults(name).items()}


def preset_controls() -> dict:
    """Deep Learning from Scratch ch. 6 (optim.DLFS_PRESET) as control values: surface, start x0/y0, steps, a
    constant schedule, its four optimizers (opts) and their settings (<hp>_<name>, the page's defaults below)."""
    preset = optim.DLFS_PRESET
    controls = {"surface": preset["surface"], "x0": preset["start"][0], "y0": preset["start"][1],
                "steps": preset["steps"], "schedule": "constant", "opts": [name for name, _ in preset["entries"]]}
    for name, hp in preset["entries"]:
        controls.update({f"{key}_{name}": value for key, value in {**page_defaults(name), **hp}.items()})
    return controls


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


def race(entries, surface, start, steps, schedule="constant") -> optim.Race:
    """optim.race of the (name, hp) entries with the page's schedule ``schedule`` (a name) fitted to ``steps``."""
    return optim.race(entries, surface, start, steps, schedule_for(schedule, steps))


def frame_steps(steps, max_frames=60) -> list:
    """At most ``max_frames`` steps from 0 to ``steps`` (both included), evenly spread."""
    steps = int(steps)
    count = min(steps + 1, max(2, int(max_frames)))
    return sorted({int(round(v)) for v in np.linspace(0, steps, count)})


class RaceReplay:
    """A computed race played back as a live run (runs.shared.LiveRun, played by ui.live's Train, Pause and Step):
    ``step`` is how far it is shown. It holds no arrays: the frames are just steps, the picture is drawn from the
    shared race (``race_of``)."""

    def __init__(self, steps: int):
        self.step, self.steps = 0, int(steps)

    def run(self, n: int) -> None:
        self.step = min(self.step + int(n), self.steps)

    @property
    def stopped(self) -> bool:
        return self.step >= self.steps


def race_run(entries: tuple, surface, start: tuple, steps: int, schedule="constant") -> shared.RunSpec:
    """The race of ``race_of(entries, ...)`` as a run of frames at ``frame_steps(steps)``: what the page plays,
    pauses and steps through (keyboard controls, instead of a Plotly animation no keyboard could reach)."""
    return shared.RunSpec(("optimizers-race", entries, surface, tuple(start), int(steps), schedule),
                          build=lambda: RaceReplay(steps), snapshot=lambda obj: obj.step,
                          steps=tuple(frame_steps(steps)))


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


@dataclass
class SurfaceMap:
    """A surface ready to draw. xs (n,), ys (n,); levels (n, n): display levels (display_levels) on that grid,
    possibly non-finite; xlim, ylim: the window the grid covers; minima: ((x, y), ...), the global minima;
    log: True when levels are log10(f + c) (a surface with log-spaced contours)."""

    xs: np.ndarray
    ys: np.ndarray
    levels: np.ndarray
    xlim: tuple
    ylim: tuple
    minima: tuple
    log: bool


def surface_map(surface, n=100, xlim=None, ylim=None) -> SurfaceMap:
    """The n x n contour grid of ``surface`` over its domain, or over the window xlim x ylim."""
    surf = surfaces.get(surface)
    xs, ys, levels = grid(surface, n, xlim, ylim)
    return SurfaceMap(xs, ys, levels, tuple(xlim or surf.xlim), tuple(ylim or surf.ylim), tuple(surf.minima),
                      surf.log_levels is not None)


def on_surface(result) -> list:
    """Each run of ``result`` (a Race) as (n_k, 3) points (x, y, display level) up to its divergence, clipped
    to the surface's domain: the paths lying on the 3-D surface."""
    surf = surfaces.get(result.surface)
    points = []
    for k, n in enumerate(result.valid_len):
        p = np.clip(result.paths[k, :int(n)], [surf.xlim[0], surf.ylim[0]], [surf.xlim[1], surf.ylim[1]])
        points.append(np.column_stack([p, display_levels(result.surface, surf.value(p[:, 0], p[:, 1]))]))
    return points


def inside_step(name, hp, surface, start, step, schedule=None) -> dict:
    """optim.explain_step plus the arrows the page draws, each a 2-vector added to the point:
    gradient_step −η·g (plain SGD with this η), momentum_step −η·(first moment), adaptive_step
    −η·g / scale (the per-coordinate scaling without momentum), update (the real move).
    Also lr (η at this step, after the schedule), step, hp (every hyperparameter, defaults filled in),
    latex (the entry's formula rows, optim.Rule.latex), window ((x_lo, x_hi), (y_lo, y_hi): a view around
    every arrow tip, about 1.8x wider than tall, as the chart is) and map (its contours, SurfaceMap)."""
    info = optim.explain_step(name, hp, surface, start, step, schedule)
    lr = float(hp.get("lr", optim.DEFAULTS[name]["lr"])) * (1.0 if schedule is None else schedule(step - 1))
    info = dict(info, lr=lr, step=int(step), hp={**optim.DEFAULTS[name], **hp}, latex=optim.rule(name).latex)
    info["gradient_step"] = -lr * info["gradient"]
    info["momentum_step"] = None if info["first_moment"] is None else -lr * info["first_moment"]
    info["adaptive_step"] = None if info["scale"] is None else -lr * info["gradient"] / info["scale"]
    p = info["point"]
    tips = [p, info["next_point"]] + [p + info[key] for key in ("update", "gradient_step", "momentum_step",
                                                                "adaptive_step") if info[key] is not None]
    if info["lookahead"] is not None:
        tips.append(info["lookahead"])
    tips = np.array(tips)
    lo, hi = tips.min(axis=0), tips.max(axis=0)
    center, half = (lo + hi) / 2, max(float((hi - lo).max()) * 0.65, 1e-3)
    surf = surfaces.get(surface)
    half = min(half, max(surf.xlim[1] - surf.xlim[0], surf.ylim[1] - surf.ylim[0]))
    # equal scales on a chart about 1.8x wider than tall; the contours reach past the view
    info["window"] = ((center[0] - 1.8 * half, center[0] + 1.8 * half), (center[1] - half, center[1] + half))
    info["map"] = surface_map(surface, 90, (center[0] - 3 * half, center[0] + 3 * half),
                              (center[1] - 1.5 * half, center[1] + 1.5 * half))
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


@dataclass
class NoisyRuns:
    """race: the K noisy runs (optim.Race); ema, polyak: (K, T+1, 2) their averaged iterates; ema_losses:
    (K, T+1) the surface's value at the EMA. Read each run only up to race.valid_len."""

    race: optim.Race
    ema: np.ndarray
    polyak: np.ndarray
    ema_losses: np.ndarray


def noisy_pair(entries, surface, start, steps, noise, seed, decay) -> NoisyRuns:
    """race(entries) with minibatch-like gradient noise, and its EMA and Polyak-averaged iterates."""
    result = optim.race(entries, surface, start, int(steps), noise=float(noise), seed=int(seed))
    ema = optim.ema_path(result.paths, decay)
    return NoisyRuns(result, ema, optim.polyak_path(result.paths),
                     surfaces.get(surface).value(ema[..., 0], ema[..., 1]))


# ---------------------------------------------------------------- the page's defaults, shared results

@dataclass(frozen=True)
class Defaults:
    """The page's first screen: Deep Learning from Scratch ch. 6 (the bowl, start (−7, 2), 30 steps, its four
    optimizers at the book's rates), then the other tabs' settings. The page's controls and ``warm`` read it."""

    # the sidebar (the race's settings, which every tab uses)
    surface: str = optim.DLFS_PRESET["surface"]
    start: tuple = tuple(optim.DLFS_PRESET["start"])
    steps: int = optim.DLFS_PRESET["steps"]
    opts: tuple = tuple(name for name, _ in optim.DLFS_PRESET["entries"])
    schedule: str = "constant"
    # inside one step: the optimizer and the update looked at
    inspect: str = "momentum"
    at_step: int = 3
    # the learning-rate tab: the swept optimizer, the schedule chart's lines (plus the race's own)
    lr_opt: str = "sgd"
    schedules_shown: tuple = ("constant", "step", "cosine")
    # noisy gradients: noise std, EMA decay, steps, seed of the noise
    noise: float = 1.0
    ema: float = 0.9
    nsteps: int = 150
    seed: int = 0


DEFAULTS = Defaults()
SETTINGS = Settings(  # the page's fixed controls; the start point's and each optimizer's: start_settings, hp_settings
    choice("surface", "optimizers.surface", lambda: surfaces.NAMES, DEFAULTS.surface, words="optimizers.s_"),
    number("steps", "optimizers.steps", 5, 300, DEFAULTS.steps),
    choices("opts", "optimizers.opts", lambda: optim.NAMES, DEFAULTS.opts, name="optimizers"),
    choice("schedule", "optimizers.schedule", lambda: SCHEDULE_NAMES, DEFAULTS.schedule, words="optimizers.sch_"),
    flag("view3d", "optimizers.view3d", False),
    choice("inspect", "optimizers.inspect", lambda: optim.NAMES, DEFAULTS.inspect),
    number("at_step", "optimizers.at_step", 1, 300, DEFAULTS.at_step),  # up to the race's steps (``but(hi=steps)``)
    choice("lr_opt", "optimizers.lr_opt", lambda: optim.NAMES, DEFAULTS.lr_opt),
    choices("scheds", "optimizers.sched_shown", lambda: SCHEDULE_NAMES, DEFAULTS.schedules_shown,
            words="optimizers.sch_"),
    number("noise", "optimizers.noise", 0.0, 5.0, DEFAULTS.noise, 0.1),
    level("ema", "optimizers.ema", (0.5, 0.8, 0.9, 0.95, 0.98, 0.99), DEFAULTS.ema),
    number("nsteps", "optimizers.nsteps", 10, 500, DEFAULTS.nsteps),
    SEED.but(default=DEFAULTS.seed),
)


def CODE_BEHIND() -> tuple[str, ...]:  # noqa: N802 (a lesson's CODE_BEHIND may be a function of the registries)
    """The engine code the page teaches (its code panel): every optimizer's update rule as ``core.optim.RULES``
    holds it now (one registered at run time too), Adam's textbook form, and the step that applies a rule."""
    return (*(f"core.optim.RULES.{name}.update" for name in optim.NAMES), "core.optim.adam_textbook",
            "core.optim.Optimizer.step")


def start_step(lo, hi) -> float:
    """The start sliders' step on a domain [lo, hi]: a power of ten, about 200 steps across."""
    return 10.0 ** math.floor(math.log10((hi - lo) / 200.0))


def start_settings(surface) -> Settings:
    """The start point's two sliders (x0, y0) on ``surface``'s domain, starting at its default start."""
    surf = surfaces.get(surface)
    out = []
    for key, (lo, hi), default in (("x0", surf.xlim, surf.default_start[0]), ("y0", surf.ylim, surf.default_start[1])):
        step = start_step(lo, hi)
        out.append(number(key, f"optimizers.{key}", float(lo), float(hi), float(default), step,
                          format="%.3f" if step < 0.1 else "%.1f"))
    return Settings(*out)


def hp_settings(name) -> Settings:
    """Optimizer ``name``'s sliders (``<hp>_<name>``: its learning rate and the hyperparameters its entry in
    ``core.optim.RULES`` lets a student tune), read from the registry when called."""
    return Settings(*(level(f"{key}_{name}", f"optimizers.hp_{key}", slider_values(name, key), default, name=key)
                      for key, default in page_defaults(name).items()))
NOISY_PAIR = ("sgd", "adam")  # the noisy-gradient tab compares these two


def frozen_hp(name, settings: dict) -> tuple:
    """hp_for as a hashable, sorted tuple of (key, value): the form the shared functions take."""
    return tuple(sorted(hp_for(name, settings).items()))


def entries_of(names, settings: dict) -> tuple:
    """((name, frozen hp), ...) for the optimizers ``names`` with their controls from ``settings``."""
    return tuple((name, frozen_hp(name, settings)) for name in names)


@shared.memo(max_bytes=8 * 2**20)
def race_of(entries: tuple, surface, start: tuple, steps: int, schedule="constant") -> optim.Race:
    """``race`` of hashable entries, shared by every session."""
    return race([(name, dict(hp)) for name, hp in entries], surface, start, steps, schedule)


@shared.memo(max_bytes=4 * 2**20)
def map_of(surface, n=100) -> SurfaceMap:
    """``surface_map`` over the surface's domain, shared."""
    return surface_map(surface, n)


@shared.memo(max_bytes=8 * 2**20)
def inside_of(name, hp: tuple, surface, start: tuple, step: int, schedule, steps: int) -> dict:
    """``inside_step`` with the page's schedule ``schedule`` (a name) fitted to ``steps``, shared."""
    return inside_step(name, dict(hp), surface, start, step, schedule_for(schedule, steps))


@shared.memo(max_bytes=8 * 2**20)
def lr_study_of(name, hp: tuple, surface, start: tuple, steps: int) -> LrStudy:
    """``lr_study``, shared."""
    return lr_study(name, dict(hp), surface, start, steps)


@shared.memo(max_bytes=8 * 2**20)
def noisy_of(entries: tuple, surface, start: tuple, steps: int, noise: float, seed: int, decay: float) -> NoisyRuns:
    """``noisy_pair`` of hashable entries, shared."""
    return noisy_pair([(name, dict(hp)) for name, hp in entries], surface, start, steps, noise, seed, decay)


@shared.memo(max_bytes=2 * 2**20)
def schedules_of(steps: int) -> dict:
    """``schedule_curves``, shared."""
    return schedule_curves(steps)


def warm() -> None:
    """The page's defaults, computed once at server start and kept: every tab of the first screen."""
    d = DEFAULTS
    with shared.pinned():
        race_of(entries_of(d.opts, {}), d.surface, d.start, d.steps, d.schedule)
        inspected = frozen_hp(d.inspect, {})
        race_of(((d.inspect, inspected),), d.surface, d.start, d.steps, d.schedule)
        inside_of(d.inspect, inspected, d.surface, d.start, d.at_step, d.schedule, d.steps)
        lr_study_of(d.lr_opt, frozen_hp(d.lr_opt, {}), d.surface, d.start, d.steps)
        noisy_of(entries_of(NOISY_PAIR, {}), d.surface, d.start, d.nsteps, d.noise, d.seed, d.ema)
        schedules_of(d.steps)
        for n in (100, 60, 50):  # the race, the 3-D view and noisy tab, the learning-rate panels
            map_of(d.surface, n)


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(race_result, steps: int):
    """The page's quick checks at its setting, from the race as it is set (``race_of``): who ends lowest, how
    many diverge, and how low the winner gets."""
    from lab.common import choice_check, exact_check, nearest_check

    names = tuple(name for name, _ in race_result.entries)
    final = {}
    for k, name in enumerate(names):
        diverged = race_result.diverged_at[k] is not None
        final[name] = np.inf if diverged else float(race_result.losses[k, -1])
    best = min(final, key=final.get)
    n_diverged = sum(d is not None for d in race_result.diverged_at)
    return [
        choice_check("check1", names, best, dict(steps=steps)),
        exact_check("check2", n_diverged, [len(names) - n_diverged, len(names)] if n_diverged else [1, 2, 3],
                    dict(k=len(names), steps=steps), fmt=".0f"),
        nearest_check("check3", max(min(final.values()), 1e-15) if np.isfinite(min(final.values())) else 1e15,
                      [10.0 ** k for k in range(-15, 16)], dict(steps=steps), log=True),
    ]
