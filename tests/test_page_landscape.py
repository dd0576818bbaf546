"""The loss-landscape page's numbers: Li et al. (2018) filter normalization, the stacked grid, the path projection."""
import dataclasses
import json

import numpy as np
import pytest

from core import data, losses, nn
from lab import landscape
from runs import shared


@pytest.fixture(scope="module")
def trained():
    """A small trained net (two hidden layers, with a prelu so a non-weight parameter is present)."""
    ds = data.get("moons", n=120, seed=3)
    net = nn.MLP([2, 6, 5, 2], activation=["tanh", "prelu"], seed=1)
    _, path, marks = landscape.train_path(net, ds, 60, 10, optimizer="adam", opt_kwargs={"lr": 0.05})
    return ds, net, path, marks


def test_filter_normalization_matches_each_units_norm(trained):
    _, net, _, _ = trained
    d = landscape.filter_normalized_direction(net, np.random.default_rng(7))
    offset = 0
    for name, p in zip(net.param_names, net.params):
        part = d[offset:offset + p.size].reshape(p.shape)
        offset += p.size
        if name.endswith(".W"):  # column j = the weights feeding unit j
            np.testing.assert_allclose(np.linalg.norm(part, axis=0), np.linalg.norm(p, axis=0), rtol=1e-12)
            assert np.all(part != 0)
        else:  # biases and the prelu slopes stay at zero
            assert np.all(part == 0), name
    assert offset == d.size


def test_stacked_grid_equals_single_forward_passes(trained):
    ds, net, _, _ = trained
    rng = np.random.default_rng(0)
    center = landscape.flatten(net)
    d1, d2 = (landscape.filter_normalized_direction(net, rng) for _ in range(2))
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-0.7, 1.3, 4)
    thetas = landscape.grid_points(center, d1, d2, alphas, betas)
    # row-major over (β, α): row i·len(α) + j is θ* + α_j d1 + β_i d2
    np.testing.assert_allclose(thetas[1 * 5 + 3], center + alphas[3] * d1 + betas[1] * d2, rtol=1e-14)
    # also move biases and prelu slopes, which the directions leave alone
    moved = np.concatenate([thetas, thetas + rng.normal(0, 0.2, thetas.shape)])
    stacked = landscape.stacked_loss(net, moved, ds.x_train, ds.y_train, chunk_elements=200)  # several blocks
    single = [landscape.single_loss(net, th, ds.x_train, ds.y_train) for th in moved]
    np.testing.assert_allclose(stacked, single, rtol=0, atol=1e-10)
    # the page's path: the same grid built block by block, as an (n_beta, n_alpha) map
    plane = landscape.plane_loss(net, center, d1, d2, alphas, betas, ds.x_train, ds.y_train, chunk_elements=300)
    assert plane.shape == (4, 5)
    np.testing.assert_allclose(plane.ravel(), stacked[:len(thetas)], rtol=0, atol=1e-12)


@pytest.mark.parametrize("loss, outputs", [("bce", 1), ("mse", 2)])
def test_stacked_loss_other_losses(loss, outputs):
    ds = data.get("xor", n=60, seed=0)
    net = nn.MLP([2, 4, outputs], activation="relu", seed=2)
    y = ds.y_train if loss == "bce" else np.eye(2)[ds.y_train]
    thetas = landscape.flatten(net) + np.random.default_rng(1).normal(0, 0.3, (6, sum(p.size for p in net.params)))
    stacked = landscape.stacked_loss(net, thetas, ds.x_train, y, loss)
    single = [landscape.single_loss(net, th, ds.x_train, y, loss) for th in thetas]
    np.testing.assert_allclose(stacked, single, rtol=0, atol=1e-10)


def test_unsupported_nets_are_refused():
    for net in (nn.MLP([2, 4, 2], batchnorm=True), nn.MLP([2, 4, 2], dropout=0.2)):
        with pytest.raises(ValueError):
            landscape.stacked_loss(net, landscape.flatten(net)[None], np.zeros((3, 2)), np.zeros(3, int))
    net = nn.MLP([2, 4, 2])
    with pytest.raises(ValueError):
        landscape.stacked_loss(net, landscape.flatten(net)[None], np.zeros((3, 2)), np.zeros(3, int), "huber")


