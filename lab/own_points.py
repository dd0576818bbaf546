"""The playground's own data: 2-D points of two classes that a student clicks onto the plane or uploads as CSV.

    points = parse_csv(text)           # ((x, y, label), ...), checked; a bad file -> DataError naming the problem
    text = encode(points)              # "0.5:1.2:0;..." for the link (and decode(text) back)
    ds = dataset(points, test_ratio, seed)  # a core.data.Dataset the network trains on like the built-in sets
    held = split(points, test_ratio, seed)  # (N,) True for a held-out (test) point; every drawn cluster keeps one to train
    points = added(points, 1.5, -0.5, 1)  # a click on the plane; removed(points, x, y) takes the nearest point away
    missing(points)                    # (n0, n1): how many more of each class before it can train (ready(points))

Points live on the plane the decision map shows (both coordinates in [-LIMIT, LIMIT]), with labels 0 and 1, at most
MAX_POINTS of them, rounded to two decimals (so a link and a file reproduce them exactly).
"""
from __future__ import annotations

import csv
import functools
import io
import math

import numpy as np

from core import data
from lab.settings import Refused, read_number

OWN_NAME = "own"  # the data set of one's own points: its name in links (data=own), files and the engine's Dataset
MAX_POINTS = 300
LIMIT = 4.0
MAX_BYTES = 16 * 1024
MIN_PER_CLASS = 3  # a class needs points on both sides of the train/test split, and more to learn from
DECIMALS = 2


class DataError(ValueError):
    """A refused set of points: str() is English; code and params let a page say it in its language."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code, self.params = code, params


Point = tuple  # (x, y, label)


def point(x: float, y: float, label: int) -> Point:
    """One checked point, coordinates rounded to DECIMALS."""
    if not (isinstance(label, (int, np.integer)) and label in (0, 1)):
        raise DataError("label", f"a label must be 0 or 1, got {label!r}", got=repr(label)[:20])
    if not (math.isfinite(x) and math.isfinite(y)) or abs(x) > LIMIT or abs(y) > LIMIT:
        raise DataError("range", f"a point must lie in [-{LIMIT:g}, {LIMIT:g}]², got ({x:g}, {y:g})",
                        got=f"({x:g}, {y:g})", limit=f"{LIMIT:g}")
    return (round(float(x), DECIMALS), round(float(y), DECIMALS), int(label))


def check(points) -> tuple[Point, ...]:
    """The points as a tuple of checked points; too many, or too few of a class to train on, is refused."""
    pts = tuple(point(*p) for p in points)
    if len(pts) > MAX_POINTS:
        raise DataError("too_many", f"{len(pts)} points; at most {MAX_POINTS}", count=len(pts), limit=MAX_POINTS)
    return pts


def counts(points) -> tuple[int, int]:
    """How many points each class has: (class 0, class 1)."""
    labels = [p[2] for p in points]
    return labels.count(0), labels.count(1)


def missing(points) -> tuple[int, int]:
    """How many more points each class needs before the network can train on them: (class 0, class 1)."""
    return tuple(max(0, MIN_PER_CLASS - n) for n in counts(points))


def ready(points) -> bool:
    """Enough points of each class to train on (MIN_PER_CLASS each)."""
    return not any(missing(points))


MAX_FIELD = 32  # a coordinate or label longer than this is refused before it is read ("-3.9999999999999999e-01": 23)
_NUMBER_CHARS = "0123456789+-.eE"  # what a number is written with (a longer field of only these is "too long")


def _cut(text: str, limit: int = 20) -> str:
    """A file's text quoted in a refusal: at most ``limit`` characters, an ellipsis where it was cut."""
    return text if len(text) <= limit else text[:limit] + "…"


def _number(text: str, line: int) -> float:
    """A field as a number, read by the one number reader of links and files (lab.settings.read_number: the length
    capped first, then one pass); a value too large or too small for a float is read as ±inf or 0 (the plane's
    check then refuses the first)."""
    text = text.strip()
    if len(text) > MAX_FIELD and text.strip(_NUMBER_CHARS):  # words, or digits with a letter: whatever its length
        raise DataError("not_number", f"line {line}: {_cut(text)!r} is not a number", line=line, got=_cut(text))
    try:
        return read_number(text, MAX_FIELD)
    except Refused as err:
        if err.code == "too_long":
            raise DataError("too_long", f"line {line}: {_cut(text)!r} is too long for a number (at most "
                            f"{MAX_FIELD} characters)", line=line, got=_cut(text), limit=MAX_FIELD) from None
        if err.code in ("too_large", "too_small"):
            return float(text)
        raise DataError("not_number", f"line {line}: {_cut(text)!r} is not a number", line=line,
                        got=_cut(text)) from None


