"""The stores a class shares (runs/shared.py): computed once per key however many sessions ask, bounded by bytes,
read-only, untouched by Streamlit's cache clearing; a run's frames equal the run trained to those steps."""
import threading
import time

import numpy as np
import pytest

from lab import playground

from runs import shared


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_memo_computes_once_for_a_crowd_and_hands_out_read_only_values():
    """Twelve sessions ask for one value while it is being computed: the gate that ends the computation opens
    only once all twelve are inside the store at the same time (one computing, eleven waiting for it)."""
    calls = []
    gate = threading.Event()

    @shared.memo(max_bytes=2**20, name="test.crowd")
    def slow(x):
        calls.append(x)
        gate.wait(30.0)
        return {"a": np.arange(x, dtype=float)}

    key = slow.key((5,), {})
    results = []
    threads = [threading.Thread(target=lambda: results.append(slow(5))) for _ in range(12)]
    for th in threads:
        th.start()
    overlapped = wait_until(lambda: slow.cache.waiting(key) == 12)
    computing = list(calls)
    gate.set()
    for th in threads:
        th.join()
    assert overlapped, f"the crowd never overlapped: {slow.cache.waiting(key)} inside"
    assert computing == [5]  # while twelve were inside, one computed
    assert calls == [5] and len(results) == 12
    assert all(r is results[0] for r in results)  # one object, shared by reference
    with pytest.raises(ValueError):
        results[0]["a"][0] = 1.0  # read-only: a page cannot change what the others see


def test_memo_is_bounded_by_bytes_and_keeps_pinned_values():
    @shared.memo(max_bytes=3 * 8_000 + 1000, name="test.bound")
    def block(i):
        return np.zeros(1000) + i  # 8,000 bytes

    with shared.pinned():
        block(-1)
    for i in range(10):
        block(i)
    cache = block.cache
    assert cache.bytes - cache.pinned_bytes <= 3 * 8_000 + 1000
    assert len(cache) <= 5 and cache.evictions >= 6
    calls = cache.misses
    block(-1)  # pinned: still there
    assert cache.misses == calls


def test_streamlit_cache_clearing_leaves_the_shared_stores():
    import streamlit as st

    @shared.memo(name="test.clear")
    def value(x):
        return x * 2

    value(21)
    st.cache_data.clear()
    st.cache_resource.clear()
    misses = value.cache.misses
    assert value(21) == 42 and value.cache.misses == misses


def test_unhashable_arguments_are_refused():
    @shared.memo(name="test.hash")
    def f(x):
        return x

    with pytest.raises(TypeError):
        f([1, 2])


