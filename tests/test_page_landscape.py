"""The loss-landscape page's numbers: Li et al. (2018) filter normalization, the stacked grid, the path projection."""
import copy

import numpy as np
import pytest

from core import data, losses, nn
from lab import landscape


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
    ds, net, path, *_ = landscape._trained(kw["dataset"], kw["hidden"], kw["activation"], kw["optimizer"],
                                           kw["lr"], kw["steps"], None, 0.0, kw["n_samples"], kw["seed"], 60)
    trained_loss, _ = losses.get("cross_entropy")(net.forward(ds.x_train), ds.y_train)
    assert res.loss[4, 4] == pytest.approx(trained_loss, rel=1e-12)
    assert res.center_loss == pytest.approx(trained_loss, rel=1e-12)
    assert res.path_loss[-1] == pytest.approx(trained_loss, rel=1e-12)
    np.testing.assert_allclose(res.path[-1], [0, 0], atol=1e-12)
    np.testing.assert_array_equal(res.slice_1d, res.loss[4])
    assert res.loss.min() <= res.center_loss + 1e-12 or np.all(np.isfinite(res.loss))
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


def test_train_then_slice_equals_explore_and_the_grid_cost_is_bounded():
    kw = dict(dataset="moons", hidden=(8,), steps=60, seed=2)
    run = landscape.train_run(**kw)
    for directions in ("random", "pca"):
        a = landscape.explore(grid=11, directions=directions, **kw)
        b = landscape.slice_run(copy.deepcopy(run), grid=11, directions=directions)
        assert np.array_equal(a.loss, b.loss) and np.array_equal(a.path, b.path)
    # the page's cut along δ is cross_sections' cut (same θ*, same first direction)
    alphas, curves = landscape.cross_sections(weight_decays=(0.0,), n=9, **kw)
    assert np.allclose(landscape.cut(copy.deepcopy(run), alphas), curves[0.0])
    # the default slice keeps its grid; the costliest setting is cut down to fit the budget
    assert landscape.affordable_grid([2, 16, 16, 2], "relu", 240, 41) == 41
    worst = landscape.affordable_grid([2, 24, 24, 24, 2], "gelu", 240, 81)
    assert 15 <= worst < 81 and worst % 2 == 1
    assert landscape.slice_cost([2, 24, 24, 24, 2], "relu", 240, landscape.affordable_grid(
        [2, 24, 24, 24, 2], "relu", 240, 81)) <= landscape.SLICE_BUDGET_NS


@pytest.mark.parametrize("directions", ["random", "pca"])
def test_a_diverging_run_slices_without_a_warning(directions):
    """SGD at lr 3 with ELU blows up at step 14: the slice and the cut still come back (gaps allowed, finite axes)
    and no NumPy warning escapes (the page shows its divergence message instead)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = landscape.train_run(optimizer="sgd", lr=3.0, activation="elu", steps=300)
        assert run.diverged_at is not None
        res = landscape.slice_run(copy.deepcopy(run), grid=21, directions=directions)
        landscape.cut(copy.deepcopy(run), np.linspace(-1, 1, 11))
    assert np.all(np.isfinite(res.alphas)) and np.all(np.isfinite(res.betas))


@pytest.mark.app
@pytest.mark.parametrize("dirs", ["random", "pca"])
def test_the_page_reports_a_diverging_run_and_shows_only_finite_values(dirs):
    from tests.apptest_util import errors, invalid_charts, non_finite_in_charts, non_finite_in_text, open_page

    at = open_page("landscape", "en", {"opt": "sgd", "lr": "3.0", "act": "elu", "dirs": dirs, "compare": "1"})
    assert errors(at) == []
    assert any("14" in e.value for e in at.error)  # "the loss became NaN/inf at step 14"
    assert non_finite_in_charts(at) == [] and invalid_charts(at) == []
    assert non_finite_in_text(at) == []  # the loss at θ* and the captured share show a dash, not "inf" / "nan %"
