"""A lesson's settings, declared once: every control of a page as data, read by everything that needs to know it.

    SETTINGS = Settings(
        choice("data", "vanishing.dataset", DATASETS, "digits", name="dataset"),
        number("depth", "vanishing.depth", 2, 50, 12),            # an int slider: lo, hi, default (step 1)
        level("lr", "vanishing.lr", (0.001, 0.01, 0.1, 1.0), 0.1),  # a slider over listed (log-spaced) values
        flag("bn", "vanishing.bn", False, name="batchnorm"),
        SEED,
    )
    SETTINGS["depth"].read("7")     # a link's text -> 7 (snapped onto the control; Refused when it cannot be)
    SETTINGS["depth"].check(7)      # a value from a file or a notebook -> 7 (Refused naming the problem)
    SETTINGS.defaults()             # {"data": "digits", "depth": 12, ...}

A ``Setting`` says what a control is: its link key (the URL parameter), its kind and range or values, its default,
the text key of its label, and the name a notebook or the playground's configuration file gives it. From that one
declaration ``ui.controls.draw`` draws the widget (and reads the link), ``notebooks`` writes and checks the settings
cell, the playground's configuration file checks its fields, and the warm-up computes the defaults. Moving a slider's
end here moves it everywhere.

Kinds: ``number`` (a slider on the grid lo + k·step; an int slider when the default is an int), ``level`` (a slider
over listed values, e.g. learning rates 1e-4 … 10; a link's value in between moves to the nearest on a log scale),
``choice`` (one of a list of names or numbers: a select box, or a row of radio buttons), ``choices`` (several, in
order, no repeats), ``flag`` (on/off) and ``whole`` (a typed whole number, e.g. the seed).

Pure Python: no Streamlit, no NumPy (a notebook reads it too).
"""
from __future__ import annotations

import dataclasses
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

MAX_TEXT = 200  # the longest link value any setting reads: longer text is refused before anything looks at it
# A number in a link or a file: plain ASCII decimal notation only (no "1_0", no "0x10", no other scripts' digits, no
# "inf"). Each part has one way to match (digits, then an optional fraction, then an optional exponent), so a long
# run of digits costs linear time, never the quadratic backtracking of "[0-9]+\.?[0-9]*"; the length is capped first.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


class Refused(ValueError):
    """A value a setting cannot take. ``str()`` is an English sentence; ``code`` and ``params`` let a page say it in
    its language (ui: ``common.refused_<code>``; the playground's file: ``playground.cfg_<code>``)."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code, self.params = code, params


def read_number(text: str, limit: int = MAX_TEXT) -> float:
    """A plain decimal number from text (a link's value, a file's field), in time linear in its length.

    Refused: longer than ``limit`` characters (checked before anything else), not plain ASCII decimal notation,
    too large for a float, or a non-zero number that underflows to 0 ("1e-400": not what the text says)."""
    if len(text) > limit:
        raise Refused("too_long", f"longer than {limit} characters", limit=limit)
    if not _NUMBER.fullmatch(text):
        raise Refused("not_number", "not a plain decimal number")
    value = float(text)
    if not math.isfinite(value):
        raise Refused("too_large", "too large")
    mantissa = text.partition("e")[0].partition("E")[0]
    if value == 0 and any(c in "123456789" for c in mantissa):
        raise Refused("too_small", "too small")
    return value


def to_text(value: Any) -> str:
    """How a value is written in a link: the shortest text that reads back as exactly this value."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ",".join(to_text(v) for v in value)
    return str(value)


def is_number(value) -> bool:
    """A real number that converts to a finite float (a bool is not a number here; 10**400 does not convert)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (OverflowError, ValueError, TypeError):
        return False


def _shown(value) -> str:
    """A user's value quoted in a message, cut short (a message never repeats a whole file)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def decimals(step: float) -> int:
    """How many decimals a float step has (0.05 -> 2), to round grid values to what the slider shows."""
    text = repr(float(step))
    if "e" in text:
        mantissa, exponent = text.split("e")
        return max(0, -int(exponent) + len(mantissa.rstrip("0").partition(".")[2]))
    return len(text.partition(".")[2].rstrip("0"))