def test_projection_of_the_path(trained):
    _, net, path, marks = trained
    assert marks.tolist() == [0, 10, 20, 30, 40, 50, 60] and path.shape[0] == 7
    center = path[-1]
    rng = np.random.default_rng(5)
    d1, d2 = (landscape.filter_normalized_direction(net, rng) for _ in range(2))
    coords = landscape.project(path, center, d1, d2)
    np.testing.assert_allclose(coords[-1], [0.0, 0.0], atol=1e-12)
    points = np.array([center + 0.3 * d1 - 1.7 * d2, center - 2.0 * d1 + 0.05 * d2])
    np.testing.assert_allclose(landscape.project(points, center, d1, d2), [[0.3, -1.7], [-2.0, 0.05]], atol=1e-10)


def test_pca_directions_span_a_planar_path():
    """A path that moves inside a plane is reproduced exactly by its two principal directions."""
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal(50), rng.standard_normal(50)
    t = np.linspace(1, 0, 30)
    path = np.outer(t, u) + np.outer(np.sin(3 * t) * t, v)  # ends at the origin
    d1, d2, explained = landscape.pca_directions(path, path[-1], scale=2.5)
    np.testing.assert_allclose([np.linalg.norm(d1), np.linalg.norm(d2), d1 @ d2], [2.5, 2.5, 0], atol=1e-9)
    assert explained.sum() == pytest.approx(1.0) and explained[0] >= explained[1]
    coords = landscape.project(path, path[-1], d1, d2)
    np.testing.assert_allclose(path[-1] + coords @ np.stack([d1, d2]), path, atol=1e-9)
    assert np.all(coords[0] < 0)  # signs put the start at negative coordinates


def test_explore_center_is_the_trained_loss_and_seed_repeats():
    kw = dict(dataset="circles", hidden=(8,), activation="tanh", optimizer="adam", lr=0.03, steps=40, grid=9,
              n_samples=100, seed=4)
    res = landscape.explore(**kw)
    # rebuild the same run by hand: same seed streams, same net, the trained loss at θ*
    s = landscape.Settings(dataset="circles", width=8, depth=1, activation="tanh", optimizer="adam", lr=0.03,
                           steps=40, seed=4)
    ds, net, train_seed, _ = landscape._setup(s, 100)
    landscape.train_path(net, ds, 40, 40, optimizer="adam", opt_kwargs={"lr": 0.03, "weight_decay": 0.0},
                         seed=train_seed)
    trained_loss, _ = losses.get("cross_entropy")(net.forward(ds.x_train), ds.y_train)
    assert res.complete and res.loss.shape == (9, 9)
    assert res.loss[4, 4] == pytest.approx(trained_loss, rel=1e-12)
    assert res.center_loss == pytest.approx(trained_loss, rel=1e-12)
    assert res.path_loss[-1] == pytest.approx(trained_loss, rel=1e-12)
    np.testing.assert_allclose(res.path[-1], [0, 0], atol=1e-12)
    np.testing.assert_array_equal(res.slice_1d, res.loss[4])
    np.testing.assert_array_equal(res.beta_cut, res.loss[:, 4])
    again = landscape.explore(**kw)
    np.testing.assert_array_equal(again.loss, res.loss)
    np.testing.assert_array_equal(again.path, res.path)
    other = landscape.explore(**{**kw, "seed": 5})
    assert not np.array_equal(other.loss, res.loss)


def test_random_directions_miss_the_path_pca_does_not():
    """Li et al. 2018, sec. 7: random directions are nearly orthogonal to the training path."""
    kw = dict(steps=150, grid=5, seed=0)
    rand = landscape.explore(directions="random", **kw)
    pca = landscape.explore(directions="pca", **kw)
    assert rand.captured < 0.3 < 0.9 < pca.captured
    assert pca.explained.sum() > 0.9
    assert np.max(np.abs(pca.path)) <= pca.span  # the grid contains the whole path


def test_weight_decay_cross_sections_start_from_the_trained_losses():
    alphas, curves = landscape.cross_sections(weight_decays=(0.0, 0.01), n=11, steps=100)
    assert alphas[5] == 0 and set(curves) == {0.0, 0.01}
    for curve in curves.values():
        assert curve.shape == (11,) and np.argmin(curve) == 5  # θ* is the lowest point along the cut


def test_the_rows_fill_from_the_minimum_outwards():
    for n in (3, 21, 41, 81, 22):
        order = landscape.fill_order(n)
        assert sorted(order) == list(range(n))
        assert order[0] == n // 2  # β = 0 first: the α cut through θ*
        for k in range(1, n):  # every prefix is one band of neighbouring rows around the middle
            assert max(order[:k]) - min(order[:k]) == k - 1


# ---------------------------------------------------------------- the page's live run

