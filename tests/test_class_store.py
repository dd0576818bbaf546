"""The class store (ui/class_store.py): the same scenarios against the in-process backend and a real redis-server
(started here on a free port, the way `make serve` starts it). Hostile input: wrong or missing teacher keys, forged
answers, floods of joins, oversized codes: each refused with a reason, nothing stored."""
from __future__ import annotations

import threading

import pytest

from serve import redis_server
from ui import class_store as cs
from ui.class_store import ClassStore, MemoryBackend, Refused

REDIS = redis_server.find()


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if REDIS is None:
        pytest.skip("no redis-server: `apt-get install redis-server` (make serve and .ci/run install it)")
    proc, url = redis_server.start(REDIS, tmp_path_factory.mktemp("redis"))
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(params=["memory", "redis"])
def make_store(request):
    made = []

    def make(clock=None):
        if request.param == "memory":
            store = ClassStore(MemoryBackend(clock or Clock()), clock=clock or Clock())
        else:
            url = request.getfixturevalue("redis_url")
            backend = cs.RedisBackend(url, prefix=f"t{len(made)}{id(made)}:")
            backend.r.flushdb() if not made else None
            store = ClassStore(backend, clock=clock or Clock())
        made.append(store)
        return store

    return make


def test_a_class_from_start_to_close(make_store):
    store = make_store()
    code, key = store.create()
    assert len(code) == cs.CODE_LENGTH and set(code) <= set(cs.ALPHABET)
    assert store.exists(code.lower()) and store.exists(f"{code[:3]}-{code[3:]}")  # typed codes
    seats = [store.join(code) for _ in range(5)]
    assert len(set(seats)) == 5 and store.state(code).students == 5
    for i, seat in enumerate(seats):
        store.answer(code, seat, "losses.q1", option=i % 3, n_options=3, reason=i % 2, n_reasons=4)
    store.answer(code, seats[0], "losses.q1", option=2, n_options=3, reason=0, n_reasons=4)  # changed its mind
    tally = store.tally(code, "losses.q1", 3, 4)
    assert tally.rounds[0].counts == [1, 2, 2] and tally.rounds[0].answered == 5 and tally.joined == 5
    assert tally.rounds[0].by_reason[2] == [2, 0, 0, 0] and tally.rounds[0].by_reason[1] == [1, 1, 0, 0]
    assert store.my_answer(code, seats[0], "losses.q1", 1) == (2, 0)
    # reveal closes round 1; a second round opens beside it
    store.reveal(code, key, "losses.q1")
    with pytest.raises(Refused) as err:
        store.answer(code, seats[1], "losses.q1", option=0, n_options=3)
    assert err.value.reason == "closed"
    assert store.state(code).polls["losses.q1"] == (1, True)
    store.second_round(code, key, "losses.q1")
    store.answer(code, seats[1], "losses.q1", option=0, n_options=3)
    tally = store.tally(code, "losses.q1", 3, 4)
    assert [r.counts for r in tally.rounds] == [[1, 2, 2], [1, 0, 0]]
    # quick checks: the first answer counts
    assert store.check(code, seats[0], "losses.check1", True)
    assert not store.check(code, seats[0], "losses.check1", False)
    store.check(code, seats[1], "losses.check1", False)
    assert store.check_share(code, "losses.check1") == (1, 2)
    # route progress and the teacher's moves
    store.report_location(code, seats[0], "first:2")
    store.report_location(code, seats[1], "first:2")
    store.report_location(code, seats[2], "first:3")
    assert store.progress(code) == {"first:2": 2, "first:3": 1}
    store.move(code, key, "dropout", "first", 4, "rate=0.5")
    store.set_follow(code, key, True)
    state = store.state(code)
    assert state.follow and state.location == cs.Location("dropout", "first", 4, "rate=0.5", 1)
    # a reconnecting student keeps its seat (and so its answers)
    assert store.join(code, seats[0]) == seats[0]
    assert store.class_keys(code)
    store.close(code, key)
    assert store.class_keys(code) == []
    with pytest.raises(Refused):
        store.state(code)


def test_reset_empties_a_poll(make_store):
    store = make_store()
    code, key = store.create()
    seat = store.join(code)
    store.answer(code, seat, "vanishing.q1", 3, 4)
    store.reveal(code, key, "vanishing.q1")
    store.reset(code, key, "vanishing.q1")
    assert store.tally(code, "vanishing.q1", 4).rounds[0].counts == [0, 0, 0, 0]
    store.answer(code, seat, "vanishing.q1", 1, 4)  # open again


def test_an_idle_class_expires_with_everything_it_stored(make_store, request):
    clock = Clock()
    store = make_store(clock)
    code, key = store.create()
    seat = store.join(code)
    store.answer(code, seat, "losses.q1", 0, 3)
    store.check(code, seat, "losses.check1", True)
    if "redis" in request.node.name:  # real time: shorten the time to live and let Redis drop the keys
        store.b.expire_all(store._index(code), 1)
        import time
        time.sleep(2.2)
    else:
        clock.now += cs.IDLE_SECONDS - 60  # still there just before
        assert store.exists(code)
        clock.now += 61
    assert store.class_keys(code) == []
    assert not store.exists(code)


def test_activity_keeps_a_class_open(make_store, request):
    if "redis" in request.node.name:
        pytest.skip("the rule is the backend-independent touch; checked with the memory clock")
    clock = Clock()
    store = make_store(clock)
    code, key = store.create()
    seat = store.join(code)
    for _ in range(6):  # an answer every hour for six hours
        clock.now += 3600
        store.answer(code, seat, "losses.q1", 0, 3)
    assert store.exists(code) and store.tally(code, "losses.q1", 3).rounds[0].answered == 1


