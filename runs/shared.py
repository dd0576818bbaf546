"""Results shared by every session of one server process: a class on one page computes each thing once.

Every lesson result is deterministic for its settings and seed, so the second student asking for a setting can be
handed what the first computed. Two stores, both bounded by bytes (not by entries), both plain Python objects of
this module (Streamlit's "clear cache" cannot empty them), both safe to use from many threads:

- ``memo``: a decorator for a pure function of hashable arguments (a static picture's data: activation statistics,
  a decision map, a loss slice). A value is computed once per key even when thirty sessions ask at the same moment
  (the others wait for it), then handed out by reference with its NumPy arrays made read-only.
- ``runs``: live training as a sequence of frames. A ``RunSpec`` says how to build the run's object (with
  ``run(n)`` and ``step``), what to keep of it at a frame (``snapshot(obj)``: what the page draws, small, never
  the object itself), and at which steps to keep frames. Sessions hold only a frame index; the session whose tick
  finds the next frame missing computes it (one at a time: the others show the newest frame there is), so thirty
  students pressing Train on the same setting train one network, and a student who arrives later replays it.

``pinned()`` marks what is computed inside it as never evicted: a lesson's defaults, computed once at server start
(``warm``), which every first screen shows. A run that a session plays or has shown in the last IN_USE_SECONDS is
not evicted either (a tick that shows a frame notes it): its frames stay in the store, where the next student with
the same setting finds them, instead of living on outside the bound in the player's session.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import math
import threading
import time
import typing
from collections import OrderedDict
from typing import Any, Callable, Hashable, Iterator

import numpy as np

_PINNING = threading.local()
_COURTESY = threading.local()


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """Entries created inside (memo values, runs) are never evicted: a lesson's defaults."""
    before = getattr(_PINNING, "on", False)
    _PINNING.on = True
    try:
        yield
    finally:
        _PINNING.on = before


def _pinning() -> bool:
    return getattr(_PINNING, "on", False)


@contextlib.contextmanager
def yielding(wait: Callable[[], None]) -> Iterator[None]:
    """Inside (in this thread only: the warm-up's), every computation of the stores stops at small steps to call
    ``wait()``, which returns when the thread may go on: before each memo value it computes, and every
    COURTESY_SECONDS of a run. Sessions go first; the warm-up fills the gaps."""
    before = getattr(_COURTESY, "wait", None)
    _COURTESY.wait = wait
    try:
        yield
    finally:
        _COURTESY.wait = before


COURTESY_SECONDS = 0.05  # the longest a yielding thread computes a run before it asks again


def _courteous() -> bool:
    """Wait for this thread's turn (inside ``yielding``, and not while it computes a memo value that others may
    wait for); True when this thread yields at all."""
    wait = getattr(_COURTESY, "wait", None)
    if wait is not None and not getattr(_COURTESY, "inside", 0):
        wait()
    return wait is not None


# ---- sizes and immutability ---------------------------------------------------------------------------------

