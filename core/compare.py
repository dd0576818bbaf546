"""Side-by-side runs: several trainers driven as one, so a page can compare K variants fairly.

Each member has its own seed-fixed state; the group only keeps them in step. A member that diverges stops
(its history ends at its last finite step) while the others go on.
"""
from __future__ import annotations

from typing import Mapping


class Group:
    """K named trainers advanced together.

    members: {label: trainer}, each with .run(n), .step and .diverged (core.train.Trainer fits).
    """

    def __init__(self, members: Mapping[str, object]):
        if not members:
            raise ValueError("a group needs at least one member")
        self.members = dict(members)
        self.step = 0  # steps requested so far: the common clock of the comparison

    def run(self, n_steps: int) -> "Group":
        n_steps = int(n_steps)
        if n_steps < 0:
            raise ValueError(f"n_steps must be >= 0, got {n_steps}")
        for trainer in self.members.values():
            if not getattr(trainer, "diverged", False):
                trainer.run(n_steps)
        self.step += n_steps
        return self

    def release(self) -> None:
        """Let every member drop what its last pass kept for backward (see ``MLP.release``)."""
        for trainer in self.members.values():
            release = getattr(trainer, "release", None)
            if release is not None:
                release()

    @property
    def stopped(self) -> bool:
        """True when every member has diverged: nothing is left to train."""
        return all(getattr(t, "diverged", False) for t in self.members.values())

    @property
    def diverged(self) -> bool:
        """The group as a whole has diverged when every member has (a flag, like Trainer.diverged)."""
        return self.stopped

    def diverged_steps(self) -> dict[str, int]:
        """{label: step} for the members whose loss became NaN/inf."""
        return {k: t.diverged_at for k, t in self.members.items() if getattr(t, "diverged_at", None) is not None}

    def __getitem__(self, label: str):
        return self.members[label]

    def items(self):
        return self.members.items()
