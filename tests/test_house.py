"""The house plan (docs/ARCHITECTURE.md), checked from the source so a file in the wrong room fails CI.

Every room of the house and what it may import (``ROOMS``, the same table as docs/ARCHITECTURE.md): core/ is the
engine (no side effect on import), lab/ each lesson's experiments (NumPy only), figures/ turns arrays and words into
figure specs, content/ holds every word, notebooks/ writes a lesson as a notebook, ui/ the Streamlit helpers, lessons/
the thin pages, serve/ the class server's processes. A lesson is a page, a lab module and a figure module of one name.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ui import nav

ROOT = Path(__file__).resolve().parent.parent
MAX_PAGE_LINES = 250


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


def imported(path: Path, runtime_only: bool = True) -> set[str]:
    """Top-level package names a module imports (inside `if TYPE_CHECKING:` not counted when runtime_only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip.update(id(n) for n in ast.walk(node))
    names = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def roots(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


# room -> (the rooms of this project it may import, the outside packages it must never import). Arrows only point
# down the list: nothing imports a room listed after it.
PROJECT = {"core", "runs", "lab", "figures", "content", "notebooks", "ui", "lessons", "serve", "app"}
ROOMS = {
    "core": ({"core"}, {"streamlit", "plotly", "nbformat"}),
    # the class server: shared stores and runs, warm-up, housekeeping, tick governor, load agent (Streamlit's runtime
    # only where a session's life is read, never its page API)
    "runs": ({"runs", "core"}, {"plotly", "nbformat"}),
    "lab": ({"core", "runs", "lab"}, {"streamlit", "plotly", "nbformat"}),
    "figures": ({"figures"}, {"streamlit", "nbformat"}),
    "content": ({"content"}, {"streamlit", "plotly", "numpy"}),
    "notebooks": ({"notebooks", "lab", "runs", "core", "figures", "content"}, {"streamlit"}),
    "ui": ({"ui", "runs", "lab", "core", "figures", "content", "notebooks"}, set()),
    "lessons": ({"lessons", "ui", "runs", "lab", "core", "figures", "content"}, set()),
    "serve": ({"serve"}, {"streamlit", "plotly", "numpy"}),
}


def room_files():
    return [(room, path) for room in ROOMS for path in sorted((ROOT / room).rglob("*.py"))]


@pytest.mark.parametrize("room, path", room_files(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_every_room_imports_only_what_the_house_plan_allows(room, path):
    allowed, never = ROOMS[room]
    # TYPE_CHECKING imports count too (figures may name lab types there: they are names, not imports at run time)
    found = roots(imported(path, runtime_only=room == "figures"))
    wrong = (found & PROJECT) - allowed
    assert not wrong, f"{room}/{path.name} imports {sorted(wrong)}: the house plan allows {sorted(allowed)}"
    assert not found & never, f"{room}/{path.name} imports {sorted(found & never)}"


def test_every_python_folder_is_a_room_of_the_plan():
    folders = {p.parent.relative_to(ROOT).parts[0] for p in ROOT.rglob("*.py")
               if ".venv" not in p.parts and p.parent != ROOT}
    assert folders - {"tests", "bench", "docs"} == set(ROOMS), "a folder of code that the house plan does not name"


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_core_is_the_engine_only(path):
    assert not roots(imported(path, runtime_only=False)) & {"streamlit", "plotly", "lab", "figures", "ui"}


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_importing_core_runs_nothing(path):
    """A module of core/ only defines things at import: imports, functions, classes, constants, docstrings."""
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        assert isinstance(node, allowed), f"{path.name}:{node.lineno} runs code on import: {ast.unparse(node)[:80]}"
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            calls = [n for n in ast.walk(node.value) if isinstance(n, ast.Call)]
            for call in calls:  # constants may be built with pure calls (dict, tuple, np.float64 ...), never mallopt
                assert "runtime" not in ast.unparse(call.func) and "mallopt" not in ast.unparse(call.func), \
                    f"{path.name}:{node.lineno}"


def test_import_core_leaves_the_allocator_alone():
    """Importing every module of core/, runs/, lab/ and figures/ in a fresh interpreter calls neither of core.runtime's
    process settings (tune_allocator, release_memory: entry points do), starts no thread and sets no environment
    variable. Every module is imported by name (``from lab import *`` imports none of a package's modules)."""
    names = [f"{folder}.{path.stem}" for folder in ("core", "runs", "lab", "figures") for path in modules(folder)]
    code = ("import os, threading, core.runtime as r\n"
            "calls = []\n"
            "r.tune_allocator = lambda: calls.append('tune_allocator')\n"
            "r.release_memory = lambda: calls.append('release_memory')\n"
            "env, threads = dict(os.environ), threading.active_count()\n"
            "import importlib, sys\n"
            f"names = {names!r}\n"
            "for name in names:\n"
            "    importlib.import_module(name)\n"
            "missing = [n for n in names if n not in sys.modules]\n"
            "changed = sorted(k for k in set(env) | set(os.environ) if env.get(k) != os.environ.get(k))\n"
            "print(calls, threading.active_count() - threads, changed, missing)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert len(names) > 40 and "runs.shared" in names and "figures.playground" in names
    assert out.stdout.strip() == "[] 0 [] []", out.stdout


@pytest.mark.parametrize("path", modules("lab"), ids=lambda p: p.name)
def test_lab_is_numpy_only(path):
    assert not roots(imported(path, runtime_only=False)) & {"streamlit", "plotly", "figures", "ui"}


@pytest.mark.parametrize("path", modules("figures"), ids=lambda p: p.name)
def test_figures_take_arrays_and_words(path):
    found = roots(imported(path))
    assert not found & {"core", "lab", "streamlit", "ui"}, f"{path.name} imports {sorted(found & {'core', 'lab', 'streamlit', 'ui'})}"


LESSONS = [p.slug for p in nav.PAGES if p.slug != "home"]


@pytest.mark.parametrize("slug", LESSONS)
def test_a_lesson_is_a_page_a_lab_module_and_a_figure_module(slug):
    assert (ROOT / "lessons" / f"{slug}.py").exists()
    assert (ROOT / "lab" / f"{slug}.py").exists(), f"lab/{slug}.py"
    assert (ROOT / "figures" / f"{slug}.py").exists(), f"figures/{slug}.py"


@pytest.mark.parametrize("path", modules("lessons"), ids=lambda p: p.name)
def test_pages_are_thin(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_PAGE_LINES, f"{path.name}: {lines} lines"
    found = imported(path)
    assembling = {f"core.{m}" for m in ("nn", "train", "compare", "probe", "layers")} & found
    assert not assembling, f"{path.name} assembles models itself ({sorted(assembling)}): call its lab module"
    assert "core.runtime" not in found


def test_no_page_folder_named_pages():
    """A folder named pages/ beside app.py switches Streamlit 1.67 into its legacy discovery for the first run on a fresh server."""
    assert not (ROOT / "pages").exists()


def test_memory_can_be_handed_back():
    from core import runtime

    assert runtime.release_memory() is sys.platform.startswith("linux")


def test_nothing_points_outside_the_repository():
    """Code and docs name only files a reader of this repository has (no notes of the team's, no machine paths)."""
    outside = ("STREAMLIT-NOTES", "REFERENCES.md", "STYLE.md", "/work/", "shared/seeds", "DEVELOPERS.md")
    found = []
    for path in ROOT.rglob("*"):
        if path.suffix not in (".py", ".md", ".txt", ".toml", ".cfg", ".yaml") or {".git", ".venv", "artifacts",
                                                                                 "node_modules"} & set(path.parts):
            continue
        if path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(ROOT)}: {word}" for word in outside if word in text]
    assert found == []


# One concept, one name: a student's own points are "own" as a data set (data=own, lab.own_points,
# lessons/_own_points.py, the text keys own_*) and "points" as a value (the link's points=, the session's
# ss["points"], the configuration's field). The words they had before may not come back.
RETIRED = (re.compile(r"custom_data|_playground_points|data=custom|[\"']custom[\"']|(?<![\w.])pts=|[\"']pts[\"']"
                      r"|lock=pts|hide=pts|\bCUSTOM\b"),)


def test_one_name_for_one_s_own_points():
    found = []
    for path in ROOT.rglob("*"):
        if path.suffix not in (".py", ".md", ".txt", ".toml", ".js") or {".git", ".venv", "artifacts",
                                                                        "node_modules"} & set(path.parts):
            continue
        if path == Path(__file__):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{n}: {m.group(0)}" for rx in RETIRED for m in rx.finditer(line)]
    assert found == []
