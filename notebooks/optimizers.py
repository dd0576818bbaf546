"""The optimizers page as a notebook: the chosen update rules raced on a 2-D surface from one start point."""
from __future__ import annotations

from notebooks import _base
from notebooks._base import read_one

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
import plotly.graph_objects as go

from core import surfaces              # the 2-D test surfaces
from lab import optimizers as lesson  # this page's experiments (lab/optimizers.py), built on the engine in core/
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


def chart(text) -> str:
    from core import optim
    labels = {name: text(f"common.opt_{name}") for name in optim.NAMES}
    return f"""
surf = surfaces.get(surface)
xs, ys, Z = lesson.grid(surface, 120)  # the surface's height, log10(f + c) on surfaces with steep walls

names = {labels!r}
fig = go.Figure(go.Contour(x=xs, y=ys, z=Z, colorscale="Greys", showscale=False, ncontours=30,
                           contours=dict(coloring="lines")))
for k, (name, _) in enumerate(race.entries):
    path = race.paths[k, :race.valid_len[k]]
    fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=names.get(name, name),
                             marker=dict(size=4), line=dict(width=2.5)))
fig.add_trace(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name={text.label("optimizers_start")},
                         marker=dict(color="black", size=11, symbol="x")))
fig.add_trace(go.Scatter(x=[m[0] for m in surf.minima], y=[m[1] for m in surf.minima], mode="markers",
                         name={text.label("optimizers_minimum")}, marker=dict(color="gold", size=14, symbol="star")))
fig.update_layout(title=f"f(x, y): {{surface}}", xaxis_range=surf.xlim, yaxis_range=surf.ylim, height=520)
fig.show()
"""
