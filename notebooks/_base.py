"""What every lesson notebook shares: checking the page's settings, writing them as code, and the common cells.

A page's settings arrive as ``{control key: value}`` (``ui.teacher.current_settings``). They went through the
page's controls, but a notebook is code a student runs, so every value is checked again here by the lesson's own
declaration (``lab.settings.Setting.check``) and only a value that passes is written, with ``repr``: a known option
(returned as *our* constant, never the object passed in), a finite number in the control's range, a bool, or a list
of known options. Anything else becomes the default.
"""
from __future__ import annotations

import ast
import importlib
import math
import numbers
import threading
from typing import Mapping, Sequence

from nbformat.v4 import new_code_cell, new_markdown_cell

from lab.settings import Refused, Setting
from content import catalog


# CPython 3.11 (3.11.7 here) counts the depth of an AST being built in one place for all threads: two threads
# building ASTs at once can fail with "AST constructor recursion depth mismatch" (seen in test_concurrency). Pages build
# notebooks in their script threads, so every parse of ours takes this lock (and Streamlit's magic, the other user
# of the ast module in the server, is off: .streamlit/config.toml).
_AST_LOCK = threading.Lock()


def parse(source: str) -> ast.Module:
    """ast.parse, one thread at a time."""
    with _AST_LOCK:
        return ast.parse(source)


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

    def has(self, key: str) -> bool:
        return key in catalog.load(self.lang) or key in catalog.load("en")


class Code:
    """A label ``chart_words`` writes as it is: source of our own (e.g. a choice between two texts by a setting)."""

    def __init__(self, source: str):
        self.source = source


