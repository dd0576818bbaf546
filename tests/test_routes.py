"""Guided routes (content/<lang>/routes.txt, ui/routes.py): every step carries its preset, the preset is valid for its
page (each key one of the page's controls, each value one the control takes as it is, read through the page itself in
AppTest), and it opens the picture the step's goal talks about (the goal's claim, computed through the page's lab
functions at the preset's values). Previous/Next sit at the top of the page as well as at the bottom.

Issue 23, item 3: every preset was empty, so a step opened with whatever the page last had.
"""
import importlib
from dataclasses import replace

import numpy as np
import pytest

from tests.apptest_util import errors, open_page, page_widgets
from ui import nav, routes
from content.catalog import load

pytestmark = pytest.mark.app

STEPS = [(rid, n + 1) for rid, r in routes.all_routes("en").items() for n in range(len(r.steps))]
IDS = [f"{rid}-{n}" for rid, n in STEPS]


def step_of(rid: str, number: int) -> routes.Step:
    return routes.all_routes("en")[rid].steps[number - 1]


def preset_of(rid: str, number: int) -> dict:
    return dict(step_of(rid, number).preset)


def test_every_step_carries_a_preset_the_same_in_both_languages():
    for lang in ("en", "ko"):
        for rid, route in routes.all_routes(lang).items():
            empty = [n + 1 for n, s in enumerate(route.steps) if not s.preset]
            assert empty == [], f"{lang}: route {rid}, steps without a preset: {empty}"
    en, ko = routes.all_routes("en"), routes.all_routes("ko")
    assert {rid: [s.preset for s in r.steps] for rid, r in en.items()} == \
           {rid: [s.preset for s in r.steps] for rid, r in ko.items()}


# ---- each preset is valid for its page: read by the page's own controls, as it is ------------------------------

def _shown(widget) -> object:
    """A control's value as the link writes it (ui.controls._serialize, in the same shortest form)."""
    from lab.settings import to_text as _serialize

    value = widget.value
    if type(widget).__name__ in ("Slider", "SelectSlider", "NumberInput") and isinstance(value, (int, float)):
        return float(value)
    return _serialize(list(value) if isinstance(value, (list, tuple)) else value)


def _wanted(widget, raw: str) -> object:
    kind = type(widget).__name__
    if kind in ("Slider", "SelectSlider", "NumberInput"):
        return float(raw)
    if kind in ("Toggle", "Checkbox"):
        return "1" if raw.strip().lower() in ("1", "true", "on", "yes") else "0"
    return raw


@pytest.mark.parametrize("rid, number", STEPS, ids=IDS)
def test_each_preset_is_valid_for_its_page(rid, number):
    """Every key of the preset is a control of the page, every value is taken as it is (no notice that it was
    refused or moved to the nearest step), and the control shows it."""
    step, preset = step_of(rid, number), preset_of(rid, number)
    at = open_page(step.slug, "en", {**preset, "route": rid, "step": str(number)})
    assert errors(at) == []
    en = load("en")
    refused = [n.value for n in list(at.warning) + list(at.info)
               if en["common.bad_param"].split("**")[0] in n.value or "falls between the control's steps" in n.value]
    assert refused == [], refused
    controls = {w.key: w for w in page_widgets(at)}
    missing = sorted(set(preset) - set(controls))
    assert missing == [], f"{step.slug}: the preset names {missing}, which are not controls of the page"
    for key, raw in preset.items():
        assert _shown(controls[key]) == _wanted(controls[key], raw), (key, raw, controls[key].value)
    for key, raw in preset.items():  # the step's address keeps its whole preset, in the route's own text
        written = at.query_params.get(key)
        assert (written[0] if isinstance(written, list) else written) == raw, (key, raw, written)
    declared = getattr(importlib.import_module(f"lab.{step.slug}"), "SETTINGS", None)
    for key, raw in preset.items():  # and the page's declaration reads the text as it is, nothing moved
        if declared is not None and key in {s.key for s in declared}:
            value = declared[key].read(raw)
            assert declared[key].snap(value) == value, (key, raw)


def test_arriving_at_a_step_applies_its_preset_over_what_the_session_had():
    """A student who moved the page's controls, then follows the route to it: the step's preset wins."""
    at = open_page("initialization", "en", {"std": "1.0", "depth": "3"})
    assert at.slider(key="depth").value == 3
    for key, value in {**preset_of("first", 5), "route": "first", "step": "5"}.items():
        at.query_params[key] = value
    at.switch_page(nav.get("initialization").path).run()
    assert errors(at) == []
    assert at.slider(key="depth").value == 10 and at.select_slider(key="std").value == 0.01


# ---- Previous / Next at the top as well as at the bottom --------------------------------------------------------

