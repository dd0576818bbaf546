"""A class's shared state: polls, reasons, quick checks, where each student is. No Streamlit, no page code.

    store = ClassStore(MemoryBackend())                      # `make run`: one process keeps its classes
    store = ClassStore(RedisBackend("redis://:pw@127.0.0.1:6390/0"))   # `make serve`: every worker shares Redis
    code, key = store.create()                               # the class code for students, the teacher's key
    seat = store.join(code)                                  # an anonymous student (a signed random token)
    store.answer(code, seat, "losses.q1", option=2, n_options=3)
    store.tally(code, "losses.q1", n_options=3).rounds[0].counts   # [0, 0, 1]
    store.reveal(code, key, "losses.q1")                     # only with the teacher's key

One piece of logic over two backends with the same few primitives (hashes, capped sets, counters, expiry): a
dictionary in the process (``MemoryBackend``) or a Redis server (``RedisBackend``, redis-py); the tests run the same
scenarios against both. Everything a class stores lives under keys named after its code, each with a time to live
of IDLE_SECONDS (4 hours) renewed by the class's activity: a class nobody used for 4 hours is gone with everything
it stored. ``Refused`` (with a reason code the page translates) is raised for anything the store will not do, and
then nothing was stored.

What is stored, per class: a hash of the teacher's key (never the key), the seat signing salt, where the teacher
is (page, route step, the page's settings) and whether students follow automatically, each poll's round and whether
it is revealed, and per student seat (a random token, no name, no address): the option and reason picked per
question and round, whether each quick check's first answer was right, and the route step the student is on.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field

IDLE_SECONDS = 4 * 3600        # a class with no activity for this long is deleted (Redis TTLs)
MAX_CLASSES = 100              # open classes per store (per server, or per Redis for `make serve`)
MAX_STUDENTS = 200             # seats per class
CODE_LENGTH = 6
# No look-alikes: no 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 8/B, 6/G, U/V, M/N/W, typed from a projector in any case
ALPHABET = "ACEFHKPRTXY3479"
MAX_INPUT = 64                 # characters: anything longer is refused before any pattern looks at it
TOUCH_EVERY = 30.0             # s: how often a process renews a busy class's time to live
# rate limits: (events, window in seconds)
JOINS_PER_CLASS = (150, 10)    # a whole class joining within seconds is fine; a flood is not
ANSWERS_PER_SEAT = (40, 60)    # a student changing their mind, not a script
CREATES_PER_STORE = (30, 60)

_SEAT = re.compile(r"[A-Za-z0-9_-]{16}\.[0-9a-f]{16}\Z")
_KEY = re.compile(r"[A-Za-z0-9_-]{22}\Z")
_QID = re.compile(r"[a-z][a-z0-9_]{0,30}\.[a-z][a-z0-9_]{0,30}\Z")
_WHERE = re.compile(r"[a-z0-9_.:|-]{0,80}\Z")


class Refused(Exception):
    """The store did not do it; ``reason`` names why (a text key: classroom.refused_<reason>)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalize_code(typed: str) -> str:
    """A typed or linked class code in canonical form (upper case, spaces and dashes dropped); Refused("bad_code")
    when it cannot be one. The length is checked before any pattern."""
    if not isinstance(typed, str) or len(typed) > MAX_INPUT:
        raise Refused("bad_code")
    code = typed.strip().upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        raise Refused("bad_code")
    return code


