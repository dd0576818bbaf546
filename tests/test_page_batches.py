"""The numbers the batches page shows, through the functions the page calls."""
import math

import numpy as np
import pytest

from lab import batches as lab


def test_small_batches_give_noisier_loss_curves_and_epochs_count_ceil_n_over_b():
    group = lab.batch_group()  # page defaults: B = 16, lr 0.5
    group.run(150)
    noise = {k: lab.step_noise(m.history["batch_loss"]) for k, m in group.items()}
    assert noise["mini"] > 10 * noise["full"] and noise["single"] > noise["mini"]
    n = group["full"].x_train.shape[0]
    for label, size in lab.batch_labels(16).items():
        h = group[label].history
        k = lab.iterations_per_epoch(n, size)
        assert h["epoch"][k - 1] == pytest.approx(1.0)  # the k-th update completes the first epoch
        if k > 1:
            assert h["epoch"][k - 2] < 1.0
    assert lab.iterations_per_epoch(140, 16) == math.ceil(140 / 16) == 9


def test_batch_paths_full_batch_is_smooth_and_converges():
    bp = lab.batch_paths(16)
    assert np.linalg.norm(bp.paths["full"][-1] - bp.optimum) < 1e-2
    wobble = {k: np.var(np.diff(np.diff(p, axis=0), axis=0)) for k, p in bp.paths.items()}
    assert wobble["single"] > wobble["mini"] > wobble["full"]


def test_the_pages_training_set_size_is_the_groups():
    group = lab.batch_group()
    assert group["full"].x_train.shape[0] == lab.N_TRAIN == 140
    group.run(3)
    done = lab.progress(group)
    assert done["full"][0] == pytest.approx(3.0)  # three full-batch updates: three epochs
    assert done["single"][0] == pytest.approx(3 / lab.N_TRAIN)