def _in_order(node, found: list) -> list:
    """The elements of the page in the order they are drawn (AppTest's tree, depth first)."""
    children = getattr(node, "children", None)
    if children:
        for key in sorted(children):
            _in_order(children[key], found)
    else:
        found.append(node)
    return found


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("rid, number", [("first", 5), ("first", 1), ("overfit", 4)])
def test_previous_and_next_are_at_the_top_and_at_the_bottom(rid, number, lang):
    step = routes.all_routes(lang)[rid].steps[number - 1]
    at = open_page(step.slug, lang, {**preset_of(rid, number), "route": rid, "step": str(number)})
    assert errors(at) == []
    words, route = load(lang), routes.all_routes(lang)[rid]
    wanted = []
    if number > 1:
        wanted.append(words["common.route_previous"].format(title=words[f"{route.steps[number - 2].slug}.nav"]))
    wanted.append(words["common.route_next"].format(title=words[f"{route.steps[number].slug}.nav"])
                  if number < len(route.steps) else words["common.route_done"])
    elements = _in_order(at.main, [])
    kinds = [type(e).__name__ for e in elements]
    links = [i for i, e in enumerate(elements) if getattr(getattr(e, "proto", None), "label", None) in wanted]
    charts = [i for i, e in enumerate(elements) if getattr(e, "type", "") == "plotly_chart" or (  # live charts too
        getattr(e, "type", "") == "bidi_component" and e.proto.component_name == "dnnlab_live_chart")]
    assert len(links) == 2 * len(wanted), (wanted, kinds)
    assert charts and max(links[:len(wanted)]) < charts[0]      # the first pair comes before the first chart
    assert min(links[len(wanted):]) > charts[-1]                 # the second after the last chart


# ---- each preset opens the picture its goal talks about ---------------------------------------------------------

def _losses(p):
    from lab import losses as lab

    f = lab.fit_lines(int(p["outliers"]), float(p["size"]), float(p["delta"]))
    b0 = f.true[1]
    assert int(f.outlier.sum()) == 5                                       # "With 5 outliers"
    assert f.intercept["mse"] - b0 > 0.3                                   # MSE pulled up toward them
    assert abs(f.intercept["mae"] - b0) < 0.1 and abs(f.intercept["huber"] - b0) < 0.1  # the others stay


def _batches(p):
    from lab import batches as lab
    from runs import shared

    c = shared.complete(lab.batch_run(lab.Settings(batch_size=int(p["batch"]), lr=float(p["lr"])))).frames[-1].data
    assert p["epochs"] == "1"                                               # the x axis counts epochs
    assert c.at_common["mini"] < 0.5 * c.at_common["full"]                  # far ahead at equal epochs
    assert c.noise["mini"] > 10 * c.noise["full"]                           # noisier steps
    assert lab.iterations_per_epoch(lab.N_TRAIN, int(p["batch"])) >= 8     # many more of them per pass


def _activations(p):
    from lab import activations as lab
    from runs import shared

    curve = lab.function_curve(p["fn"])
    assert p["fn"] == "sigmoid" and curve.d.max() == pytest.approx(0.25)
    assert np.all(curve.d[np.abs(curve.z) >= 5] < 0.01)                    # saturated: nearly no slope
    assert np.all(curve.f > 0)                                             # not zero-centred
    relu = lab.function_curve("relu")
    assert np.all(relu.d[relu.z > 0] == 1.0)
    d = lab.DEFAULTS
    dead = shared.complete(lab.dying_run(d.dy_lr, d.dy_bias, d.seed)).frames[-1].data.dead["relu"][1]
    assert dead[-1].mean() > 0.1                                           # some ReLU units died


def _vanishing(p):
    from lab import vanishing as lab

    net = replace(lab.DEFAULT_NET, act=p["act"], init=p["init"], depth=int(p["depth"]), bn=p["bn"] == "1")
    prof = lab.profile(net)
    assert 0.2 < prof.ratio ** (1 / net.depth) < 0.3                       # about fourfold per layer
    assert 6.5 < -np.log10(prof.ratio) < 8                                # about 10⁷ times less


def _initialization(p):
    from lab import initialization as lab
    from runs import shared

    probe = replace(lab.DEFAULTS.probe, act=p["act"], init=p["init"], std=float(p["std"]), depth=int(p["depth"]),
                    width=int(p["width"]))
    v = shared.complete(lab.stats_run(probe)).frames[-1].data
    assert 0.18 < float(np.median(v.std[1:] / v.std[:-1])) < 0.26         # about fivefold per layer
    assert v.std[-1] < 1e-4                                                 # gone by layer 10
    xavier = shared.complete(lab.stats_run(replace(probe, init="xavier_normal"))).frames[-1].data
    assert xavier.std[-1] > 0.15                                            # it survives with Xavier


