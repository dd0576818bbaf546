"""The playground: its configuration file (round trip and every refusal), build(config) training, the weights
export, the import through the page's uploader (a bad file changes nothing, a good one sets the controls), every
claim the page makes in words (computed on the settings its links open), how the default run forms the boundary,
what a live refresh sends, and that the progress and the charts always show the same step."""
import json
import re

import numpy as np
import pytest

from lab import own_points, playground

from runs import shared
from lab.playground import PlaygroundConfig, from_json
from tests.apptest_util import charts, errors, invalid_charts, live_messages, non_finite_in_charts, open_page
from ui.literal import literal

SPIRAL = PlaygroundConfig(dataset="spirals", noise=0.2, test_ratio=0.4, layers=3, width=24,
                          activations=("tanh", "elu", "leaky_relu"), init="normal", init_std=0.1, batchnorm=True,
                          dropout=0.1, optimizer="nesterov", lr=0.03, schedule="cosine", batch_size=16, l1=1e-4,
                          l2=1e-3, max_norm=3.0, steps=300, seed=42)


OWN = ((-1.5, 1.2, 0), (-1.1, 1.8, 0), (-2.0, 1.4, 0), (-1.3, 0.9, 0), (1.4, -1.2, 1), (1.9, -1.6, 1), (1.1, -2.0, 1),
       (2.2, -0.9, 1), (0.25, 0.5, 0), (-0.4, -0.75, 1))


@pytest.mark.parametrize("cfg", [PlaygroundConfig(), SPIRAL, PlaygroundConfig(dataset="digits", layers=1,
                                                                                  activations=("selu",)),
                                 PlaygroundConfig(dataset="own", points=OWN),
                                 PlaygroundConfig(dataset="own", points=OWN[:2])])
def test_round_trip(cfg):
    assert from_json(cfg.to_json()) == cfg
    assert from_json(cfg.to_json().encode("utf-8")) == cfg  # the uploader hands over bytes


def test_missing_fields_take_defaults_and_layers_alone_repeats_the_default_activation():
    cfg = from_json('{"lr": 0.1, "layers": 3}')
    assert cfg.lr == 0.1 and cfg.activations == ("relu",) * 3
    assert cfg.replace(lr=0.01, layers=2, activations=("relu", "relu")) == PlaygroundConfig()


def _with(**changes):
    raw = json.loads(PlaygroundConfig().to_json())
    raw.update(changes)
    return json.dumps(raw)


@pytest.mark.parametrize("text, words", [
    ('{"lr": 0.1,', ["malformed JSON"]),
    ("not json at all", ["malformed JSON"]),
    ('{"lr": NaN}', ["malformed JSON", "NaN"]),
    ('{"lr": 0.1, "lr": 0.3}', ["'lr'", "more than once"]),
    ("[1, 2]", ["one JSON object"]),
    ("{" + " " * (64 * 1024) + "}", ["too large", "65,538 bytes", "at most 65,536 bytes"]),
    (_with(momentum=0.9), ["unknown field", "'momentum'"]),
    (_with(lr="fast"), ["'lr'", "number"]),
    (_with(layers=2.5), ["'layers'", "whole number"]),
    (_with(batchnorm=1), ["'batchnorm'", "true or false"]),
    (_with(dataset=3), ["'dataset'", "string"]),
    (_with(activations="relu"), ["'activations'", "list"]),
    (_with(lr=0.5), ["'lr'", "out of range", "0.3"]),
    (_with(lr=-1), ["'lr'", "out of range"]),
    (_with(layers=7), ["'layers'", "out of range", "[1, 6]"]),
    (_with(dropout=0.95), ["'dropout'", "out of range"]),
    (_with(seed=10000), ["'seed'", "out of range"]),
    (_with(optimizer="lion"), ["'optimizer'", "adam"]),
    (_with(dataset="line"), ["'dataset'", "moons"]),
    (_with(activations=["relu", "swishy"]), ["'activations'", "'swishy'"]),
    (_with(layers=3), ["'activations'", "one name per layer"]),
    (_with(version=2), ["'version'"]),
    (_with(dataset="own", points=3), ["'points'", "list"]),
    (_with(dataset="own", points=[[0, 0, 0]] * 301), ["'points'", "301", "at most 300"]),
    (_with(dataset="own", points=[[0, 0, 0], [0, "1", 1]]), ["point 2", "[x, y, label]"]),
    (_with(dataset="own", points=[[0, 0, 0], [0, 0, True]]), ["point 2", "label True", "0 or 1"]),
    (_with(dataset="own", points=[[0, 0, 2]]), ["point 1", "label 2"]),
    (_with(dataset="own", points=[[0, 0, 0.5]]), ["point 1", "label 0.5"]),
    (_with(dataset="own", points=[[4.5, 0, 1]]), ["point 1", "[4.5, 0, 1]", "[-4, 4]"]),
    (_with(dataset="own", points=[[0, 0, 0, 0]]), ["point 1", "[x, y, label]"]),
    (_with(points=[[0, 0, 0]]), ["'points'", "'moons'", "own"]),
])
def test_bad_files_are_refused_with_a_message_naming_the_problem(text, words):
    with pytest.raises(ValueError) as err:
        from_json(text)
    for word in words:
        assert word in str(err.value), (word, str(err.value))
    assert len(str(err.value)) < 400  # a message, not an echo of the file


BIG = "1" + "0" * 400  # issue 21: a 401-digit integer escaped as an OverflowError into Streamlit's error box


