"""What every lesson notebook shares: checking the page's settings, writing them as code, and the common cells.

A page's settings arrive as ``{control key: value}`` (``ui.teacher.current_settings``). They went through the
page's controls, but a notebook is code a student runs, so every value is checked again here by the lesson's own
declaration (``lab.settings.Setting.check``) and only a value that passes is written, with ``repr``: a known option
(returned as *our* constant, never the object passed in), a finite number in the control's range, a bool, or a list
of known options. Anything else becomes the default.
"""
from __future__ import annotations

import importlib
import math
import numbers
from typing import Mapping, Sequence

from nbformat.v4 import new_code_cell, new_markdown_cell

from lab.settings import Refused, Setting
from content import catalog


def fields(slug: str, *keys: str):
    """The settings of lesson ``slug`` that its notebook assigns (``keys``, in that order; default: all of them),
    read from the lesson's declaration (``lab.<slug>.SETTINGS``) when called: a range or a menu changed there is
    the notebook's too."""
    declared = importlib.import_module(f"lab.{slug}").SETTINGS
    return tuple(declared[key] for key in keys) if keys else tuple(declared)


def read_one(setting: Setting, settings: Mapping):
    """The checked value of ``setting`` in ``settings`` ({control key: value}), or its default."""
    if setting.key in settings:
        try:
            return setting.check(settings[setting.key])
        except Refused:
            pass
    return setting.default


def read(declared: Sequence[Setting], settings: Mapping) -> dict:
    """{name: checked value} for every setting (a value a setting refuses becomes its default)."""
    return {s.name: read_one(s, settings) for s in declared}


def settings_code(names: Sequence[str], values: Mapping, notes: Mapping[str, str] | None = None) -> str:
    """The settings cell: one plain assignment per setting, ``name = repr(value)``; ``notes``: {name: comment}."""
    notes = notes or {}
    lines = []
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"not a variable name: {name!r}")
        line = f"{name} = {_literal(values[name])}"
        if name in notes:
            line = f"{line:<28}# {_comment(notes[name])}"
        lines.append(line)
    return "\n".join(lines)


def _literal(value) -> str:
    """repr of a checked value, after making sure it is one of the plain kinds a check returns."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, numbers.Integral):
        return repr(int(value))  # a NumPy integer is written as a plain int
    if isinstance(value, numbers.Real):
        if not math.isfinite(float(value)):
            raise ValueError("a setting must be finite")
        return repr(float(value))
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"cannot write a setting of type {type(value).__name__}")


def _comment(text: str) -> str:
    """A one-line comment (our own text; newlines would end the comment)."""
    return " ".join(text.split())


# ---------------------------------------------------------------- words

class Text:
    """The notebook's words in one language: ``text("key")`` is ``notebooks.key``, an absolute key
    (``"common.step_axis"``, ``"batches.title"``) is looked up as it is; English fills a missing entry."""

    def __init__(self, lang: str):
        self.lang = lang if lang in catalog.LANGUAGES else "en"

    def __call__(self, key: str, **values) -> str:
        full = key if "." in key else f"notebooks.{key}"
        text = catalog.load(self.lang).get(full)
        if text is None:
            text = catalog.load("en").get(full, key)
        return text.format(**values) if values else text

    def label(self, key: str, **values) -> str:
        """The text as a Python string literal, for a chart's words inside a code cell."""
        return repr(self(key, **values))


# ---------------------------------------------------------------- the cells every notebook has

def md(text: str):
    return new_markdown_cell(text.strip())


def code(source: str):
    return new_code_cell(source.strip("\n"))


def opening(slug: str, text: Text, functions: Sequence[str]) -> list:
    """Title and what the notebook does, how to run it, and the settings heading."""
    title = text(f"{slug}.title")
    hint = text("source_hint", slug=slug, function=functions[0]) if functions else ""
    return [md(f"# {title}\n\n{text('intro', title=title, slug=slug)}\n\n{text('run')}\n\n{hint}"),
            md(text("settings"))]


def lesson_cells(mod, slug: str, values: Mapping, text: Text) -> list:
    """The cells of lesson ``slug``'s notebook, in the order every one follows: title and how to run it; the
    settings; the imports; [mod.before]; the experiment; the main chart; [mod.after]; the numbers.

    mod (``notebooks/<slug>.py``) gives FUNCTION (the lab function the hint names), IMPORTS, the experiment's source
    (``experiment(values)``, or a fixed EXPERIMENT), NUMBERS (the source that builds the dict ``numbers``),
    ``chart(text)`` (source), and optionally NAMES (the settings' order; default: its FIELDS'), ``steps(values)``
    (the length of the page's run at these settings, read from its lab module: the experiment's text says it),
    ``words(values)`` (all the experiment's text is filled with, when more than ``steps``) and ``before(text)`` /
    ``after(text)`` (more cells)."""
    declared = getattr(mod, "FIELDS", ())
    names = getattr(mod, "NAMES", None) or [s.name for s in declared]
    notes = {s.name: text(s.note) for s in declared if s.note}
    steps = mod.steps(values) if hasattr(mod, "steps") else getattr(mod, "STEPS", None)
    words = mod.words(values) if hasattr(mod, "words") else {"steps": steps}
    experiment = mod.experiment(values) if hasattr(mod, "experiment") else mod.EXPERIMENT
    return [*opening(slug, text, [mod.FUNCTION]),
            code(settings_code(names, values, notes)), code(mod.IMPORTS),
            *(mod.before(text) if hasattr(mod, "before") else ()),
            md(text(f"{slug}_experiment", **words)), code(experiment),
            md(text(f"{slug}_chart")), code(mod.chart(text)),
            *(mod.after(text) if hasattr(mod, "after") else ()),
            *numbers_cells(text, mod.NUMBERS)]


def last_records(keys, first: str = "{}", extra: tuple = ()) -> str:
    """NUMBERS of a lesson whose runs are the trainers of ``group``: ``numbers`` starts as ``first`` (source of a
    dict) and gets ``<key>_<run>``, the last history row's value, for each of ``keys`` and each run that recorded
    one; ``extra``: more lines of the loop's body (source, with ``name`` and ``trainer``)."""
    body = [f'numbers[f"{key}_{{name}}"] = trainer.history["{key}"][-1]' for key in keys] + list(extra)
    lines = "\n".join(f"        {line}" for line in body)
    return f"""
numbers = {first}
for name, trainer in group.items():
    if len(trainer.history["step"]):  # a run that diverged before its first record has nothing to show
{lines}
"""


NUMBERS_LOOP = """
for name, value in numbers.items():
    print(f"{name} = {value:.6g}")
"""


def numbers_cells(text: Text, source: str) -> list:
    """The closing cells: ``source`` builds a dict ``numbers``, then one printed line ``name = value`` per number."""
    return [md(text("numbers")), code(f"{source.strip()}\n{NUMBERS_LOOP}")]
