"""The playground's configuration file: every knob in one dataclass, JSON in and out, every value checked.

    cfg = PlaygroundConfig(dataset="spirals", layers=3, activations=("relu", "relu", "tanh"))
    text = cfg.to_json()                    # what the page offers as a download
    cfg2 = from_json(text)                  # == cfg; a bad file -> ValueError naming the problem

The data set "own" is the student's own points (``lab.own_points``): the field ``points`` holds them, as
(x, y, label) with two decimals, and is empty for every other data set.

The allowed names come from the engine registries (``activations.NAMES``, ``initializers.NAMES``,
``optim.NAMES``, ``schedules.NAMES``, ``data.NAMES``), so a new optimizer appears here by itself.
Every field is checked by its setting (``SETTINGS``: the declaration the page draws its controls from), so a
number on a log slider must be one of that slider's values, and an imported file can always be shown exactly by the
controls. ``from_json`` checks everything before it
returns: it never hands back a half-valid configuration (the file comes from a user's upload).

Private to the playground: ``lab.playground`` re-exports what its page needs and turns a configuration into a run.
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

import numpy as np

from core import activations, data, initializers, optim, schedules
from lab import own_points
from lab.settings import SEED, Refused, Settings, choice, flag, level, number

MAX_BYTES = 64 * 1024  # a configuration is a few hundred bytes; anything this large is not one
FORMAT_VERSION = 1
MAX_LAYERS = 6

OWN_SET = own_points.OWN_NAME  # the student's own points (lab.own_points), clicked onto the plane or uploaded
# Every classification set of core.data (the regression "line" has no decision boundary to draw), then one's own.
DATASETS = tuple(name for name in data.NAMES if name != "line") + (OWN_SET,)


@dataclass(frozen=True)
class PlaygroundConfig:
    """Every knob of the playground. ``activations`` has one name per hidden layer (``layers`` of them).

    init_std is used only with init "normal" (W ~ N(0, std²)); l1, l2, max_norm = 0 switch them off;
    batch_size larger than the training set means full-batch gradient descent. points: the own data set's
    (x, y, label) points (dataset "own" only; rounded to two decimals as ``lab.own_points`` keeps them).
    """

    dataset: str = "moons"
    noise: float = 0.2
    test_ratio: float = 0.3
    layers: int = 2
    width: int = 16
    activations: tuple = ("relu", "relu")
    init: str = "he_normal"
    init_std: float = 0.01
    batchnorm: bool = False
    dropout: float = 0.0
    optimizer: str = "adam"
    lr: float = 0.01
    schedule: str = "constant"
    batch_size: int = 32
    l1: float = 0.0
    l2: float = 0.0
    max_norm: float = 0.0
    steps: int = 200
    seed: int = 0
    points: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "activations", tuple(self.activations))
        if isinstance(self.points, list):
            object.__setattr__(self, "points", tuple(self.points))
        check(dataclasses.asdict(self))
        object.__setattr__(self, "points", _snap("points", self.points))  # equal data, equal configuration

    def to_dict(self) -> dict:
        out = {"version": FORMAT_VERSION}
        out.update(dataclasses.asdict(self))
        out["activations"] = list(self.activations)
        out["points"] = [list(p) for p in self.points]
        return out

    def to_json(self) -> str:
        """The file: two-space indents, one point per line (``[x, y, label]``)."""
        values = self.to_dict()
        points = values.pop("points")
        text = json.dumps(values, indent=2, ensure_ascii=False)
        rows = ",\n".join(f"    {json.dumps(p)}" for p in points)
        return text[:-2] + (f',\n  "points": [\n{rows}\n  ]\n}}' if points else ',\n  "points": []\n}')

    def replace(self, **changes) -> "PlaygroundConfig":
        return dataclasses.replace(self, **changes)


def _default(field):
    return getattr(PlaygroundConfig, field)


# The held-out share of the built-in sets; one's own points may hold out none (own_points.HELD_OUT).
TEST_RATIO = (0.1, 0.9)


# Every knob as the page's control: its link key, range or values, text; the configuration's field is its name.
# The menus come from the engine registries, read when asked (an optimizer registered later is a choice too).
SETTINGS = Settings(
    choice("data", "playground.dataset", DATASETS, _default("dataset"), name="dataset"),
    number("noise", "playground.noise", 0.0, 1.0, _default("noise"), 0.05),
    # over every data set (one's own points may hold out none): test_setting(dataset) is the control a set gets
    number("test", "playground.test_ratio", min(TEST_RATIO[0], own_points.HELD_OUT[0]),
           max(TEST_RATIO[1], own_points.HELD_OUT[1]), _default("test_ratio"), 0.05, name="test_ratio"),
    number("layers", "playground.layers", 1, MAX_LAYERS, _default("layers")),
    number("width", "playground.width", 1, 64, _default("width")),
    choice("init", "playground.init", lambda: initializers.NAMES, _default("init")),
    level("std", "playground.std", (0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0), _default("init_std"), name="init_std"),
    flag("bn", "playground.bn", _default("batchnorm"), name="batchnorm"),
    number("drop", "playground.dropout", 0.0, 0.8, _default("dropout"), 0.05, name="dropout"),
    choice("opt", "playground.optimizer", lambda: optim.NAMES, _default("optimizer"), name="optimizer"),
    level("lr", "playground.lr", (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0), _default("lr")),
    choice("sched", "playground.schedule", lambda: schedules.NAMES, _default("schedule"), name="schedule",
           words="playground.sch_"),
    level("batch", "playground.batch", (1, 2, 4, 8, 16, 32, 64, 128, 256), _default("batch_size"), name="batch_size"),
    number("steps", "playground.steps", 100, 5000, _default("steps"), 100),
    level("l1", "playground.l1", (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1), _default("l1")),  # 0 = off
    level("l2", "playground.l2", (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1), _default("l2")),
    level("maxnorm", "playground.maxnorm", (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0), _default("max_norm"), name="max_norm"),
    SEED.but(default=_default("seed")),
)
# Hidden layer i's activation: the control act<i> (i = 1 … MAX_LAYERS); the configuration lists them in "activations".
ACTIVATION = choice("act", "playground.act_of", lambda: activations.NAMES, _default("activations")[0])


def test_ratio_range(dataset: str) -> tuple[float, float]:
    """The held-out share a data set may have: (0.1, 0.9) for the built-in sets, from 0 for one's own points."""
    return own_points.HELD_OUT if dataset == OWN_SET else TEST_RATIO