@pytest.mark.parametrize("text", [
    *('{"%s": %s}' % (field, BIG) for field in ("lr", "noise", "test_ratio", "init_std", "dropout", "l1", "l2",
                                               "max_norm", "batch_size", "steps", "seed", "layers", "width")),
    '{"version": %s}' % BIG, '{"lr": -%s}' % BIG, '{"lr": 1e400}', '{"lr": %s.5}' % BIG, '{"lr": 1%s}' % ("0" * 5000),
    '{"dataset": "own", "points": [[%s, 0, 0]]}' % BIG, '{"dataset": "own", "points": [[0, -%s, 1]]}' % BIG,
    '{"dataset": "own", "points": [[0, 0, %s]]}' % BIG, '{"dataset": "own", "points": [[0.5, 0.5, 1e400]]}',
    '{"activations": [%s]}' % BIG, '{"layers": 2, "activations": {"a": 1}}', '{"%s": 1}' % ("\\ud800" * 3),
    '{"dataset": "\\udfff"}', "[" * 20000 + "]" * 20000, '{"a": ' * 5000 + "1" + "}" * 5000,
    "{" + ",".join('"k%d": 1' % i for i in range(6000)) + "}", '{"seed": 1, "seed": 2, "seed": 3}',
    "{" + ",".join('"seed": %d' % i for i in range(6000)) + "}",
], ids=lambda text: f"{text[:24]}…{len(text)}")
def test_no_configuration_escapes_as_anything_but_a_refusal(text):
    """Issue 21, item 6: the 401-digit integer and its friends (huge or non-finite numbers in every field and
    point, lone surrogates, deep nesting, thousands of keys) are a ConfigError with a message, never another
    exception, and quickly."""
    import time

    started = time.perf_counter()
    with pytest.raises(playground.ConfigError) as err:
        from_json(text.encode("utf-8", "surrogatepass"))
    assert str(err.value) and len(str(err.value)) < 400
    assert time.perf_counter() - started < 1.0  # one pass over at most 64 KB


def test_the_401_digit_file_on_the_page_is_a_message_not_an_error_box():
    at = open_page("playground", "en")
    before = {k: at.session_state[k] for k in ("lr", "layers", "seed")}
    _upload(at, "big.json", ('{"lr": %s}' % BIG).encode())
    assert errors(at) == []
    [message] = [e.value for e in at.error]
    assert message.startswith("This file was not loaded, and nothing changed:") and "finite number" in message
    assert {k: at.session_state[k] for k in before} == before


def test_allowed_values_come_from_the_engine_registries():
    from core import activations, data, initializers, optim, schedules
    assert playground.options("optimizer") == optim.NAMES and playground.options("schedule") == schedules.NAMES
    assert playground.options("init") == initializers.NAMES and playground.options("activations") == activations.NAMES
    assert set(playground.DATASETS) == set(data.NAMES) - {"line"} | {"own"}


def test_build_trains_and_the_loss_drops_on_moons():
    cfg = PlaygroundConfig(steps=300)
    tr = playground.build(cfg)
    tr.run(cfg.steps)
    h = tr.history
    assert tr.step == 300 and tr.diverged_at is None
    assert h["train_loss"][-1] < 0.2 * h["train_loss"][0]
    assert h["test_acc"][-1] >= 0.95
    again = playground.build(cfg).run(cfg.steps)  # the same config gives the same run, to the bit
    np.testing.assert_array_equal(again.history["train_loss"], h["train_loss"])


def test_build_uses_every_knob():
    tr = playground.build(SPIRAL)
    assert tr.net.sizes == [2, 24, 24, 24, 2] and [a.name for a in tr.net.activations] == list(SPIRAL.activations)
    assert tr.net.batchnorm and tr.optimizer_name == "nesterov" and tr.batch_size == 16
    assert (tr.l1, tr.l2, tr.max_norm) == (1e-4, 1e-3, 3.0)
    assert tr.x_test.shape[0] == round(0.4 * playground.N_2D)
    np.testing.assert_allclose(tr.net.weights[1].std(), 0.1, rtol=0.15)  # N(0, 0.1²), 576 draws
    lrs = [tr.schedule(s) for s in (0, 150, 299)]
    assert lrs[0] == pytest.approx(0.03) and lrs[1] == pytest.approx(0.015) and lrs[2] < 1e-5  # cosine over the run
    tr.run(20)
    assert tr.step == 20


def test_exported_weights_reproduce_the_predictions_exactly():
    tr = playground.build(SPIRAL)
    tr.run(50)
    blob = playground.weights_npz(tr.net)
    fresh = playground.make_net(SPIRAL)
    x = tr.x_test
    assert not np.array_equal(fresh.forward(x), tr.net.forward(x))
    playground.load_weights(fresh, blob)
    np.testing.assert_array_equal(fresh.forward(x), tr.net.forward(x))  # BN running statistics included


def test_views_of_a_run():
    tr = playground.build(PlaygroundConfig(dataset="digits", steps=100)).run(100)
    cm = playground.confusion(tr.labels_test, tr.predict(tr.x_test), 10)
    assert cm.sum() == tr.x_test.shape[0]
    assert np.trace(cm) / cm.sum() == pytest.approx(tr.history["test_acc"][-1])
    images, true, pred = playground.misclassified(tr, 8)
    assert images.shape[1:] == (8, 8) and np.all(true != pred)
    hists = playground.activation_histograms(tr.net, tr.x_train[:256])
    assert len(hists) == 2 and all(h[0].sum() == 256 * 16 for h in hists)


def test_histograms_and_map_survive_a_diverged_net():
    tr = playground.build(PlaygroundConfig(steps=100))
    tr.net.weights[0][...] = np.nan
    assert playground.activation_histograms(tr.net, tr.x_train[:64]) == [None, None]
    xs, ys, p = playground.probability_grid(tr, n=20)
    assert p.shape == (20, 20) and np.isnan(p).all()


# ---- the page: import through the uploader ---------------------------------------------------------------

def _upload(at, name, content):
    at.file_uploader(key="_cfg_upload").set_value((name, content, "application/json"))
    at.run()


def test_upload_bad_file_changes_nothing_and_good_file_sets_the_controls():
    at = open_page("playground", "en")
    assert errors(at) == []
    before = {k: at.session_state[k] for k in ("lr", "layers", "opt", "data", "act1")}
    _upload(at, "bad.json", _with(lr=0.5).encode())
    assert errors(at) == []
    assert any(literal("lr") in e.value and literal("0.5") in e.value for e in at.error)
    assert {k: at.session_state[k] for k in before} == before

    good = SPIRAL.replace(steps=500).to_json().encode()
    _upload(at, "good.json", good)
    assert errors(at) == [] and at.success
    assert at.slider(key="layers").value == 3 and at.select_slider(key="lr").value == 0.03
    assert at.selectbox(key="opt").value == "nesterov" and at.selectbox(key="act2").value == "elu"
    assert at.toggle(key="bn").value is True and at.select_slider(key="std").value == 0.1
    assert at.query_params["lr"] == ["0.03"] or at.query_params["lr"] == "0.03"  # and the link follows


