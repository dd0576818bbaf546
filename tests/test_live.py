"""Live training on the playground (ui/live.py over lab/shared.py): downloads hold one whole step, the progress
names a failed update, and a page plays a run's frames in order."""
import io
import threading

import numpy as np

from lab import playground, shared
from tests.apptest_util import errors, live_messages, open_page
from ui import live

# The adversarial pass's setting (issue 17, item 2): a deep tanh net with batch norm on the digits.
TORN = playground.PlaygroundConfig(dataset="digits", layers=6, width=64, activations=("tanh",) * 6, batchnorm=True,
                                   batch_size=256, steps=800, seed=5)


def test_a_download_during_training_holds_one_whole_step():
    """While another thread trains the shared run (as a class's ticks do), the weights offered for the step a
    student sees are exactly that step's weights, named in the file."""
    spec = playground.training_run(TORN)
    run = shared.Run(spec)
    stop = threading.Event()

    def train():
        while not stop.is_set() and not run.complete:
            run.advance(run.available, budget=0.02)

    worker = threading.Thread(target=train)
    worker.start()
    try:
        files = {}
        while len(files) < 3:
            if run.available > len(files):
                frame = run.frame(len(files) * 3)
                files[frame.step] = playground.weights_at(TORN, frame.step)
    finally:
        stop.set()
        worker.join()
    for step, blob in files.items():
        with np.load(io.BytesIO(blob)) as f:
            assert int(f["step"]) == step
            expected = playground.build(TORN).run(step).net.state_dict()
            assert sorted(k for k in f.files if k != "step") == sorted(expected)
            for key, value in expected.items():
                np.testing.assert_array_equal(f[key], value, err_msg=f"{key} at step {step}")


def test_the_progress_text_names_the_failed_update():
    cfg = playground.PlaygroundConfig(lr=10.0, optimizer="sgd", init="normal", init_std=3.0, layers=6, width=64,
                                      activations=("relu",) * 6, steps=300)
    last = shared.complete(playground.training_run(cfg)).frames[-1]
    text = live.progress_text(last, 300)
    assert f"{last.step} of 300" in text and f"update {last.diverged_at} diverged" in text


def test_a_page_plays_the_frames_in_order_and_stops_at_the_last():
    live._VIEWERS.clear()  # a lone student: sessions of earlier tests would otherwise count as a class
    live._PLAYERS.clear()
    at = open_page("playground", "en", {"steps": "100"})
    assert errors(at) == []
    seen, played = [], []
    train = next(b for b in at.button if b.key == "playground-train")
    train.click()
    at.run()
    for _ in range(60):
        progress = [p for p in at.get("progress")]
        seen.append(progress[0].proto.text if progress else "")
        played += live_messages(at)["loss"]["steps"]  # the frames this tick brought, which the browser plays
        if "100 of 100" in seen[-1]:
            break
        at.run()
        assert errors(at) == []
    steps = [int(s.split()[1]) for s in seen if s.startswith("Step")]
    assert steps == sorted(steps) and steps[-1] == 100
    # an animation, not a jump to the end: every frame of the run played in order (a tick that found no new frame
    # computed yet shows the same frame again)
    played = [s for i, s in enumerate(played) if i == 0 or s != played[i - 1]]
    assert played == list(playground.training_run(playground.PlaygroundConfig(steps=100)).steps[1:])
    at.run()  # the last frames have played: the button turns back into Replay
    assert next(b for b in at.button if b.key == "playground-train").label == "Replay"
