"""lab/<slug>.py of the template lesson (docs/PAGES.md): gradient descent on one weight, f(w) = a·w², as a live run.

    SETTINGS                         # the page's controls, declared once (lab/settings.py)
    run = Descent(lr=0.4, steps=30)  # a live object: run(n) trains n more steps, .step counts them
    spec = descent_run(0.4, 30)      # the shared run of frames the page plays (runs/shared.py)

Shapes: T recorded steps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runs import shared
from lab.settings import SEED, Settings, level, number

CURVATURE = 1.0  # a in f(w) = a·w²: f′(w) = 2·a·w, and a rate above 1/a overshoots past the minimum and back


@dataclass(frozen=True)
class Defaults:
    """The page's first screen: every control's default (the declaration and ``warm`` read it)."""
    lr: float = 0.4
    steps: int = 30
    seed: int = 0


DEFAULTS = Defaults()
SETTINGS = Settings(  # the page's controls: key (= link parameter), text key of the label, range or values, default
    level("lr", "template.lr", (0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.2), DEFAULTS.lr),
    number("steps", "template.steps", 10, 100, DEFAULTS.steps, 10),
    SEED,
)
# The engine code the page teaches, shown under it ("The code behind this page")
CODE_BEHIND = ("core.optim.RULES.sgd.update",)


class Descent:
    """Plain gradient descent on f(w) = a·w² from a seeded start: the live object a page's panel plays."""

    def __init__(self, lr: float, steps: int, seed: int = 0):
        self.lr, self.total = float(lr), int(steps)
        self.w = float(np.random.default_rng(seed).uniform(1.0, 2.0))
        self.step = 0
        self.path = [self.w]

    def run(self, n: int) -> None:
        """n more updates w ← w − lr·f′(w) (run(a); run(b) is run(a + b))."""
        for _ in range(int(n)):
            self.w -= self.lr * 2.0 * CURVATURE * self.w
            self.step += 1
            self.path.append(self.w)

    @property
    def stopped(self) -> bool:
        return self.step >= self.total


def snapshot(d: Descent) -> np.ndarray:
    """What a frame keeps: the weights so far, (T + 1,)."""
    return np.array(d.path)


def descent_run(lr: float, steps: int, seed: int = 0) -> shared.RunSpec:
    """The live run the page plays, computed once per setting for the whole class."""
    return shared.RunSpec(key=("template", lr, steps, seed), build=lambda: Descent(lr, steps, seed),
                          snapshot=snapshot, steps=shared.frame_steps(steps, 20))


def warm() -> None:
    """The first screen, computed at server start (runs/warm.py) and kept."""
    with shared.pinned():
        shared.complete(descent_run(DEFAULTS.lr, DEFAULTS.steps, DEFAULTS.seed))


# ---- quick checks (the end of the page; ui.lesson.quick_checks draws them) --------------------------------------
def quick_checks(lr: float):
    """The page's quick checks at its setting, answered by the rule the page teaches (w ← w − lr·2a·w)."""
    from lab.common import choice_check, exact_check

    factor = 1 - 2 * CURVATURE * lr
    fate = "slides" if abs(factor) < 1 and factor >= 0 else "jumps" if abs(factor) < 1 else "flies" if abs(factor) > 1 \
        else "stays"
    return [
        exact_check("check1", round(factor, 6), [round(1 - lr, 6), round(2 * lr, 6), round(-factor, 6)],
                    dict(lr=f"{lr:g}")),
        choice_check("check2", ("slides", "jumps", "flies", "stays"), fate, dict(lr=f"{lr:g}")),
        exact_check("check3", round(1 / (2 * CURVATURE), 6), [1 / CURVATURE, 0.25, 2.0]),
    ]
