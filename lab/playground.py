"""The playground's configuration: every knob in one dataclass, JSON in and out, and ``build``.

    cfg = PlaygroundConfig(dataset="spirals", layers=3, activations=("relu", "relu", "tanh"))
    text = cfg.to_json()                    # what the page offers as a download
    cfg2 = from_json(text)                  # == cfg; a bad file -> ValueError naming the problem
    tr = build(cfg2)                        # a core.train.Trainer, seeded: same config, same run
    tr.run(cfg2.steps)

The allowed names come from the engine registries (``activations.NAMES``, ``initializers.NAMES``,
``optim.NAMES``, ``schedules.NAMES``, ``data.NAMES``), so a new optimizer appears here by itself.
Numbers that the page shows on a log slider must be one of that slider's values (``CHOICES``), so an
imported file can always be shown exactly by the controls. ``from_json`` checks everything before it
returns: it never hands back a half-valid configuration.

The second half reads a run for the page (NumPy only): the probability map of a 2-D set, the
confusion matrix and misclassified images of the digits, per-layer activation histograms on a fixed
batch, and the weights as ``.npz`` bytes.
"""
from __future__ import annotations

import dataclasses
import io
import json
import math
from dataclasses import dataclass

import numpy as np

from core import activations, data, initializers, nn, optim, schedules, train
from lab.common import probability_grid  # noqa: F401 (the pages draw it)

MAX_BYTES = 64 * 1024  # a configuration is a few hundred bytes; anything this large is not one
FORMAT_VERSION = 1
MAX_LAYERS = 6

# Every classification set of core.data (the regression "line" has no decision boundary to draw).
DATASETS = tuple(name for name in data.NAMES if name != "line")
SETS_2D = tuple(name for name in DATASETS if name in data.CLASSIFICATION_2D)
N_2D = 400  # points in a 2-D set (train + test), as data.get's default
DIGITS_N = 900  # half of the 1,797 digits: a training step stays light enough for live training