def _batchnorm(p):
    from lab import batchnorm as lab
    from runs import shared

    d = lab.DEFAULTS
    v = shared.complete(lab.pair_run(p["pos"], float(p["lr"]), float(p["std"]), d.momentum, d.eps,
                                     d.seed)).frames[-1].data
    bn, plain = v.members["bn"], v.members["plain"]
    at_100 = bn.test_acc[list(bn.step).index(100)]
    assert at_100 >= bn.test_acc[-1] - 0.05                                 # near its final accuracy at 100
    assert 250 <= int(plain.step[np.argmax(plain.test_acc > 0.2)]) <= 400  # at chance for about 300


def _overfit_dropout(p):
    from lab import dropout as lab
    from runs import shared

    v = shared.complete(lab.overfit_run(float(p["rate"]), float(p["l2"]), lab.DEFAULTS.seed)).frames[-1].data
    gap = {k: float(h["train_acc"][-1] - h["test_acc"][-1]) for k, h in v.histories.items()}
    assert 0.15 <= gap["none"] - gap["dropout"] <= 0.3                     # about 20 points narrower
    assert v.histories["dropout"]["test_acc"][-1] > v.histories["none"]["test_acc"][-1]


def _optimizers(p):
    from core import optim

    opts = p["opts"].split(",")
    race = optim.race([(name, dict(entry)) for name, entry in optim.DLFS_PRESET["entries"] if name in opts],
                      surface=p["surface"], start=(float(p["x0"]), float(p["y0"])), steps=int(p["steps"]))
    paths = dict(zip(opts, race.paths))
    sgd, momentum, adagrad = paths["sgd"], paths["momentum"], paths["adagrad"]
    assert np.all(np.sign(sgd[1:, 1]) == -np.sign(sgd[:-1, 1]))            # SGD zig-zags in y
    assert momentum[:, 0].max() > 0.5 and abs(momentum[-1, 0]) < abs(momentum[0, 0])  # past the minimum, back
    assert np.all(np.sign(adagrad[1:, 1]) == np.sign(adagrad[0, 1]))       # AdaGrad almost straight


def _regularization(p):
    from lab import regularization as lab
    from runs import shared

    settings = replace(lab.DEFAULTS, n_train=int(p["n"]))
    rows = shared.complete(lab.training_run(settings)).frames[-1].data.rows
    assert lab.REG["label_noise"] == 0.3 and p["show"] == "none"
    assert rows["none"].train_acc >= 0.99 and rows["none"].memorized >= 0.95
    assert 0.62 <= rows["none"].test_acc <= 0.78                            # near 70 %


def _mc_dropout(p):
    from lab import dropout as lab

    passes = int(p["passes"])
    sub, mc = lab.page_sub_maps(float(p["rate"]), lab.DEFAULTS.seed, lab.DEFAULTS.draw), lab.page_mc_maps(float(p["rate"]))
    assert np.mean(np.abs(mc[passes]["mc_mean"] - sub["full"])) < 0.05     # almost the full network's map


def _ensembles(p):
    from lab import ensembles as lab
    from runs import shared

    sc = shared.complete(lab.seeds_run(lab.Settings(k=int(p["k"])))).frames[-1].data.scores
    assert len(sc.members) == 5 and 0.02 <= sc.ensemble - sc.mean <= 0.08  # a few points


def _transfer(p):
    from lab import transfer as lab
    from runs import shared

    settings = lab.Settings(n_target=int(p["n"]), n_reuse=int(p["reuse"]))
    h = shared.complete(lab.transfer_run(settings)).frames[-1].data.histories
    assert h["frozen"]["test_acc"][-1] >= h["scratch"]["test_acc"][-1] + 0.05


CLAIMS = {("first", 1): _losses, ("first", 2): _batches, ("first", 3): _activations, ("first", 4): _vanishing,
          ("first", 5): _initialization, ("first", 6): _batchnorm, ("first", 7): _overfit_dropout,
          ("first", 8): _optimizers, ("overfit", 1): _regularization, ("overfit", 2): _mc_dropout,
          ("overfit", 3): _ensembles, ("overfit", 4): _transfer}


def test_every_step_has_its_claim_checked():
    assert sorted(CLAIMS) == sorted(STEPS)


@pytest.mark.parametrize("rid, number", STEPS, ids=IDS)
def test_each_goal_holds_at_its_preset(rid, number):
    """The goal's sentence, computed through the lab functions the page calls, at the step's preset."""
    CLAIMS[(rid, number)](preset_of(rid, number))