def test_setting(dataset: str):
    """The test-share control of ``dataset``: from 0 for one's own points, from 0.1 for the built-in sets."""
    lo, hi = test_ratio_range(dataset)
    return SETTINGS["test"].but(lo=lo, hi=hi, help="playground.test_ratio_own" if dataset == OWN_SET else None)


def activation_setting(i: int):
    """The control of hidden layer ``i``'s activation (link key act<i>)."""
    return ACTIVATION.but(key=f"act{i}", name=f"act{i}")


def options(field: str) -> tuple:
    """The valid names of a text field ("dataset", "activations", "init", "optimizer", "schedule") right now."""
    return ACTIVATION.options() if field == "activations" else SETTINGS.named(field).options()


class ConfigError(ValueError):
    """A refused configuration file. ``str(err)`` is an English sentence; ``code`` and ``params`` let a page say
    the same in its own language (content key ``playground.cfg_<code>``), quoting the file's values literally."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code, self.params = code, params


FIELDS = tuple(f.name for f in dataclasses.fields(PlaygroundConfig))


# ---------------------------------------------------------------- checking

def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_number(v) -> bool:
    if not (_is_int(v) or isinstance(v, (float, np.floating))):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:  # a whole number too large for a float (401 digits in a file): not a setting's number
        return False


def _shown(value) -> str:
    """A user's value quoted in a message, cut short (a message never repeats a whole file)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _check_points(value):
    """The own data set's points: a list of at most own_points.MAX_POINTS [x, y, label] entries, x and y finite
    numbers in [-LIMIT, LIMIT], the label 0 or 1."""
    if not isinstance(value, (list, tuple)):
        raise ConfigError("points_not_list", f"'points' must be a list of [x, y, label] entries, got {_shown(value)}",
                          got=_shown(value))
    if len(value) > own_points.MAX_POINTS:
        raise ConfigError("points_too_many", f"'points' has {len(value):,} entries; at most {own_points.MAX_POINTS}",
                          count=f"{len(value):,}", limit=own_points.MAX_POINTS)
    limit = f"{own_points.LIMIT:g}"
    for i, entry in enumerate(value, start=1):
        if not (isinstance(entry, (list, tuple)) and len(entry) == 3 and all(map(_is_number, entry[:2]))):
            raise ConfigError("point_bad", f"point {i} of 'points' must be [x, y, label] with numbers x and y, got "
                              f"{_shown(entry)}", index=i, got=_shown(entry))
        x, y, label = entry
        if not (_is_int(label) and label in (0, 1)):
            raise ConfigError("point_label", f"point {i} of 'points' has the label {_shown(label)}; a label is 0 or 1",
                              index=i, got=_shown(label))
        if abs(float(x)) > own_points.LIMIT or abs(float(y)) > own_points.LIMIT:
            raise ConfigError("point_range", f"point {i} of 'points', {_shown(list(entry))}, lies outside "
                              f"[-{limit}, {limit}]", index=i, got=_shown(list(entry)), limit=limit)