def nbytes(value: Any, _seen: set | None = None) -> int:
    """An estimate of the memory a result holds: NumPy buffers in full, ~64 bytes for any other object."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return value.nbytes + 112 if value.base is None else 112
    if isinstance(value, (str, bytes)):
        return len(value) + 49
    if isinstance(value, dict):
        return 64 + sum(nbytes(k, seen) + nbytes(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return 56 + sum(nbytes(v, seen) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(nbytes(getattr(value, f.name), seen) for f in dataclasses.fields(value))
    if hasattr(value, "__dict__"):
        return 64 + sum(nbytes(v, seen) for v in vars(value).values())
    return 64


def freeze(value: Any, _seen: set | None = None) -> Any:
    """Make every NumPy array inside ``value`` read-only (in place) and return ``value``: a shared result that a
    page tried to modify would raise instead of silently changing what every other student sees."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return value
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, dict):
        for v in value.values():
            freeze(v, seen)
    elif isinstance(value, (list, tuple)):
        for v in value:
            freeze(v, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            freeze(getattr(value, f.name), seen)
    return value


# ---- a byte-bounded LRU ---------------------------------------------------------------------------------------

class _Entry:
    __slots__ = ("value", "size", "pinned", "used")

    def __init__(self, value, size, pinned, used):
        self.value, self.size, self.pinned, self.used = value, size, pinned, used


class Cache:
    """A thread-safe LRU bounded by bytes; pinned entries are never evicted (and not counted against the bound), nor
    is an entry used (read, grown or touched) in the last ``hold_seconds`` (counted: the store may then hold more
    than its bound, as much as the sessions of the moment use)."""

    def __init__(self, name: str, max_bytes: int, hold_seconds: float = 0.0):
        self.name, self.max_bytes, self.hold_seconds = name, int(max_bytes), float(hold_seconds)
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, list] = {}  # key -> [its lock, how many hold it or wait for it]
        self.hits = self.misses = self.evictions = 0

    def get(self, key, default=None):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            self._used(key, entry)
            self.hits += 1
            return entry.value

    def put(self, key, value, size: int | None = None, pinned: bool | None = None) -> None:
        size = nbytes(value) if size is None else size
        pinned = _pinning() if pinned is None else pinned
        with self._lock:
            old = self._entries.pop(key, None)
            self._entries[key] = _Entry(value, size, pinned or bool(old and old.pinned), time.monotonic())
            self._evict()

    def resize(self, key, size: int | Callable[[], int], value: Any = None) -> None:
        """A value that grows (a run's frames) reports its new size: a number, or a function counted here, under
        the store's lock. Growing is using: the entry becomes the most recent. ``value``: only if the key still
        holds that very object (not a newer one of the same key)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (value is None or entry.value is value):
                entry.size = size() if callable(size) else size
                self._used(key, entry)
                self._evict()

    def touch(self, key) -> bool:
        """Note that a session uses the entry now (a frame of it is shown): False when it is not stored."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._used(key, entry)
            return entry is not None

    def _used(self, key, entry: _Entry) -> None:
        entry.used = time.monotonic()
        self._entries.move_to_end(key)

    def _evict(self) -> None:
        unpinned = sum(e.size for e in self._entries.values() if not e.pinned)
        held_since = time.monotonic() - self.hold_seconds
        for key in list(self._entries):
            if unpinned <= self.max_bytes:
                break
            entry = self._entries[key]
            if entry.pinned or len(self._entries) == 1 or (self.hold_seconds and entry.used > held_since):
                continue
            del self._entries[key]
            unpinned -= entry.size
            self.evictions += 1

    @contextlib.contextmanager
    def computing(self, key) -> Iterator[None]:
        """Hold the key's computation lock: one computation per key at a time, however many sessions ask. The lock
        is shared by everyone who holds it or waits for it, and goes when the last of them leaves, whether the
        computation returned or raised (so a failure leaves nothing behind, and a late caller never gets a second
        lock while the first is still in use)."""
        with self._lock:
            slot = self._computing.get(key)
            if slot is None:
                slot = self._computing[key] = [threading.Lock(), 0]
            slot[1] += 1
        try:
            with slot[0]:
                yield
        finally:
            with self._lock:
                slot[1] -= 1
                if slot[1] == 0 and self._computing.get(key) is slot:
                    del self._computing[key]

    def waiting(self, key) -> int:
        """How many callers hold the key's computation lock or wait for it now (0: nobody computes it)."""
        with self._lock:
            slot = self._computing.get(key)
            return 0 if slot is None else slot[1]

    def values(self) -> list:
        """The values stored now (a copy of the list: the store may change while the caller reads them)."""
        with self._lock:
            return [entry.value for entry in self._entries.values()]

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        with self._lock:
            return sum(e.size for e in self._entries.values())

    @property
    def pinned_bytes(self) -> int:
        with self._lock:
            return sum(e.size for e in self._entries.values() if e.pinned)

    def clear(self, keep_pinned: bool = True) -> None:
        with self._lock:
            for key in [k for k, e in self._entries.items() if not (keep_pinned and e.pinned)]:
                del self._entries[key]