def test_a_refused_file_is_explained_and_quoted_literally():
    """The reason names the problem in words of the catalog; the file's text appears only inside code spans.
    (Korean has the same keys: the next test; AppTest cannot upload on the Korean page, see apptest_util.)"""
    at = open_page("playground", "en")
    payload = "x` [Log in again](https://evil.example) `"
    _upload(at, "bad.json", _with(optimizer=payload).encode())
    assert errors(at) == []
    [message] = [e.value for e in at.error]
    assert message.startswith("This file was not loaded, and nothing changed:") and "evil.example" in message
    outside_code = re.sub(r"(`+) .*? \1", "", message)
    assert "](" not in outside_code and "evil.example" not in outside_code


def test_every_refusal_has_words_in_both_languages():
    from lab._playground_config import ConfigError
    from content.catalog import load

    import inspect
    import lab._playground_config as source

    codes = set(re.findall(r'ConfigError\("(\w+)"', inspect.getsource(source)))
    assert len(codes) >= 15 and ConfigError
    for lang in ("en", "ko"):
        assert {c for c in codes if f"playground.cfg_{c}" not in load(lang)} == set()


def test_an_optimizer_registered_later_is_accepted_in_a_file():
    import dataclasses

    from core import optim

    optim.register(dataclasses.replace(optim.rule("sgd"), name="sgd_copy"))
    try:
        assert from_json(_with(optimizer="sgd_copy")).optimizer == "sgd_copy"
    finally:
        optim.unregister("sgd_copy")
    with pytest.raises(ValueError):
        from_json(_with(optimizer="sgd_copy"))


def test_vanished_sigmoid_signal_is_one_spike_at_one_half():
    """DLFS ch. 6: sigmoid layers with std 0.01 weights all output ≈ 0.5; on the [0, 1] axis that is one bar."""
    cfg = PlaygroundConfig(layers=6, activations=("sigmoid",) * 6, init="normal", init_std=0.01)
    tr = playground.build(cfg)
    for counts, edges in playground.activation_histograms(tr.net, tr.x_train[:256]):
        assert (edges[0], edges[-1]) == (0.0, 1.0)
        assert counts.max() == counts.sum()  # every value in one bin
        assert edges[np.argmax(counts)] <= 0.5 <= edges[np.argmax(counts) + 1]


# ---- what the page says in words, computed at its settings ----------------------------------------------------
# Each "try this" item links to its setting; the claims are checked on the configuration each link makes, so a
# link and its sentence cannot drift apart. URL parameter -> configuration field (as lessons/playground.py binds them).
LINK_FIELDS = {"data": "dataset", "noise": "noise", "test": "test_ratio", "layers": "layers", "width": "width",
               "init": "init", "std": "init_std", "bn": "batchnorm", "drop": "dropout", "opt": "optimizer", "lr": "lr",
               "sched": "schedule", "batch": "batch_size", "steps": "steps", "l1": "l1", "l2": "l2",
               "maxnorm": "max_norm", "seed": "seed"}


def _try_links(lang: str) -> dict[str, dict[str, str]]:
    """The links of the page's "try this" list: {item's bold title: {parameter: value}} (lang left out)."""
    from urllib.parse import parse_qsl

    from content.catalog import load

    found = {}
    for line in load(lang)["playground.try"].splitlines():
        title = re.match(r"- \*\*(.+?)\*\*", line).group(1)
        for query in re.findall(r"\]\(\?([^)]*)\)", line):
            found[title] = {k: v for k, v in parse_qsl(query) if k != "lang"}
    return found


def _config_of(params: dict[str, str], **changes) -> PlaygroundConfig:
    """The configuration a link opens (the defaults for what it leaves out), with the reader's next change."""
    fields, acts = {}, {}
    for key, value in params.items():
        if key.startswith("act"):
            acts[int(key[3:])] = value
            continue
        if key == "points":  # one's own points, in the link's text (lab.own_points.encode)
            fields["points"] = own_points.decode(value)
            continue
        field = LINK_FIELDS[key]
        kind = type(getattr(PlaygroundConfig(), field))
        fields[field] = value in ("1", "true") if kind is bool else kind(float(value)) if kind is int else kind(value)
    fields.update(changes)
    layers = fields.get("layers", PlaygroundConfig().layers)
    fields["activations"] = tuple(acts.get(i, "relu") for i in range(1, layers + 1))
    return PlaygroundConfig(**fields)


LINKS = _try_links("en")


def _trained(cfg: PlaygroundConfig):
    return playground.build(cfg).run(cfg.steps)


def test_both_languages_link_the_same_settings():
    assert LINKS == {title: params for title, params in zip(LINKS, _try_links("ko").values())}
    assert len(LINKS) == 6


def test_the_decision_boundary_forms_over_the_default_run():
    """Issue 13: the boundary must visibly form while the default run plays, not jump there in one frame. At the
    defaults the 40 frames show the map changing on at least 20 of them, it takes at least 15 frames (3 s of
    playing) to go from 10 % to 90 % of the way to its final form, no frame moves it more than a fifth of that way,
    and the finished map separates the moons."""
    run = shared.complete(playground.training_run(PlaygroundConfig()))
    maps = [np.asarray(f.data.grid[2], float) for f in run.frames]
    assert len(maps) == 41 and [f.step for f in run.frames] == sorted({f.step for f in run.frames})
    changed = [np.mean(np.abs(b - a) > 0.05) >= 0.02 for a, b in zip(maps, maps[1:])]
    assert sum(changed) >= 20, sum(changed)
    start = np.abs(maps[0] - maps[-1]).mean()
    formed = [1 - np.abs(m - maps[-1]).mean() / start for m in maps]
    forming = [i for i, x in enumerate(formed) if 0.1 <= x <= 0.9]
    assert len(forming) >= 15 and np.diff(formed).max() <= 0.2, np.round(formed, 2)
    history = run.frames[-1].data.history
    assert history["test_acc"][-1] >= 0.95 and history["train_acc"][-1] >= 0.95


def test_kill_the_relus_and_bring_them_back():
    """"Within ten updates the last layer's histogram is one spike at 0, the map goes flat and the accuracy is stuck
    at 50 %. Lower the learning rate to 0.3 and train again: the same network learns." """
    cfg = _config_of(LINKS["Kill the ReLUs."])
    tr = playground.build(cfg).run(10)
    for _ in range(2):
        counts, edges = playground.activation_histograms(tr.net, tr.x_train[:playground.HIST_BATCH])[-1]
        assert counts.max() == counts.sum() and edges[0] <= 0 <= edges[-1]  # every value in the bin at 0
        xs, ys, p = playground.probability_grid(tr, n=40)
        assert np.ptp(p) < 0.01 and tr.history["test_acc"][-1] == 0.5
        tr.run(cfg.steps - tr.step)
    assert _trained(cfg.replace(lr=0.3)).history["test_acc"][-1] >= 0.9