def _fits(pattern: re.Pattern, value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_INPUT + 40 and pattern.match(value) is not None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# ------------------------------------------------------------------------------------------------ backends
class MemoryBackend:
    """The primitives in one process's memory (a lock around a dict of key -> [value, expires at])."""

    PURGE_EVERY = 1000  # writes: expired keys are dropped on access, and all of them every this many writes

    def __init__(self, clock=time.time):
        self.clock = clock
        self.data: dict[str, list] = {}
        self.lock = threading.Lock()
        self.writes = 0

    def _get(self, key, kind):
        entry = self.data.get(key)
        if entry is not None and entry[1] is not None and entry[1] <= self.clock():
            del self.data[key]
            entry = None
        if entry is None:
            return None
        return entry[0]

    def _wrote(self):
        """Under the lock: every PURGE_EVERY writes, drop what expired unread too."""
        self.writes += 1
        if self.writes % self.PURGE_EVERY == 0:
            for old in list(self.data):
                self._get(old, None)

    def _make(self, key, kind):
        self._wrote()
        value = self._get(key, kind)
        if value is None:
            value = kind()
            self.data[key] = [value, None]
        return value

    def purge(self) -> None:
        with self.lock:
            for key in list(self.data):
                self._get(key, None)

    def hset(self, key, mapping: dict, ttl: float) -> None:
        with self.lock:
            self._make(key, dict).update(mapping)
            self.data[key][1] = self.clock() + ttl

    def hsetnx(self, key, name, value, ttl: float) -> bool:
        with self.lock:
            h = self._make(key, dict)
            self.data[key][1] = self.clock() + ttl
            if name in h:
                return False
            h[name] = value
            return True

    def hget(self, key, name):
        with self.lock:
            return (self._get(key, dict) or {}).get(name)

    def hgetall(self, key) -> dict:
        with self.lock:
            return dict(self._get(key, dict) or {})

    def hdel(self, key, name) -> None:
        with self.lock:
            (self._get(key, dict) or {}).pop(name, None)

    def sadd_capped(self, key, member, cap: int, ttl: float) -> str:
        """'present', 'added' or 'full' (atomic: the cap holds however many processes add at once)."""
        with self.lock:
            s = self._make(key, set)
            self.data[key][1] = self.clock() + ttl
            if member in s:
                return "present"
            if len(s) >= cap:
                return "full"
            s.add(member)
            return "added"

    def sismember(self, key, member) -> bool:
        with self.lock:
            return member in (self._get(key, set) or set())

    def smembers(self, key) -> set:
        with self.lock:
            return set(self._get(key, set) or set())

    def scard(self, key) -> int:
        with self.lock:
            return len(self._get(key, set) or set())

    def srem(self, key, member) -> None:
        with self.lock:
            (self._get(key, set) or set()).discard(member)

    def delete(self, *keys) -> None:
        with self.lock:
            for key in keys:
                self.data.pop(key, None)

    def exists(self, key) -> bool:
        with self.lock:
            return self._get(key, None) is not None

    def expire_all(self, index_key, ttl: float) -> None:
        """Renew the time to live of index_key and of every key it lists (a set of key names)."""
        with self.lock:
            names = self._get(index_key, set) or set()
            until = self.clock() + ttl
            for key in [index_key, *names]:
                if self._get(key, None) is not None:
                    self.data[key][1] = until

    def hit(self, key, window: float) -> int:
        """Count one event in a fixed window: the count so far in this window (the counter expires with it)."""
        with self.lock:
            self._wrote()
            entry = self.data.get(key)
            if entry is None or entry[1] <= self.clock():
                self.data[key] = [0, self.clock() + window]
            self.data[key][0] += 1
            return self.data[key][0]

    def keys(self, prefix: str) -> list[str]:
        with self.lock:
            return [k for k in list(self.data) if k.startswith(prefix) and self._get(k, None) is not None]


_SADD_CAPPED = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[3]); return 'present' end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 'full' end
redis.call('SADD', KEYS[1], ARGV[1]); redis.call('EXPIRE', KEYS[1], ARGV[3]); return 'added'
"""
_EXPIRE_ALL = """
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('EXPIRE', k, ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1]); return 1
"""


class RedisBackend:
    """The same primitives on a Redis server (redis-py; `make serve` starts one with a password, see serve/)."""

    def __init__(self, url: str, prefix: str = "dnnlab:"):
        import redis

        self.prefix = prefix
        self.r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=2.0, socket_connect_timeout=2.0,
                                      health_check_interval=30)
        self._capped = self.r.register_script(_SADD_CAPPED)
        self._expire_all = self.r.register_script(_EXPIRE_ALL)

    def _k(self, key):
        return self.prefix + key

    @staticmethod
    def _s(ttl):
        return max(1, int(round(ttl)))

    def hset(self, key, mapping, ttl):
        with self.r.pipeline() as p:
            p.hset(self._k(key), mapping=mapping).expire(self._k(key), self._s(ttl)).execute()

    def hsetnx(self, key, name, value, ttl):
        with self.r.pipeline() as p:
            added, _ = p.hsetnx(self._k(key), name, value).expire(self._k(key), self._s(ttl)).execute()
        return bool(added)

    def hget(self, key, name):
        return self.r.hget(self._k(key), name)

    def hgetall(self, key):
        return self.r.hgetall(self._k(key))

    def hdel(self, key, name):
        self.r.hdel(self._k(key), name)

    def sadd_capped(self, key, member, cap, ttl):
        return self._capped(keys=[self._k(key)], args=[member, cap, self._s(ttl)])

    def sismember(self, key, member):
        return bool(self.r.sismember(self._k(key), member))

    def smembers(self, key):
        return set(self.r.smembers(self._k(key)))

    def scard(self, key):
        return int(self.r.scard(self._k(key)))

    def srem(self, key, member):
        self.r.srem(self._k(key), member)

    def delete(self, *keys):
        if keys:
            self.r.delete(*(self._k(k) for k in keys))

    def exists(self, key):
        return bool(self.r.exists(self._k(key)))

    def expire_all(self, index_key, ttl):
        # the index lists full key names (prefixed), so the script needs no knowledge of the prefix
        self._expire_all(keys=[self._k(index_key)], args=[self._s(ttl)])

    def hit(self, key, window):
        with self.r.pipeline() as p:
            count, _ = p.incr(self._k(key)).expire(self._k(key), self._s(window), nx=True).execute()
        return int(count)

    def keys(self, prefix):
        n = len(self.prefix)
        return [k[n:] for k in self.r.scan_iter(match=self._k(prefix) + "*", count=500)]


# ------------------------------------------------------------------------------------------------ the class
@dataclass(frozen=True)
class Location:
    """Where the teacher is: a page, maybe a route step, and the page's settings (a query string)."""
    page: str = ""
    route: str = ""
    step: int = 0
    query: str = ""
    seq: int = 0  # grows with every move, so a student can tell a new move from an old one