def grid_snap(value: float, lo, hi, step, is_int: bool):
    """The slider position nearest ``value``: lo + k·step inside [lo, hi] (as an int for int sliders)."""
    value = min(max(value, lo), hi)  # (a huge value's grid index would not fit an int)
    k = math.floor((value - lo) / step + 0.5)  # halves go up, as people round (not to even)
    snapped = min(max(lo + k * step, lo), hi)
    return int(round(snapped)) if is_int else round(float(snapped), decimals(step))


KINDS = ("number", "level", "choice", "choices", "flag", "whole")


@dataclass(frozen=True)
class Setting:
    """One control of a lesson. Build it with ``number``, ``level``, ``choice``, ``choices``, ``flag`` or ``whole``.

    key: the link key (URL parameter) and the widget's key. label: the text key of its label (``help``: of its
    tooltip). name: the variable a notebook assigns and the field of a configuration file (default: the key).
    note: a ``notebooks.txt`` key for a comment beside the value in a notebook's settings cell. words: a text-key
    prefix naming the options ("vanishing.clip_" -> vanishing.clip_norm); without it an option is shown as
    ``common.opt_<name>`` when that exists. values: a tuple, or a zero-argument callable read each time (a menu
    from an engine registry that may grow at run time).
    """

    key: str
    kind: str
    default: Any
    label: str = ""
    lo: Any = None
    hi: Any = None
    step: Any = None
    values: Any = None
    help: str | None = None
    name: str | None = None
    note: str | None = None
    words: str | None = None
    horizontal: bool = False
    max_selections: int | None = None
    format: str | None = None  # a number slider's printf-style display format ("%.3f"); display only

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; valid: {', '.join(KINDS)}")
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", self.key):
            raise ValueError(f"a setting's key is a short lowercase name, not {self.key!r}")
        if self.name is None:
            object.__setattr__(self, "name", self.key)
        if self.kind in ("level", "choice", "choices") and not callable(self.values):
            object.__setattr__(self, "values", tuple(self.values))
        self.check(self.default)  # a declaration whose default it would refuse is a programming error: say so now

    # ---- what it offers

    @property
    def integer(self) -> bool:
        return self.kind == "whole" or (self.kind == "number" and isinstance(self.default, int)
                                        and not isinstance(self.default, bool))

    def options(self) -> tuple:
        """The values a level, choice or choices setting offers now."""
        return tuple(self.values()) if callable(self.values) else self.values

    def but(self, **changes) -> "Setting":
        """This setting with some fields changed, e.g. a slider whose end depends on another setting:
        ``SETTINGS["at_step"].but(hi=steps)``. The default moves inside a changed range."""
        if self.kind == "number" and ("lo" in changes or "hi" in changes) and "default" not in changes:
            lo, hi = changes.get("lo", self.lo), changes.get("hi", self.hi)
            changes["default"] = min(max(self.default, lo), hi)
        return dataclasses.replace(self, **changes)

    # ---- values from a file or a notebook: strict types, then onto the control

    def check(self, value) -> Any:
        """``value`` as the control holds it (the option itself, a number on the slider's grid, a plain int or
        float, a list of options), or Refused naming the problem. Values come from a user's file or a notebook's
        settings: types are strict (True is not 1, "0.1" is not 0.1)."""
        kind, field = self.kind, self.name
        if kind == "flag":
            if not isinstance(value, bool):
                raise Refused("not_bool", f"'{field}' must be true or false, got {_shown(value)}", field=field,
                              got=_shown(value))
            return bool(value)
        if kind == "choice":
            return self._option(value)
        if kind == "choices":
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                raise Refused("not_list", f"'{field}' must be a list of names, got {_shown(value)}", field=field,
                              got=_shown(value))
            chosen = [self._option(v) for v in value]
            if len(set(chosen)) != len(chosen):
                raise Refused("repeated_option", f"'{field}' names an option twice", field=field, got=_shown(value))
            if self.max_selections is not None and len(chosen) > self.max_selections:
                raise Refused("too_many", f"'{field}' has more than {self.max_selections} options", field=field,
                              limit=self.max_selections)
            return chosen
        if self.integer and not (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
            raise Refused("not_int", f"'{field}' must be a whole number, got {_shown(value)}", field=field,
                          got=_shown(value))
        if not is_number(value):
            raise Refused("not_number", f"'{field}' must be a finite number, got {_shown(value)}", field=field,
                          got=_shown(value))
        if kind == "level":
            for option in self.options():
                if math.isclose(float(value), option, rel_tol=1e-9, abs_tol=1e-15):
                    return option
            valid = ", ".join(f"{o:g}" for o in self.options())
            raise Refused("not_choice", f"'{field}' = {_shown(value)} is out of range: it must be one of {valid}",
                          field=field, got=_shown(value), valid=valid)
        lo, hi = self.lo, self.hi
        if not lo - 1e-9 <= float(value) <= hi + 1e-9:  # a float slider may land a hair past its end
            raise Refused("out_of_range", f"'{field}' = {_shown(value)} is out of range [{lo:g}, {hi:g}]",
                          field=field, got=_shown(value), lo=f"{lo:g}", hi=f"{hi:g}")
        return self.snap(value)

    def _option(self, value):
        for option in self.options():
            if isinstance(option, str) or isinstance(value, str):
                if isinstance(option, str) and isinstance(value, str) and value == option:
                    return option
            elif isinstance(option, bool) or isinstance(value, bool):
                if value is option:
                    return option
            elif is_number(value) and float(value) == float(option):
                return option
        valid = ", ".join(map(str, self.options()))
        if all(isinstance(o, str) for o in self.options()) and not isinstance(value, str):
            raise Refused("not_name", f"'{self.name}' must be a name (a string), got {_shown(value)}", field=self.name,
                          got=_shown(value), valid=valid)
        raise Refused("not_option", f"'{self.name}' must be one of {valid}; got {_shown(value)}", field=self.name,
                      got=_shown(value), valid=valid)

    def snap(self, value):
        """A readable value moved onto what the control can show: the nearest grid step (number, whole), the
        nearest listed value on a log scale (level); other kinds are returned as they are."""
        if self.kind == "number":
            return grid_snap(float(value), self.lo, self.hi, self.step, self.integer)
        if self.kind == "whole":
            return int(min(max(value, self.lo), self.hi))
        if self.kind == "level":
            values = self.options()
            if all(v > 0 for v in values) and value > 0:
                return min(values, key=lambda v: abs(math.log(v) - math.log(value)))
            return min(values, key=lambda v: abs(v - value))
        return value

    # ---- a link's text

    def read(self, raw: str) -> Any:
        """The value a link's text asks for, before snapping (``snap``): Refused when it cannot be read, is out of
        range or names an option the control does not have. Text longer than MAX_TEXT is refused unread."""
        if len(raw) > MAX_TEXT:
            raise Refused("too_long", f"longer than {MAX_TEXT} characters", limit=MAX_TEXT)
        kind = self.kind
        if kind == "flag":
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "on", "yes"):
                return True
            if lowered in ("0", "false", "off", "no"):
                return False
            raise Refused("not_bool", "not on/off")
        if kind == "choice":
            for option in self.options():
                if str(option) == raw:
                    return option
            raise Refused("not_option", "unknown option")
        if kind == "choices":
            chosen = [part for part in raw.split(",") if part]
            names = {str(o): o for o in self.options()}
            if any(c not in names for c in chosen) or len(set(chosen)) != len(chosen):
                raise Refused("not_option", "unknown or repeated option")
            if self.max_selections is not None and len(chosen) > self.max_selections:
                raise Refused("too_many", "too many options")
            return [names[c] for c in chosen]
        value = read_number(raw)
        if kind == "whole" and value != int(value):
            raise Refused("not_int", "not a whole number")
        if kind == "level":
            lo, hi = min(self.options()), max(self.options())
            if not (lo <= value <= hi) and not any(math.isclose(value, v, rel_tol=1e-9) for v in (lo, hi)):
                raise Refused("out_of_range", "out of range")
            return value
        if not (self.lo <= value <= self.hi):
            raise Refused("out_of_range", "out of range")
        return int(value) if kind == "whole" else value

    def text(self, value) -> str:
        """The value as its link writes it."""
        return to_text(value)


