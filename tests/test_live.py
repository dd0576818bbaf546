"""The live-training machinery (ui/live.py) outside a page: chunks, the run's lock, the progress text."""
import io
import threading
import time

import numpy as np
import pytest

from lab import playground
from ui import live

# The adversarial pass's setting (issue 17, item 2): a deep tanh net with batch norm on the digits.
TORN = playground.PlaygroundConfig(dataset="digits", layers=6, width=64, activations=("tanh",) * 6, batchnorm=True,
                                   batch_size=256, steps=800, seed=5)


def test_a_download_during_training_holds_one_whole_step():
    """A training thread runs chunks exactly as a live tick does while downloads are read in between; every file
    must equal the weights of a fresh run trained to the step the file names."""
    entry = {"obj": playground.build(TORN), "lock": threading.Lock()}
    download = live.locked_reader(entry, lambda run: playground.weights_npz(run.net, run.step))
    stop = threading.Event()

    def train():  # ticks: a chunk, then a short wait, as the fragment's timer does (here much shorter)
        while not stop.is_set():
            live.train_chunk(entry, 3, budget=10.0)
            time.sleep(0.001)

    worker = threading.Thread(target=train)
    worker.start()
    files = []
    try:
        for _ in range(40):
            files.append(download())
            time.sleep(0.002)
    finally:
        stop.set()
        worker.join()
    assert len({int(np.load(io.BytesIO(b))["step"]) for b in files}) >= 5  # downloads landed during training
    reference = playground.build(TORN)
    for blob in sorted(files, key=lambda b: int(np.load(io.BytesIO(b))["step"])):
        with np.load(io.BytesIO(blob)) as f:
            step = int(f["step"])
            reference.run(step - reference.step)
            expected = reference.net.state_dict()
            assert sorted(k for k in f.files if k != "step") == sorted(expected)
            for key, value in expected.items():
                np.testing.assert_array_equal(f[key], value, err_msg=f"{key} at step {step}")


def test_the_progress_text_names_the_failed_update():
    cfg = playground.PlaygroundConfig(lr=10.0, optimizer="sgd", init="normal", init_std=3.0, layers=6, width=64,
                                      activations=("relu",) * 6, steps=300)
    tr = playground.build(cfg).run(300)
    assert tr.diverged_at == tr.step + 1
    text = live.progress_text(tr, 300)
    assert f"{tr.step} of 300" in text and f"update {tr.diverged_at} diverged" in text


@pytest.mark.parametrize("budget", [0.0, 10.0])
def test_a_chunk_stops_at_its_budget_and_never_skips_a_step(budget):
    entry = {"obj": playground.build(playground.PlaygroundConfig()), "lock": threading.Lock()}
    done, elapsed = live.train_chunk(entry, 16, budget=budget)
    assert entry["obj"].step == done and elapsed > 0
    assert done == (2 if budget == 0.0 else 16)  # parts of n // 8 = 2 steps; a zero budget stops after one part
