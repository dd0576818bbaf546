"""Live training on the playground (ui/live.py over runs/shared.py): downloads hold one whole step, the progress
names a failed update, and a page plays a run's frames in order."""
import base64
import io
import json
import re
import threading

import numpy as np
import pytest

from lab import playground

from runs import governor, shared
from tests.apptest_util import charts, errors, live_messages, open_page
from ui import live

# The adversarial pass's setting (issue 17, item 2): a deep tanh net with batch norm on the digits.
TORN = playground.PlaygroundConfig(dataset="digits", layers=6, width=64, activations=("tanh",) * 6, batchnorm=True,
                                   batch_size=256, steps=800, seed=5)


def _run_of(net, tr):
    """What a page draws of a digits run (lab.playground.snapshot's confusion, mistakes and layer histograms), with
    ``net`` in place of the trainer's network: the weights of a download against the frame a student saw."""
    x = tr.x_train[: playground.HIST_BATCH]
    pred = net.forward(tr.x_test, train=False).argmax(axis=1)
    return (playground.confusion(tr.labels_test, pred, tr.data.n_classes),
            [None if h is None else h[0] for h in playground.activation_histograms(net, x)])


def test_a_download_during_training_holds_one_whole_step():
    """While another thread trains the shared run (as a class's ticks do), the weights offered for the frame a
    student sees are exactly the weights that drew that frame: loaded into a network, they give the frame's own
    confusion matrix and layer histograms (counts, bit for bit), and the file names the frame's step. A download
    that mixed two steps, or read the network while it trains, draws a different picture."""
    spec = playground.training_run(TORN)
    run = shared.Run(spec)
    stop = threading.Event()
    fresh = threading.Event()

    def train():
        while not stop.is_set() and not run.complete:
            if run.advance(run.available, budget=0.02):
                fresh.set()

    worker = threading.Thread(target=train)
    worker.start()
    files = {}
    try:
        for index in (1, 4, 9):
            while run.available <= index and worker.is_alive():
                fresh.wait(0.05)  # a student's tick: the frame is there or it is not yet
                fresh.clear()
            frame = run.frame(index)
            files[frame.step] = (frame, playground.weights_at(TORN, frame.step))  # while the run goes on
    finally:
        stop.set()
        worker.join()
    reference = playground.build(TORN)
    for step, (frame, blob) in files.items():
        net = playground.load_weights(playground.make_net(TORN, reference.data), blob)
        with np.load(io.BytesIO(blob)) as f:
            assert int(f["step"]) == step == frame.step
        matrix, hists = _run_of(net, reference)
        np.testing.assert_array_equal(matrix, frame.data.confusion, err_msg=f"step {step}")
        for mine, shown in zip(hists, frame.data.hists):
            np.testing.assert_array_equal(mine, None if shown is None else shown[0], err_msg=f"step {step}")


def _deferred_weights(monkeypatch, params):
    """The playground opened with ``params``, and its weights button's file id in the page's media manager (the
    object Streamlit hands every download request to)."""
    from streamlit.testing.v1 import app_test

    managers = []

    class Kept(app_test.MediaFileManager):
        def __init__(self, *args):
            super().__init__(*args)
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Kept)
    at = open_page("playground", "en", params)
    assert errors(at) == []
    [button] = [b for b in at.download_button if b.key == "_dl_w"]
    return at, managers, button.proto.deferred_file_id


def test_thirty_weight_downloads_train_once(monkeypatch):
    """Issue 21, item 2: each download request ran a fresh training run (30 requests from one websocket, 162.8
    CPU-seconds). Thirty requests at once, through Streamlit's own deferred-download path, now train once; every
    request gets the same file."""
    at, managers, file_id = _deferred_weights(monkeypatch, {"steps": "300", "seed": "7311"})
    manager = managers[-1]  # each script run of AppTest has its own
    trained = []
    build = playground.build
    monkeypatch.setattr(playground, "build", lambda cfg: trained.append(cfg) or build(cfg))
    urls, failures = [], []
    start = threading.Barrier(30)

    def request():
        start.wait()
        try:
            urls.append(manager.execute_deferred(file_id))
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=request) for _ in range(30)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == [] and len(urls) == 30
    assert len(trained) == 1, f"{len(trained)} trainings for 30 requests"
    contents = {manager._storage.get_file(url.rsplit("/", 1)[1].split(".")[0]).content for url in urls}
    assert len(contents) == 1
    with np.load(io.BytesIO(contents.pop())) as f:
        assert int(f["step"]) == 0  # the step the page shows


def test_a_session_computes_one_download_at_a_time(monkeypatch):
    """While a session's download is being computed, a request of the same session for another one is refused
    at once (nothing computed); the first one still arrives."""
    from streamlit.runtime.media_file_storage import MediaFileStorageError

    from ui import downloads

    at, managers, first = _deferred_weights(monkeypatch, {"steps": "300", "seed": "7312"})
    manager = managers[-1]
    next(b for b in at.button if b.key == "playground-step").click()
    at.run()
    [button] = [b for b in at.download_button if b.key == "_dl_w"]
    second, later = button.proto.deferred_file_id, managers[-1]  # the next step's file
    gate, inside = threading.Event(), threading.Event()
    trained = []
    build = playground.build

    def slow_build(cfg):
        trained.append(cfg)
        inside.set()
        gate.wait(30)
        return build(cfg)

    monkeypatch.setattr(playground, "build", slow_build)
    done = []
    worker = threading.Thread(target=lambda: done.append(manager.execute_deferred(first)))
    worker.start()
    try:
        assert inside.wait(30)
        with pytest.raises(MediaFileStorageError) as refused:
            later.execute_deferred(second)
        assert isinstance(refused.value.__cause__, downloads.Busy)
        assert len(trained) == 1
    finally:
        gate.set()
        worker.join()
    assert len(done) == 1 and len(trained) == 1
    later.execute_deferred(second)  # once the first is done, the second is computed
    assert len(trained) == 2


def test_the_progress_text_names_the_failed_update():
    cfg = playground.PlaygroundConfig(lr=10.0, optimizer="sgd", init="normal", init_std=3.0, layers=6, width=64,
                                      activations=("relu",) * 6, steps=300)
    last = shared.complete(playground.training_run(cfg)).frames[-1]
    text = live.progress_text(last, 300)
    assert f"{last.step} of 300" in text and f"update {last.diverged_at} diverged" in text


def test_a_page_plays_the_frames_in_order_and_stops_at_the_last():
    governor._VIEWERS.clear()  # a lone student: sessions of earlier tests would otherwise count as a class
    governor._PLAYERS.clear()
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