@pytest.mark.parametrize("total, frames", [(5, 40), (300, 40), (800, 40), (5000, 40), (41, 40), (100, 10)])
def test_frame_steps(total, frames):
    steps = shared.frame_steps(total, frames)
    assert steps[0] == 0 and steps[-1] == total
    assert all(a < b for a, b in zip(steps, steps[1:]))
    assert len(steps) <= frames + 1
    if total >= frames:
        assert len(steps) >= frames * 0.75  # close to the asked number: enough frames for an animation
        assert steps[1] <= max(1, total // 100)  # the first updates (where most changes) are seen


CFG = playground.PlaygroundConfig(dataset="spirals", layers=2, width=8, steps=120, seed=3)


def test_every_frame_equals_the_run_trained_to_its_step():
    spec = playground.training_run(CFG)
    run = shared.Run(spec)
    while not run.complete:
        run.advance(len(spec.steps), budget=0.01)  # in many small slices, as ticks do
    assert [f.step for f in run.frames] == list(spec.steps)
    for frame in run.frames[::7]:
        fresh = playground.build(CFG).run(frame.step)
        expected = playground.snapshot(fresh)
        np.testing.assert_array_equal(frame.data.grid[2], expected.grid[2])
        np.testing.assert_array_equal(frame.data.history["test_loss"], expected.history["test_loss"])
    assert run.frames[-1].final and run._obj is None  # the network is let go once the frames exist


def test_a_class_advancing_one_run_computes_each_frame_once():
    spec = playground.training_run(CFG.__class__(**{**CFG.__dict__, "seed": 4}))
    run = shared.Run(spec)
    built = []
    original = spec.build
    spec = shared.RunSpec(spec.key, lambda: built.append(1) or original(), spec.snapshot, spec.steps)
    run = shared.Run(spec)
    errors = []

    def student():
        try:
            for want in range(len(spec.steps)):
                run.advance(want, budget=0.005)
        except Exception as exc:  # pragma: no cover - a failure is reported below
            errors.append(exc)

    threads = [threading.Thread(target=student) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    while not run.complete:
        run.advance(len(spec.steps), wait=True)
    assert errors == [] and built == [1]
    assert [f.index for f in run.frames] == list(range(len(spec.steps)))


def test_a_diverging_run_ends_with_a_frame_that_names_the_failed_update():
    cfg = playground.PlaygroundConfig(lr=10.0, optimizer="sgd", init="normal", init_std=3.0, layers=6, width=64,
                                      activations=("relu",) * 6, steps=300)
    run = shared.complete(playground.training_run(cfg))
    last = run.frames[-1]
    assert last.final and last.diverged_at == last.step + 1
    assert all(np.all(np.isfinite(bars[1])) for bars in last.data.hists if bars is not None)


def test_the_shared_run_store_is_bounded_by_bytes():
    """Runs nobody uses any more (none shown for IN_USE_SECONDS, here 0) are evicted down to the bound."""
    store = shared.RUNS
    before = store.max_bytes, store.hold_seconds
    try:
        store.max_bytes, store.hold_seconds = 3 * 2**20, 0.0
        for seed in range(6):
            cfg = playground.PlaygroundConfig(steps=100, seed=100 + seed)
            shared.complete(playground.training_run(cfg))
        assert store.bytes - store.pinned_bytes <= store.max_bytes + 2**20
    finally:
        store.max_bytes, store.hold_seconds = before


def _counted(spec: shared.RunSpec, built: list) -> shared.RunSpec:
    return shared.RunSpec(spec.key, lambda: built.append(1) or spec.build(), spec.snapshot, spec.steps)


def test_a_playing_run_keeps_its_frames_while_a_crowd_opens_other_runs():
    """Issue 21, item 4: a session plays a run (each tick asks the store for it, computes the next frame within its
    budget and reports the run's new size, as ui.live's tick does) while a crowd opens distinct runs that overflow a
    small store. The playing run stays in the store with all its frames, computed once: a student who opens the
    same setting afterwards replays it instead of training it again."""
    store = shared.RUNS
    before = store.max_bytes
    built = []
    spec = _counted(playground.training_run(playground.PlaygroundConfig(steps=100, seed=8101)), built)
    stop = threading.Event()
    opened = []

    class Counter:  # a cheap run whose frames are big: the crowd's runs overflow the store quickly
        step = 0

        def run(self, n):
            self.step += n
            return self

    def crowd(offset):
        seed = 8200 + offset
        while not stop.is_set():
            other = shared.RunSpec(("test.crowd", seed), Counter, lambda obj: np.full(20_000, obj.step), (0, 1, 2, 3))
            shared.complete(other)  # opens, computes and reports its size (4 frames of 160 kB)
            opened.append(seed)
            seed += 10
            time.sleep(0.001)

    try:
        store.max_bytes = 2**20
        first = shared.run(spec)
        threads = [threading.Thread(target=crowd, args=(i,)) for i in range(3)]
        for th in threads:
            th.start()
        for index in range(len(spec.steps)):
            run = shared.run(spec)  # a tick
            assert run is first, f"evicted while playing, at frame {index}"
            while run.available <= index:
                run.advance(index, budget=0.08)
            shared.note_size(run)
            time.sleep(0.02)
        stop.set()
        for th in threads:
            th.join()
        assert len(opened) >= 20 and store.evictions > 0  # the crowd did overflow the store
        late = shared.run(spec)  # a student who arrives afterwards
        assert late is first and late.complete and [f.step for f in late.frames] == list(spec.steps)
        assert built == [1]
    finally:
        stop.set()
        store.max_bytes = before


def test_a_failing_computation_leaves_no_lock_and_can_be_asked_again():
    attempts = []

    @shared.memo(name="test.failing")
    def fragile(x):
        attempts.append(x)
        if len(attempts) == 1:
            raise RuntimeError("the first attempt fails")
        return x + 1

    with pytest.raises(RuntimeError):
        fragile(1)
    assert fragile.cache._computing == {}  # nothing left behind by the failure
    assert fragile(1) == 2 and attempts == [1, 1] and fragile.cache._computing == {}


def test_memo_never_computes_one_key_twice_at_once_while_values_come_and_go():
    """A store too small to keep its values: a late caller that finds its value gone computes it again, but never
    while an earlier computation of the same key is still running (the lock is not dropped under it)."""
    running, overlaps = {}, []
    guard = threading.Lock()

    @shared.memo(max_bytes=1, name="test.churn")
    def value(x):
        with guard:
            running[x] = running.get(x, 0) + 1
            if running[x] > 1:
                overlaps.append(x)
        time.sleep(0.002)
        with guard:
            running[x] -= 1
        return np.zeros(100) + x

    def caller(i):
        for j in range(150):
            value((i + j) % 3)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert overlaps == [] and value.cache._computing == {}


def test_a_run_counts_each_frame_once_however_many_sessions_report_it():
    """Sizes are counted as frames are kept (one thread computes a run at a time) and read under the store's lock:
    sessions reporting a run's size together never count a frame twice."""
    spec = playground.training_run(playground.PlaygroundConfig(steps=100, seed=8301))
    run = shared.run(spec)
    stop = threading.Event()

    def reporter():
        while not stop.is_set():
            shared.note_size(run)

    threads = [threading.Thread(target=reporter) for _ in range(6)]
    for th in threads:
        th.start()
    while not run.complete:
        run.advance(len(spec.steps), budget=0.005)
    stop.set()
    for th in threads:
        th.join()
    shared.note_size(run)
    expected = 256 + sum(shared.nbytes(f.data) for f in run.frames)
    assert run.nbytes() == expected
    assert shared.RUNS._entries[spec.key].size == expected


def test_dropping_unpinned_results_keeps_the_defaults():
    @shared.memo(name="test.drop")
    def value(x):
        return np.zeros(100) + x

    with shared.pinned():
        value(1)
    value(2)
    shared.drop_unpinned()
    misses = value.cache.misses
    value(1)
    assert value.cache.misses == misses  # pinned: kept
    value(2)
    assert value.cache.misses == misses + 1  # computed again


def test_a_run_in_progress_counts_its_network_and_keeps_nothing_of_its_last_pass():
    """Between frames the live object holds no arrays of its last pass (a decision map's grid would otherwise stay
    in every paused run), and the store counts what the object really holds, not a flat guess."""
    from lab import initialization

    spec = initialization.training_run(initialization.DEFAULTS.preset, seed=7)
    run_ = shared.Run(spec)
    run_.advance(1, budget=60.0, wait=True)
    assert not run_.complete and run_._obj is not None
    nets = [member.net for member in run_._obj.members.values()]
    assert all(net.trace == [] and net.blocks[0].dense.x is None for net in nets)
    assert run_.nbytes() >= sum(shared.nbytes(f.data) for f in run_.frames) + shared.nbytes(run_._obj)
