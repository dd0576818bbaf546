"""A group of trainers runs each member exactly as it would run alone."""
import numpy as np

from core import compare, data, nn, train


def _trainer(seed, lr=0.1):
    ds = data.get("moons", n=200, noise=0.2, seed=1)
    return train.Trainer(nn.MLP([2, 16, 2], seed=seed), ds, optimizer="sgd", opt_kwargs={"lr": lr}, seed=seed)


def test_group_equals_separate_runs():
    group = compare.Group({"a": _trainer(0), "b": _trainer(1)})
    group.run(7).run(5)
    for label, seed in (("a", 0), ("b", 1)):
        alone = _trainer(seed).run(12)
        np.testing.assert_array_equal(group[label].history["train_loss"], alone.history["train_loss"])
    assert group.step == 12 and not group.stopped


def test_a_diverging_member_stops_alone():
    group = compare.Group({"ok": _trainer(0), "bad": _trainer(0, lr=1e6)})
    group.run(30)
    assert "bad" in group.diverged_steps() and "ok" not in group.diverged_steps()
    assert group["ok"].step == 30 and not group.stopped and not group.diverged
    group["ok"].diverged_at = 31  # once every member has diverged the group is done
    assert group.diverged
    assert np.all(np.isfinite(group["bad"].history["train_loss"]))