def test_make_it_overfit_then_regularize():
    """"The training loss goes to almost 0 while the test loss turns up. Raise the L2 penalty to 0.01: the test loss
    stays near its lowest. Dropout 0.3 instead raises the test accuracy but not the test loss." """
    cfg = _config_of(LINKS["Make it overfit."])
    plain, l2, drop = (_trained(c).history for c in (cfg, cfg.replace(l2=0.01), cfg.replace(dropout=0.3)))
    assert plain["train_loss"][-1] < 0.01 and plain["test_loss"][-1] > 2 * plain["test_loss"].min()
    assert l2["test_loss"][-1] < 1.25 * l2["test_loss"].min() and l2["test_loss"][-1] < plain["test_loss"][-1] / 2
    assert drop["test_acc"][-1] > plain["test_acc"][-1] and drop["test_loss"][-1] >= plain["test_loss"][-1]


def test_make_the_signal_vanish_then_normalize():
    """"The loss stays at 0.693 (= ln 2). Turn on batch normalization and train again." (The spikes at 0.5: the
    test above on the same setting.)"""
    cfg = _config_of(LINKS["Make the signal vanish."])
    assert cfg.init_std == 0.01 and cfg.activations == ("sigmoid",) * 6
    stuck = _trained(cfg).history["train_loss"]
    assert abs(np.median(stuck) - np.log(2)) < 2e-3 and np.abs(stuck - np.log(2)).max() < 0.02  # flat at ln 2
    assert _trained(cfg.replace(batchnorm=True)).history["train_loss"][-1] < 0.2


def test_spirals_need_depth():
    """"One hidden layer of 8 cannot follow the arms (about 70 %); three layers of 8 follow both (close to 100 %)." """
    cfg = _config_of(LINKS["Spirals need depth."])
    shallow = _trained(cfg).history["test_acc"][-1]
    deep = _trained(cfg.replace(layers=3, activations=("relu",) * 3)).history["test_acc"][-1]
    assert 0.6 <= shallow <= 0.8 and deep >= 0.95


def test_small_batches_are_noisy():
    """"With batches of 1 the loss curve jumps up and down (it rises on almost half of the updates), with 256 it
    glides down; batches of 1 have not seen one epoch, 256 a hundred." """
    cfg = _config_of(LINKS["Noisy small batches."])
    assert cfg.batch_size == 1 and cfg.steps == PlaygroundConfig().steps == 200
    one, big = playground.build(cfg).run(cfg.steps), playground.build(cfg.replace(batch_size=256)).run(cfg.steps)
    rises = [np.mean(np.diff(tr.history["train_loss"]) > 0) for tr in (one, big)]
    assert rises[0] >= 0.35 and rises[0] >= 2 * rises[1], rises
    assert one.epoch < 1 and big.epoch >= 90


def test_one_point_against_the_rest():
    """"The network wraps a small red island around the lone point (training accuracy 100 %). Raise the L2 penalty to
    0.01 and train again: the island is gone and that point is counted wrong (training accuracy 94 %)." """
    cfg = _config_of(LINKS["One point against the rest."])
    assert cfg.dataset == "own" and len(cfg.points) == 25
    lone, around = np.array([[-1.5, 1.2]]), np.array([[-1.0, 1.2], [-1.5, 0.7], [-2.0, 1.2], [-1.5, 1.7]])
    tr = _trained(cfg)
    assert (tr.x_train == lone).all(axis=1).any()  # the lone point is a training point
    assert tr.predict_proba(lone)[0, 1] > 0.5 and (tr.predict_proba(around)[:, 1] < 0.5).all()  # an island
    assert tr.history["train_acc"][-1] == 1.0
    smooth = _trained(cfg.replace(l2=0.01))
    assert smooth.predict_proba(lone)[0, 1] < 0.5 and round(100 * smooth.history["train_acc"][-1]) == 94


# ---- what a live refresh sends ---------------------------------------------------------------------------------

def test_the_decision_map_is_light_and_exact_to_a_shade():
    """Every student receives the map on every refresh: bytes (P in 1/250 steps), the grid as start and step,
    the points as float32; the picture is the frame's probabilities to within half a step."""
    import base64

    from figures import playground as fig

    cfg = PlaygroundConfig()
    frame = shared.complete(playground.training_run(cfg)).frames[-1]
    xs, ys, p = frame.data.grid
    ds = playground.data_of(cfg)
    words = dict(x="x", y="y", prob="p", class0="0", class1="1", train="train", test="test")
    spec = fig.boundary(xs, ys, p, ds.x_train, ds.y_train, ds.x_test, ds.y_test, words).to_dict()
    heat = spec["data"][0]
    z = np.frombuffer(base64.b64decode(heat["z"]["bdata"]), np.uint8).reshape(p.shape) / heat["zmax"]
    assert np.abs(z - p).max() <= 0.5 / heat["zmax"] + 1e-6
    assert heat["x0"] == xs[0] and heat["dx"] == pytest.approx(xs[1] - xs[0]) and "x" not in heat
    assert {tr["x"]["dtype"] for tr in spec["data"][1:]} == {"f4"}
    assert len(json.dumps(spec)) < 20_000