def _check_one(name: str, value):
    """Raise ValueError naming the field if ``value`` has the wrong type or is out of range (the field's setting
    checks it: ``SETTINGS``, the same declaration the page's controls are drawn from)."""
    if name == "points":
        _check_points(value)
        return
    if name == "activations":
        if not isinstance(value, (list, tuple)) or not all(isinstance(a, str) for a in value):
            raise ConfigError("acts_not_list", f"'activations' must be a list of names, got {_shown(value)}",
                              got=_shown(value))
        valid = ACTIVATION.options()
        bad = [a for a in value if a not in valid]
        if bad:
            names = ', '.join(map(_shown, bad))
            raise ConfigError("acts_unknown", f"'activations' has unknown name(s) {names}; "
                              f"valid: {', '.join(valid)}", names=names, valid=", ".join(valid))
        return
    try:
        SETTINGS.named(name).check(value)
    except Refused as err:
        raise ConfigError(err.code, str(err), **err.params) from None


def check(values: dict) -> None:
    """Check a dict of field values (all fields present); ValueError names the first problem."""
    for name in FIELDS:
        _check_one(name, values[name])
    if len(values["activations"]) != values["layers"]:
        raise ConfigError("acts_count", f"'activations' must list one name per layer: 'layers' is {values['layers']}, "
                          f"but {len(values['activations'])} activation(s) are given", layers=values["layers"],
                          count=len(values["activations"]))
    lo, hi = test_ratio_range(values["dataset"])
    if not lo - 1e-9 <= values["test_ratio"] <= hi + 1e-9:  # only one's own points may hold out nothing
        raise ConfigError("out_of_range", f"'test_ratio' = {_shown(values['test_ratio'])} is out of range "
                          f"[{lo:g}, {hi:g}]", field="test_ratio", got=_shown(values["test_ratio"]), lo=f"{lo:g}",
                          hi=f"{hi:g}")
    if values["points"] and values["dataset"] != OWN_SET:
        raise ConfigError("points_unused", f"'points' are the data only with 'dataset' \"{OWN_SET}\"; this file's "
                          f"data set is {_shown(values['dataset'])}", dataset=_shown(values["dataset"]), own=OWN_SET)


def _snap(name, value):
    """A value as the control holds it (the exact float of a level slider, a number on a slider's grid, an int for
    int fields); points as (x, y, label) tuples with two decimals."""
    if name == "points":
        return tuple(own_points.point(float(x), float(y), int(label)) for x, y, label in value)
    return SETTINGS.named(name).check(value)


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


