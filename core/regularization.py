"""Penalties, max-norm and gradient clipping. (Decoupled weight decay lives in ``core.optim``.)

``weights`` is a list of dense W matrices (``MLP.weights``); penalties return
``(value, grads)`` with ``grads`` aligned to ``weights``, to be added to the data-loss gradients.
"""
import numpy as np


def _check_lam(lam):
    if lam < 0:
        raise ValueError(f"penalty strength lam must be >= 0, got {lam}")


def l1_penalty(weights, lam):
    """value = λ Σ|W|, grads = λ sign(W) (0 at W = 0). Pushes small weights to exactly 0."""
    _check_lam(lam)
    value = lam * sum(float(np.abs(W).sum()) for W in weights)
    return value, [lam * np.sign(W) for W in weights]


def l2_penalty(weights, lam):
    """value = ½ λ Σ W², grads = λ W (the ½ of Deep Learning from Scratch's ``weight_decay_lambda``)."""
    _check_lam(lam)
    value = 0.5 * lam * sum(float((W * W).sum()) for W in weights)
    return value, [lam * W for W in weights]


def max_norm_(W, c):
    """In place: rescale each column of W (d_in, d_out), one unit's incoming weights, to norm <= c
    (Srivastava et al. 2014, c typically 3-4). Returns the column norms (d_out,) before rescaling."""
    if c <= 0:
        raise ValueError(f"max-norm c must be > 0, got {c}")
    norms = np.sqrt((W * W).sum(axis=0))
    too_big = norms > c
    W[:, too_big] *= c / norms[too_big]
    return norms


def clip_by_value(grads, v):
    """Each gradient entry clipped to [-v, v]; returns new arrays."""
    if v <= 0:
        raise ValueError(f"clip value must be > 0, got {v}")
    return [np.clip(g, -v, v) for g in grads]


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients together so their joint L2 norm is at most ``max_norm``.

    total = √(Σ‖g‖²); factor = min(1, max_norm / (total + 1e-6)), as PyTorch's ``clip_grad_norm_``
    (the 1e-6 guards total = 0). Direction is kept. Returns ``(clipped_grads, total)`` (new arrays).
    """
    if max_norm <= 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm}")
    total = float(np.sqrt(sum(float((g * g).sum()) for g in grads)))
    factor = min(1.0, max_norm / (total + 1e-6))
    return [g * factor for g in grads], total