def _reads_as_number(text: str) -> bool:
    try:
        read_number(text, MAX_FIELD)
    except Refused as err:
        return err.code in ("too_large", "too_small")
    return True


def _header(row: list[str]) -> bool:
    """A first line that names the columns: short words, no number first ("0.5;1.2;0" is a point written with the
    wrong separator, and a field too long to be a name is a point's field that is refused as such)."""
    fields = [cell.strip() for cell in row]
    return (all(len(f) <= MAX_FIELD for f in fields) and not _reads_as_number(fields[0])
            and any(ch.isalpha() for f in fields for ch in f))


def _entry(fields, line: int) -> Point:
    """One point from its three texts x, y, label (line: where it is, named in a refusal)."""
    x, y, label = (_number(f, line) for f in fields)
    if label not in (0.0, 1.0):
        raise DataError("label", f"line {line}: the label must be 0 or 1", line=line, got=_cut(fields[2].strip()))
    try:
        return point(x, y, int(label))
    except DataError as err:
        err.params["line"] = line
        raise


def _refusing(what: str):
    """A reader of a user's text (a file, a link) that never raises anything but DataError: whatever else goes wrong
    while reading it (the csv module's own errors, say) is refused as unreadable, naming ``what``."""
    def decorate(read):
        @functools.wraps(read)
        def refusing(text):
            try:
                return read(text)
            except DataError:
                raise
            except Exception as err:  # a user's text: no exception of its reading may reach the page
                raise DataError("unreadable", f"{what} cannot be read ({type(err).__name__})") from None
        return refusing
    return decorate


@_refusing("the file")
def parse_csv(text: str | bytes) -> tuple[Point, ...]:
    """Points from CSV text: one point per line, ``x,y,label`` (label 0 or 1; a fourth column "train" or "test", as
    ``to_csv`` writes it, is allowed), an optional header line naming the columns, blank lines ignored. Refused with
    a DataError naming the line and the problem; whatever else goes wrong while reading (the csv module's own
    errors) is a DataError too, never another exception."""
    return _parse_csv(text)


def _parse_csv(text: str | bytes) -> tuple[Point, ...]:
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_BYTES:
            raise DataError("too_large", f"the file has {len(text):,} bytes; at most {MAX_BYTES:,}",
                            size=f"{len(text):,}", limit=f"{MAX_BYTES:,}")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError("not_utf8", "the file is not UTF-8 text") from None
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise DataError("too_large", f"the file is larger than {MAX_BYTES:,} bytes", size="—", limit=f"{MAX_BYTES:,}")
    points = []
    for line, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if line == 1 and _header(row):
            continue
        points.append(_entry(_point_fields(row, line), line))
        if len(points) > MAX_POINTS:
            raise DataError("too_many", f"more than {MAX_POINTS} points", count=f"> {MAX_POINTS}", limit=MAX_POINTS)
    if not points:
        raise DataError("empty", "the file holds no points")
    return tuple(points)


SETS = ("train", "test")  # the optional fourth column of a CSV file: where the page's split put the point


def _point_fields(row: list[str], line: int) -> list[str]:
    """A CSV row's x, y, label: three columns, or four whose last says where the page's split put the point
    ("train" or "test", as ``to_csv`` writes it; read back, the page splits again by its own share and seed)."""
    if len(row) == 4 and row[3].strip().lower() in SETS:
        return row[:3]
    if len(row) != 3:
        raise DataError("columns", f"line {line}: {len(row)} columns; a point is x,y,label (and train or test)",
                        line=line, count=len(row))
    return row


def to_csv(points, held_out=None) -> str:
    """The points as CSV, ``x,y,label``; with ``held_out`` ((N,) bool, ``split``'s) a fourth column ``set`` says
    which ones the page held out for testing."""
    if held_out is None:
        return "x,y,label\n" + "".join(f"{x:g},{y:g},{label}\n" for x, y, label in points)
    return "x,y,label,set\n" + "".join(f"{x:g},{y:g},{label},{SETS[int(bool(h))]}\n"
                                        for (x, y, label), h in zip(points, held_out))


def encode(points) -> str:
    """The points for a link: "x:y:label" joined by ";" (two decimals)."""
    return ";".join(f"{x:g}:{y:g}:{label}" for x, y, label in points)


@_refusing("the link's points")
def decode(text: str) -> tuple[Point, ...]:
    """Points from ``encode``'s text; DataError on anything else (never another exception)."""
    return _decode(text)


