"""The optimizers page as a notebook: the chosen update rules raced on a 2-D surface from one start point."""
from __future__ import annotations

from notebooks import _base
from notebooks._base import chart_words, read_one

FUNCTION = "race"  # the lab function the first cell points to

NAMES = ("surface", "start", "steps", "schedule", "optimizers")


def read(settings) -> dict:
    """The race's settings, checked by the page's own declaration (lab/optimizers.py): the surface, the start
    point on its domain (else its default start), the steps, the schedule, and each chosen optimizer's
    hyperparameters as its sliders on the page (``<hp>_<name>``, else the page's defaults)."""
    from lab import optimizers as lab

    declared = lab.SETTINGS
    surface = read_one(declared["surface"], settings)
    start = tuple(read_one(s, settings) for s in lab.start_settings(surface))
    hp = {name: _base.read(lab.hp_settings(name), settings) for name in read_one(declared["opts"], settings)}
    return {"surface": surface, "start": start, "steps": read_one(declared["steps"], settings),
            "schedule": read_one(declared["schedule"], settings), "optimizers": hp}


def extra_keys() -> tuple:
    from core import optim
    from lab import optimizers as lab

    keys = ["surface", "x0", "y0", "steps", "opts", "schedule"]
    return tuple(keys + [s.key for name in optim.NAMES for s in lab.hp_settings(name)])


IMPORTS = """
import numpy as np

from core import optim, surfaces          # the engine: the update rules and the 2-D test surfaces
from figures import optimizers as charts  # the page's own chart builders (figures/optimizers.py)
from lab import optimizers as lesson      # this page's experiments (lab/optimizers.py), built on the engine in core/
"""


def loop(v) -> str:
    return """
surf = surfaces.get(surface)
factors = lesson.schedule_for(schedule, steps)  # the learning rate's multiplier at each step (None: constant)
for k, (name, hp) in enumerate(race.entries):
    optimizer = optim.make(name, **hp)  # the same update rule that trains the networks on the other pages
    point = np.array(start, dtype=float)  # (x, y): the two "parameters" it moves
    path = [point.copy()]
    with np.errstate(all="ignore"):  # a diverging path overflows: that is what it shows
        for t in range(steps):
            gradient = np.array(surf.grad(point[0], point[1]))  # ∇f at the point
            if factors is not None:
                optimizer.set_lr(hp["lr"] * factors(t))
            optimizer.step([point], [gradient])  # the update, in place
            if not np.all(np.abs(point) <= optim.DIVERGENCE_LIMIT):  # diverged: the path ends here
                break
            path.append(point.copy())
    same = np.array_equal(np.array(path), race.paths[k, :race.valid_len[k]])
    print(f"{name:>9}: {len(path) - 1} steps, ends at ({path[-1][0]:.4g}, {path[-1][1]:.4g}); the page's path: {same}")
    assert same, "the loop above no longer repeats core.optim.race"
"""

EXPERIMENT = """
race = lesson.race(list(optimizers.items()), surface, start, steps, schedule)  # every rule from the same start
for (name, hp), diverged in zip(race.entries, race.diverged_at):
    print(f"{name:>9}: lr = {hp['lr']:g}" + (f", diverged at step {diverged}" if diverged else ""))
"""

NUMBERS = """
numbers = {
    **{f"final_loss_{name}": race.losses[k, -1] for k, (name, _) in enumerate(race.entries)},
    **{f"final_x_{name}": race.paths[k, -1, 0] for k, (name, _) in enumerate(race.entries)},
    **{f"final_y_{name}": race.paths[k, -1, 1] for k, (name, _) in enumerate(race.entries)},
}
"""


def charts(v) -> tuple:
    return ("race",)


def chart(text, v) -> str:
    from core import optim

    names = {name: text(f"common.opt_{name}") for name in optim.NAMES}
    labels = chart_words(text, "optimizers", {word: f"l_{word}" for word in ("start", "minimum")})
    return f"""
names = {names!r}
{labels}
labels["names"] = [names.get(name, name) for name, _ in race.entries]
# the surface's contours and every path at the last step (upto=k draws the race after k steps)
fig = charts.race(race, lesson.map_of(surface), lesson.frame_steps(steps), labels)
fig.show()
"""