def test_the_progress_and_the_charts_always_show_the_same_step():
    """Issue 13: once the progress said step 31 while the chart below said 15. While a run plays, every refresh's
    loss chart's last step and the epoch in the line above the charts name the same step, the tick's (a tick brings
    the frames since the last one, played in the browser: the last of them is the tick's step); the progress bar,
    the clock of what is drawn, names the first frame the browser draws of them (ui/scrub.js moves it on frame by
    frame: tests/test_blink_browser.py)."""
    import base64

    at = open_page("playground", "en")
    assert errors(at) == []
    next(b for b in at.button if b.key == "playground-train").click()
    at.run()
    ds = playground.data_of(PlaygroundConfig())
    seen, played = [], []
    for _ in range(80):
        batch = live_messages(at)["loss"]["steps"]
        played += batch
        [progress] = at.get("progress")
        assert int(re.match(r"Step (\d+) of 200", progress.proto.text).group(1)) == batch[0]
        step = batch[-1]
        x = charts(at)["loss"]["data"][0]["x"]
        last = int(np.frombuffer(base64.b64decode(x["bdata"]), np.dtype(x["dtype"]))[-1]) if x else 0
        line = next(m.value for m in at.markdown if m.value.startswith("Epochs"))
        epoch = float(re.search(r"Epochs \*\*([\d.]+)\*\*", line).group(1))
        per_epoch = -(-ds.n_train // 32)  # mini-batches of 32, the last one of each epoch smaller
        seen_samples = step // per_epoch * ds.n_train + step % per_epoch * 32
        assert last == step and epoch == pytest.approx(round(seen_samples / ds.n_train, 1)), (step, last, epoch)
        seen.append(step)
        if step == 200:
            break
        at.run()
        assert errors(at) == []
    assert seen[-1] == 200 and seen == sorted(seen) and len(set(played)) >= 20 and played == sorted(played)


def test_a_diverging_run_says_which_update_failed_and_draws_nothing_infinite():
    """Issue 17, item 3, on its own link: the message names the failed update, the progress stops at the step before
    it, and no chart (histograms included) carries NaN or inf."""
    from tests.apptest_util import non_finite_in_text

    params = {"lr": "10", "opt": "sgd", "init": "normal", "std": "3", "layers": "6", "width": "64", "steps": "300",
              **{f"act{i}": "relu" for i in range(1, 7)}}
    at = open_page("playground", "en", params)
    next(b for b in at.button if b.key == "playground-train").click()
    for _ in range(60):
        at.run()
        assert errors(at) == []
        if at.error:
            break
    [message] = [e.value for e in at.error]
    failed = int(re.search(r"update (\d+)", message).group(1))
    [progress] = at.get("progress")
    assert f"update {failed} diverged" in progress.proto.text  # from the batch that reaches the end
    at.run()  # that batch has played
    [progress] = at.get("progress")
    assert f"Step {failed - 1} of 300" in progress.proto.text and f"update {failed} diverged" in progress.proto.text
    assert non_finite_in_charts(at) == [] and non_finite_in_text(at) == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_save_section_has_a_link_anchor(lang):
    assert "save" in {el.proto.anchor for el in open_page("playground", lang).header}


# ---- your own points ------------------------------------------------------------------------------------------
# The data set "own": clicks on the map add or remove points, a CSV file loads or saves them, the link (?points=) and
# the configuration file carry them, and the network trains on them like on a built-in set.

OWN_LINK = own_points.encode(OWN)


def _own_page(lang="en", **params):
    return open_page("playground", lang, {"data": "own", **params})


def _click(at, x, y):
    """What the browser sends when a click on the map selects the click grid's marker at (x, y) (in units of
    CLICK_STEP, as figures.playground.click_grid lays them): a points selection on the chart's first trace."""
    [chart] = [el for el in at.get("plotly_chart") if el.key == "boundary"]
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"points": [{"x": x, "y": y, "curve_number": 0, "point_number": 0,
                                                               "point_index": 0}],
                                                   "point_indices": [0], "box": [], "lasso": []}})
    at._run(states)
    assert errors(at) == []
    return at


def _drawn_points(at) -> list[tuple]:
    """The points the map draws, as (x, y, label) read back from the chart (float32 arrays, two decimals)."""
    import base64

    spec = charts(at)["boundary"]
    names = {0: at.session_state["lang"] == "en" and "class 0" or "클래스 0"}
    found = []
    for trace in spec["data"][1:]:
        if trace.get("type") != "scatter":
            continue
        label = 0 if trace["name"].startswith(names[0]) else 1
        xs, ys = ([] if not isinstance(trace[a], dict) else
                  np.frombuffer(base64.b64decode(trace[a]["bdata"]), np.dtype(trace[a]["dtype"])) for a in "xy")
        found += [(round(float(x), 2), round(float(y), 2), label) for x, y in zip(xs, ys)]
    return sorted(found)


def _link_points(at):
    written = at.query_params.get("points")
    written = written[0] if isinstance(written, list) else written
    return None if written is None else own_points.decode(written)


def test_own_points_start_empty_and_say_what_is_missing():
    at = _own_page()
    assert errors(at) == [] and invalid_charts(at) == []
    assert at.session_state["points"] == () and "points" not in at.query_params
    [info] = [i.value for i in at.info]
    assert "at least 3 points" in info and "3 more of class 0 and 3 more of class 1" in info
    assert not [b for b in at.button if b.key == "playground-train"]  # no run to train before there are points
    assert not [s for s in at.slider if s.key == "noise"]  # one's own points get no noise added
    assert _drawn_points(at) == []


def test_clicks_add_points_of_the_chosen_class_and_the_link_holds_what_is_drawn():
    at = _own_page()
    for x, y in ((-15, 12), (-11, 18), (-20, 14)):
        _click(at, x, y)
    assert at.session_state["points"] == ((-1.5, 1.2, 0), (-1.1, 1.8, 0), (-2.0, 1.4, 0))
    assert "3 more of class 1" in at.info[0].value and "class 0" not in at.info[0].value
    at.segmented_control(key="_pt_mode").set_value("1").run()
    for x, y in ((14, -12), (19, -16)):
        _click(at, x, y)
    assert "1 more of class 1" in at.info[0].value
    _click(at, 11, -20)
    pts = at.session_state["points"]
    assert [p[2] for p in pts] == [0, 0, 0, 1, 1, 1] and not at.info  # ready: the live run replaces the message
    assert _link_points(at) == pts and _drawn_points(at) == sorted(pts)
    assert any(b.key == "playground-train" for b in at.button)
    _click(at, 11, -20)  # the same point again: nothing new
    assert at.session_state["points"] == pts
    assert invalid_charts(at) == [] and non_finite_in_charts(at) == []


def test_remove_takes_the_nearest_point_and_clear_takes_them_all():
    at = _own_page(points=OWN_LINK)
    at.segmented_control(key="_pt_mode").set_value("remove").run()
    _click(at, 3, 4)  # 0.3, 0.4: nearest (0.25, 0.5, 0)
    assert at.session_state["points"] == tuple(p for p in OWN if p != (0.25, 0.5, 0))
    _click(at, 35, 35)  # nothing within reach: nothing changes
    assert len(at.session_state["points"]) == len(OWN) - 1
    assert _link_points(at) == at.session_state["points"] and _drawn_points(at) == sorted(at.session_state["points"])
    next(b for b in at.button if b.key == "_pts_clear").click().run()
    assert errors(at) == [] and at.session_state["points"] == () and "points" not in at.query_params
    assert _drawn_points(at) == [] and at.info


