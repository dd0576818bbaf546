"""The numbers the transfer page shows, through lab.transfer (what it calls).

Measured on the page's defaults (seed 0), recorded here so a regression is visible: 50 samples, 2 layers reused,
200 steps: frozen 94.4 %, from scratch 83.3 %.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as app.py: threaded BLAS on tiny matrices is slower

import numpy as np
import pytest

from core import nn
from lab import transfer


@pytest.fixture(scope="module")
def transfer_run():
    source, _ = transfer.pretrain(0)
    return source, transfer.transfer_group(source, seed=0).run(transfer.TRANSFER["steps"])


def test_frozen_transfer_beats_scratch_on_the_few_sample_task(transfer_run):
    _, group = transfer_run
    frozen = group["frozen"].history["test_acc"][-1]
    scratch = group["scratch"].history["test_acc"][-1]
    assert frozen > scratch + 0.03  # measured 94.4 % vs 83.3 %


def test_frozen_layers_are_unchanged_and_the_rest_moved(transfer_run):
    source, group = transfer_run
    k = transfer.TRANSFER["n_reuse"]
    frozen, tuned = group["frozen"].net, group["finetune"].net
    for i in range(k):
        assert np.array_equal(frozen.blocks[i].dense.W, source.blocks[i].dense.W)
        assert np.array_equal(frozen.blocks[i].dense.b, source.blocks[i].dense.b)
        assert not np.array_equal(tuned.blocks[i].dense.W, source.blocks[i].dense.W)
    assert frozen.sizes[-1] == 2 and source.sizes[-1] == 10  # the output layer is replaced
    fresh = transfer.transfer_net(source, k, True, seed=0)
    for i in range(k, len(frozen.blocks)):
        assert not np.array_equal(frozen.blocks[i].dense.W, fresh.blocks[i].dense.W)


def test_transfer_rejects_too_many_layers():
    source = nn.MLP([64, 8, 8, 10], seed=0)
    with pytest.raises(ValueError):
        transfer.transfer_net(source, 3, True)