# The values a log slider offers (0 = off for the penalties and max-norm).
CHOICES = {
    "lr": (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    "init_std": (0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
    "l1": (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1),
    "l2": (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1),
    "max_norm": (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0),
    "batch_size": (1, 2, 4, 8, 16, 32, 64, 128, 256),
}
# Linear sliders: (low, high) inclusive.
RANGES = {
    "noise": (0.0, 1.0),
    "test_ratio": (0.1, 0.9),
    "layers": (1, MAX_LAYERS),
    "width": (1, 64),
    "dropout": (0.0, 0.8),
    "steps": (100, 5000),
    "seed": (0, 9999),
}
OPTIONS = {
    "dataset": DATASETS,
    "activations": activations.NAMES,
    "init": initializers.NAMES,
    "optimizer": optim.NAMES,
    "schedule": schedules.NAMES,
}


@dataclass(frozen=True)
class PlaygroundConfig:
    """Every knob of the playground. ``activations`` has one name per hidden layer (``layers`` of them).

    init_std is used only with init "normal" (W ~ N(0, std²)); l1, l2, max_norm = 0 switch them off;
    batch_size larger than the training set means full-batch gradient descent.
    """

    dataset: str = "moons"
    noise: float = 0.1
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
    steps: int = 500
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "activations", tuple(self.activations))
        check(dataclasses.asdict(self))

    def to_dict(self) -> dict:
        out = {"version": FORMAT_VERSION}
        out.update(dataclasses.asdict(self))
        out["activations"] = list(self.activations)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def replace(self, **changes) -> "PlaygroundConfig":
        return dataclasses.replace(self, **changes)


FIELDS = tuple(f.name for f in dataclasses.fields(PlaygroundConfig))
_TYPES = {f.name: f.type for f in dataclasses.fields(PlaygroundConfig)}


# ---------------------------------------------------------------- checking

def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_number(v) -> bool:
    return (_is_int(v) or isinstance(v, (float, np.floating))) and math.isfinite(float(v))


def _shown(value) -> str:
    """A user's value quoted in a message, cut short (a message never repeats a whole file)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _check_one(name: str, value):
    """Raise ValueError naming the field if ``value`` has the wrong type or is out of range."""
    kind = _TYPES[name]
    if name == "activations":
        if not isinstance(value, (list, tuple)) or not all(isinstance(a, str) for a in value):
            raise ValueError(f"'activations' must be a list of names, got {_shown(value)}")
        bad = [a for a in value if a not in activations.NAMES]
        if bad:
            raise ValueError(f"'activations' has unknown name(s) {', '.join(map(_shown, bad))}; "
                             f"valid: {', '.join(activations.NAMES)}")
        return
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"'{name}' must be a name (a string), got {_shown(value)}")
        if value not in OPTIONS[name]:
            raise ValueError(f"'{name}' must be one of {', '.join(OPTIONS[name])}; got {_shown(value)}")
        return
    if kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"'{name}' must be true or false, got {_shown(value)}")
        return
    if kind == "int" and not _is_int(value):
        raise ValueError(f"'{name}' must be a whole number, got {_shown(value)}")
    if kind == "float" and not _is_number(value):
        raise ValueError(f"'{name}' must be a finite number, got {_shown(value)}")
    if name in CHOICES:
        if not any(math.isclose(float(value), c, rel_tol=1e-9, abs_tol=1e-15) for c in CHOICES[name]):
            raise ValueError(f"'{name}' = {_shown(value)} is out of range: it must be one of "
                             f"{', '.join(f'{c:g}' for c in CHOICES[name])}")
    else:
        lo, hi = RANGES[name]
        if not lo - 1e-9 <= value <= hi + 1e-9:  # a float slider may land a hair past its end
            raise ValueError(f"'{name}' = {_shown(value)} is out of range [{lo:g}, {hi:g}]")


def check(values: dict) -> None:
    """Check a dict of field values (all fields present); ValueError names the first problem."""
    for name in FIELDS:
        _check_one(name, values[name])
    if len(values["activations"]) != values["layers"]:
        raise ValueError(f"'activations' must list one name per layer: 'layers' is {values['layers']}, "
                         f"but {len(values['activations'])} activation(s) are given")


def _snap(name, value):
    """A slider value as the slider holds it (the exact float of CHOICES, an int for int fields)."""
    if name in CHOICES:
        return next(c for c in CHOICES[name] if math.isclose(float(value), c, rel_tol=1e-9, abs_tol=1e-15))
    if _TYPES[name] == "float":
        lo, hi = RANGES[name]
        return min(max(float(value), float(lo)), float(hi))
    if _TYPES[name] == "int":
        return int(value)
    return value


def _refuse_constant(token):
    raise ValueError(f"{token} is not a number this file may contain")


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"field(s) {', '.join(map(repr, repeated))} appear more than once")
    return dict(pairs)


def from_json(text: str | bytes) -> PlaygroundConfig:
    """A configuration from JSON text (or UTF-8 bytes); missing fields take their defaults.

    Refused with a ValueError whose message names the problem: more than MAX_BYTES, not UTF-8,
    malformed JSON, NaN/Infinity, a repeated or unknown field, a wrong type, an out-of-range value,
    or a version other than FORMAT_VERSION. Nothing is changed by a refused file (the caller keeps
    its configuration).
    """
    size = len(text) if isinstance(text, (bytes, bytearray)) else len(str(text).encode("utf-8"))
    if size > MAX_BYTES:
        raise ValueError(f"the file is too large ({size / 1024:.0f} KB); a configuration is at most "
                         f"{MAX_BYTES // 1024} KB")
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text") from None
    try:
        raw = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise ValueError(f"malformed JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    except RecursionError:
        raise ValueError("malformed JSON: nested too deeply") from None
    except ValueError as err:
        raise ValueError(f"malformed JSON: {err}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"the file must hold one JSON object {{...}}, not a {type(raw).__name__}")
    raw = dict(raw)
    version = raw.pop("version", FORMAT_VERSION)
    if not _is_int(version) or version != FORMAT_VERSION:
        raise ValueError(f"unsupported 'version' {_shown(version)}; this lab reads version {FORMAT_VERSION}")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(map(_shown, unknown))}; valid: {', '.join(FIELDS)}")
    values = dataclasses.asdict(PlaygroundConfig())
    values.update(raw)
    if "layers" in raw and "activations" not in raw:  # one default activation per layer
        _check_one("layers", values["layers"])
        values["activations"] = (PlaygroundConfig.activations[0],) * values["layers"]
    check(values)
    return PlaygroundConfig(**{name: _snap(name, values[name]) if name != "activations"
                               else tuple(values[name]) for name in FIELDS})


# ---------------------------------------------------------------- building a run

def eval_every(cfg: PlaygroundConfig) -> int:
    """A history row every few updates: about 250 points on the loss curves whatever the length."""
    return max(1, cfg.steps // 250)


def dataset(cfg: PlaygroundConfig) -> data.Dataset:
    """The data set of ``cfg`` (2-D sets: two classes, N_2D points; digits: DIGITS_N images)."""
    extra = {"n_classes": 2} if cfg.dataset == "blobs" else {}
    n = DIGITS_N if cfg.dataset == "digits" else N_2D
    return data.get(cfg.dataset, n=n, noise=cfg.noise, test_ratio=cfg.test_ratio, seed=cfg.seed, **extra)


def schedule_spec(cfg: PlaygroundConfig):
    """(name, hp) for core.train: each schedule is fitted to the run's length (lr = the optimizer's)."""
    T = cfg.steps
    hp = {
        "constant": {},
        "step": {"step_size": max(1, T // 3), "gamma": 0.1},  # ÷10 at 1/3 and 2/3 of the run
        "exponential": {"gamma": 0.01 ** (1.0 / T)},  # down to 1 % of lr at the end
        "cosine": {"T_max": T},
        "one_cycle": {"total_steps": T},
        "cyclic": {"base_lr": cfg.lr / 10, "max_lr": cfg.lr, "cycle_len": max(1, T // 4)},
    }[cfg.schedule]
    return None if cfg.schedule == "constant" else (cfg.schedule, hp)


def make_net(cfg: PlaygroundConfig, ds: data.Dataset | None = None) -> nn.MLP:
    ds = dataset(cfg) if ds is None else ds
    return nn.MLP([ds.n_features] + [cfg.width] * cfg.layers + [ds.n_outputs], activation=list(cfg.activations),
                  init=cfg.init_std if cfg.init == "normal" else cfg.init, batchnorm=cfg.batchnorm,
                  dropout=cfg.dropout, seed=cfg.seed)


def build(cfg: PlaygroundConfig) -> train.Trainer:
    """Data + network + trainer from a configuration, deterministic given it."""
    ds = dataset(cfg)
    return train.Trainer(make_net(cfg, ds), ds, optimizer=cfg.optimizer, opt_kwargs={"lr": cfg.lr},
                         batch_size=min(cfg.batch_size, ds.n_train), schedule=schedule_spec(cfg),
                         l1=cfg.l1, l2=cfg.l2, max_norm=cfg.max_norm or None, seed=cfg.seed,
                         eval_every=eval_every(cfg), max_steps=cfg.steps)


# ---------------------------------------------------------------- reading a run

def weights_npz(net: nn.MLP) -> bytes:
    """``net.state_dict()`` as the bytes of an .npz file (np.savez: loadable with np.load)."""
    buffer = io.BytesIO()
    np.savez(buffer, **net.state_dict())
    return buffer.getvalue()


def load_weights(net: nn.MLP, blob: bytes) -> nn.MLP:
    """Load .npz bytes from ``weights_npz`` into ``net`` (keys and shapes must match)."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as f:
        net.load_state_dict({key: f[key] for key in f.files})
    return net


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(C, C) counts: row = true class, column = predicted class."""
    out = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(out, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return out


def misclassified(trainer: train.Trainer, k: int = 8):
    """Up to k test images the net gets wrong -> (images (k, 8, 8), true (k,), predicted (k,))."""
    pred = trainer.predict(trainer.x_test)
    wrong = np.flatnonzero(pred != trainer.labels_test)[:k]
    side = int(round(math.sqrt(trainer.x_test.shape[1])))
    return trainer.x_test[wrong].reshape(-1, side, side), trainer.labels_test[wrong], pred[wrong]


_BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # DLFS ch. 6 draws sigmoid layers on [0, 1]


def activation_histograms(net: nn.MLP, x: np.ndarray, bins: int = 25):
    """Per hidden layer, np.histogram of its activations on the fixed batch ``x`` (inference mode).

    The range is the activation's own (sigmoid [0, 1], tanh [-1, 1]; an odd bin count centres a bin on
    0.5 and on 0) or the values' range widened to include 0, so a signal squeezed into a narrow spike
    shows as a spike rather than being zoomed in on.
    -> list of (counts (bins,), edges (bins + 1,)) or None for a layer with no finite value.
    Non-finite values are left out, so a diverging layer never breaks the chart.
    """
    with np.errstate(all="ignore"):
        net.forward(x, train=False)
    out = []
    for layer, act in zip(net.trace[:-1], net.activations):
        a = layer.a[np.isfinite(layer.a)]
        if a.size == 0:
            out.append(None)
            continue
        lo, hi = _BOUNDED.get(act.name, (min(float(a.min()), 0.0), max(float(a.max()), 0.0)))
        if hi - lo < 1e-12:  # all exactly 0 (e.g. every ReLU dead): one visible bar around it
            lo, hi = lo - 0.5, hi + 0.5
        out.append(np.histogram(np.clip(a, lo, hi), bins=bins, range=(lo, hi)))
    return out