def test_a_point_past_the_limit_is_refused_with_a_message():
    full = tuple((round(-3.9 + 0.3 * (i % 27), 2), round(-3.9 + 0.3 * (i // 27), 2), i % 2)
                 for i in range(own_points.MAX_POINTS))
    at = _own_page(points=own_points.encode(full))
    assert errors(at) == [] and at.session_state["points"] == full and _link_points(at) == full
    _click(at, 0, 1)
    assert at.session_state["points"] == full
    assert any("at most 300" in w.value for w in at.warning)


def test_the_link_reproduces_the_points_and_the_run():
    at = _own_page(points=OWN_LINK)
    assert errors(at) == [] and not at.warning
    assert at.session_state["points"] == OWN and _link_points(at) == OWN and _drawn_points(at) == sorted(OWN)
    next(b for b in at.button if b.key == "playground-train").click()
    at.run()
    assert errors(at) == []
    # the link in another browser: the same points, the same shared run
    again = _own_page(points=at.query_params["points"] if isinstance(at.query_params["points"], str)
                      else at.query_params["points"][0])
    assert again.session_state["points"] == OWN
    assert again.session_state["_live.playground"]["key"] == at.session_state["_live.playground"]["key"]


@pytest.mark.parametrize("value", [
    "1:2", "1:2:3", "a:b:0", "1e999:0:0", "5:5:1", "0:0:0;" * 400, "0:0:0.5", "nan:0:0", "0x1:0:0", "１:0:0",
    "x` [Log in again](https://evil.example) `", "0:0:0;`\n# HEADING\n`", ":red[red] :material/home: $x^2$",
    "9" * 5000, "0:0:0;" * 301])
def test_hostile_link_points_get_a_notice_and_change_nothing(value):
    from tests.test_fuzz import outside_code_spans

    at = _own_page(points=value)
    assert errors(at) == []
    assert at.session_state["points"] == () and "points" not in at.query_params
    [notice] = [w.value for w in at.warning]
    assert notice.startswith("The link's points") and "the plane starts empty" in notice
    outside = outside_code_spans(notice)
    for piece in value.split("`"):
        if len(piece.strip()) >= 3 and any(c in piece for c in "[]()!#*:$<"):
            assert piece.strip()[:40] not in outside, notice
    assert at.info and _drawn_points(at) == []


def test_the_adversarial_link_is_refused_at_once():
    """Issue 21, item 1: 7,190 digits then x:1:0 stalled the process 0.9 s per open (the field is read in one pass
    now); a field of digits only, longer than any coordinate, is refused as too long without being read."""
    at = _own_page(points="1" * 7190 + "x:1:0")
    assert errors(at) == [] and at.session_state["points"] == ()
    [notice] = [w.value for w in at.warning]
    assert "Point 1:" in notice and "is not a number" in notice  # read in one pass: < 50 ms (test_own_points)
    at = _own_page(points="1" * 7000 + ":1:0")
    [notice] = [w.value for w in at.warning]
    assert "Point 1:" in notice and "too long for a number" in notice and "32 characters" in notice


def test_link_points_with_another_data_set_stay_out_of_the_link_until_chosen():
    at = open_page("playground", "en", {"points": OWN_LINK})
    assert errors(at) == [] and "points" not in at.query_params  # the moons' link has no points in it
    at.selectbox(key="data").set_value("own").run()
    assert at.session_state["points"] == OWN and _link_points(at) == OWN


def _upload_points(at, name, content, mime="text/csv"):
    at.file_uploader(key="_pts_upload").set_value((name, content, mime))
    at.run()
    assert errors(at) == []
    return at


def test_a_csv_file_replaces_the_points():
    at = _own_page(points=own_points.encode(OWN[:2]))
    _upload_points(at, "mine.csv", own_points.to_csv(OWN).encode())
    assert at.session_state["points"] == OWN and _link_points(at) == OWN and _drawn_points(at) == sorted(OWN)
    [ok] = [s.value for s in at.success]
    assert "10 points loaded" in ok and literal("mine.csv", limit=60) in ok
    assert _upload_points(at, "semicolons.csv", "x,y,label\r\n\r\n0.5,1,0\r\n1,2,1\r\n".encode("utf-8-sig"))
    assert at.session_state["points"] == ((0.5, 1.0, 0), (1.0, 2.0, 1))  # a spreadsheet's BOM and line ends


@pytest.mark.parametrize("content, words", [
    (b"x,y,label\n0.5,1.2\n", ["Line 2:", "three values", "this one has 2"]),
    (b"x,y,label\n0.5,1.2,0,7\n", ["Line 2:", "this one has 4"]),
    (b"0.5;1.2;0\n", ["Line 1:", "separated by commas", "this one has 1"]),
    (b"x,y,label\n0.5,abc,0\n", ["Line 2:", literal("abc"), "is not a number"]),
    (b"x,y,label\n0.5,1,0\n1,1,2\n", ["Line 3:", literal("2"), "0 or 1"]),
    (b"x,y,label\n1,1,yes\n", ["Line 2:", literal("yes"), "not a number"]),
    (b"x,y,label\n9,0,1\n", ["Line 2:", literal("(9, 0)"), "off the plane", "-4 and 4"]),
    (b"0,0,0\n" * 301, ["too many points", "at most 300"]),
    (b"0,0,0\n" * 3000, ["18,000 bytes", "16,384"]),
    (b"\xff\xfe0\x00,\x000\x00,\x000\x00", ["not UTF-8"]),
    (b"x,y,label\n", ["no points"]),
    (b"x,y,label\n=cmd|' /c calc'!A0,1,0\n", ["Line 2:", "=cmd|' /c calc'!A0", "is not a number"]),
    (b"x,y,label\n1,[Log in again](https://evil.example),0\n", ["Line 2:", "is not a number"]),
])
def test_a_malformed_csv_is_refused_quoted_literally_and_changes_nothing(content, words):
    from tests.test_fuzz import outside_code_spans

    at = _own_page(points=OWN_LINK)
    _upload_points(at, "bad [file](https://evil.example).csv", content)
    assert at.session_state["points"] == OWN and _link_points(at) == OWN and _drawn_points(at) == sorted(OWN)
    [message] = [e.value for e in at.error]
    assert message.startswith("The file ") and "was not loaded, and the points did not change" in message
    for word in words:
        assert word in message, (word, message)
    outside = outside_code_spans(message)
    assert "evil.example" not in outside and "](" not in outside and "=cmd" not in outside


def test_the_configuration_file_carries_the_points(monkeypatch):
    """Export the page's configuration (the download button's bytes), load it in a fresh session: the same data set,
    the same points, the same link and the same shared run."""
    from streamlit.testing.v1 import app_test

    stores = []

    class Kept(app_test.MemoryMediaFileStorage):
        def __init__(self, *args):
            super().__init__(*args)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)
    at = _own_page(points=OWN_LINK, layers="3", lr="0.03")
    [button] = [b for b in at.download_button if b.key == "_dl_cfg"]
    exported = stores[-1].get_file(button.proto.url.rsplit("/", 1)[1]).content
    assert from_json(exported).points == OWN and from_json(exported).dataset == "own"
    [button] = [b for b in at.download_button if b.key == "_dl_pts"]
    assert own_points.parse_csv(stores[-1].get_file(button.proto.url.rsplit("/", 1)[1]).content) == OWN

    fresh = open_page("playground", "en")
    _upload(fresh, "mine.json", exported)
    assert errors(fresh) == [] and fresh.success
    assert fresh.selectbox(key="data").value == "own" and fresh.session_state["points"] == OWN
    assert _link_points(fresh) == OWN and _drawn_points(fresh) == sorted(OWN)
    assert fresh.session_state["_live.playground"]["key"] == at.session_state["_live.playground"]["key"]


def test_a_refused_configuration_keeps_the_points():
    at = _own_page(points=OWN_LINK)
    _upload(at, "bad.json", _with(dataset="own", points=[[0, 0, 0], [0, 0, 5]]).encode())
    assert errors(at) == [] and at.session_state["points"] == OWN
    [message] = [e.value for e in at.error]
    assert f"Point 2 of `points` has the label {literal('5')}" in message


def test_training_on_own_points_works_and_is_deterministic():
    cfg = PlaygroundConfig(dataset="own", points=OWN, steps=300)
    tr = playground.build(cfg).run(cfg.steps)
    assert tr.diverged_at is None and tr.data.name == "own"
    assert tr.x_train.shape[0] + tr.x_test.shape[0] == len(OWN) and set(tr.labels_test) == {0, 1}
    assert tr.history["train_acc"][-1] == 1.0 and tr.history["train_loss"][-1] < 0.1 * tr.history["train_loss"][0]
    again = playground.build(cfg).run(cfg.steps)
    np.testing.assert_array_equal(again.history["train_loss"], tr.history["train_loss"])
    xs, ys, p = playground.decision_grid(tr)
    assert (xs[0], xs[-1]) == (-playground.PLANE, playground.PLANE) and p.shape == (playground.GRID,) * 2
    # the map agrees with the points: P(class 1) is high where the class-1 corner is
    assert p[np.argmin(np.abs(ys - -1.5)), np.argmin(np.abs(xs - 1.5))] > 0.9
    assert p[np.argmin(np.abs(ys - 1.5)), np.argmin(np.abs(xs - -1.5))] < 0.1
    with pytest.raises(own_points.DataError):
        playground.build(cfg.replace(points=OWN[:3]))


def test_the_page_trains_on_own_points():
    at = _own_page(points=OWN_LINK, steps="100")
    next(b for b in at.button if b.key == "playground-train").click()
    for _ in range(40):
        at.run()
        assert errors(at) == [] and invalid_charts(at) == []
        if "Step 100 of 100" in at.get("progress")[0].proto.text:
            break
    assert "Step 100 of 100" in at.get("progress")[0].proto.text
    assert _drawn_points(at) == sorted(OWN)


def test_a_teachers_link_may_lock_or_hide_the_points_and_restore_clears_them():
    locked = _own_page(points=OWN_LINK, lock="points")
    assert errors(locked) == [] and locked.segmented_control(key="_pt_mode").disabled
    assert next(b for b in locked.button if b.key == "_pts_clear").disabled
    assert not [el for el in locked.get("plotly_chart") if el.key == "boundary"]  # no clicks: the map is a live chart
    assert "boundary" in live_messages(locked)
    hidden = _own_page(points=OWN_LINK, hide="points")
    assert errors(hidden) == [] and not [w for w in hidden.get("segmented_control") if w.key == "_pt_mode"] and _drawn_points(hidden) == sorted(OWN)
    assert not any("points" in w.value for w in hidden.warning)  # a name the page knows
    at = _own_page(points=OWN_LINK)
    next(b for b in at.button if b.key == "_restore").click().run()
    assert errors(at) == [] and at.session_state["points"] == () and "points" not in at.query_params


def test_the_notebook_carries_the_points():
    import notebooks
    from ui import teacher  # noqa: F401 (the page's settings are what ui.teacher.current_settings gathers)

    at = _own_page(points=OWN_LINK)
    settings = {"data": "own", "points": at.session_state["points"], "lang": "en"}
    values = notebooks.values("playground", settings)
    assert values["points"] == OWN and values["dataset"] == "own"
    nb = notebooks.build("playground", settings)
    cell = nb.cells[2].source
    assert f"points = {OWN!r}" in cell
    assert notebooks.values("playground", {"data": "own", "points": OWN_LINK})["points"] == OWN  # the link's text
    assert notebooks.values("playground", {"data": "moons", "points": OWN_LINK})["points"] == ()
    for bad in ("1:2", [["__import__('os')", 0, 0]], 5, None):
        assert notebooks.values("playground", {"data": "own", "points": bad})["points"] == ()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_own_points_in_both_languages(lang):
    at = _own_page(lang, points=own_points.encode(OWN[:3] + OWN[4:6]))
    assert errors(at) == [] and invalid_charts(at) == []
    [info] = [i.value for i in at.info]
    assert ("1 more of class 1" if lang == "en" else "클래스 1 점 1개") in info
    assert _drawn_points(at) == sorted(OWN[:3] + OWN[4:6])


@pytest.mark.notebooks
def test_the_notebook_of_own_points_runs_and_prints_the_page_numbers(tmp_path):
    """The notebook of a page with one's own points, executed in a real kernel: it trains on the same points and
    prints the numbers the page's run ends with."""
    import notebooks
    from tests.test_notebooks import agrees, printed_numbers, run_in_one_kernel

    settings = {"data": "own", "points": OWN, "lang": "ko"}
    [executed] = run_in_one_kernel([notebooks.build("playground", settings)], tmp_path)
    printed = printed_numbers(executed.cells[-1])
    tr = _trained(PlaygroundConfig(dataset="own", points=OWN))
    want = {k: tr.history[k][-1] for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    assert sorted(printed) == sorted(want) and all(agrees(printed[k], want[k]) for k in want), (printed, want)


# ---- the held-out share of one's own points (issue 23, item 5) ----------------------------------------------------

TWO_AT_ORIGIN = ((-2.0, 2.0, 0), (-2.2, 2.3, 0), (-1.8, 2.4, 0), (-2.4, 1.8, 0), (0.0, 0.0, 1), (0.0, 0.0, 1),
                 (2.0, -2.0, 1), (2.3, -2.2, 1), (1.8, -2.4, 1))


def _hollow_points(at) -> list[tuple]:
    """The held-out points the map draws: its hollow markers, with their legend entries."""
    import base64

    spec = charts(at)["boundary"]
    found = []
    for trace in spec["data"][1:]:
        if trace.get("type") == "scatter" and trace["marker"]["symbol"].endswith("-open"):
            xs, ys = ([] if not isinstance(trace[a], dict) else
                      np.frombuffer(base64.b64decode(trace[a]["bdata"]), np.dtype(trace[a]["dtype"])) for a in "xy")
            label = 1 if trace["marker"]["symbol"].startswith("diamond") else 0
            assert trace.get("showlegend", True) == (len(xs) > 0), trace["name"]  # a legend entry when there are any
            found += [(round(float(x), 2), round(float(y), 2), label) for x, y in zip(xs, ys)]
    return sorted(found)


def test_the_held_out_share_is_the_student_s_and_may_be_zero():
    """The test share slider goes down to 0 for one's own points (not for the built-in sets): nothing is held out,
    the page says so, the map draws no hollow point, and the run trains on every point."""
    at = _own_page(points=own_points.encode(OWN), test="0")
    assert errors(at) == [] and not at.warning and not at.info
    assert at.slider(key="test").value == 0 and at.slider(key="test").min == 0
    assert any("None held out" in c.value for c in at.caption)
    assert _hollow_points(at) == [] and len(_drawn_points(at)) == len(OWN)
    for _ in range(3):
        next(b for b in at.button if b.key == "playground-step").click().run()
    assert errors(at) == [] and not at.error                     # an empty test set is no divergence
    assert any("Test accuracy **—**" in m.value for m in at.markdown), [m.value for m in at.markdown][:8]
    at.selectbox(key="data").set_value("moons").run()            # back to a built-in set: 10 % at least
    assert errors(at) == [] and at.slider(key="test").value == 0.1 and at.slider(key="test").min == 0.1
    moons = open_page("playground", "en", {"test": "0"})
    assert any("test" in w.value for w in moons.warning) and moons.slider(key="test").value == PlaygroundConfig().test_ratio


@pytest.mark.parametrize("ratio", ["0.3", "0.9"])
def test_the_map_marks_the_held_out_points_and_keeps_every_drawn_group_in_training(ratio):
    """Hollow points (with a legend entry) are exactly lab.own_points.split's; the two class-1 points at the
    origin are never both held out, so the network sees them; the counts line says how many are held out."""
    at = _own_page(points=own_points.encode(TWO_AT_ORIGIN), test=ratio)
    assert errors(at) == []
    held = own_points.split(TWO_AT_ORIGIN, float(ratio), 0)
    assert _hollow_points(at) == sorted(p for p, h in zip(TWO_AT_ORIGIN, held) if h) and held.any()
    assert not (held[4] and held[5])
    assert any(f"{int(held.sum())} of them held out" in c.value for c in at.caption)


def test_the_saved_csv_marks_the_held_out_points(monkeypatch):
    """The page's "Save the points (CSV)" file is lab.own_points.to_csv with the page's own split: a fourth column
    says "test" for every hollow point (and the file reads back)."""
    saved = []
    real = own_points.to_csv
    monkeypatch.setattr(own_points, "to_csv", lambda pts, held=None: saved.append(real(pts, held)) or saved[-1])
    at = _own_page(points=own_points.encode(TWO_AT_ORIGIN), test="0.5")
    assert errors(at) == [] and [d for d in at.get("download_button") if d.proto.label == "Save the points (CSV)"]
    [text] = saved
    held = own_points.split(TWO_AT_ORIGIN, 0.5, 0)
    lines = text.splitlines()
    assert lines[0] == "x,y,label,set" and [line.endswith(",test") for line in lines[1:]] == held.tolist()
    assert sorted(p for p, h in zip(TWO_AT_ORIGIN, held) if h) == _hollow_points(at)
    assert own_points.parse_csv(text) == TWO_AT_ORIGIN


def test_a_click_on_a_trained_map_goes_back_to_step_0_as_the_caption_says():
    """cap_own: "the run goes back to step 0 on the new points, and Train trains it again" (it said "starts
    again", and the run was reset to step 0, waiting for Train)."""
    at = _own_page(points=own_points.encode(OWN))
    for _ in range(2):
        next(b for b in at.button if b.key == "playground-step").click().run()
    assert any("Step 2 of" in p.proto.text or "2 of" in p.proto.text for p in at.get("progress"))
    _click(at, 0, 10)  # a class-0 point at (0, 1)
    assert len(at.session_state["points"]) == len(OWN) + 1
    assert any(p.proto.text.startswith("Step 0 of") for p in at.get("progress")), [p.proto.text for p in
                                                                                    at.get("progress")]
    assert any("goes back to step 0" in c.value and "Train" in c.value for c in at.caption)
    assert not at.session_state.get("_live.playground", {}).get("running")


def test_the_configuration_file_allows_no_held_out_points_only_for_one_s_own():
    own = PlaygroundConfig(dataset="own", points=OWN, test_ratio=0.0)
    assert playground.from_json(own.to_json()) == own
    assert playground.dataset(own).x_test.shape == (0, 2)
    with pytest.raises(playground.ConfigError) as err:
        PlaygroundConfig(test_ratio=0.0)
    assert err.value.code == "out_of_range" and err.value.params["lo"] == "0.1"
