"""Quick checks: every lesson ends with at least three, each answered by the lesson's own lab functions at the page's
setting (the same calls the page makes, here at its defaults), and each readable in both languages."""
from __future__ import annotations

import math
import string

import numpy as np
import pytest

from lab.common import Check
from content import catalog
from ui import nav


def _losses():
    from lab import losses as lab
    d = lab.DEFAULTS
    _, _, at = lab.gradient_curves(d.n_classes, lab.WRONG_P)
    return lab.quick_checks(lab.fit_lines(d.n_outliers, d.outlier_size, d.delta, d.seed), d.delta, at, d.n_classes)


def _batches():
    from lab import batches as lab
    d = lab.DEFAULTS
    return lab.quick_checks(d.batch_size, lab.N_TRAIN, lab.batch_paths(d.batch_size, seed=d.seed))


def _preprocessing():
    from lab import preprocessing as lab
    d = lab.DEFAULTS
    return lab.quick_checks(lab.preprocessing_views(d.shift, d.seed), lab.zigzag_runs(d.zigzag_lr, d.seed), d.zigzag_lr)


def _activations():
    from lab import activations as lab
    d = lab.DEFAULTS
    return lab.quick_checks(lab.function_curve(d.fn), lab.zigzag_pair(d.zz_lr, d.zz_spread, d.seed), lab.selu_stds())


def _vanishing():
    from lab import vanishing as lab
    return lab.quick_checks(lab.profile(lab.DEFAULT_NET), lab.DEFAULT_NET)


def _initialization():
    from lab import initialization as lab
    p = lab.DEFAULTS.probe
    return lab.quick_checks(p.act, p.init, float(p.std), p.width)


def _batchnorm():
    from lab import batchnorm as lab
    d = lab.DEFAULTS
    return lab.quick_checks(d.momentum, d.eps, lab.running_trace(d.position, d.init_std, d.momentum, d.seed, d.unit),
                            d.unit)


def _dropout():
    from lab import dropout as lab
    w1, w2, x, y, keep = lab.DEFAULTS.two_input
    return lab.quick_checks(lab.two_input(w1, w2, x, y, keep), keep, lab.DEFAULTS.rate)


def _regularization():
    from lab import regularization as lab
    return lab.quick_checks(lab.DEFAULTS)


def _ensembles():
    from lab import ensembles as lab
    return lab.quick_checks(lab.DEFAULTS)


def _transfer():
    from lab import transfer as lab
    return lab.quick_checks(lab.DEFAULTS)


def _optimizers():
    from lab import optimizers as lab
    d = lab.DEFAULTS
    entries = lab.entries_of(d.opts, {})
    return lab.quick_checks(lab.race_of(entries, d.surface, tuple(d.start), d.steps, d.schedule), d.steps)


def _landscape():
    from lab import landscape as lab
    from runs import shared
    spec = lab.landscape_run(lab.DEFAULTS)
    run = shared.run(spec)
    run.advance(len(spec.steps) - 1, budget=600.0, wait=True)
    return lab.quick_checks(run.frame(run.available - 1).data, lab.DEFAULTS)


def _playground():
    from lab import playground as lab
    return lab.quick_checks(lab.PlaygroundConfig(), None)


BUILDERS = {"losses": _losses, "batches": _batches, "preprocessing": _preprocessing, "activations": _activations,
            "vanishing": _vanishing, "initialization": _initialization, "batchnorm": _batchnorm, "dropout": _dropout,
            "regularization": _regularization, "ensembles": _ensembles, "transfer": _transfer,
            "optimizers": _optimizers, "landscape": _landscape, "playground": _playground}


def test_every_lesson_has_quick_checks():
    assert set(BUILDERS) == {p.slug for p in nav.PAGES if p.slug != "home"}


def _distance(check: Check, option: float) -> float:
    scale = (lambda v: math.log10(v) if v > 0 else -12.0) if check.log else float
    return abs(scale(float(option)) - scale(check.measured))


@pytest.mark.parametrize("page", sorted(BUILDERS))
def test_quick_checks_are_answered_by_the_lab_and_read_in_both_languages(page):
    checks = BUILDERS[page]()
    assert len(checks) >= 3 and len({c.key for c in checks}) == len(checks)
    for check in checks:
        assert 0 <= check.answer < len(check.options) and len(check.options) >= 2, check
        assert len(set(check.options)) == len(check.options), f"{page}.{check.key}: two options alike"
        numeric = not isinstance(check.options[0], str)
        if numeric:
            assert check.measured is not None and np.isfinite(check.measured), check
            d = sorted(_distance(check, o) for o in check.options)
            # the right option is the nearest to what the lab measured, and clearly so at the page's defaults
            assert _distance(check, check.options[check.answer]) == d[0], check
            assert d[1] >= 1.5 * d[0] and d[1] > 0, f"{page}.{check.key}: ambiguous ({check.measured} in {check.options})"
        for lang in catalog.LANGUAGES:
            entries = catalog.load(lang)
            question = entries[f"{page}.{check.key}_q"]
            fields = {name for _, name, _, _ in string.Formatter().parse(question) if name}
            assert fields <= set(check.values), f"{lang}: {page}.{check.key}_q has {fields}, the lab gives {set(check.values)}"
            if not numeric:
                for name in check.options:
                    assert f"{page}.{check.key}_{name}" in entries or f"common.opt_{name}" in entries, (lang, name)


def test_a_numeric_check_is_the_nearest_option_at_any_measured_value():
    from lab.common import nearest_check

    for measured in (0.001, 0.03, 0.2, 1.0, 7.0, 99.0, 5e3):
        check = nearest_check("check9", measured, [0.01, 0.1, 1, 10, 100, 1000], log=True)
        assert len(check.options) == 4
        best = min(check.options, key=lambda o: abs(math.log10(o) - math.log10(measured)))
        assert check.options[check.answer] == best
    # where the right one sits among those shown depends on the question, not on the answer
    positions = {nearest_check(f"k{i}", 1.0, [0.01, 0.1, 1, 10, 100, 1000, 10_000], log=True).answer for i in range(20)}
    assert len(positions) > 1


def test_the_checks_follow_the_setting():
    """The same question gets another answer at another setting: answers are computed, not written down."""
    from lab import batches, initialization, vanishing

    assert batches.quick_checks(4, batches.N_TRAIN, batches.batch_paths(4)).__getitem__(0).measured == 35
    tanh = initialization.quick_checks("tanh", "normal", 0.01, 500)
    relu = initialization.quick_checks("relu", "normal", 0.01, 500)
    assert tanh[2].options[tanh[2].answer] == "xavier_normal" and relu[2].options[relu[2].answer] == "he_normal"
    net = vanishing.DEFAULT_NET
    deep_sigmoid = vanishing.quick_checks(vanishing.profile(net), net)[0]
    tanh_net = type(net)(**{**net.__dict__, "act": "tanh"})
    shallow = vanishing.quick_checks(vanishing.profile(tanh_net), tanh_net)[0]
    assert deep_sigmoid.options[deep_sigmoid.answer] == "much_smaller"
    assert shallow.options[shallow.answer] == "same"