def _finished(**changes):
    """The last frame of the page's run with the defaults changed by ``changes`` (computed once, shared)."""
    spec = landscape.landscape_run(dataclasses.replace(landscape.DEFAULTS, **changes))
    return shared.complete(spec, budget=0.08).frames


def test_the_runs_last_frame_is_explore_and_its_frames_grow():
    frames = _finished()
    d = landscape.DEFAULTS
    res = landscape.explore(dataset=d.dataset, hidden=(d.width,) * d.depth, activation=d.activation,
                            optimizer=d.optimizer, lr=d.lr, steps=d.steps, grid=d.grid, span=d.span, seed=d.seed,
                            compare=True)
    last = frames[-1]
    assert last.final and last.step == d.steps and last.data.complete
    np.testing.assert_array_equal(last.data.loss, res.loss.astype(np.float32))
    np.testing.assert_array_equal(last.data.path, res.path)
    assert last.data.compare[1].keys() == res.compare[1].keys()
    # frame 0: nothing drawn yet; then the path grows (every frame ends at its own step) and rows only add up
    assert frames[0].step == 0 and not frames[0].data.has_slice and frames[0].data.path.size == 0
    assert 20 <= len(frames) <= 41  # >= 20 pictures, about 6 s at five a second
    rows = [f.data.betas.size for f in frames]
    assert rows == sorted(rows) and rows[1] >= 1 and rows[-1] == d.grid
    for f in frames[1:]:
        assert f.data.path_steps[-1] == f.step and set(f.data.betas) <= set(last.data.betas)
    # the frames are the same however the work is cut (a class shares them)
    again = landscape.Exploration(landscape.DEFAULTS, [f.step for f in frames])
    for f in frames[1:]:
        while again.step < f.step:
            again.run(1)
        np.testing.assert_array_equal(landscape.snapshot(again).loss, f.data.loss)


def test_every_piece_of_work_is_small_on_the_largest_network():
    """A tick computes at most ~80 ms: each piece of work (a chunk of training, a few rows) stays well under it,
    so the largest setting (3 × 24 GELU, 1,000 steps, a 81 × 81 grid) plays as frames instead of stalling."""
    import time

    s = landscape.Settings(width=24, depth=3, activation="gelu", steps=1000, grid=81)
    run = landscape.Exploration(s)
    worst = 0.0
    while run.step < run.end or run._plane is None:
        started = time.process_time()
        run._work() if (run._plane is None or len(run._rows) < s.grid) else None
        worst = max(worst, time.process_time() - started)
        run.step = run._reachable(run.end)
    assert run.view().loss.shape == (81, 81)  # the whole grid the control asks for: no cap
    assert worst < 0.08, worst  # indicative: the machine is shared


