"""The experiment as a notebook (notebooks/): every lesson's notebook is valid nbformat v4, writes only checked
values, starts from the page's own defaults, and, executed in a real kernel (nbclient), prints the numbers the page
shows, at the defaults and with one control changed.

The execution tests are marked ``notebooks`` (``pytest -m notebooks``; ``-m "not notebooks"`` skips them): each
lesson runs its two notebooks in one fresh kernel while this process plays the page's own run to its last frame, as
the page does (no shortened runs). The longest is batchnorm (two probed 3 x 100 sigmoid networks trained as far as
the page's Train): about 15 s on a quiet 2-core machine; all of them together take about a minute.
"""
from __future__ import annotations

import ast
import concurrent.futures
import math
import os
import re
from pathlib import Path

import nbformat
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
    """The data of a live run's last frame, computed as every page computes its frames (lab.shared)."""
    from lab import shared
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
    assert sorted(notebooks.LESSONS) == sorted(LESSONS)
    with pytest.raises(ValueError):
        notebooks.build("home")
    with pytest.raises(ValueError):
        notebooks.build("../core/nn")


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
        assert "streamlit" not in source and "figures" not in source, "a notebook uses the engine and Plotly only"
    assert any("fig.show()" in source for source in cells)
    assert "print(f\"{name} = {value:.6g}\")" in cells[-1]
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert (re.search(r"[\uac00-\ud7a3]", markdown) is not None) == (lang == "ko")
    assert f"lab/{slug}.py" in markdown and "pip install" in markdown


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
    client = nbclient.NotebookClient(merged, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    out, start = [], 0
    for nb in books:
        out.append(nbformat.v4.new_notebook(cells=merged.cells[start:start + len(nb.cells)], metadata=nb.metadata))
        start += len(nb.cells) + 1
    return out


@pytest.mark.notebooks
@pytest.mark.parametrize("slug", LESSONS)
def test_the_notebook_runs_and_prints_the_page_numbers(slug, tmp_path):
    import nbclient.exceptions

    settings = {"default": {}, f"changed {CHANGED[slug]}": CHANGED[slug]}
    books = [notebooks.build(slug, s) for s in settings.values()]
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the kernel runs while this process computes the page's
        executed = pool.submit(run_in_one_kernel, books, tmp_path)
        expected = {name: PAGE_NUMBERS[slug](notebooks.values(slug, s)) for name, s in settings.items()}
        try:
            executed = executed.result()
        except nbclient.exceptions.CellExecutionError as err:  # the cell and its traceback, named by lesson
            pytest.fail(f"{slug}: a cell of its notebook failed:\n{err}")
    problems, printed = [], {}
    for (name, _), nb in zip(settings.items(), executed):
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
    assert not problems, "\n".join(problems)
    default, changed = printed.values()
    assert changed != default, f"{slug}: changing {CHANGED[slug]} changed none of the numbers"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.py")), ids=lambda p: p.name)
def test_the_notebook_writers_stay_out_of_the_app(path):
    """notebooks/ is imported by the app but never imports Streamlit, the figure builders or the pages."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    found |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not found & {"streamlit", "figures", "lessons"}, sorted(found)