CACHES: dict[str, Cache] = {}


def drop_unpinned() -> int:
    """Empty every store of what is not pinned (a class has gone: its results go, the warmed defaults stay);
    -> the bytes dropped."""
    dropped = 0
    for cache in CACHES.values():
        before = cache.bytes
        cache.clear(keep_pinned=True)
        dropped += before - cache.bytes
    return dropped


def stats() -> dict[str, dict]:
    """Entries, bytes (pinned included), hits and misses of every shared store, for the benchmarks."""
    return {name: {"entries": len(c), "bytes": c.bytes, "pinned_bytes": c.pinned_bytes, "hits": c.hits,
                   "misses": c.misses, "evictions": c.evictions} for name, c in CACHES.items()}


def _key(args: tuple, kwargs: dict) -> Hashable:
    key = (args, tuple(sorted(kwargs.items())))
    hash(key)  # an unhashable argument (a list, an array) is a programming error: say so at once
    return key


def memo(max_bytes: int = 16 * 2**20, name: str | None = None):
    """Share a pure function's results between sessions, bounded by ``max_bytes`` (pinned values apart).

    The function's arguments must be hashable (numbers, strings, tuples, frozen dataclasses); its value is handed
    out by reference with its arrays read-only, so return plain data and never modify what it returns.
    """
    def decorate(fn: Callable) -> Callable:
        cache = CACHES.setdefault(name or f"{fn.__module__}.{fn.__qualname__}",
                                  Cache(name or fn.__qualname__, max_bytes))
        missing = object()

        @functools.wraps(fn)
        def shared(*args, **kwargs):
            key = _key(args, kwargs)
            value = cache.get(key, missing)
            if value is not missing:
                if _pinning():
                    cache.put(key, value, pinned=True)
                return value
            _courteous()  # a warm-up lets the sessions go first (never while it holds the key's lock)
            with cache.computing(key):  # the first caller computes; the others wait here and then find the value
                value = cache.get(key, missing)
                if value is missing:
                    cache.misses += 1
                    _COURTESY.inside = getattr(_COURTESY, "inside", 0) + 1
                    try:
                        value = freeze(fn(*args, **kwargs))
                    finally:
                        _COURTESY.inside -= 1
                    cache.put(key, value)
                elif _pinning():
                    cache.put(key, value, pinned=True)
            return value

        shared.cache = cache
        shared.key = _key  # the store's key of a call's arguments: shared.cache.get(shared.key(args, kwargs))
        return shared

    return decorate


# ---- live runs as frames ---------------------------------------------------------------------------------------

