"""The stores a class shares (lab/shared.py): computed once per key however many sessions ask, bounded by bytes,
read-only, untouched by Streamlit's cache clearing; a run's frames equal the run trained to those steps."""
import threading

import numpy as np
import pytest

from lab import playground, shared


def test_memo_computes_once_for_a_crowd_and_hands_out_read_only_values():
    calls = []
    gate = threading.Event()

    @shared.memo(max_bytes=2**20, name="test.crowd")
    def slow(x):
        calls.append(x)
        gate.wait(1.0)
        return {"a": np.arange(x, dtype=float)}

    results = []
    threads = [threading.Thread(target=lambda: results.append(slow(5))) for _ in range(12)]
    for th in threads:
        th.start()
    gate.set()
    for th in threads:
        th.join()
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
    store = shared.RUNS
    before = store.max_bytes
    try:
        store.max_bytes = 3 * 2**20
        for seed in range(6):
            cfg = playground.PlaygroundConfig(steps=100, seed=100 + seed)
            shared.complete(playground.training_run(cfg))
        assert store.bytes - store.pinned_bytes <= store.max_bytes + 2**20
    finally:
        store.max_bytes = before


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
