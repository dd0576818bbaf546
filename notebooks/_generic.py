"""The notebook of a lesson that has no recipe of its own (``notebooks/<slug>.py``), written from what the lesson
declares and nothing else, so a new lesson downloads as a notebook from its first day:

- its settings cell: every setting of ``lab.<slug>.SETTINGS``, checked and written as ``_base`` writes them;
- its lab module imported as ``lesson``, and the functions it offers (its public functions, with their signatures
  and the first line of their documentation);
- the usage its documentation shows: the indented code block of the lab module's docstring (as in
  ``lab/ensembles.py``), when it compiles and hides no setting: a cell to run when every name it reads is defined
  by then, else a block to read;
- the page's live runs: each function of the lab module that returns a ``runs.shared.RunSpec`` and whose parameters
  the settings fill (by name, or through the lab module's ``Settings`` dataclass) is called with them; the run is
  built, trained to its last frame as the page's Train does, and what the page draws at that frame is listed.

No chart and no numbers cell: which chart is the lesson's main one, and which numbers its page shows, only a recipe
can say.
"""
from __future__ import annotations

import ast
import builtins
import dataclasses
import inspect
import textwrap
from typing import Mapping

from notebooks import _base


class Recipe:
    """The generic recipe of lesson ``slug`` (``notebooks.module`` returns one when there is no module)."""

    def __init__(self, slug: str):
        from notebooks import lesson

        self.slug = slug
        self.lab = lesson(slug)
        self.FIELDS = tuple(self.lab.SETTINGS)

    # ---- what the lab module offers

    def functions(self) -> list:
        """The lab module's public functions, in the order of its source."""
        found = [fn for name, fn in inspect.getmembers(self.lab, inspect.isfunction)
                 if not name.startswith("_") and fn.__module__ == self.lab.__name__]
        return sorted(found, key=lambda fn: fn.__code__.co_firstlineno)

    def usage(self) -> tuple[str, bool] | None:
        """(source, runs) of the first indented code block of the lab module's docstring, with the import of the
        lab module's names it uses; runs: every name it reads is defined by then (by the block itself, the import,
        the builtins or the settings cell), so it is a cell to run, else a block to read. None when there is no
        block, it does not compile, or it would hide a setting of the settings cell."""
        block = []
        for line in (self.lab.__doc__ or "").splitlines()[1:]:  # a module's docstring: its text starts at column 0
            if line.startswith("    ") and line.strip():
                block.append(line)
            elif block:
                break
        if not block:
            return None
        source = textwrap.dedent("\n".join(block))
        try:
            tree = _base.parse(source)
        except SyntaxError:
            return None
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        names = sorted(name for name in used if hasattr(self.lab, name) and not name.startswith("_"))
        if (set(names) | _base.assigned(source)) & {s.name for s in self.FIELDS}:
            return None
        head = f"from lab.{self.slug} import {', '.join(names)}\n\n" if names else ""
        known = set(names) | {s.name for s in self.FIELDS} | set(dir(builtins))
        runs = True
        for statement in tree.body:  # in order: a name must be bound before a statement reads it
            if _base.reads(ast.unparse(statement)) - known - _base.assigned(ast.unparse(statement)):
                runs = False
                break
            known |= _base.assigned(ast.unparse(statement))
        return head + source, runs

    def runs(self, values: Mapping) -> list[tuple[str, dict]]:
        """[(function name, {parameter: source of its argument})] of the functions that return a RunSpec and whose
        parameters the settings fill: a parameter named as a setting gets it; one whose default is a dataclass of
        the lab module (its ``Settings``) gets one built from the settings its fields name; the others must have a
        default, and at least one parameter must come from the settings."""
        out = []
        for fn in self.functions():
            returns = fn.__annotations__.get("return")
            returns = returns if isinstance(returns, str) else getattr(returns, "__name__", "")
            if not returns.endswith("RunSpec"):
                continue
            params = inspect.signature(fn).parameters.values()
            if any(p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params):
                continue
            args = {}
            for p in params:
                if p.name in values:
                    args[p.name] = p.name
                elif dataclasses.is_dataclass(p.default) and getattr(self.lab, type(p.default).__name__, None) \
                        is type(p.default):
                    fields = [f.name for f in dataclasses.fields(p.default) if f.name in values]
                    if fields:
                        args[p.name] = f"lesson.{type(p.default).__name__}(" + ", ".join(
                            f"{f}={f}" for f in fields) + ")"
            if args and all(p.name in args or p.default is not p.empty for p in params):
                out.append((fn.__name__, args))
        return out

    # ---- the cells

    def cells(self, values: Mapping, text: _base.Text) -> list:
        slug = self.slug
        title = text(f"{slug}.title") if text.has(f"{slug}.title") else slug
        names = [s.name for s in self.FIELDS]
        notes = {s.name: text(s.note) for s in self.FIELDS if s.note}
        offered = "\n".join(f"- `{fn.__name__}{_plain_signature(fn)}`"
                            + (f": {inspect.getdoc(fn).splitlines()[0]}" if inspect.getdoc(fn) else "")
                            for fn in self.functions())
        cells = [_base.md(f"# {title}\n\n{text('generic_intro', title=title, slug=slug)}\n\n{text('run')}"),
                 _base.md(text("generic_settings")), _base.code(_base.settings_code(names, values, notes)),
                 _base.code(f"from lab import {slug} as lesson  # this lesson's experiments (lab/{slug}.py), "
                            f"built on the engine in core/"),
                 _base.md(f"{text('generic_functions', slug=slug)}\n\n{offered}")]
        usage = self.usage()
        if usage:
            source, runs = usage
            cells += [_base.md(text("generic_usage", slug=slug)) if runs else
                      _base.md(f"{text('generic_usage_read', slug=slug)}\n\n```python\n{source}\n```")]
            cells += [_base.code(source)] if runs else []
        for name, args in self.runs(values):
            call = ", ".join(f"{param}={argument}" for param, argument in args.items())
            source = RUN.format(name=name, call=call)
            if not _base.assigned(source) & set(names):  # the cell's own names never hide a setting
                cells += [_base.md(text("generic_run", function=name, slug=slug)), _base.code(source)]
        return cells


def _plain_signature(fn) -> str:
    """``(rate=0.1, steps=10)``: the parameters and their defaults, without annotations."""
    sig = inspect.signature(fn)
    return str(sig.replace(parameters=[p.replace(annotation=p.empty) for p in sig.parameters.values()],
                           return_annotation=sig.empty))


RUN = """
live = lesson.{name}({call})  # the page's live run: how to build it, what it draws, its frames' steps
run = live.build()
last_step = live.steps[-1]
while run.step < last_step and getattr(run, "diverged_at", None) is None and not getattr(run, "stopped", False):
    run.run(last_step - run.step)  # as the page's Train: every update to the last frame
frame = live.snapshot(run)  # what the page draws at that frame
print(f"step {{run.step}}: {{type(frame).__name__}}")
if hasattr(frame, "__dict__"):  # a dataclass of arrays: each field, its shape
    for field, value in vars(frame).items():
        print(f"  {{field}}: {{getattr(value, 'shape', None) or value!r}}")
else:
    print(frame)
"""
