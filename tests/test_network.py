"""The network view's numbers (issue 26, item 1) against the engine: every unit's pre-activation, activation and
gradient for the chosen points, its picture over the plane, and every drawn weight with the gradient of the last
mini-batch and its last update, each recomputed here with core alone; the recording trainer trains exactly like
core's; the figure and its text alternative carry those numbers."""
import copy
import json

import numpy as np
import pytest

from core import losses, train
from figures import network as fig
from lab import playground
from lab._network import RecordingTrainer

CFG = playground.PlaygroundConfig(steps=100)
DEEP = playground.PlaygroundConfig(dataset="digits", layers=3, width=24, activations=("tanh", "relu", "sigmoid"),
                                   batchnorm=True, optimizer="momentum", lr=0.03, steps=100, seed=3)


def _plain(cfg):
    """The same run as lab.playground.build, on core's own Trainer."""
    ds = playground.dataset(cfg)
    return train.Trainer(playground.make_net(cfg, ds), ds, optimizer=cfg.optimizer, opt_kwargs={"lr": cfg.lr},
                         batch_size=min(cfg.batch_size, ds.n_train), schedule=playground.schedule_spec(cfg),
                         seed=cfg.seed, eval_every=playground.eval_every(cfg), max_steps=cfg.steps)


@pytest.mark.parametrize("cfg", [CFG, DEEP], ids=["moons", "digits-bn"])
def test_the_recording_trainer_trains_like_core(cfg):
    recorded = playground.build(cfg).run(7).run(1).run(13)
    plain = _plain(cfg).run(21)
    for a, b in zip(recorded.net.params, plain.net.params):
        np.testing.assert_array_equal(a, b)
    assert recorded.step == 21 and recorded.before_last is not None


