"""Live training on the playground (ui/live.py over lab/shared.py): downloads hold one whole step, the progress
names a failed update, and a page plays a run's frames in order."""
import base64
import io
import json
import re
import threading

import numpy as np

from lab import playground, shared
from tests.apptest_util import charts, errors, live_messages, open_page
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


def _step_of(at) -> int:
    found = re.search(r"Step (\d+)|(\d+)스텝$", at.get("progress")[0].proto.text)  # English or Korean
    return int(found.group(1) or found.group(2))


def _scrubber(at, key="playground-at"):
    """The panel's step slider (a component: ui/livechart.scrubber): its element and what it was given."""
    [el] = [e for e in at.get("bidi_component") if e.proto.component_name == "dnnlab_scrub" and e.proto.id.endswith(key)]
    return el, json.loads(el.proto.json or el.proto.mixed.json)


def _scrub(at, step, key="playground-at"):
    """What the browser sends when the student moves the step slider: a 'scrub' trigger with the step."""
    el, _ = _scrubber(at, key)
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = f"$$STREAMLIT_INTERNAL_KEY_{el.proto.id}__events"
    state.json_trigger_value = json.dumps([{"event": "scrub", "value": step}])
    at._run(states)
    assert errors(at) == []
    return at


def test_the_step_slider_shows_the_chosen_step_pauses_and_puts_it_in_the_link():
    """Scrub a run (issue 26, item 3): the slider under the progress moves the panel to the frame of the step chosen
    (the first kept at or after it), every live chart and the progress show that step, and the link says at=."""
    shared.complete(playground.training_run(playground.PlaygroundConfig()))  # the warmed default
    at = open_page("playground", "en")
    assert errors(at) == [] and _step_of(at) == 0
    _, given = _scrubber(at)
    assert given["steps"][:3] == [0, 1, 2] and given["value"] == 0 and given["panel"] == "playground"
    _scrub(at, 118)  # not a kept step: the first kept one after it
    assert _step_of(at) == 120 and at.query_params["at"] == "120" and _scrubber(at)[1]["value"] == 120
    assert {key: m["steps"] for key, m in live_messages(at).items()} == {k: [120] for k in ("boundary", "loss", "network0",
                                                                                          "hists")}
    assert {m["panel"] for m in live_messages(at).values()} == {"playground"}
    x = charts(at)["loss"]["data"][0]["x"]
    assert int(np.frombuffer(base64.b64decode(x["bdata"]), np.dtype(x["dtype"]))[-1]) == 120
    # while it plays the slider follows the run and the link holds no step; moving it pauses the run there
    next(b for b in at.button if b.key == "playground-train").click().run()
    at.run()
    assert _step_of(at) > 120 and _scrubber(at)[1]["value"] == _step_of(at) and "at" not in at.query_params
    _scrub(at, 46)
    assert _step_of(at) == 46 and at.query_params["at"] == "46"
    assert next(b for b in at.button if b.key == "playground-train").label == "Train"


def test_an_at_link_opens_the_run_at_that_step_and_a_bad_one_is_refused():
    shared.complete(playground.training_run(playground.PlaygroundConfig()))
    at = open_page("playground", "ko", {"at": "118"})  # not a kept step: the first kept one after it
    assert errors(at) == [] and _step_of(at) == 120
    assert _scrubber(at)[1]["value"] == 120 and at.query_params["at"] == "120"
    assert live_messages(at)["loss"]["steps"] == [120]
    for bad in ("12x", "-5", "9" * 9):
        refused = open_page("playground", "en", {"at": bad})
        assert errors(refused) == [] and _step_of(refused) == 0 and "at" not in refused.query_params
        assert any("at" in w.value and bad in w.value for w in refused.warning)