# ------------------------------------------------------------------------------------------------ hostile input
def test_only_the_teacher_key_can_act(make_store):
    store = make_store()
    code, key = store.create()
    seat = store.join(code)
    store.answer(code, seat, "losses.q1", 0, 3)
    before = {k: store.b.hgetall(k) if "keys" not in k and k != f"c:{code}:s" else None for k in store.class_keys(code)}
    for bad in (None, "", key[:-1] + ("A" if key[-1] != "A" else "B"), key + "x", "x" * 10_000, seat, 12):
        for act in (lambda k: store.reveal(code, k, "losses.q1"), lambda k: store.second_round(code, k, "losses.q1"),
                    lambda k: store.reset(code, k, "losses.q1"), lambda k: store.move(code, k, "dropout"),
                    lambda k: store.set_follow(code, k, True), lambda k: store.close(code, k)):
            with pytest.raises(Refused) as err:
                act(bad)
            assert err.value.reason == "bad_key"
    after = {k: store.b.hgetall(k) if "keys" not in k and k != f"c:{code}:s" else None for k in store.class_keys(code)}
    assert after == before and store.state(code).polls == {}


def test_forged_answers_are_refused(make_store):
    store = make_store()
    code, key = store.create()
    seat = store.join(code)
    keys = sorted(store.class_keys(code))
    for option, reason in ((3, None), (-1, None), ("1", None), (True, None), (1.0, None), (0, 4), (0, -1)):
        with pytest.raises(Refused) as err:
            store.answer(code, seat, "losses.q1", option, 3, reason, 4)
        assert err.value.reason == "bad_option"
    for qid in ("x" * 10_000, "losses", "../etc", "losses.q1:2", ""):
        with pytest.raises(Refused):
            store.answer(code, seat, qid, 0, 3)
    forged = seat[:-1] + ("0" if seat[-1] != "0" else "1")
    for who in (forged, "A" * 16 + "." + "0" * 16, "", "x" * 100_000):
        with pytest.raises(Refused) as err:
            store.answer(code, who, "losses.q1", 0, 3)
        assert err.value.reason == "not_joined"
    assert sorted(store.class_keys(code)) == keys  # no poll key was made


def test_many_answers_from_one_seat_count_once_and_are_rate_limited(make_store):
    store = make_store()
    code, _ = store.create()
    seat = store.join(code)
    refused = 0
    for i in range(200):
        try:
            store.answer(code, seat, "losses.q1", i % 3, 3)
        except Refused as err:
            assert err.reason == "rate"
            refused += 1
    assert refused == 200 - cs.ANSWERS_PER_SEAT[0]
    assert store.tally(code, "losses.q1", 3).rounds[0].answered == 1


def test_ten_thousand_joins(make_store, monkeypatch):
    monkeypatch.setattr(cs, "JOINS_PER_CLASS", (cs.JOINS_PER_CLASS[0], 3600))  # one window, however slow the machine
    store = make_store()
    code, _ = store.create()
    seats, reasons = [], {}
    for _ in range(10_000):
        try:
            seats.append(store.join(code))
        except Refused as err:
            reasons[err.reason] = reasons.get(err.reason, 0) + 1
    assert len(seats) == cs.JOINS_PER_CLASS[0] <= cs.MAX_STUDENTS
    assert reasons == {"rate": 10_000 - len(seats)}
    assert store.state(code).students == len(seats)


def test_the_student_cap_holds_under_concurrent_joins(make_store, monkeypatch):
    monkeypatch.setattr(cs, "JOINS_PER_CLASS", (10_000, 10))
    store = make_store()
    code, _ = store.create()
    results = []

    def join_many():
        for _ in range(60):
            try:
                results.append(store.join(code))
            except Refused as err:
                results.append(err.reason)

    threads = [threading.Thread(target=join_many) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sum(r != "class_full" for r in results) == cs.MAX_STUDENTS
    assert store.state(code).students == cs.MAX_STUDENTS


def test_bad_and_unknown_codes_store_nothing(make_store):
    store = make_store()
    store.create()
    keys = sorted(store.b.keys(""))
    for typed in ("x" * 100_000, "", "ABCDEFG", "0OIL15", "AAAAA\n", "<b>HI</b>", "C" * 65):
        with pytest.raises(Refused) as err:
            store.join(typed)
        assert err.value.reason == "bad_code"
    for _ in range(10_000):
        with pytest.raises(Refused) as err:
            store.join("AAAAAA")
        assert err.value.reason == "no_class"
    assert sorted(store.b.keys("")) == keys


def test_the_class_cap(make_store, monkeypatch):
    monkeypatch.setattr(cs, "MAX_CLASSES", 3)
    store = make_store()
    made = [store.create() for _ in range(3)]
    with pytest.raises(Refused) as err:
        store.create()
    assert err.value.reason == "full"
    store.close(*made[0])  # a closed class frees its place
    store.create()


def test_codes_avoid_look_alikes():
    for pair in ("0O", "1I", "1L", "2Z", "5S", "8B", "6G", "UV", "MN"):
        assert not set(pair) <= set(cs.ALPHABET), pair
    assert len(cs.ALPHABET) ** cs.CODE_LENGTH > 10_000_000


def test_the_memory_store_drops_what_expired_unread():
    clock = Clock()
    store = ClassStore(MemoryBackend(clock), clock=clock)
    code, _ = store.create()
    for _ in range(30):
        store.join(code)
    clock.now += cs.IDLE_SECONDS + 61
    other, _ = store.create()
    for _ in range(MemoryBackend.PURGE_EVERY):  # writes to another class only
        store.b.hset("c:x", {"a": "1"}, 10)
    assert not [k for k in store.b.data if code in k]