def frame_steps(total: int, frames: int = 40, first: int = 1) -> tuple[int, ...]:
    """The steps at which a run of ``total`` steps keeps a frame: 0, then a few early ones spaced geometrically
    (the first updates change the most), then evenly to ``total``; at most ``frames`` + 1 of them, all distinct."""
    total, frames = int(total), max(2, int(frames))
    if total <= frames:
        return tuple(range(0, total + 1))
    early = max(2, frames // 4)
    start = max(first, 1)
    geometric = np.unique(np.round(np.geomspace(start, max(start + 1, total / frames), early)).astype(int))
    even = np.round(np.linspace(total / (frames - len(geometric) + 1), total, frames - len(geometric))).astype(int)
    steps = np.unique(np.concatenate([[0], geometric, even]))
    return tuple(int(s) for s in steps if 0 <= s <= total)


@typing.runtime_checkable
class LiveRun(typing.Protocol):
    """What a ``RunSpec`` builds: an object trained in chunks, whose frames the pages draw.

    step: the updates done so far. run(n): up to n more updates (an object with other work between its updates, such
    as the landscape's slices, may do fewer per call: the caller calls again); however the calls are cut, the same
    step gives the same state, bit for bit (a run is computed in chunks whose size depends on the clock). Optionally (each read
    with getattr, absent = not there): ``diverged_at`` (int or None: the update whose loss was not finite; the run
    ends there), ``stopped`` (bool: nothing more to train) and ``release()`` (drop what the last forward pass left in
    the networks; called after every frame). ``check_live`` checks an object against all of it.
    """

    step: int

    def run(self, n: int) -> typing.Any: ...


def check_live(obj) -> None:
    """TypeError naming what ``obj`` lacks of the LiveRun contract (a programming error in a lesson's build)."""
    problems = []
    if not isinstance(obj, LiveRun):
        problems.append("run(n) and step")
    elif not isinstance(obj.step, (int, np.integer)) or isinstance(obj.step, bool):
        problems.append(f"an int step (it has {type(obj.step).__name__})")
    diverged = getattr(obj, "diverged_at", None)
    if diverged is not None and not isinstance(diverged, (int, np.integer)):
        problems.append("diverged_at as an int or None")
    if not isinstance(getattr(obj, "stopped", False), (bool, np.bool_)):
        problems.append("stopped as a bool")
    if getattr(obj, "release", None) is not None and not callable(obj.release):
        problems.append("a callable release")
    if problems:
        raise TypeError(f"{type(obj).__name__} is not a live run (runs.shared.LiveRun): it needs "
                        + "; ".join(problems))


@dataclasses.dataclass(frozen=True)
class RunSpec:
    """How to compute one live run. ``key`` identifies it (settings and seed): equal keys mean equal runs.

    build() -> a ``LiveRun``. snapshot(obj) -> what the page draws at that step (plain data, small). steps: the
    frame steps (``frame_steps``), ending at the run's last step.
    """
    key: Hashable
    build: Callable[[], Any] = dataclasses.field(compare=False)
    snapshot: Callable[[Any], Any] = dataclasses.field(compare=False)
    steps: tuple[int, ...] = dataclasses.field(compare=False)


@dataclasses.dataclass(frozen=True)
class Frame:
    """One kept moment of a run: the step it shows, what the page draws, and whether the run ended here."""
    index: int
    step: int
    data: Any
    diverged_at: int | None = None
    final: bool = False
    run: Hashable = None  # the key of the run it belongs to


class Run:
    """One shared run: its frames so far, and (until it is complete) the object that computes the next ones."""

    def __init__(self, spec: RunSpec):
        self.spec = spec
        self.frames: list[Frame] = []
        self._obj = None
        self._lock = threading.Lock()
        self._frames_bytes = 0  # what the frames hold, counted once per frame by the thread that kept it
        self._obj_bytes = self.LIVE_OBJECT_BYTES
        self.compute_seconds = 0.0

    @property
    def available(self) -> int:
        return len(self.frames)

    @property
    def complete(self) -> bool:
        return bool(self.frames) and self.frames[-1].final

    @property
    def last_index(self) -> int:
        """The index of the run's last frame, when known (complete), else of the last scheduled one."""
        return self.frames[-1].index if self.complete else len(self.spec.steps) - 1

    def frame(self, index: int) -> Frame:
        return self.frames[min(max(index, 0), len(self.frames) - 1)]

    LIVE_OBJECT_BYTES = 2**20  # the least a network in training is counted for

    def nbytes(self) -> int:
        """Frames and (while it trains) the live object: plain arithmetic on counts kept as frames are made."""
        return 256 + self._frames_bytes + (self._obj_bytes if self._obj is not None else 0)

    def advance(self, want: int, budget: float = 0.08, wait: bool = False) -> bool:
        """Compute frames until index ``want`` exists, the run ends, or ``budget`` seconds pass (after at least one
        step). Only one thread computes a run at a time: another caller returns False at once (or, with
        ``wait``, waits its turn). Returns True when this call added a frame."""
        if self.available > want or self.complete:
            return False
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            return self._advance(want, budget)
        finally:
            self._lock.release()

    def _advance(self, want: int, budget: float) -> bool:
        started = time.perf_counter()
        added = False
        if self._obj is None and not self.complete:
            self._obj = self.spec.build()
            check_live(self._obj)
            if not self.frames:
                self._keep(self._obj)
                added = True
        steps = self.spec.steps
        while self.available <= want and not self.complete:
            target = steps[self.available]
            obj = self._obj
            while obj.step < target and not _ended(obj):
                part = max(1, min(target - obj.step, math.ceil((target - steps[self.available - 1]) / 8)))
                obj.run(part)
                if time.perf_counter() - started >= budget:
                    break
            if obj.step >= target or _ended(obj):
                self._keep(obj)
                added = True
            if time.perf_counter() - started >= budget:
                break
        self.compute_seconds += time.perf_counter() - started
        return added

    def _keep(self, obj) -> None:
        index = len(self.frames)
        ended = _ended(obj)
        final = ended or index == len(self.spec.steps) - 1
        data = freeze(self.spec.snapshot(obj))
        release = getattr(obj, "release", None)
        if release is not None:  # between frames the networks keep nothing of their last pass (MLP.release)
            release()
        # what the object holds now (networks, optimizer state, data, history): a walk of a few ms per frame
        self._obj_bytes = max(self.LIVE_OBJECT_BYTES, nbytes(obj))
        self._frames_bytes += nbytes(data)
        self.frames.append(Frame(index, int(obj.step), data, getattr(obj, "diverged_at", None), final, self.spec.key))
        if final:
            self._obj = None  # the frames are all the pages need: the network, its optimizer and data go

    def read(self, read: Callable[[Any], Any]):
        """read(obj) while no frame is being computed (None once the run is complete and its object gone)."""
        with self._lock:
            return None if self._obj is None else read(self._obj)

    def copy_at(self, step: int):
        """A deep copy of the live object when it stands at exactly ``step`` updates (a paused run's object usually
        does: it stops at the frame it kept last), else None. The copy trains on from there bit for bit as the run
        itself (the LiveRun contract: a step's state does not depend on how the calls were cut)."""
        return self.read(lambda obj: copy.deepcopy(obj) if int(obj.step) == int(step) and not _ended(obj) else None)


def _ended(obj) -> bool:
    return getattr(obj, "diverged_at", None) is not None or bool(getattr(obj, "stopped", False))


IN_USE_SECONDS = 30.0  # a run shown (or played) this recently is in use: never evicted
RUNS = Cache("runs", 48 * 2**20, hold_seconds=IN_USE_SECONDS)
CACHES["runs"] = RUNS
_RUNS_LOCK = threading.Lock()


def run(spec: RunSpec) -> Run:
    """The shared run for ``spec.key`` (created on first use; pinned when created inside ``pinned()``). Asking for
    it is using it: it is not evicted for IN_USE_SECONDS (a panel asks on every run and every tick)."""
    found = RUNS.get(spec.key)
    if found is not None:
        if _pinning():
            RUNS.put(spec.key, found, found.nbytes(), pinned=True)
        return found
    with _RUNS_LOCK:
        found = RUNS.get(spec.key)
        if found is None:
            found = Run(spec)
            RUNS.misses += 1
            RUNS.put(spec.key, found, 256)
        return found


def live_copy(spec: RunSpec, step: int):
    """A copy of ``spec``'s live object at ``step`` when the class's run stands there (``Run.copy_at``), else None;
    a run nobody started is not created."""
    found = RUNS.get(spec.key)
    return None if found is None else found.copy_at(step)


def note_size(run_: Run) -> None:
    """Re-count a run's bytes after it gained frames (the store evicts by bytes; counted under the store's lock),
    and note it as used."""
    RUNS.resize(run_.spec.key, run_.nbytes, value=run_)


def complete(spec: RunSpec, budget: float = math.inf) -> Run:
    """Compute every frame of a run now (a lesson's warm-up at server start, a test)."""
    shared_run = run(spec)
    while not shared_run.complete:
        step_budget = min(budget, COURTESY_SECONDS) if _courteous() else budget
        shared_run.advance(len(spec.steps), budget=step_budget, wait=True)
    note_size(shared_run)
    if _pinning():
        RUNS.put(spec.key, shared_run, shared_run.nbytes(), pinned=True)
    return shared_run