@pytest.mark.parametrize("directions", ["random", "pca"])
def test_a_diverging_run_slices_without_a_warning(directions):
    """SGD at lr 3 with ELU blows up at update 14: the run ends at update 13 (the last good weights, kept by a
    replay), the slice and the cut still come back (gaps allowed, finite axes), and no NumPy warning escapes."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frames = _finished(optimizer="sgd", lr=3.0, activation="elu", directions=directions)
    last = frames[-1]
    assert last.final and last.diverged_at == 14 and last.step == 13 and last.data.path_steps[-1] == 13
    assert all(f.diverged_at is None for f in frames[:-1])  # the message comes with the last picture
    assert np.all(np.isfinite(last.data.alphas)) and np.all(np.isfinite(last.data.betas))


# ---------------------------------------------------------------- what the page says in words, at its defaults

def test_the_captions_and_the_answer_hold_at_the_defaults():
    """intro, cap_contour_random, q1_a: θ* is the bottom of its basin and the random plane sees little of the path
    (the start lands close to the star); cap_cuts: both cuts are lowest at θ*; cap_contour_pca and the
    explanation: the PCA plane holds almost all of the path, most of it along the first direction, and the path
    goes down from the start into the basin."""
    res = _finished()[-1].data
    assert res.loss.min() >= res.center_loss * (1 - 1e-6)
    assert res.captured < 0.2
    start_offset = np.linalg.norm(res.path[0])
    assert start_offset < 0.25 * res.span  # q1: close to the star, far from the edge
    mid = landscape.DEFAULTS.grid // 2
    assert np.argmin(res.slice_1d) == mid and np.argmin(res.beta_cut) == mid
    pca = _finished(directions="pca")[-1].data
    assert pca.captured > 0.9 and pca.explained[0] > 0.8 > 0.2 > pca.explained[1]
    assert pca.path_loss[0] > 100 * pca.path_loss[-1]


def test_weight_decay_flattens_the_minimum_and_raises_its_bottom():
    """cap_compare at the defaults: along δ, the λ = 0.01 curve rises by well under a decade within ±0.5 where the
    λ = 0 curve rises by two, and its bottom is higher."""
    alphas, curves = _finished()[-1].data.compare
    half = [np.argmin(np.abs(alphas - a)) for a in (-0.5, 0.5)]
    rise = {lam: np.log10(c[half] / c.min()) for lam, c in curves.items()}
    assert np.all(rise[0.01] < 1) and np.all(rise[0.0] > 2)
    assert curves[0.01].min() > 10 * curves[0.0].min()


def test_the_try_this_claims():
    base = _finished()[-1].data
    # span 4: the walls climb by orders of magnitude
    wide = _finished(span=4.0)[-1].data
    assert wide.loss.max() > 1e4 * wide.center_loss
    # 50 steps: the loss at the star is about 100 times higher
    short = _finished(steps=50)[-1].data
    assert 30 < short.center_loss / base.center_loss < 300
    # sigmoid, SGD at lr 1 on the spirals: stalls near 0.69 on a broad, almost flat plateau
    flat = _finished(activation="sigmoid", optimizer="sgd", lr=1.0, dataset="spirals")[-1].data
    assert 0.6 < flat.center_loss < 0.75 and flat.loss.max() < 3 * flat.loss.min()
    # breaking it: ELU diverges at update 14; ReLU and tanh survive the same rate
    assert _finished(activation="elu", optimizer="sgd", lr=3.0)[-1].diverged_at == 14
    for act in ("relu", "tanh"):
        assert _finished(activation=act, optimizer="sgd", lr=3.0)[-1].diverged_at is None


# ---------------------------------------------------------------- the page

def _play(at, ticks=60):
    """Press Train and let the fragment tick until the run is finished (the Train button says Replay)."""
    at.button(key="landscape-train").click().run()
    for _ in range(ticks):
        at.run()
        if any(b.key == "landscape-train" and b.label == "Replay" for b in at.button):
            break
    return at


@pytest.mark.app
@pytest.mark.parametrize("dirs", ["random", "pca"])
def test_the_page_reports_a_diverging_run_and_shows_only_finite_values(dirs):
    from tests.apptest_util import errors, invalid_charts, non_finite_in_charts, non_finite_in_text, open_page

    at = _play(open_page("landscape", "en", {"opt": "sgd", "lr": "3.0", "act": "elu", "dirs": dirs, "compare": "1"}))
    assert errors(at) == []
    assert any("update 14" in e.value for e in at.error)  # the message names the failed update
    assert any("update 14" in p.proto.text for p in at.get("progress"))
    assert non_finite_in_charts(at) == [] and invalid_charts(at) == []
    assert non_finite_in_text(at) == []  # the loss at θ* and the captured share show a dash, not "inf" / "nan %"


@pytest.mark.app
def test_the_first_screen_shows_the_finished_default_and_a_new_setting_plays():
    from tests.apptest_util import chart_specs, errors, open_page

    landscape.warm()
    at = open_page("landscape", "en")
    assert errors(at) == []
    assert [m.value for m in at.metric][:2] == [f"{_finished()[-1].data.center_loss:.3g}", "100%"]
    contour = json.loads(chart_specs(at)[0])
    assert contour["data"][0]["type"] == "contour"  # the map is drawn before any button is pressed
    at.slider(key="grid").set_value(81).run()  # the largest grid: computed as asked, never capped
    assert at.slider(key="grid").value == 81
    at = _play(at)
    assert errors(at) == []
    z = json.loads(chart_specs(at)[0])["data"][0]["z"]
    assert len(z) == 81 and len(z[0]) == 81


@pytest.mark.app
@pytest.mark.parametrize("param, raw, shown", [("grid", "22", 21), ("grid", "81", 81), ("steps", "75", 100)])
def test_a_link_value_is_snapped_to_what_the_control_shows(param, raw, shown):
    """landscape?grid=22 and ?steps=75 are between two steps of their sliders: moved to the nearest one, with a
    notice, so the link, the control and the chart agree; ?grid=81 is used as it is (no silent cap)."""
    from tests.apptest_util import errors, open_page

    at = open_page("landscape", "en", {param: raw})
    assert errors(at) == []
    assert at.slider(key=param).value == shown
    assert bool([i for i in at.info if raw in i.value]) == (str(shown) != raw)