def chart_words(text: Text, page: str, mapping: Mapping, name: str = "labels") -> str:
    """The source of a dict literal of a chart's words, as the page hands them to its figure builder
    (``ui.lesson.labels``), in the notebook's language: ``mapping`` is {label: text key}, a key relative to the
    page ("acc") or absolute ("common.step_axis"), or {label: (text key, {placeholder: expression})} for a text the
    page fills in (``t("dropout.m_dropout", rate=rate)``): the notebook fills it with the same expression over its
    own variables, so a value edited in the settings cell reaches the chart's words too; or ``Code(source)``. The
    texts are ours (the catalog), written with ``repr``."""
    lines = []
    for label, spec in mapping.items():
        if isinstance(spec, Code):
            lines.append(f"    {label!r}: {spec.source},")
            continue
        key, values = (spec, None) if isinstance(spec, str) else spec
        literal = repr(text(key if "." in key else f"{page}.{key}"))
        if values:
            literal += ".format(" + ", ".join(f"{k}={v}" for k, v in values.items()) + ")"
        lines.append(f"    {label!r}: {literal},")
    return f"{name} = {{\n" + "\n".join(lines) + "\n}"


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
    settings; the imports; [mod.before]; the experiment; [the training loop, written out]; the main chart;
    [mod.after]; the numbers.

    mod (``notebooks/<slug>.py``) gives FUNCTION (the lab function the hint names), IMPORTS, the experiment's source
    (``experiment(values)``, or a fixed EXPERIMENT), NUMBERS (the source that builds the dict ``numbers``),
    ``chart(text, values)`` (the source that draws the page's chart(s) with the page's own builders,
    ``figures/<slug>.py``, and shows them), ``charts(values)`` (the keys of those charts on the page, in the order
    the notebook shows them: the tests compare each with the page's), and optionally NAMES (the settings' order;
    default: its FIELDS'), ``loop(values)`` (the source of the training loop written out: ``training_loop``; its heading is the text
    ``loop``, or ``<slug>_loop`` when the lesson trains without a Trainer),
    ``steps(values)`` (the length of the page's run at these settings, read from its lab module: the experiment's
    text says it), ``words(values)`` (all the experiment's text is filled with, when more than ``steps``) and
    ``before(text)`` / ``after(text)`` (more cells)."""
    declared = getattr(mod, "FIELDS", ())
    names = getattr(mod, "NAMES", None) or [s.name for s in declared]
    notes = {s.name: text(s.note) for s in declared if s.note}
    steps = mod.steps(values) if hasattr(mod, "steps") else getattr(mod, "STEPS", None)
    words_ = mod.words(values) if hasattr(mod, "words") else {"steps": steps}
    experiment = mod.experiment(values) if hasattr(mod, "experiment") else mod.EXPERIMENT
    heading = f"{slug}_loop" if text.has(f"notebooks.{slug}_loop") else "loop"  # a loop that is not a Trainer's
    loop = [md(text(heading)), code(mod.loop(values))] if hasattr(mod, "loop") else []
    cells = [*opening(slug, text, [mod.FUNCTION]),
             code(settings_code(names, values, notes)), code(mod.IMPORTS),
             *(mod.before(text) if hasattr(mod, "before") else ()),
             md(text(f"{slug}_experiment", **words_)), code(experiment), *loop,
             md(text(f"{slug}_chart")), code(mod.chart(text, values)),
             *(mod.after(text) if hasattr(mod, "after") else ()),
             *numbers_cells(text, mod.NUMBERS)]
    sources = [c.source for c in cells if c.cell_type == "code"]
    for source in sources[1:]:
        clash = assigned(source) & set(names)
        if clash:  # a cell that rebinds a setting would make a rerun of the cells before it use something else
            raise ValueError(f"{slug}: a cell assigns the setting(s) {sorted(clash)}:\n{source}")
    if loop:  # the loop is an aside: it must leave every name the later cells read as the experiment left it
        after = sources[sources.index(loop[1].source) + 1:]
        clash = assigned(loop[1].source) & set().union(*(reads(s) - assigned(s) for s in after))
        if clash:
            raise ValueError(f"{slug}: the training loop rebinds {sorted(clash)}, which a later cell reads")
    return cells


def reads(source: str) -> set:
    """The names a cell reads."""
    return {node.id for node in ast.walk(parse(source)) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)}


def assigned(source: str) -> set:
    """The names a cell binds (assignments, loop targets, imports, definitions), at any depth."""
    found = set()
    for node in ast.walk(parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
    return found


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


# ---------------------------------------------------------------- the training loop, written out

LOOP_PARTS = ("full_batch", "l1", "l2", "clip", "frozen", "schedule", "max_norm")


def training_loop(fresh: str, page: str, parts: Sequence[str] = ()) -> str:
    """The source of a cell that trains a fresh copy of one of the page's networks with the engine's own calls
    (what ``core.train.Trainer.run`` does, one update after the other: a mini-batch, forward, the loss and its
    gradient, backward, the optimizer's step) for as many updates as the page's run made, then checks that it ends
    with exactly the page's weights.

    fresh: an expression that builds the untrained ``core.train.Trainer`` of that network (the lesson's own
    function, so the same network, data, optimizer and seeds); page: an expression for the page's trained copy
    (``.net``, ``.step``). parts: what this lesson's trainer can use besides the plain update (``LOOP_PARTS``):
    "full_batch" (batch_size None: the whole training set every update), "l1", "l2" (penalties on the dense
    weights), "clip" (by value or by global norm), "frozen" (frozen layers get no update), "schedule" (a learning
    rate per update), "max_norm". Each part reads its value from the trainer, so a setting edited in the settings
    cell reaches the loop too."""
    parts = set(parts)
    unknown = parts - set(LOOP_PARTS)
    if unknown:
        raise ValueError(f"unknown loop parts {sorted(unknown)}; valid: {', '.join(LOOP_PARTS)}")
    head = [
        "# a fresh copy of the page's network: the same network, data, optimizer and seeds, untrained",
        f"fresh = {fresh}",
        f"page = {page}  # the page's copy, trained above",
        "net, opt = fresh.net, fresh.optimizer  # a core.nn.MLP and its core.optim optimizer (no state yet)",
        "loss_fn = losses.get(fresh.loss_name)  # (the loss, its gradient with respect to the network's outputs)",
        "x, y, n = fresh.x_train, fresh.y_train, len(fresh.x_train)",
        "shuffle = np.random.default_rng(fresh.seed)  # the order of the mini-batches: a new shuffle every epoch",
        "order, cursor = None, n",
    ]
    if parts & {"l1", "l2", "max_norm"}:
        head.append("dense = [i for i, p in enumerate(net.params) if any(p is W for W in net.weights)]  # W's places")
    if "frozen" in parts:
        head.append("trained = net.trainable  # False for the parameters of a frozen layer")
    body = []
    batch = [
        "if cursor >= n:  # a new epoch",
        "    order, cursor = shuffle.permutation(n), 0",
        "idx = order[cursor:cursor + fresh.batch_size]  # this update's mini-batch",
        "cursor += len(idx)",
    ]
    if "full_batch" in parts:
        body += ["if fresh.batch_size is None:  # full batch: the whole training set at every update",
                 "    idx = slice(None)", "else:"] + [f"    {line}" for line in batch]
    else:
        body += batch
    body += [
        "out = net.forward(x[idx], train=True)  # forward, in training mode (dropout masks, batch statistics)",
        "loss, dout = loss_fn(out, y[idx])  # the batch's loss and its gradient at the outputs",
        "net.backward(dout)  # backward: the gradient of every parameter, from the last layer to the first",
        "grads = list(net.grads)  # aligned with net.params",
    ]
    for name, what in (("l1", "λ·Σ|W| adds λ·sign(W)"), ("l2", "½·λ·ΣW² adds λ·W")):
        if name in parts:
            body += [f"if fresh.{name} > 0:  # {what} to each weight's gradient",
                     f"    _, extra = regularization.{name}_penalty(net.weights, fresh.{name})",
                     "    for i, g in zip(dense, extra):",
                     "        grads[i] = grads[i] + g"]
    if "clip" in parts:
        body += ["if fresh.clip_value is not None:  # every entry into [−c, c]",
                 "    grads = regularization.clip_by_value(grads, fresh.clip_value)",
                 "if fresh.clip_norm is not None:  # all of them scaled together to a global norm of at most c",
                 "    grads, _ = regularization.clip_by_global_norm(grads, fresh.clip_norm)"]
    if "schedule" in parts:
        body += ["if fresh.schedule is not None:  # this update's learning rate",
                 "    opt.set_lr(fresh.schedule(t))"]
    if "frozen" in parts:
        body += ["opt.step([p for p, ok in zip(net.params, trained) if ok],  # the update, in place: frozen",
                 "         [g for g, ok in zip(grads, trained) if ok])  # parameters are left out"]
    else:
        body += ["opt.step(net.params, grads)  # the update, in place"]
    if "max_norm" in parts:
        body += ["if fresh.max_norm is not None:  # each unit's incoming weights back to a norm of at most c",
                 "    for i in dense:",
                 "        regularization.max_norm_(net.params[i], fresh.max_norm)"]
    if "frozen" in parts and "max_norm" in parts:
        raise ValueError("frozen and max_norm together: max-norm must skip frozen layers")
    tail = [
        "same = np.array_equal(net.flat_params, page.net.flat_params, equal_nan=True)",
        'print(f"{page.step} updates written out; the same weights as the page\'s run: {same}")',
        'assert same, "the loop above no longer repeats core.train.Trainer"',
    ]
    return "\n".join(head + ["", "for t in range(page.step):  # as many updates as the page's run made"]
                     + [f"    {line}" for line in body] + [""] + tail)