def _refuse_constant(token):
    raise ConfigError("constant", f"malformed JSON: {token} is not a number this file may contain", token=token)


def _few(names, shown: int = 5) -> str:
    """Some of a file's names for a message (a file with thousands of keys gets a sentence, not an echo)."""
    names = [_shown(n) for n in names]
    return ", ".join(names[:shown]) + (f" and {len(names) - shown:,} more" if len(names) > shown else "")


def _no_duplicates(pairs):
    seen, repeated = set(), set()
    for key, _ in pairs:  # one pass: a file of thousands of keys costs their number, not its square
        (repeated if key in seen else seen).add(key)
    repeated = sorted(repeated)
    if repeated:
        names = _few(repeated)
        raise ConfigError("repeated", f"field(s) {names} appear more than once", names=names)
    return dict(pairs)


def from_json(text: str | bytes) -> PlaygroundConfig:
    """A configuration from JSON text (or UTF-8 bytes); missing fields take their defaults.

    Refused with a ConfigError (a ValueError) whose message names the problem: more than MAX_BYTES, not UTF-8,
    malformed JSON, NaN/Infinity, a repeated or unknown field, a wrong type, an out-of-range value,
    or a version other than FORMAT_VERSION. Whatever else goes wrong while reading the file is a ConfigError too
    ("unreadable"), never another exception. Nothing is changed by a refused file (the caller keeps
    its configuration).
    """
    try:
        return _from_json(text)
    except ConfigError:
        raise
    except Exception as err:  # a file is a user's: no exception of its reading may reach the page
        raise ConfigError("unreadable", f"the file cannot be read as a configuration ({type(err).__name__})") \
            from None


def _from_json(text: str | bytes) -> PlaygroundConfig:
    size = len(text) if isinstance(text, (bytes, bytearray)) else len(str(text).encode("utf-8"))
    if size > MAX_BYTES:
        raise ConfigError("too_large", f"the file is too large: {size:,} bytes; a configuration has at most "
                          f"{MAX_BYTES:,} bytes",
                          size=f"{size:,}", limit=f"{MAX_BYTES:,}")
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ConfigError("not_utf8", "the file is not UTF-8 text") from None
    try:
        raw = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise ConfigError("malformed", f"malformed JSON: {err.msg} (line {err.lineno}, column {err.colno})",
                          detail=err.msg, line=err.lineno, column=err.colno) from None
    except RecursionError:
        raise ConfigError("nested", "malformed JSON: nested too deeply") from None
    except ConfigError:
        raise
    except ValueError as err:
        raise ConfigError("malformed", f"malformed JSON: {err}", detail=str(err), line="—", column="—") from None
    if not isinstance(raw, dict):
        kind = _JSON_KINDS.get(type(raw), "value")
        raise ConfigError("not_object", f"the file must hold one JSON object {{...}}, not a JSON {kind}", kind=kind)
    raw = dict(raw)
    version = raw.pop("version", FORMAT_VERSION)
    if not _is_int(version) or version != FORMAT_VERSION:
        raise ConfigError("version", f"unsupported 'version' {_shown(version)}; this lab reads version {FORMAT_VERSION}",
                          got=_shown(version), supported=FORMAT_VERSION)
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        names = _few(unknown)
        raise ConfigError("unknown_fields", f"unknown field(s) {names}; valid: {', '.join(FIELDS)}", names=names,
                          valid=", ".join(FIELDS))
    values = dataclasses.asdict(PlaygroundConfig())
    values.update(raw)
    if "layers" in raw and "activations" not in raw:  # one default activation per layer
        _check_one("layers", values["layers"])
        values["activations"] = (PlaygroundConfig.activations[0],) * values["layers"]
    check(values)
    return PlaygroundConfig(**{name: _snap(name, values[name]) if name != "activations"
                               else tuple(values[name]) for name in FIELDS})
