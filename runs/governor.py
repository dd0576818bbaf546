"""The tick governor: how often each playing session's live panel may redraw, so a class on one page shares the
process's time instead of queueing behind itself (ui/live.py asks it on every tick).

Each session that plays a live run reruns its panel's fragment every ``interval`` seconds; a tick brings every frame
of its interval, which the browser plays ten a second (ui.live.FRAME_SECONDS). One process can run only so many ticks
per second, all sessions together; with more players than that allows at TICK_SECONDS, every player ticks less often
and each tick brings more frames: a class sees the same ten pictures a second (as long as the server keeps up), never
a slower run or a stalled server.
``players()`` and ``viewers()`` count this process's sessions (by their id), ``note_tick_cost`` keeps a moving
average of one tick's CPU time, and ``interval_for(n)`` turns both into the interval every player is given.
"""
from __future__ import annotations

import threading
import time

# a tick computes for at most CHUNK_SHARE of its interval and CHUNK_SECONDS: Pause stays responsive, and a class
# shares the core fairly
CHUNK_SHARE, CHUNK_SECONDS = 0.3, 0.12
TICK_SECONDS = 0.3    # a lone student's tick: it brings the next three frames, which the browser plays in turn
# What one server process can run per second, all playing sessions together (each tick is a script run in a new
# thread plus its charts; measured on the 2-core machine, bench/classroom.py).
TICKS_PER_SECOND = 40
_INTERVALS = (0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0)
_PLAYERS: dict[str, float] = {}  # session -> when it last ticked while playing (this process)
_VIEWERS: dict[str, float] = {}  # session -> when it last drew a live panel (likely to press Train soon)
_PLAYERS_LOCK = threading.Lock()


def players(now: float | None = None, playing: str | None = None) -> int:
    """Sessions of this process that ticked while playing in the last two seconds (``playing``: note this one)."""
    return _count(_PLAYERS, 2.0, now, playing)


def viewers(now: float | None = None, viewing: str | None = None) -> int:
    """Sessions of this process that drew a live panel in the last 20 seconds: when a class opens a page
    together, its Train presses follow, and the first tick interval already allows for all of them."""
    return _count(_VIEWERS, 20.0, now, viewing)


def _count(seen: dict, within: float, now: float | None, noting: str | None) -> int:
    now = time.monotonic() if now is None else now
    with _PLAYERS_LOCK:
        if noting is not None:
            seen[noting] = now
        for sid in [s for s, t in seen.items() if now - t > within]:
            del seen[sid]
        return len(seen)


_TICK_COST = [0.008]  # a moving average of one tick's CPU time in this process (seconds)
BUSY_SHARE = 0.8  # the share of the process's time playing sessions may use together, the rest for everyone else


def note_tick_cost(seconds: float) -> None:
    _TICK_COST[0] = 0.9 * _TICK_COST[0] + 0.1 * min(seconds, 1.0)


def interval_for(n_players: int) -> float:
    """The tick interval when ``n_players`` sessions play at once: TICK_SECONDS while the server keeps up, then the
    next longer step of _INTERVALS that keeps all of them within TICKS_PER_SECOND and, at the ticks' measured
    cost, within BUSY_SHARE of the process (a tick that would arrive before the previous one finished only queues)."""
    wanted = max(n_players / TICKS_PER_SECOND, n_players * _TICK_COST[0] / BUSY_SHARE)
    return next((i for i in _INTERVALS if i >= wanted), _INTERVALS[-1])
