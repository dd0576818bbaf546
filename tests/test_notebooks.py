"""The experiment as a notebook (notebooks/): every lesson's notebook is valid nbformat v4, writes only checked
values, starts from the page's own defaults, draws its chart with the page's own figure builder, writes its training
loop out with the engine's calls, and, executed in a real kernel (nbclient), prints the numbers the page shows and
draws the page's chart, at the defaults and with one control changed. A lesson with no recipe of its own still gets
a notebook, written from its declaration.

The execution tests are marked ``notebooks`` (``pytest -m notebooks``; ``-m "not notebooks"`` skips them): each
lesson runs its two notebooks in one fresh kernel while this process plays the page's own run to its last frame, as
the page does (no shortened runs), and opens the page (AppTest) at the same settings to read its charts. The longest
is batchnorm (two probed 3 x 100 sigmoid networks trained as far as the page's Train, and one of them again in the
loop written out): about 15 s on a quiet 2-core machine; all of them together take a few minutes.
"""
from __future__ import annotations

import ast
import base64
import concurrent.futures
import json
import math
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import notebooks
from lab.settings import Refused
from ui import nav

ROOT = Path(__file__).resolve().parent.parent
LESSONS = [p.slug for p in nav.PAGES if p.slug != "home"]
LINE = re.compile(r"^(\w+) = (\S+)$")


# ---------------------------------------------------------------- the page's numbers, through its lab functions
# Each calls what lessons/<slug>.py calls for the notebook's settings v: its lab functions and, for a live run, the
# page's run spec played to its last frame (the frame the page shows once Train is done), read from that frame's
# data as the page reads it. Nothing here is copied from a notebook module.

def last_frame(spec):
    """The data of a live run's last frame, computed as every page computes its frames (runs.shared)."""
    from runs import shared
    return shared.complete(spec).frames[-1].data


def page_losses(v):
    from lab import losses as lab
    fits = lab.fit_lines(v["outliers"], v["outlier_size"], v["delta"], v["seed"])
    _, _, at = lab.gradient_curves(v["classes"], lab.WRONG_P)
    return {**{f"slope_{k}": fits.slope[k] for k in lab.REGRESSION_LOSSES},
            **{f"intercept_{k}": fits.intercept[k] for k in lab.REGRESSION_LOSSES},
            "gradient_cross_entropy": at["cross_entropy"][0], "gradient_mse": at["mse"][0]}


def page_batches(v):
    from lab import batches as lab
    c = last_frame(lab.batch_run(lab.Settings(v["batch_size"], v["lr"], v["seed"])))
    return {"common_epoch": c.common_epoch, **{f"epochs_{k}": e for k, e in c.epochs.items()},
            **{f"loss_at_common_epoch_{k}": x for k, x in c.at_common.items()},
            **{f"step_noise_{k}": x for k, x in c.noise.items()}}


def page_preprocessing(v):
    from lab import preprocessing as lab
    settings = lab.Settings(dataset=v["dataset"], shift=v["shift"], lr=v["lr"], seed=v["seed"])
    c = last_frame(lab.preprocess_run(settings))
    return {**{f"train_loss_{k}": h["train_loss"][-1] for k, h in c.histories.items() if len(h["train_loss"])},
            **{f"dead_units_{k}": n for k, n in c.dead.items()}}


def page_activations(v):
    from lab import activations as lab
    race = last_frame(lab.race_run(tuple(v["activations"]), v["dataset"], v["lr"], v["seed"]))
    return {**{f"test_acc_{k}": x for k, x in race.test_acc.items() if x is not None},
            **{f"train_loss_{k}": x for k, x in race.train_loss.items() if x is not None}}


