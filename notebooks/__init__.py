"""Each lesson's experiment as a Jupyter notebook a student downloads and runs.

    nb = notebooks.build("batchnorm", {"lr": 0.3, "lang": "ko"})   # an nbformat v4 NotebookNode
    nbformat.write(nb, "batchnorm.ipynb")                           # or notebooks.to_bytes(slug, settings)

``notebooks/<slug>.py`` writes one lesson's notebook: the page's settings as a first code cell of plain
assignments (checked values, written with ``repr``), the experiment through the engine (``core``) and the
lesson's own functions (``lab.<slug>``, the ones the page calls), its main chart drawn with plotly.graph_objects
(``fig.show()``), and a last cell printing the main numbers the page shows, one ``name = value`` per line.
Words come from ``content/<lang>/notebooks.txt`` (``settings["lang"]``: "en" or "ko", default English).

A lesson module has ``FIELDS`` (``_base.Field``: control key, variable name, check, default) or its own
``read(settings)`` -> {name: value} (where the page's controls depend on each other), and the pieces of
``_base.lesson_cells``: FUNCTION, IMPORTS, EXPERIMENT, ``chart(text)``, NUMBERS.
Nothing here imports Streamlit; nbformat is imported by ``build`` only, so a page that merely offers the
download (``ui.sources.notebook_button``) does not load it: the notebook is built when the button is pressed.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    import nbformat

LESSONS = ("losses", "batches", "preprocessing", "activations", "vanishing", "initialization", "batchnorm",
           "dropout", "regularization", "ensembles", "transfer", "optimizers", "landscape", "playground")

METADATA = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def module(slug: str):
    """The notebook module of lesson ``slug``; an unknown slug -> ValueError listing the lessons."""
    if slug not in LESSONS:
        raise ValueError(f"no notebook for {slug!r}; lessons: {', '.join(LESSONS)}")
    return importlib.import_module(f"{__name__}.{slug}")


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


def build(slug: str, settings: Mapping | None = None) -> nbformat.NotebookNode:
    """The notebook of lesson ``slug`` at ``settings`` ({control key: value}, plus "lang"), validated (nbformat v4)."""
    import nbformat
    from nbformat.v4 import new_notebook

    from notebooks import _base

    settings = dict(settings or {})
    text = _base.Text(settings.get("lang") if isinstance(settings.get("lang"), str) else "en")
    nb = new_notebook(cells=_base.lesson_cells(module(slug), slug, values(slug, settings), text), metadata=METADATA)
    nb.metadata["lab"] = {"lesson": slug}
    nbformat.validate(nb)
    return nb


def to_bytes(slug: str, settings: Mapping | None = None) -> bytes:
    """``build`` written as an .ipynb file's bytes."""
    import nbformat

    return nbformat.writes(build(slug, settings)).encode("utf-8")