@pytest.mark.parametrize("cfg", [CFG, DEEP], ids=["moons", "digits-bn"])
def test_every_number_of_the_view_is_the_engines(cfg):
    k = 23
    tr = playground.build(cfg).run(k)
    view = playground.network(tr)
    idx = playground.chosen_points(tr)
    x, y = tr.x_train[idx], tr.labels_train[idx]
    np.testing.assert_array_equal(view.points, x.astype(np.float32))
    # a fresh network at step k (core only), an inference pass and each point's own loss backward
    ref = _plain(cfg).run(k)
    out = ref.net.forward(x, train=False)
    _, dout = losses.get("cross_entropy")(out, y)
    ref.net.backward(dout * len(x))
    inputs = [x] + [t.out for t in ref.net.trace[:-1]]
    for i, (units, block, trace) in enumerate(zip(view.units, ref.net.blocks, ref.net.trace)):
        z = inputs[i] @ block.dense.W + block.dense.b
        np.testing.assert_allclose(units.z, z, rtol=1e-5, atol=1e-6)
        a = losses.softmax(z) if i == len(view.units) - 1 else trace.a
        np.testing.assert_allclose(units.a, a, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(units.delta, trace.grad_out, rtol=1e-4, atol=1e-7)
        # the formula's terms: the largest w·a, the others summed, and b give z
        np.testing.assert_allclose((units.term_w * units.term_a).sum(-1) + units.rest + units.bias, z, rtol=1e-4,
                                   atol=1e-5)
        w = block.dense.W
        picked = w[units.term_i[0, :, 0], np.arange(w.shape[1])]
        np.testing.assert_allclose(units.term_w[0, :, 0], picked, rtol=1e-6)
    # the weights drawn: the strongest, with the gradient of step k's mini-batch and step k's update
    before = _plain(cfg).run(k - 1)
    step = copy.deepcopy(before)
    batch = step._next_batch()
    logits = step.net.forward(step.x_train[batch], train=True)
    _, d = step.loss_fn(logits, step.y_train[batch])
    step.net.backward(d)
    for i, links in enumerate(view.links):
        W = ref.net.blocks[i].dense.W
        np.testing.assert_array_equal(links.w, W[links.src, links.dst].astype(np.float32))
        assert np.abs(links.w).min() >= np.sort(np.abs(W).ravel())[::-1][len(links.w) - 1] - 1e-6  # the strongest
        grad = step.net.blocks[i].dense.grads[0]
        np.testing.assert_allclose(links.grad, grad[links.src, links.dst], rtol=1e-5, atol=1e-8)
        update = W - before.net.blocks[i].dense.W
        np.testing.assert_allclose(links.update, update[links.src, links.dst], rtol=1e-5, atol=1e-9)
        assert links.total == W.size


def test_each_units_picture_is_its_activation_over_the_plane():
    tr = playground.build(CFG).run(30)
    view = playground.network(tr)
    xs, ys = playground.decision_grid_axes(tr, playground.TILE)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    ref = _plain(CFG).run(30)
    ref.net.forward(grid, train=False)
    acts = ref.net.trace[0].a  # (G*G, H) of the first hidden layer
    units = view.units[0]
    scale = np.abs(acts).max(axis=0)
    np.testing.assert_allclose(units.scale, scale, rtol=1e-6)
    j = int(np.argmax(scale))
    expected = np.round((acts[:, j] / scale[j] + 1) / 2 * 250).reshape(playground.TILE, playground.TILE)
    np.testing.assert_array_equal(units.tiles[j], expected.astype(np.uint8))


def test_the_view_does_not_change_the_run():
    spec_ = playground.training_run(CFG)
    from runs import shared

    frames = shared.complete(spec_).frames
    assert frames[-1].data.network.step == CFG.steps
    np.testing.assert_array_equal(playground.build(CFG).run(CFG.steps).net.params[0], _plain(CFG).run(CFG.steps).net.params[0])


WORDS = {"title": "The network", "pos": "positive", "neg": "negative", "shown": "{shown} of {total}",
         "unit_hidden": "hidden {layer} unit {unit}", "unit_output": "output {unit} class {c}",
         "unit_z": "z = {terms} + b ({b}) = {z}", "unit_rest": "{rest} (other {n})", "unit_a": "a = {act}({arg}) = {a}",
         "unit_grad": "dz = {delta}", "link_hover": "w = %{customdata[3]:.4g}", "input_hover": "x = %{customdata[1]}",
         "summary": "{shape} at {step}: {w} from {src} to {dst} ({into}); point {point} -> {out} ({p})",
         "layers": ["in", "h1", "h2", "out"], "acts": ["ReLU", "ReLU", "softmax"]}


def test_the_figure_carries_the_numbers_and_says_them_in_words():
    tr = playground.build(CFG).run(40)
    view = playground.network(tr)
    spec_ = fig.network(view, 2, WORDS).to_dict()
    by_name = {t.get("name"): t for t in spec_["data"]}

    def rows(trace):
        import base64

        c = trace["customdata"]
        if isinstance(c, dict):
            return np.frombuffer(base64.b64decode(c["bdata"]), np.dtype(c["dtype"])).reshape(
                [int(n) for n in c["shape"].split(",")])
        return np.asarray(c, float)

    np.testing.assert_allclose(rows(by_name["units 1"])[:, 1], view.units[0].z[2], rtol=1e-6)  # z, point 2
    np.testing.assert_allclose(rows(by_name["links 2"])[:, 3], view.links[1].w, rtol=1e-6)
    # every placeholder of a template names a column its rows have
    import re

    for trace in spec_["data"]:
        for k in re.findall(r"customdata\[(\d+)\]", trace.get("hovertemplate", "")):
            assert int(k) < rows(trace).shape[1], (trace["name"], k)
    shown = sum(len(l.w) for l in view.links)
    assert f"{shown} of 320" in spec_["layout"]["title"]["text"]
    text = fig.summary(view, 2, WORDS)
    assert text.startswith("2 → 16 → 16 → 2 at 40:") and f"point {view.points[2][0]:.2f}" in text
    assert f"-> {int(np.argmax(view.units[-1].a[2]))} ({view.units[-1].a[2].max():.2f})" in text
    # the highlight: the weights into layer 2 bright, the others dimmed, a box around them
    lit = fig.network(view, 0, WORDS, highlight={"links": 2}).to_dict()
    assert lit["layout"]["shapes"] and {t["opacity"] for t in lit["data"] if t.get("mode") == "lines"
                                        and t.get("x") != [None]} >= {0.12, 0.95}
    assert len(json.dumps(spec_)) < 60_000