def page_vanishing(v):
    from lab import vanishing as lab
    net = lab.Net(v["dataset"], v["depth"], v["width"], v["activation"], v["init"], v["std"], v["batchnorm"], v["seed"])
    prof = lab.profile(net)
    view = last_frame(lab.training_run(net, lab.Training(v["lr"], v["clip"], v["threshold"])))
    return {"max_slope": prof.max_slope, "measured_ratio": prof.ratio, "chain_rule_bound": prof.bound_ratio,
            **{f"train_loss_{k}": m.train_loss[-1] for k, m in view.members.items() if len(m.train_loss)}}


def page_initialization(v):
    from lab import initialization as lab
    stats = last_frame(lab.stats_run(lab.Probe(v["depth"], v["width"], v["activation"], v["init"], v["std"],
                                               v["seed"])))
    return {**{f"mean_layer_{i + 1}": x for i, x in enumerate(stats.mean)},
            **{f"std_layer_{i + 1}": x for i, x in enumerate(stats.std)},
            **{f"grad_std_layer_{i + 1}": x for i, x in enumerate(stats.grad_std)}, "gain": stats.gain}


def page_batchnorm(v):
    from lab import batchnorm as lab
    pair = last_frame(lab.pair_run(v["position"], v["lr"], v["init_std"], v["momentum"], v["eps"], v["seed"]))
    out = {}
    for k, m in pair.members.items():
        if len(m.step):
            out |= {f"test_acc_{k}": m.test_acc[-1], f"train_loss_{k}": m.train_loss[-1]}
        out[f"drift_{k}"] = lab.percentile_drift(m.percentiles, v["unit"])
    return out


def page_dropout(v):
    from lab import dropout as lab
    h = last_frame(lab.overfit_run(v["rate"], v["l2"], v["seed"])).histories
    return {**{f"gap_{k}": x["train_acc"][-1] - x["test_acc"][-1] for k, x in h.items()},
            **{f"test_acc_{k}": x["test_acc"][-1] for k, x in h.items()}}


def page_regularization(v):
    from lab import regularization as lab
    settings = lab.Settings(n_train=v["n_train"], width=v["width"], lam=v["lam"], wd=v["wd"], c=v["c"],
                            seed=v["seed"])
    rows = last_frame(lab.training_run(settings)).rows
    columns = {"train_acc": "train_acc", "test_acc": "test_acc", "gap": "gap", "memorized": "memorized",
               "best_step": "best_step", "weight_norm": "weight_norm", "zero_weights": "zero_frac"}
    return {f"{name}_{k}": getattr(row, field) for k, row in rows.items() for name, field in columns.items()}


def page_ensembles(v):
    from lab import ensembles as lab
    sc = last_frame(lab.seeds_run(lab.Settings(k=v["k"], seed=v["seed"]))).scores
    return {**{f"test_acc_member_{i + 1}": a for i, a in enumerate(sc.members)}, "test_acc_mean": sc.mean,
            "test_acc_ensemble": sc.ensemble, "disagree": sc.disagree}


def page_transfer(v):
    from lab import transfer as lab
    view = last_frame(lab.transfer_run(lab.Settings(n_target=v["n_target"], n_reuse=v["n_reuse"], seed=v["seed"])))
    return {"source_test_acc": lab.source_net()[1],
            **{f"test_acc_{k}": h["test_acc"][-1] for k, h in view.histories.items() if len(h["step"])}}


def page_optimizers(v):
    from lab import optimizers as lab
    entries = tuple((name, tuple(sorted(hp.items()))) for name, hp in v["optimizers"].items())
    race = lab.race_of(entries, v["surface"], tuple(v["start"]), v["steps"], v["schedule"])
    names = [n for n, _ in race.entries]
    return {**{f"final_loss_{n}": race.losses[k, -1] for k, n in enumerate(names)},
            **{f"final_x_{n}": race.paths[k, -1, 0] for k, n in enumerate(names)},
            **{f"final_y_{n}": race.paths[k, -1, 1] for k, n in enumerate(names)}}