# ---- the constructors a lesson declares with -------------------------------------------------------------------

def number(key: str, label: str, lo, hi, default, step=None, **more) -> Setting:
    """A slider from lo to hi on the grid lo + k·step (default step: 1 for an int default, else 0.01)."""
    is_int = isinstance(default, int) and not isinstance(default, bool)
    step = step if step is not None else (1 if is_int else 0.01)
    if not is_int:
        lo, hi, default = float(lo), float(hi), float(default)
    return Setting(key, "number", default, label, lo=lo, hi=hi, step=step, **more)


def level(key: str, label: str, values: Sequence | Callable[[], Sequence], default, **more) -> Setting:
    """A slider over listed values (usually log-spaced: learning rates, penalties, batch sizes)."""
    return Setting(key, "level", default, label, values=values, **more)


def choice(key: str, label: str, values: Sequence | Callable[[], Sequence], default, **more) -> Setting:
    """One of a list of names (or numbers): a select box, or a row of radio buttons with horizontal=True."""
    return Setting(key, "choice", default, label, values=values, **more)


def choices(key: str, label: str, values: Sequence | Callable[[], Sequence], default: Sequence, **more) -> Setting:
    """Several of a list of names, in the order chosen, none twice."""
    return Setting(key, "choices", list(default), label, values=values, **more)