@dataclass(frozen=True)
class ClassState:
    follow: bool
    location: Location
    polls: dict            # qid -> (round, revealed)
    students: int


@dataclass
class Round:
    counts: list           # per option
    by_reason: list        # [option][reason] (reasons in their stored order; the first is the right one)
    answered: int


@dataclass
class Tally:
    rounds: list = field(default_factory=list)   # Round 1, and Round 2 once asked
    joined: int = 0
    revealed: bool = False


class ClassStore:
    """The rules of a class over a backend (see the module's docstring)."""

    def __init__(self, backend, clock=time.time):
        self.b = backend
        self.clock = clock
        self._touched: dict[str, float] = {}

    # -- keys
    @staticmethod
    def _meta(code):
        return f"c:{code}"

    def _index(self, code):
        return f"c:{code}:keys"

    def _new_key(self, code, key):
        """Note a key of the class (so expiry and close reach it)."""
        full = getattr(self.b, "prefix", "") + key
        self.b.sadd_capped(self._index(code), full, 10_000, IDLE_SECONDS)

    def _touch(self, code, force=False):
        now = self.clock()
        if force or now - self._touched.get(code, 0.0) >= TOUCH_EVERY:
            self._touched[code] = now
            self.b.expire_all(self._index(code), IDLE_SECONDS)

    def _limit(self, name, limit):
        events, window = limit
        if self.b.hit(f"rl:{name}", window) > events:
            raise Refused("rate")

    # -- creating and joining
    def create(self) -> tuple[str, str]:
        """A new class -> (code, teacher key). Refused('full') when MAX_CLASSES are open."""
        self._limit("create", CREATES_PER_STORE)
        if self.b.scard("classes") >= MAX_CLASSES:  # drop classes that expired
            for code in self.b.smembers("classes"):
                if not self.b.exists(self._meta(code)):
                    self.b.srem("classes", code)
        for _ in range(20):
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            if self.b.exists(self._meta(code)):
                continue
            added = self.b.sadd_capped("classes", code, MAX_CLASSES, 10 * 365 * 86400)
            if added == "full":
                raise Refused("full")
            if added == "present":
                continue
            key = secrets.token_urlsafe(16)
            self.b.hset(self._meta(code), {"key": _digest(key), "salt": secrets.token_hex(16),
                                           "created": f"{self.clock():.0f}", "follow": "0", "seq": "0"},
                        IDLE_SECONDS)
            self._new_key(code, self._meta(code))
            return code, key
        raise Refused("full")

    def exists(self, code: str) -> bool:
        return self.b.exists(self._meta(normalize_code(code)))

    def _salt(self, code) -> str:
        salt = self.b.hget(self._meta(code), "salt")
        if salt is None:
            raise Refused("no_class")
        return salt

    @staticmethod
    def _sign(salt, token):
        return hmac.new(salt.encode(), token.encode(), hashlib.sha256).hexdigest()[:16]

    def seat_valid(self, code: str, seat: str) -> bool:
        if not _fits(_SEAT, seat):
            return False
        token, sig = seat.split(".")
        return hmac.compare_digest(sig, self._sign(self._salt(code), token))

    def join(self, code: str, seat: str | None = None) -> str:
        """A student's seat in the class: the given one when it is this class's (a reconnect keeps its answers),
        else a new one. Refused: bad_code, no_class, rate, full (MAX_STUDENTS)."""
        code = normalize_code(code)
        salt = self._salt(code)
        if seat is not None and self.seat_valid(code, seat) and self.b.sismember(f"c:{code}:s", seat):
            self._touch(code)
            return seat
        self._limit(f"join:{code}", JOINS_PER_CLASS)
        if seat is None or not self.seat_valid(code, seat):
            token = secrets.token_urlsafe(12)
            seat = f"{token}.{self._sign(salt, token)}"
        if self.b.sadd_capped(f"c:{code}:s", seat, MAX_STUDENTS, IDLE_SECONDS) == "full":
            raise Refused("class_full")
        self._new_key(code, f"c:{code}:s")
        self._touch(code)
        return seat

    def is_member(self, code: str, seat: str) -> bool:
        return self.seat_valid(code, seat) and self.b.sismember(f"c:{code}:s", seat)

    def is_teacher(self, code: str, key) -> bool:
        """Constant-time comparison of the key's digest with the stored one."""
        stored = self.b.hget(self._meta(code), "key")
        if stored is None:
            raise Refused("no_class")
        given = _digest(key) if isinstance(key, str) and len(key) <= MAX_INPUT else ""
        return hmac.compare_digest(given.encode(), stored.encode()) and _fits(_KEY, key)

    def _teacher(self, code: str, key) -> str:
        code = normalize_code(code)
        if not self.is_teacher(code, key):
            raise Refused("bad_key")
        self._touch(code)
        return code

    # -- state
    def state(self, code: str) -> ClassState:
        code = normalize_code(code)
        meta = self.b.hgetall(self._meta(code))
        if not meta:
            raise Refused("no_class")
        polls = {}
        for qid, value in self.b.hgetall(f"c:{code}:q").items():
            rnd, revealed = value.split(":")
            polls[qid] = (int(rnd), revealed == "1")
        loc = Location(meta.get("page", ""), meta.get("route", ""), int(meta.get("step", "0")),
                       meta.get("query", ""), int(meta.get("seq", "0")))
        return ClassState(meta.get("follow") == "1", loc, polls, self.b.scard(f"c:{code}:s"))

    def _poll(self, code, qid) -> tuple[int, bool]:
        value = self.b.hget(f"c:{code}:q", qid)
        if value is None:
            return 1, False
        rnd, revealed = value.split(":")
        return int(rnd), revealed == "1"

    # -- students
    def _student(self, code, seat):
        code = normalize_code(code)
        if not self.is_member(code, seat):
            raise Refused("not_joined")
        self._limit(f"seat:{seat}", ANSWERS_PER_SEAT)
        return code

    def answer(self, code: str, seat: str, qid: str, option: int, n_options: int, reason: int | None = None,
               n_reasons: int = 0) -> int:
        """Record (or change) a student's answer to a poll in its open round -> the round. Refused: not_joined,
        rate, bad_question, bad_option, closed (revealed and no second round)."""
        if not _fits(_QID, qid) or not 2 <= n_options <= 8 or not 0 <= n_reasons <= 8:
            raise Refused("bad_question")
        if isinstance(option, bool) or not isinstance(option, int) or not 0 <= option < n_options:
            raise Refused("bad_option")
        if reason is not None and (isinstance(reason, bool) or not isinstance(reason, int)
                                   or not 0 <= reason < n_reasons):
            raise Refused("bad_option")
        code = self._student(code, seat)
        rnd, revealed = self._poll(code, qid)
        if rnd == 1 and revealed:
            raise Refused("closed")
        key = f"c:{code}:a:{qid}:{rnd}"
        self.b.hset(key, {seat: f"{option}" if reason is None else f"{option}:{reason}"}, IDLE_SECONDS)
        self._new_key(code, key)
        self._touch(code)
        return rnd

    def my_answer(self, code: str, seat: str, qid: str, rnd: int) -> tuple[int, int | None] | None:
        code = normalize_code(code)
        value = self.b.hget(f"c:{code}:a:{qid}:{rnd}", seat) if _fits(_QID, qid) else None
        if value is None:
            return None
        option, _, reason = value.partition(":")
        return int(option), (int(reason) if reason else None)

    def tally(self, code: str, qid: str, n_options: int, n_reasons: int = 0) -> Tally:
        """Counts per option and per option x reason, per round."""
        code = normalize_code(code)
        rnd, revealed = self._poll(code, qid)
        out = Tally(joined=self.b.scard(f"c:{code}:s"), revealed=revealed)
        for r in range(1, rnd + 1):
            counts = [0] * n_options
            by_reason = [[0] * max(n_reasons, 1) for _ in range(n_options)]
            answered = 0
            for value in self.b.hgetall(f"c:{code}:a:{qid}:{r}").values():
                option, _, reason = value.partition(":")
                o = int(option)
                if 0 <= o < n_options:
                    counts[o] += 1
                    answered += 1
                    if reason and 0 <= int(reason) < n_reasons:
                        by_reason[o][int(reason)] += 1
            out.rounds.append(Round(counts, by_reason, answered))
        return out

    def check(self, code: str, seat: str, qid: str, right: bool) -> bool:
        """A quick check's first answer from this seat (later ones are the student's own practice) -> recorded."""
        if not _fits(_QID, qid):
            raise Refused("bad_question")
        code = self._student(code, seat)
        key = f"c:{code}:k:{qid}"
        added = self.b.hsetnx(key, seat, "1" if right else "0", IDLE_SECONDS)
        self._new_key(code, key)
        self._touch(code)
        return added

    def check_share(self, code: str, qid: str) -> tuple[int, int]:
        """(right, answered) of a quick check's first answers."""
        code = normalize_code(code)
        values = list(self.b.hgetall(f"c:{code}:k:{qid}").values()) if _fits(_QID, qid) else []
        return sum(v == "1" for v in values), len(values)

    def report_location(self, code: str, seat: str, where: str) -> None:
        """Where a student is ("route:step", or "" off the route); only the teacher's progress view reads it."""
        code = normalize_code(code)
        if not _fits(_WHERE, where) or not self.is_member(code, seat):
            raise Refused("bad_question")
        key = f"c:{code}:l"
        self.b.hset(key, {seat: where}, IDLE_SECONDS)
        self._new_key(code, key)
        self._touch(code)

    def progress(self, code: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for where in self.b.hgetall(f"c:{normalize_code(code)}:l").values():
            counts[where] = counts.get(where, 0) + 1
        return counts

    # -- the teacher (every call checks the key first; a wrong one changes nothing)
    def reveal(self, code: str, key: str, qid: str) -> None:
        code = self._teacher(code, key)
        if not _fits(_QID, qid):
            raise Refused("bad_question")
        rnd, _ = self._poll(code, qid)
        self.b.hset(f"c:{code}:q", {qid: f"{rnd}:1"}, IDLE_SECONDS)
        self._new_key(code, f"c:{code}:q")

    def second_round(self, code: str, key: str, qid: str) -> None:
        code = self._teacher(code, key)
        if not _fits(_QID, qid):
            raise Refused("bad_question")
        self.b.hset(f"c:{code}:q", {qid: "2:1"}, IDLE_SECONDS)
        self._new_key(code, f"c:{code}:q")

    def reset(self, code: str, key: str, qid: str) -> None:
        """The poll back to an open, empty first round."""
        code = self._teacher(code, key)
        if not _fits(_QID, qid):
            raise Refused("bad_question")
        self.b.delete(f"c:{code}:a:{qid}:1", f"c:{code}:a:{qid}:2")
        self.b.hdel(f"c:{code}:q", qid)

    def move(self, code: str, key: str, page: str, route: str = "", step: int = 0, query: str = "") -> None:
        """The teacher is on another page or route step (students may follow)."""
        code = self._teacher(code, key)
        if len(page) > 40 or len(route) > 40 or len(query) > 2000 or not 0 <= step < 1000:
            raise Refused("bad_question")
        seq = int(self.b.hget(self._meta(code), "seq") or 0) + 1
        self.b.hset(self._meta(code), {"page": page, "route": route, "step": str(step), "query": query,
                                       "seq": str(seq)}, IDLE_SECONDS)

    def set_follow(self, code: str, key: str, follow: bool) -> None:
        code = self._teacher(code, key)
        self.b.hset(self._meta(code), {"follow": "1" if follow else "0"}, IDLE_SECONDS)

    def close(self, code: str, key: str) -> None:
        """Delete everything the class stored."""
        code = self._teacher(code, key)
        names = self.b.smembers(self._index(code))
        prefix = getattr(self.b, "prefix", "")
        self.b.delete(*(n[len(prefix):] for n in names), self._index(code), self._meta(code))
        self.b.srem("classes", code)

    def class_keys(self, code: str) -> list[str]:
        """Every key the class holds (tests: nothing left behind)."""
        return self.b.keys(f"c:{normalize_code(code)}")


# ------------------------------------------------------------------------------------------------ the process's
_STORE: list = []
_STORE_LOCK = threading.Lock()
STORE_ENV = "DNNLAB_CLASS_STORE"


def store() -> ClassStore:
    """The process's store: Redis when DNNLAB_CLASS_STORE names one (`make serve` sets it), else memory."""
    with _STORE_LOCK:
        if not _STORE:
            import os

            url = os.environ.get(STORE_ENV, "").strip()
            _STORE.append(ClassStore(RedisBackend(url) if url else MemoryBackend()))
        return _STORE[0]