def _decode(text: str) -> tuple[Point, ...]:
    if len(text) > MAX_POINTS * 24:
        raise DataError("too_many", "the link holds too many points", count="—", limit=MAX_POINTS)
    points = []
    for entry, part in enumerate(filter(None, text.split(";")), start=1):  # "line" is the entry's place here
        fields = part.split(":")
        if len(fields) != 3:
            raise DataError("columns", f"{_cut(part)!r} is not x:y:label", line=entry, count=len(fields))
        points.append(_entry(fields, entry))
    return check(points)


# ---- the split into training and held-out (test) points ------------------------------------------------------

HELD_OUT = (0.0, 0.9)  # the held-out share a student may choose for their own points (0: every point trains)
CLUSTER_RADIUS = 0.75  # points of one class chained by steps at most this long are one drawn cluster


def clusters(points) -> np.ndarray:
    """(N,) the cluster of each point, numbered from 0: points of the same class linked by a chain of steps of at most
    CLUSTER_RADIUS are one cluster (what a student draws as one group of clicks)."""
    pts = tuple(points)
    n = len(pts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    xy = np.array([p[:2] for p in pts], dtype=float)
    labels = np.array([p[2] for p in pts])
    close = (np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) <= CLUSTER_RADIUS + 1e-9) \
        & (labels[:, None] == labels[None, :])  # (N, N), N <= MAX_POINTS
    cluster = np.full(n, -1, dtype=np.int64)
    for start in range(n):  # connected components, one breadth-first walk each
        if cluster[start] >= 0:
            continue
        number, frontier = cluster.max() + 1, [start]
        cluster[start] = number
        while frontier:
            reached = np.flatnonzero(close[frontier].any(axis=0) & (cluster < 0))
            cluster[reached] = number
            frontier = list(reached)
    return cluster


def split(points, test_ratio: float = 0.3, seed: int = 0) -> np.ndarray:
    """(N,) True for the points held out for testing. Per class, round(test_ratio · its points) are drawn at random
    (seeded), but never the last training point of a drawn cluster (``clusters``): a group of clicks always keeps a
    point the network trains on, however small the group and however large the share (two points of one class at
    the same place are never both held out). test_ratio 0 holds out nothing."""
    if not HELD_OUT[0] <= test_ratio <= HELD_OUT[1]:
        raise ValueError(f"test_ratio must be in [{HELD_OUT[0]:g}, {HELD_OUT[1]:g}], got {test_ratio!r}")
    pts = tuple(points)
    held = np.zeros(len(pts), dtype=bool)
    cluster = clusters(pts)
    room = np.bincount(cluster, minlength=cluster.max() + 1 if len(pts) else 0) - 1  # each keeps one to train on
    rng = np.random.default_rng(seed)
    labels = np.array([p[2] for p in pts], dtype=np.int64)
    for label in (0, 1):
        members = np.flatnonzero(labels == label)
        wanted = int(round(test_ratio * members.size))
        for i in rng.permutation(members):
            if wanted == 0:
                break
            if room[cluster[i]] > 0:
                held[i], room[cluster[i]], wanted = True, room[cluster[i]] - 1, wanted - 1
    return held


def dataset(points, test_ratio: float = 0.3, seed: int = 0) -> data.Dataset:
    """The points as a data set to train on (MIN_PER_CLASS points of each class needed): the held-out ones
    (``split``) are its test set, in the order they were drawn, and ``info["held_out"]`` marks them (N,). A share of
    0 leaves the test set empty."""
    pts = check(points)
    if not ready(pts):
        raise DataError("too_few", f"each class needs at least {MIN_PER_CLASS} points", need=MIN_PER_CLASS)
    held = split(pts, test_ratio, seed)
    xy = np.array([p[:2] for p in pts], dtype=float)
    labels = np.array([p[2] for p in pts], dtype=np.int64)
    return data.Dataset(xy[~held], labels[~held], xy[held], labels[held], "classification", 2, OWN_NAME,
                        {"held_out": held})


def nearest(points, x: float, y: float, within: float = 0.25) -> int | None:
    """The index of the point nearest (x, y) if one lies within ``within``, else None (a click that removes)."""
    if not points:
        return None
    d = [math.hypot(px - x, py - y) for px, py, _ in points]
    i = int(np.argmin(d))
    return i if d[i] <= within else None


def added(points, x: float, y: float, label: int) -> tuple[Point, ...]:
    """The points with (x, y, label) added (a click in "add" mode); unchanged when that very point is already there.
    DataError when it lies off the plane or there would be more than MAX_POINTS."""
    new = point(x, y, label)
    return tuple(points) if new in points else check((*points, new))


def removed(points, x: float, y: float, within: float = 0.25) -> tuple[Point, ...]:
    """The points without the one nearest (x, y) (a click in "remove" mode); unchanged when none lies within."""
    i = nearest(points, x, y, within)
    return tuple(points) if i is None else (*points[:i], *points[i + 1:])
