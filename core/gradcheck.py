"""Finite-difference gradient checking (cs231n style), for tests and for the curious page.

    num = numerical_gradient(lambda _: loss_of_params(), W)    # perturbs W in place, restores it
    assert rel_error(num, analytic) < 1e-7
"""
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    """Central difference (f(x + h e_i) - f(x - h e_i)) / 2h for every entry i of x.

    f: callable taking x and returning a scalar; x (any shape, float) is perturbed in place and
    restored, so f may read x through a closure instead. Returns an array shaped like x.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-6):
    """Gradient of sum(f(x) * dout) w.r.t. x, for array-valued f (a layer's forward)."""
    return numerical_gradient(lambda v: np.sum(f(v) * dout), x, h)


def rel_error(a, b):
    """max |a - b| / max(1e-8, |a| + |b|): about 1e-7 or less means the analytic gradient is right."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
