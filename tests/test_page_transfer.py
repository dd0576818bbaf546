"""What the transfer page says in words, computed at its defaults through what it calls (lab.transfer: the shared
source network and the run's frames), plus how layers are reused.

Measured at the defaults (seed 0; 50 labelled images, 2 layers reused, 200 steps): source network 97.2 %;
frozen 94.2 %, fine-tuned 91.7 %, from scratch 82.6 %; with 3 layers reused, frozen 92.2 %.
"""
import json
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as app.py: threaded BLAS on tiny matrices is slower

from dataclasses import replace

import numpy as np
import pytest

from core import nn
from lab import transfer
from runs import shared
from tests.apptest_util import errors, open_page
from tests.apptest_util import plays_finite_and_says_why

D = transfer.DEFAULTS


def final(settings):
    return {k: h["test_acc"][-1] for k, h in shared.complete(transfer.transfer_run(settings)).frames[-1].data
            .histories.items()}


@pytest.fixture(scope="module")
def last():
    return shared.complete(transfer.transfer_run(D)).frames[-1].data


def test_the_source_network_knows_the_digits():
    net, acc = transfer.source_net()
    assert acc >= 0.9 and net.sizes[-1] == 10
    assert transfer.source_net() is transfer.source_net()  # trained once, shared


def test_frozen_transfer_wins_with_few_samples(last):
    """q1_a: with 50 images and 2 layers reused, the reused frozen layers win; from scratch overfits."""
    acc = {k: h["test_acc"][-1] for k, h in last.histories.items()}
    assert acc["frozen"] >= acc["finetune"] >= acc["scratch"] + 0.05
    assert acc["frozen"] >= acc["scratch"] + 0.08


def test_every_version_fits_its_few_images(last):
    for h in last.histories.values():  # cap_loss: every version fits its training images
        assert h["train_loss"][-1] < 0.05


def test_reusing_the_top_layer_frozen_helps_less():
    """q1_a, try: reuse all three layers and the frozen version gets worse again."""
    assert final(replace(D, n_reuse=3))["frozen"] < final(D)["frozen"]


def test_with_plenty_of_data_scratch_catches_up():
    acc = final(replace(D, n_target=500))  # try: with 500 images transfer matters less
    assert acc["scratch"] >= acc["frozen"] - 0.01


def test_the_seed_draws_new_images_but_the_source_never_saw_them():
    a, b = transfer.digit_tasks(50, seed=0)[1], transfer.digit_tasks(50, seed=1)[1]
    assert not np.array_equal(a.x_train, b.x_train)
    source = transfer.digit_tasks(50, seed=1)[0]
    seen = {row.tobytes() for row in source.x_train}
    assert not any(row.tobytes() in seen for row in b.x_train)


def test_frozen_layers_are_unchanged_and_the_rest_moved(last):
    source, _ = transfer.source_net()
    group = transfer.transfer_group(source, D.n_target, D.n_reuse, D.seed).run(transfer.TRANSFER["steps"])
    k = D.n_reuse
    frozen, tuned = group["frozen"].net, group["finetune"].net
    for i in range(k):
        assert np.array_equal(frozen.blocks[i].dense.W, source.blocks[i].dense.W)
        assert np.array_equal(frozen.blocks[i].dense.b, source.blocks[i].dense.b)
        assert not np.array_equal(tuned.blocks[i].dense.W, source.blocks[i].dense.W)
    assert frozen.sizes[-1] == 2 and source.sizes[-1] == 10  # the output layer is replaced
    fresh = transfer.transfer_net(source, k, True, seed=0)
    for i in range(k, len(frozen.blocks)):
        assert not np.array_equal(frozen.blocks[i].dense.W, fresh.blocks[i].dense.W)
    assert np.array_equal(group["frozen"].history["test_acc"], last.histories["frozen"]["test_acc"])


def test_transfer_rejects_too_many_layers():
    source = nn.MLP([64, 8, 8, 10], seed=0)
    with pytest.raises(ValueError):
        transfer.transfer_net(source, 3, True)


def test_at_the_largest_settings_the_runs_stay_finite_and_the_page_says_why():
    """Issue 17: no setting of this page diverges (Adam at a fixed rate); the page says why."""
    plays_finite_and_says_why("transfer", {"n": "500", "reuse": "3"},
                              [transfer.transfer_run(transfer.Settings(n_target=500, n_reuse=3)),
                               transfer.transfer_run(transfer.Settings(n_target=10, n_reuse=0))])


def test_the_first_screen_shows_the_diagram_and_the_trained_default():
    shared.complete(transfer.transfer_run(D))  # what the server's warm-up does
    at = open_page("transfer", "en")
    assert errors(at) == []
    assert "200 of 200" in at.get("progress")[0].proto.text
    from tests.apptest_util import all_charts

    charts = all_charts(at)
    assert charts[0].key == "acc"  # the accuracy chart first (issue 23: the diagram above it pushed it down)
    diagram = next(c for c in charts if c.key == "layers").spec
    notes = [a.get("text", "") for a in diagram["layout"].get("annotations", [])]
    assert not any("Press" in n for n in notes)  # a static diagram never says "Press Train"