def page_landscape(v):
    from lab import landscape as lab
    res = last_frame(lab.landscape_run(lab.Settings(**{name: v[name] for name in (
        "dataset", "width", "depth", "activation", "optimizer", "lr", "steps", "batch", "weight_decay", "directions",
        "grid", "span", "seed")})))
    return {"center_loss": res.center_loss, "train_acc": res.train_acc, "captured": res.captured,
            "n_params": res.n_params, "span": res.span}


def page_playground(v):
    from lab import playground as lab
    cfg = lab.PlaygroundConfig(**v)
    tr = lab.build(cfg).run(cfg.steps)
    return {k: tr.history[k][-1] for k in ("train_loss", "test_loss", "train_acc", "test_acc")}


PAGE_NUMBERS = {slug: globals()[f"page_{slug}"] for slug in LESSONS}

# One control changed per page (link keys and values a student can pick).
CHANGED = {
    "losses": {"outliers": 10}, "batches": {"batch": 64}, "preprocessing": {"data": "digits"},
    "activations": {"acts": ["relu", "tanh"]}, "vanishing": {"act": "relu"},
    "initialization": {"init": "xavier_normal"}, "batchnorm": {"lr": 0.3}, "dropout": {"rate": 0.5},
    "regularization": {"wd": 1.0}, "ensembles": {"k": 3}, "transfer": {"n": 200}, "optimizers": {"steps": 100},
    "landscape": {"dirs": "pca"}, "playground": {"data": "circles"},
}


# ---------------------------------------------------------------- building (fast)

def code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def assigned_literals(source: str) -> dict:
    """{name: value} of a settings cell; fails unless every statement assigns one literal to one plain name."""
    out = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), \
            ast.unparse(node)
        out[node.targets[0].id] = ast.literal_eval(node.value)  # raises on anything but a literal
    return out


def test_every_lesson_has_a_notebook():
    """The lessons are ui/nav's, not a list in notebooks/: each one resolves to its recipe; what is not a lesson (the
    overview, a path, a helper module of lab/, a recipe module's helpers) is refused."""
    assert not hasattr(notebooks, "LESSONS")
    for slug in nav.LESSONS:
        assert notebooks.has_recipe(slug), f"{slug}: no notebooks/{slug}.py"
    for wrong in ("home", "../core/nn", "lab.dropout", "_base", "shared", "settings", "common", "nosuchlesson", "",
                  None, 3):
        with pytest.raises(ValueError):
            notebooks.build(wrong)


# Where each recipe's training loop, written out, calls the engine (a lesson trained by core.train.Trainer unless
# listed): the calls that must appear in its loop cell.
TRAINER_CALLS = ("losses.get(", "net.forward(x[idx], train=True)", "loss_fn(out, y[idx])", "net.backward(dout)",
                 ".step(")
LOOP_CALLS = {"losses": ("losses.get(name", "loss(prediction, y[:, None])"),
              "initialization": ("activations.get(activation)", "f.forward(z)", "h @ W"),
              "optimizers": ("optim.make(name, **hp)", "surf.grad(", "optimizer.step([point], [gradient])"),
              "landscape": TRAINER_CALLS[1:] + ("losses.get(", "optim.make(")}

@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("slug", LESSONS)
def test_the_default_notebook_is_valid_and_plain(slug, lang):
    nb = notebooks.build(slug, {"lang": lang})
    nbformat.validate(nb)
    assert nb.nbformat == 4 and nb.metadata.kernelspec.name == "python3"
    cells = code_cells(nb)
    assert assigned_literals(cells[0]) == notebooks.values(slug, {})
    for source in cells:
        compile(source, f"<{slug}>", "exec")
        assert "streamlit" not in source, "a notebook uses the engine, the lab and the figure builders only"
        assert "plotly.graph_objects" not in source and "make_subplots" not in source, \
            "a notebook draws with the page's builders (figures/), never a chart of its own"
    assert f"from figures import {slug} as charts" in "\n".join(cells)
    shown = [source for source in cells if ".show()" in source]
    assert shown and all("charts." in source for source in shown)
    assert sum(source.count(".show()") for source in cells) == len(notebooks.charts(slug))
    assert "print(f\"{name} = {value:.6g}\")" in cells[-1]
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert (re.search(r"[\uac00-\ud7a3]", markdown) is not None) == (lang == "ko")
    assert f"lab/{slug}.py" in markdown and f"figures/{slug}.py" in markdown and "pip install" in markdown


