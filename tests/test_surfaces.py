"""Surfaces: analytic gradients against central differences, minima, floats vs arrays, grid."""

import numpy as np
import pytest

from core import surfaces


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_gradient_matches_central_differences(name):
    s = surfaces.get(name)
    rng = np.random.default_rng(0)
    x = rng.uniform(*s.xlim, size=(4, 5))  # any shape works: (4, 5) here
    y = rng.uniform(*s.ylim, size=(4, 5))
    h = 1e-6
    fd_x = (s.value(x + h, y) - s.value(x - h, y)) / (2 * h)
    fd_y = (s.value(x, y + h) - s.value(x, y - h)) / (2 * h)
    gx, gy = s.grad(x, y)
    assert gx.shape == gy.shape == (4, 5)
    scale = 1.0 + np.abs(gx) + np.abs(gy)
    assert np.max(np.abs(gx - fd_x) / scale) < 1e-6
    assert np.max(np.abs(gy - fd_y) / scale) < 1e-6


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_python_floats_give_floats_equal_to_arrays(name):
    s = surfaces.get(name)
    x, y = 0.3 * s.xlim[1], -0.2 * s.ylim[1]
    value, (gx, gy) = s.value(x, y), s.grad(x, y)
    assert type(value) is float and type(gx) is float and type(gy) is float
    arr_value = s.value(np.array([x]), np.array([y]))[0]
    arr_gx, arr_gy = (g[0] for g in s.grad(np.array([x]), np.array([y])))
    assert value == pytest.approx(arr_value, rel=1e-14, abs=1e-14)
    assert (gx, gy) == pytest.approx((arr_gx, arr_gy), rel=1e-14, abs=1e-14)


@pytest.mark.parametrize("name", [n for n in surfaces.NAMES if surfaces.get(n).minima])
def test_minima_have_value_zero_and_zero_gradient(name):
    s = surfaces.get(name)
    for mx, my in s.minima:
        assert abs(s.value(mx, my)) <= 1e-9
        assert np.hypot(*s.grad(mx, my)) <= 1e-6
        # a nearby point is higher: it is a minimum, not just a stationary point
        for dx, dy in ((1e-3, 0), (0, 1e-3), (-1e-3, 0), (0, -1e-3)):
            assert s.value(mx + dx, my + dy) > s.value(mx, my)


def test_himmelblau_has_four_minima_and_saddle_none():
    assert len(surfaces.get("himmelblau").minima) == 4
    assert surfaces.get("saddle").minima == ()
    assert surfaces.get("saddle").log_levels is None  # values go negative


def test_bowl_is_the_dlfs_function():
    s = surfaces.get("bowl")
    assert s.default_start == (-7.0, 2.0)
    assert s.value(-7.0, 2.0) == pytest.approx(49 / 20 + 4)


@pytest.mark.parametrize("name", surfaces.NAMES)
def test_metadata_is_consistent(name):
    s = surfaces.get(name)
    assert s.xlim[0] < s.default_start[0] < s.xlim[1]
    assert s.ylim[0] < s.default_start[1] < s.ylim[1]
    for mx, my in s.minima:
        assert s.xlim[0] <= mx <= s.xlim[1] and s.ylim[0] <= my <= s.ylim[1]
    assert s.log_levels is None or s.log_levels > 0


def test_saddle_start_is_just_off_the_axis():
    x0, y0 = surfaces.get("saddle").default_start
    assert y0 != 0 and abs(y0) < 1e-2


def test_grid_shapes_and_values():
    X, Y, Z = surfaces.grid("rosenbrock", n=31)
    assert X.shape == Y.shape == Z.shape == (31, 31)
    s = surfaces.get("rosenbrock")
    assert (X[0, 0], X[0, -1], Y[0, 0], Y[-1, 0]) == (s.xlim[0], s.xlim[1], s.ylim[0], s.ylim[1])
    np.testing.assert_array_equal(Z, s.value(X, Y))
    with pytest.raises(ValueError):
        surfaces.grid("rosenbrock", n=1)


def test_unknown_surface_lists_valid_names():
    with pytest.raises(ValueError, match="unknown surface 'rosenbrok'.*rosenbrock.*himmelblau"):
        surfaces.get("rosenbrok")