def flag(key: str, label: str, default: bool = False, **more) -> Setting:
    return Setting(key, "flag", bool(default), label, **more)


def whole(key: str, label: str, lo: int, hi: int, default: int, **more) -> Setting:
    """A typed whole number (a number box), e.g. the random seed."""
    return Setting(key, "whole", int(default), label, lo=int(lo), hi=int(hi), step=1, **more)


SEED = whole("seed", "common.seed", 0, 9999, 0)  # every lesson's random seed, the same control on every page


class Settings:
    """A lesson's settings in the order its page draws them; ``SETTINGS["key"]`` is one of them."""

    def __init__(self, *settings: Setting):
        self._by_key: dict[str, Setting] = {}
        for setting in settings:
            if setting.key in self._by_key:
                raise ValueError(f"two settings have the key {setting.key!r}")
            self._by_key[setting.key] = setting
        names = [s.name for s in settings]
        if len(set(names)) != len(names):
            raise ValueError(f"two settings have the same name: {sorted({n for n in names if names.count(n) > 1})}")

    def __getitem__(self, key: str) -> Setting:
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"no setting {key!r}; this lesson has {', '.join(self._by_key)}") from None

    def __contains__(self, key) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Setting]:
        return iter(tuple(self._by_key.values()))

    def __len__(self) -> int:
        return len(self._by_key)

    def keys(self) -> tuple[str, ...]:
        return tuple(self._by_key)

    def named(self, name: str) -> Setting:
        """The setting a notebook or a file calls ``name``."""
        for setting in self._by_key.values():
            if setting.name == name:
                return setting
        raise KeyError(f"no setting named {name!r}")

    def defaults(self) -> dict:
        """{key: default} of every setting."""
        return {s.key: s.default for s in self._by_key.values()}

    def __add__(self, other: "Settings") -> "Settings":
        return Settings(*self, *other)


__all__ = ["Setting", "Settings", "Refused", "number", "level", "choice", "choices", "flag", "whole", "SEED",
           "read_number", "to_text", "is_number", "grid_snap", "decimals", "MAX_TEXT"]