@pytest.mark.parametrize("slug", LESSONS)
def test_the_training_loop_is_written_with_the_engine_calls(slug):
    """Issue 23: the notebook shows the loop itself (forward, loss, backward, step), not only the page's wrappers;
    the kernel test below runs it and it asserts that it ends on the page's result."""
    loop = notebooks.module(slug).loop(notebooks.values(slug, {})).strip("\n")
    assert loop in code_cells(notebooks.build(slug))
    for call in LOOP_CALLS.get(slug, TRAINER_CALLS):
        assert call in loop, f"{slug}: the loop written out does not call {call}"
    assert "assert same" in loop
    assert ".run(" not in loop, "the loop is written out, not run by a wrapper"


@pytest.mark.parametrize("slug", LESSONS)
def test_a_changed_control_reaches_the_settings_cell(slug):
    nb = notebooks.build(slug, CHANGED[slug])
    written = assigned_literals(code_cells(nb)[0])
    assert written == notebooks.values(slug, CHANGED[slug]) != notebooks.values(slug, {})


HOSTILE = ['x"); __import__("os").system("echo pwned"); ("', "1\nimport os", "`rm -rf /`", "'''", '"""',
           "${HOME}", "\\", "{__import__('os')}", "0.1 # ", "nan", "inf", "-1e309", "𝟘", "\x00"]


class EvilFloat(float):
    def __repr__(self):
        return "__import__('os').system('echo pwned')"


class EvilStr(str):
    def __repr__(self):
        return "__import__('os').system('echo pwned')"


@pytest.mark.parametrize("slug", LESSONS)
def test_hostile_settings_never_become_code(slug):
    """Values a link or a tampered session could carry: quotes, newlines, backticks, objects with a lying repr,
    non-finite numbers. None of them reaches the notebook: each falls back to the page's default."""
    keys = notebooks.control_keys(slug)
    payloads = HOSTILE + [EvilFloat(0.5), EvilStr("relu"), float("nan"), float("inf"), [HOSTILE[0]], {"a": 1},
                          True, None, 10 ** 400]
    seen = set()
    for i, payload in enumerate(payloads):
        settings = {key: payload for key in keys}
        settings["lang"] = HOSTILE[i % len(HOSTILE)]
        nb = notebooks.build(slug, settings)
        source = "\n".join(code_cells(nb))
        for marker in ("pwned", "import os", "rm -rf", "${HOME}", "__import__", "\x00"):
            assert marker not in source, (slug, payload)
        written = assigned_literals(code_cells(nb)[0])
        for name, value in written.items():
            assert type(value) in (int, float, str, bool, list, tuple, dict), (name, value)
            assert not isinstance(value, float) or math.isfinite(value)
        seen.add(repr(written))
    # a payload that a check lets through is a value the page offers (e.g. True for a toggle): never the raw text
    assert all("pwned" not in s for s in seen)


def test_a_mixed_setting_keeps_what_is_valid():
    v = notebooks.values("batchnorm", {"lr": 0.3, "std": "0.1\nimport os", "mom": EvilFloat(0.3), "pos": "after"})
    assert v["lr"] == 0.3 and v["position"] == "after"
    assert v["init_std"] == 0.1 and v["momentum"] == 0.3 and type(v["momentum"]) is float  # our own constant


# ---------------------------------------------------------------- the page's defaults

