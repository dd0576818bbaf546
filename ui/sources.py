"""What sits under every lesson: the engine's own code for what the page teaches, and the page's experiment as a
notebook to download.

Each lesson names, in its lab module's ``CODE_BEHIND``, the objects of ``core/`` that compute what the page shows: a
layer's forward and backward, an activation, an optimizer's update rule as ``core.optim``'s registry holds it, an
initializer, a loss (``code(page)`` reads it; a function there is called, so a list taken from a registry is read as
the registry is now).
``code_behind`` reads their source with ``inspect.getsource`` when it first draws them, so a student reads the code
that runs (a name may step into a mapping: ``core.optim.RULES.adam.update`` is ``RULES["adam"].update``).
``notebook_button`` offers ``notebooks.build(page, the page's settings)`` as an .ipynb file, built when pressed, on
every lesson of ``ui.nav.LESSONS``.
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import textwrap
from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from ui import teacher
from ui.i18n import current_lang, t

ROOT = Path(__file__).resolve().parent.parent


def code(page: str) -> tuple[str, ...]:
    """The dotted names of what lesson ``page`` teaches (``lab.<page>.CODE_BEHIND``); () for a page without it."""
    if importlib.util.find_spec(f"lab.{page}") is None:
        return ()
    names = getattr(importlib.import_module(f"lab.{page}"), "CODE_BEHIND", ())
    return tuple(names() if callable(names) else names)


def resolve(name: str):
    """The object a dotted name stands for: the longest importable module prefix, then attributes (or keys of a
    mapping) one by one. A property stands for its getter. An unknown name -> LookupError naming it."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            if isinstance(obj, Mapping) and part in obj:
                obj = obj[part]
            elif hasattr(obj, part):
                obj = getattr(obj, part)
            else:
                raise LookupError(f"{name}: nothing named {part!r} in {obj!r:.60}")
        return obj.fget if isinstance(obj, property) else obj
    raise LookupError(f"{name}: no module to import")


@functools.lru_cache(maxsize=None)
def source(name: str) -> tuple[str, str]:
    """(the object's source, where it is: "core/layers.py:125"), read once per process from the loaded code."""
    obj = inspect.unwrap(resolve(name))
    lines, start = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj)).resolve()
    where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    return textwrap.dedent("".join(lines)).rstrip("\n"), f"{where}:{start}"  # a method without its class's indent


def code_behind(page: str) -> None:
    """The expander "The code behind this page" (collapsed): each object of ``code(page)`` with its name and place,
    its source, and the pointer to the README's engine API. Nothing for a page without an entry."""
    names = code(page)
    if not names:
        return
    with st.expander(t("common.code_behind"), expanded=False, icon=":material/code:"):
        st.caption(t("common.code_behind_intro"))
        for name in names:
            text, where = source(name)
            st.markdown(f"`{name}` · `{where}`")
            st.code(text, language="python")
        st.caption(t("common.code_behind_api"))


def notebook_button(page: str) -> None:
    """A download button for the page's experiment as a Jupyter notebook, built from the page's control values
    (``teacher.current_settings``) and language when pressed. Every lesson of ``nav.LESSONS`` has one (its recipe,
    or the notebook ``notebooks`` writes from its declaration); nothing for a page that is not a lesson."""
    from ui import nav

    if page not in nav.LESSONS:
        return
    settings = {**teacher.current_settings(), "lang": current_lang()}

    def notebook() -> bytes:
        import notebooks
        return notebooks.to_bytes(page, settings)

    st.download_button(t("common.notebook"), notebook, file_name=f"{page}.ipynb", mime="application/x-ipynb+json",
                       on_click="ignore", icon=":material/download:", help=t("common.notebook_help"),
                       key=f"_notebook.{page}")
