"""Adding a lesson touches five places only: ui/nav.py, lab/<slug>.py, lessons/<slug>.py, figures/<slug>.py and
content/{en,ko}/<slug>.txt (docs/PAGES.md). The template lesson of docs/template/ is put into a copy of the project
with exactly those changes; the copy then shows it in the navigation, warms it at start, offers its notebook and
its code panel, and passes the house rules and the text checks."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "docs" / "template"
NAV_LINE = '    PageSpec("template", "playground", ":material/school:"),\n'


def _copy_with_the_template(dest: Path) -> set[str]:
    """The project copied to ``dest`` with the template lesson added; -> the files that differ from the project."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(".git", ".venv", "artifacts", "__pycache__",
                                                                ".pytest_cache", "node_modules", "*.pyc"))
    placed = {"lab/template.py": TEMPLATE / "lab.py", "lessons/template.py": TEMPLATE / "lesson.py",
              "figures/template.py": TEMPLATE / "figures.py",
              "content/en/template.txt": TEMPLATE / "content" / "en" / "template.txt",
              "content/ko/template.txt": TEMPLATE / "content" / "ko" / "template.txt"}
    for where, source in placed.items():
        assert not (dest / where).exists(), f"{where} exists already"
        shutil.copyfile(source, dest / where)
    nav = (dest / "ui" / "nav.py").read_text(encoding="utf-8")
    last = nav.index("\n)\n", nav.index("PAGES: tuple[PageSpec, ...] = ("))
    (dest / "ui" / "nav.py").write_text(nav[:last + 1] + NAV_LINE + nav[last + 1:], encoding="utf-8")
    return set(placed) | {"ui/nav.py"}


CHECK = r"""
import json, os, sys
os.environ["LAB_WARM"] = "0"
from streamlit.testing.v1 import AppTest
from ui import nav, sources
from lab import template
from runs import shared, warm
import notebooks, nbformat

out = {"lessons": list(nav.LESSONS)}
at = AppTest.from_file("app.py", default_timeout=60)
at.query_params["lang"] = "ko"
at.run()
at.switch_page("lessons/template.py").run()  # raises when the router does not know the page
out["errors"] = [e.message for e in at.exception]
out["title"] = at.title[0].value
out["charts"] = len([e for e in at._tree if e.type == "plotly_chart" or (
    e.type == "bidi_component" and e.proto.component_name == "dnnlab_live_chart")])
out["controls"] = sorted(w.key for w in list(at.slider) + list(at.select_slider) + list(at.number_input))
out["warmed"] = sorted(warm.warm_all([s for s in nav.LESSONS if s == "template"]))
out["pinned"] = shared.RUNS.pinned_bytes > 0
out["code"] = [sources.source(name)[1] for name in sources.code("template")]
nb = notebooks.build("template", {"lang": "en", "lr": 0.8})
nbformat.validate(nb)
out["notebook"] = "".join(c["source"] for c in nb.cells if c.cell_type == "code")
print(json.dumps(out))
"""


@pytest.mark.app
def test_a_new_lesson_is_five_files_and_one_line(tmp_path):
    import json

    copy = tmp_path / "lab-copy"
    changed = _copy_with_the_template(copy)
    assert changed == {"ui/nav.py", "lab/template.py", "lessons/template.py", "figures/template.py",
                       "content/en/template.txt", "content/ko/template.txt"}
    run = subprocess.run([sys.executable, "-c", CHECK], cwd=copy, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(copy), "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin",
                              "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert "template" in out["lessons"]                           # the navigation (and so the warm-up's list)
    assert out["errors"] == [] and out["title"].startswith("템플릿 레슨") and out["charts"] == 1
    assert out["controls"] == ["lr", "seed", "steps"]            # drawn from its declaration
    assert out["warmed"] == ["template"] and out["pinned"]       # warmed at start
    assert out["code"] and out["code"][0].startswith("core/optim.py:")  # its code panel
    assert "lr = 0.8" in out["notebook"]                         # its notebook, from its settings
    # the copy's own rules hold for the new lesson: the house plan, the text, the declarations
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_house.py",
                            "tests/test_content.py", "tests/test_settings.py", "-k", "template or every_room or korean"
                            " or both_languages or glossary"],
                           cwd=copy, capture_output=True, text=True, timeout=300,
                           env={"PYTHONPATH": str(copy), "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin",
                                "HOME": str(tmp_path)})
    assert tests.returncode == 0, tests.stdout[-3000:]