def offered(widget) -> list:
    """Values a page's control offers, which the notebook must take as they are: a slider's or an integer input's
    two ends, every value of a log slider (its labels are the numbers, written with :g). A menu's labels are
    translated names, so its options are not read here (the notebooks take their menus from the lab modules)."""
    kind = type(widget).__name__
    if kind in ("Slider", "NumberInput"):
        return [widget.min, widget.max]
    if kind == "SelectSlider":
        try:
            return [float(label) for label in widget.options]
        except ValueError:
            return []
    return []


def accepts(setting, value) -> bool:
    if setting.integer and isinstance(value, float) and value.is_integer():  # AppTest hands an int slider's ends back
        value = int(value)                                                   # as floats
    try:
        setting.check(value)
        return True
    except Refused:
        return False


@pytest.mark.app
@pytest.mark.parametrize("slug", LESSONS)
def test_the_notebook_starts_from_the_page_defaults(slug):
    """The settings cell of a notebook built with no settings equals the one built from the page's own controls at
    first load: the notebook's defaults are the page's. And every value a control offers reaches the notebook (a
    slider the page widens is not silently cut back to the default)."""
    from apptest_util import open_page, page_widgets

    at = open_page(slug, "en")
    assert not at.exception
    widgets = {w.key: w for w in page_widgets(at)}
    drawn = {key: w.value for key, w in widgets.items()}
    read = set(notebooks.control_keys(slug)) & set(drawn)
    assert len(read) >= 2, f"{slug}: the page draws none of the controls the notebook reads"
    for field in getattr(notebooks.module(slug), "FIELDS", ()):  # a value the page offers is one the notebook takes
        if field.key in drawn:
            assert accepts(field, drawn[field.key]), f"{slug}: {field.key} = {drawn[field.key]!r} refused"
            refused = [v for v in offered(widgets[field.key]) if not accepts(field, v)]
            assert not refused, f"{slug}: the page's control {field.key} offers {refused}, the notebook refuses them"
    page, ours = notebooks.values(slug, drawn), notebooks.values(slug, {})
    differ = {k: (page[k], ours[k]) for k in ours if page[k] != ours[k]}
    assert not differ, f"{slug}: the notebook's default differs from the page's ({{name: (page, notebook)}}): {differ}"


# ---------------------------------------------------------------- executing the notebooks

def printed_numbers(cell) -> dict:
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return {m.group(1): m.group(2) for m in map(LINE.match, text.splitlines()) if m}


def agrees(printed: str, value) -> bool:
    """The notebook printed ``value`` with 6 significant digits. The page keeps some of its curves in float32 (a
    frame's history), so a difference in the 7th digit passes; NaN agrees with NaN only."""
    shown = float(printed)
    value = float(value)
    if math.isnan(value) or math.isnan(shown):
        return math.isnan(value) and math.isnan(shown)
    return shown == float(f"{value:.6g}") or abs(shown - value) <= 1e-5 * abs(value) + 1e-7


