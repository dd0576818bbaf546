"""Each lesson's experiment as a Jupyter notebook a student downloads and runs.

    nb = notebooks.build("batchnorm", {"lr": 0.3, "lang": "ko"})   # an nbformat v4 NotebookNode
    nbformat.write(nb, "batchnorm.ipynb")                           # or notebooks.to_bytes(slug, settings)

Every lesson has a notebook, and no list of them is kept here: the lessons are ``ui/nav.LESSONS`` (this package
never imports ui), and ``build`` resolves the slug it is given. A lesson is a lab module ``lab/<slug>.py`` that
declares its settings (``SETTINGS``, ``lab.settings``); anything else (the overview, a path, a helper module of lab/)
is refused with ValueError. Its notebook is

- the lesson's recipe, ``notebooks/<slug>.py``, when there is one: the page's settings as a first code cell of
  plain assignments (checked values, written with ``repr``), the experiment through the engine (``core``) and the
  lesson's own functions (``lab.<slug>``, the ones the page calls), the training loop written out with the engine's
  calls (forward, loss, backward, the optimizer's step) and checked against the page's run, the page's main chart
  drawn by the page's own builder (``figures/<slug>.py``, the same arrays, words in the notebook's language,
  ``Figure.show()``), and a last cell printing the main numbers the page shows, one ``name = value`` per line
  (``_base.lesson_cells`` says what a recipe gives);
- else the generic notebook written from the lesson's declaration alone (``_generic``): its settings cell from
  ``lab.<slug>.SETTINGS``, its lab module imported, the functions it offers, the usage its documentation shows, and
  the page's live run (a function of the lab module that returns a ``runs.shared.RunSpec`` and takes the settings by
  name) trained to its last frame, with what the page draws of it.

Words come from ``content/<lang>/notebooks.txt`` and the page's own text (``settings["lang"]``: "en" or "ko", default
English). Nothing here imports Streamlit; nbformat is imported by ``build`` only, so a page that merely offers the
download (``ui.sources.notebook_button``) does not load it: the notebook is built when the button is pressed.
"""
from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    import nbformat

METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def lesson(slug: str):
    """The lab module of lesson ``slug`` (``lab/<slug>.py`` with its ``SETTINGS``); anything else -> ValueError."""
    from lab.settings import Settings

    if not (isinstance(slug, str) and slug.isidentifier() and not slug.startswith("_")):
        raise ValueError(f"no lesson {slug!r}: a lesson's name is the name of its lab module")
    try:
        mod = importlib.import_module(f"lab.{slug}")
    except ModuleNotFoundError as err:
        if err.name != f"lab.{slug}":
            raise
        raise ValueError(f"no lesson {slug!r}: there is no lab/{slug}.py") from None
    if not isinstance(getattr(mod, "SETTINGS", None), Settings):
        raise ValueError(f"no lesson {slug!r}: lab/{slug}.py declares no SETTINGS")
    return mod


def has_recipe(slug: str) -> bool:
    """True when lesson ``slug`` has its own recipe, ``notebooks/<slug>.py``."""
    lesson(slug)
    return importlib.util.find_spec(f"{__name__}.{slug}") is not None


def module(slug: str):
    """The recipe of lesson ``slug``'s notebook: ``notebooks/<slug>.py``, else the generic one built from the
    lesson's declaration (``_generic.Recipe``). Not a lesson -> ValueError."""
    if has_recipe(slug):
        return importlib.import_module(f"{__name__}.{slug}")
    from notebooks import _generic

    return _generic.Recipe(slug)


def values(slug: str, settings: Mapping | None = None) -> dict:
    """{variable name: checked value}: what the settings cell of ``slug``'s notebook assigns."""
    from notebooks import _base

    mod = module(slug)
    settings = dict(settings or {})
    return mod.read(settings) if hasattr(mod, "read") else _base.read(mod.FIELDS, settings)


def control_keys(slug: str) -> tuple:
    """The page controls (URL keys) that ``slug``'s notebook reads."""
    mod = module(slug)
    keys = [f.key for f in getattr(mod, "FIELDS", ())]
    return tuple(dict.fromkeys(keys + list(getattr(mod, "extra_keys", tuple)())))


def charts(slug: str, settings: Mapping | None = None) -> tuple:
    """The keys of the page's charts that ``slug``'s notebook draws (in the order it shows them), at ``settings``."""
    mod = module(slug)
    return tuple(mod.charts(values(slug, settings))) if hasattr(mod, "charts") else ()


def build(slug: str, settings: Mapping | None = None) -> nbformat.NotebookNode:
    """The notebook of lesson ``slug`` at ``settings`` ({control key: value}, plus "lang"), validated (nbformat v4)."""
    import nbformat
    from nbformat.v4 import new_notebook

    from notebooks import _base

    settings = dict(settings or {})
    text = _base.Text(settings.get("lang") if isinstance(settings.get("lang"), str) else "en")
    mod = module(slug)
    checked = values(slug, settings)
    cells = mod.cells(checked, text) if hasattr(mod, "cells") else _base.lesson_cells(mod, slug, checked, text)
    nb = new_notebook(cells=cells, metadata=METADATA)
    nb.metadata["lab"] = {"lesson": slug}
    nbformat.validate(nb)
    return nb


def to_bytes(slug: str, settings: Mapping | None = None) -> bytes:
    """``build`` written as an .ipynb file's bytes."""
    import nbformat

    return nbformat.writes(build(slug, settings)).encode("utf-8")