def run_in_one_kernel(books: list, workdir: Path) -> list:
    """Execute the notebooks one after the other in one fresh kernel (its names reset in between), in an empty
    folder, with this repository on PYTHONPATH. -> the executed notebooks."""
    import nbclient

    merged = nbformat.v4.new_notebook(metadata=books[0].metadata)
    for i, nb in enumerate(books):
        if i:
            merged.cells.append(nbformat.v4.new_code_cell("%reset -f"))
        merged.cells.extend(nb.cells)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PLOTLY_RENDERER"] = "plotly_mimetype"  # Figure.show() hands Jupyter the figure's JSON, whatever the frontend
    client = nbclient.NotebookClient(merged, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    out, start = [], 0
    for nb in books:
        out.append(nbformat.v4.new_notebook(cells=merged.cells[start:start + len(nb.cells)], metadata=nb.metadata))
        start += len(nb.cells) + 1
    return out


# ---------------------------------------------------------------- the page's charts

PLOTLY = "application/vnd.plotly.v1+json"  # what Figure.show() displays in a kernel (plotly's mimetype renderer)


def notebook_charts(nb) -> list:
    """The figures an executed notebook showed, in order (Plotly's JSON, as Jupyter received it)."""
    return [out["data"][PLOTLY] for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
            if out.output_type == "display_data" and PLOTLY in out.get("data", {})]


def page_charts(slug: str, settings: dict) -> dict:
    """{chart key: figure JSON} of the page opened (AppTest, English) with ``settings`` in its link, its live runs at
    their last frame (``trained``) and its predict-first answers shown (``reveal``): what a student sees."""
    from apptest_util import charts, open_page
    from lab.settings import to_text
    from ui.teacher import MAX_TRAINED

    from runs import shared

    params = {key: to_text(value) for key, value in settings.items()}
    link = {**params, "trained": str(MAX_TRAINED), "reveal": "all"}
    at = open_page(slug, "en", link)  # a run nobody has computed plays up to the step: compute the page's runs, then
    for run in shared.RUNS.values():  # open it again, as a class whose run was computed sees it
        if not run.complete:
            shared.complete(run.spec)
    at = open_page(slug, "en", link)
    assert not at.exception, [e.message for e in at.exception]
    return {f"-{key}": spec for key, spec in charts(at).items()}  # named like element ids ("...-<key>")


def plain(node):
    """A figure's JSON with every typed array (base64 "bdata") decoded to a list of numbers."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                values = values.reshape([int(n) for n in str(node["shape"]).split(",")])
            return values.tolist()
        return {key: plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    return node


def figure_json(spec: dict) -> dict:
    """The figure as Plotly reads it (go.Figure: defaults and shorthands resolved the same way on both sides)."""
    import plotly.graph_objects as go

    return plain(json.loads(go.Figure(spec).to_json()))


def differences(page, notebook, path: str = "") -> list:
    """Where two figures' JSON differ (every value, every trace's data: exactly; NaN equals NaN)."""
    if isinstance(page, dict) and isinstance(notebook, dict):
        out = [f"{path}/{key}: only on the {'page' if key in page else 'notebook'}"
               for key in sorted(set(page) ^ set(notebook))]
        for key in sorted(set(page) & set(notebook)):
            out += differences(page[key], notebook[key], f"{path}/{key}")
        return out
    if isinstance(page, list) and isinstance(notebook, list):
        out = [f"{path}: {len(page)} values on the page, {len(notebook)} in the notebook"] \
            if len(page) != len(notebook) else []
        for i, (a, b) in enumerate(zip(page, notebook)):
            out += differences(a, b, f"{path}[{i}]")
        return out
    same_nan = isinstance(page, float) and isinstance(notebook, float) and math.isnan(page) and math.isnan(notebook)
    return [] if page == notebook or same_nan else [f"{path}: page {page!r}, notebook {notebook!r}"]


# ---------------------------------------------------------------- running the notebooks

@pytest.mark.notebooks
@pytest.mark.parametrize("slug", LESSONS)
def test_the_notebook_runs_and_prints_the_page_numbers(slug, tmp_path):
    """Both notebooks (the defaults, one control changed) run in a kernel: each prints the page's numbers, its loop
    written out asserts that it ends on the page's run, and each chart it shows is the page's chart at the same
    settings (issue 22: the notebook draws with the page's builder, so the two cannot drift)."""
    import nbclient.exceptions

    settings = {"default": {}, f"changed {CHANGED[slug]}": CHANGED[slug]}
    books = [notebooks.build(slug, s) for s in settings.values()]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the kernel runs while this process computes the page's
        executed = pool.submit(run_in_one_kernel, books, tmp_path)
        expected = {name: PAGE_NUMBERS[slug](notebooks.values(slug, s)) for name, s in settings.items()}
        pages = {name: page_charts(slug, s) for name, s in settings.items()}
        try:
            executed = executed.result()
        except nbclient.exceptions.CellExecutionError as err:  # the cell and its traceback, named by lesson
            pytest.fail(f"{slug}: a cell of its notebook failed:\n{err}")
    problems, printed = [], {}
    for (name, s), nb in zip(settings.items(), executed):
        printed[name] = printed_numbers(nb.cells[-1])
        want, got = expected[name], printed[name]
        if set(want) - set(got):
            problems.append(f"{slug} ({name}): the page shows {sorted(set(want) - set(got))}, the notebook does not "
                            f"print them")
        if set(got) - set(want):
            problems.append(f"{slug} ({name}): the notebook prints {sorted(set(got) - set(want))}, the page does not "
                            f"show them")
        problems += [f"{slug} ({name}): {key}: the notebook prints {got[key]}, the page shows {float(want[key])!r}"
                     for key in want if key in got and not agrees(got[key], want[key])]
        keys, shown = notebooks.charts(slug, s), notebook_charts(nb)
        if len(shown) != len(keys):
            problems.append(f"{slug} ({name}): the notebook shows {len(shown)} charts, it draws the page's {keys}")
        for key, chart in zip(keys, shown):
            on_page = [spec for element, spec in pages[name].items() if element.endswith(f"-{key}")]
            if len(on_page) != 1:
                problems.append(f"{slug} ({name}): the page has {len(on_page)} charts keyed {key!r}")
                continue
            found = differences(figure_json(on_page[0]), figure_json(chart))
            problems += [f"{slug} ({name}): chart {key!r} differs from the page's: {d}" for d in found[:10]]
    assert not problems, "\n".join(problems)
    default, changed = printed.values()
    assert changed != default, f"{slug}: changing {CHANGED[slug]} changed none of the numbers"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.py")), ids=lambda p: p.name)
def test_the_notebook_writers_stay_out_of_the_app(path):
    """notebooks/ is imported by the app but never imports Streamlit, the figure builders or the pages (the figure
    builders are imported by the notebook's own cells, when it runs, not while it is written)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    found |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not found & {"streamlit", "figures", "lessons"}, sorted(found)


# ---------------------------------------------------------------- a lesson with no recipe

TINY = '''"""A throwaway lesson for the tests: w moved by gradient descent on (w - 3)², live.

    w = tiny_fit(rate=0.25, steps=8)
    print(f"w = {w:.4f}")
"""
from __future__ import annotations

from dataclasses import dataclass

from runs import shared
from lab.settings import SEED, Settings, level, number

SETTINGS = Settings(
    level("rate", "tinylesson.rate", (0.05, 0.1, 0.25, 0.5), 0.1),
    number("steps", "tinylesson.steps", 1, 50, 10),
    SEED,
)
CODE_BEHIND = ()


def tiny_fit(rate: float = 0.1, steps: int = 10) -> float:
    """Gradient descent on (w - 3)² from w = 0: the w it reaches."""
    w = 0.0
    for _ in range(steps):
        w -= rate * 2 * (w - 3)
    return w


@dataclass(frozen=True)
class View:
    step: int
    w: float


class _Run:
    def __init__(self, rate, seed):
        self.rate, self.step, self.w = rate, 0, float(seed)

    def run(self, n):
        for _ in range(n):
            self.w -= self.rate * 2 * (self.w - 3)
            self.step += 1
        return self


def tiny_run(rate: float, steps: int = 10, seed: int = 0) -> shared.RunSpec:
    """The page's live run: ``steps`` updates from w = seed."""
    return shared.RunSpec(key=("tinylesson", rate, steps, seed), build=lambda: _Run(rate, seed),
                          snapshot=lambda r: View(r.step, r.w), steps=tuple(range(steps + 1)))


def needs_more(rate: float, other: int) -> shared.RunSpec:
    """A run the settings cannot fill (``other`` is no setting): not offered."""
    raise AssertionError("never called")
'''


@pytest.fixture
def tiny_lesson(tmp_path, monkeypatch):
    """A lesson that exists only for this test: lab/tinylesson.py (in a temporary folder on lab's path) with its
    SETTINGS, and no notebooks/tinylesson.py."""
    import importlib
    import sys

    import lab

    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "tinylesson.py").write_text(TINY, encoding="utf-8")
    monkeypatch.setattr(lab, "__path__", [*lab.__path__, str(folder)])
    monkeypatch.delitem(sys.modules, "lab.tinylesson", raising=False)
    importlib.invalidate_caches()
    yield "tinylesson"
    sys.modules.pop("lab.tinylesson", None)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_lesson_without_a_recipe_gets_a_notebook_from_its_declaration(tiny_lesson, lang):
    """Issue 22: adding a lesson does not touch notebooks/. The notebook is written from lab/<slug>.py alone: its
    settings cell from SETTINGS (checked), its functions, the usage its docstring shows and its live run, and it
    runs."""
    slug = tiny_lesson
    assert not (ROOT / "notebooks" / f"{slug}.py").exists() and not notebooks.has_recipe(slug)
    nb = notebooks.build(slug, {"rate": 0.25, "steps": 4, "lang": lang})
    nbformat.validate(nb)
    cells = code_cells(nb)
    assert assigned_literals(cells[0]) == {"rate": 0.25, "steps": 4, "seed": 0} == notebooks.values(slug, {
        "rate": 0.25, "steps": 4})
    assert notebooks.control_keys(slug) == ("rate", "steps", "seed")
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert f"lab/{slug}.py" in markdown and "`tiny_fit(rate=0.1, steps=10)`: Gradient descent" in markdown
    assert (re.search(r"[\uac00-\ud7a3]", markdown) is not None) == (lang == "ko")
    source = "\n".join(cells)
    assert "from lab.tinylesson import tiny_fit" in source and "w = tiny_fit(rate=0.25, steps=8)" in source
    assert "lesson.tiny_run(rate=rate, steps=steps, seed=seed)" in source and "needs_more" not in source.replace(
        "`needs_more", "")
    namespace: dict = {}
    for cell in cells:  # run as a kernel would, one cell after the other
        exec(compile(cell, f"<{slug}>", "exec"), namespace)
    w = 0.0
    for _ in range(4):
        w -= 0.25 * 2 * (w - 3)
    assert namespace["run"].step == 4 and namespace["frame"].w == w  # the live run, to its last frame
    assert namespace["w"] == pytest.approx(3 - 3 * 0.5 ** 8)  # the documented usage, run as written
    for payload in HOSTILE:  # the same checks as a recipe's settings: a refused value becomes the default
        written = assigned_literals(code_cells(notebooks.build(slug, {"rate": payload, "steps": payload}))[0])
        assert written == {"rate": 0.1, "steps": 10, "seed": 0}


@pytest.mark.app
def test_a_new_lesson_is_offered_its_notebook(tiny_lesson, monkeypatch):
    """ui.sources offers the download on every lesson of ui/nav.LESSONS, the new one included (its notebook built
    from its declaration), and on nothing else."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(nav, "LESSONS", (*nav.LESSONS, tiny_lesson))
    at = AppTest.from_function(_offer_app, default_timeout=30)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [t.value for t in at.text] == ["tinylesson.ipynb", "dropout.ipynb"]  # nothing for "home"
    nb = nbformat.reads(at.code[0].value, as_version=4)
    assert nb.metadata["lab"] == {"lesson": "tinylesson"} and "rate = 0.1" in nb.cells[2].source


def _offer_app():
    import streamlit as st

    from ui import sources, teacher

    teacher.read(st.query_params, st.container())
    offered = []
    st.download_button, real = (lambda label, data, **kwargs: offered.append((kwargs["file_name"], data))), \
        st.download_button  # stands in for the button: what pressing it would download
    try:
        for page in ("tinylesson", "home", "dropout"):
            sources.notebook_button(page)
    finally:
        st.download_button = real
    for name, data in offered:
        st.text(name)
    st.code(offered[0][1]().decode("utf-8"))
