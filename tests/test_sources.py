"""The code behind each page: every name a lesson lists in CODE_BEHIND (lab/<slug>.py) resolves to code in core/ whose source the page shows,
and the notebook button builds the notebook from the page's own settings."""
from __future__ import annotations

import inspect
import json

import pytest
from streamlit.testing.v1 import AppTest

from core import optim
from content import catalog
from ui import nav, sources

LESSONS = [p.slug for p in nav.PAGES if p.slug != "home"]
NAMES = sorted({name for slug in LESSONS for name in sources.code(slug)})


def test_every_lesson_has_code_behind_it():
    assert all(sources.code(slug) for slug in LESSONS)
    assert sources.code("home") == ()


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_engine_code_with_a_source(name):
    obj = sources.resolve(name)
    assert inspect.getmodule(obj).__name__.startswith("core."), f"{name} is not code of the engine (core/)"
    text, where = sources.source(name)
    assert text.strip() and where.startswith("core/") and ":" in where
    assert text.splitlines()[0].lstrip().startswith(("def ", "class ", "@")), f"{name}: {text.splitlines()[0]!r}"
    assert text == text.lstrip("\n") and not text.splitlines()[0].startswith(" "), f"{name} keeps its class's indent"


def test_the_optimizer_rules_come_from_the_registry():
    """Each optimizer's rule is read through core.optim.RULES, so the page shows the function that runs; every
    registered optimizer is listed, one registered at run time too."""
    shown = [name for name in sources.code("optimizers") if name.startswith("core.optim.RULES.")]
    assert shown == [f"core.optim.RULES.{name}.update" for name in optim.NAMES]
    for name in optim.NAMES:
        assert sources.resolve(f"core.optim.RULES.{name}.update") is optim.RULES[name].update


def test_a_property_shows_its_getter_and_a_bad_name_is_refused():
    assert "samples_seen" in sources.source("core.train.Trainer.epoch")[0]
    with pytest.raises(LookupError):
        sources.resolve("core.layers.BatchNorm.no_such_thing")
    with pytest.raises(LookupError):
        sources.resolve("core.optim.RULES.no_such_optimizer.update")


def test_the_words_exist_in_both_languages():
    for lang in catalog.LANGUAGES:
        entries = catalog.load(lang)
        for key in ("code_behind", "code_behind_intro", "code_behind_api", "notebook", "notebook_help"):
            assert entries.get(f"common.{key}"), f"{lang}: common.{key}"
        assert "Use the engine from Python" in entries["common.code_behind_api"]


def _code_behind_app(page: str, lang: str):
    from ui import sources
    import streamlit as st

    st.session_state["lang"] = lang
    sources.code_behind(page)


@pytest.mark.app
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_expander_shows_each_source_with_its_name(lang):
    at = AppTest.from_function(_code_behind_app, args=("batchnorm", lang), default_timeout=30).run()
    assert not at.exception
    [expander] = at.expander
    assert expander.label == catalog.load(lang)["common.code_behind"]
    shown = [code.value for code in at.code]
    assert shown == [sources.source(name)[0] for name in sources.code("batchnorm")]
    assert "def forward(self, x, train=False, rng=None):" in shown[0]
    names = " ".join(m.value for m in at.markdown)
    assert all(f"`{name}`" in names for name in sources.code("batchnorm"))
    assert any("Use the engine from Python" in c.value for c in at.caption)


def _button_app(lang: str):
    import streamlit as st

    from lab import batches
    from ui import controls, sources, teacher

    st.session_state["lang"] = lang
    teacher.read(st.query_params, st.container())  # as app.py does on every run: the page's controls are noted
    controls.draw(batches.SETTINGS["batch"])
    controls.draw(batches.SETTINGS["lr"].but(default=0.5))  # a control at a value that is not the page's default
    pressed = {}

    def capture(label, data, **kwargs):  # stands in for st.download_button: what pressing it would download
        pressed.update(label=label, data=data, **kwargs)

    st.download_button, real = capture, st.download_button
    try:
        sources.notebook_button("batches")
    finally:
        st.download_button = real
    st.text(pressed["file_name"])
    st.code(pressed["data"]().decode("utf-8"))  # built now, from the settings drawn above


@pytest.mark.app
def test_the_button_builds_the_notebook_from_the_page_settings():
    at = AppTest.from_function(_button_app, args=("ko",), default_timeout=30)
    at.query_params["batch"] = "64"
    at.run()
    assert not at.exception
    assert at.text[0].value == "batches.ipynb"
    nb = json.loads(at.code[0].value)
    settings = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert "".join(settings["source"]).splitlines()[:2] == ["batch_size = 64", "lr = 0.5"]
    assert any("실험" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.app
def test_a_page_shows_the_code_and_offers_its_notebook():
    from apptest_util import open_page

    at = open_page("dropout", "en")
    assert not at.exception
    assert catalog.load("en")["common.code_behind"] in [e.label for e in at.expander]
    assert any(b.proto.label == catalog.load("en")["common.notebook"] for b in at.get("download_button"))
    assert sources.source("core.layers.Dropout.forward")[0] in [c.value for c in at.code]


def test_an_optimizer_registered_at_run_time_gets_its_code_panel():
    import dataclasses

    copy = dataclasses.replace(optim.rule("sgd"), name="sgd_copy")
    optim.register(copy)
    try:
        assert "core.optim.RULES.sgd_copy.update" in sources.code("optimizers")
        assert sources.resolve("core.optim.RULES.sgd_copy.update") is copy.update
    finally:
        optim.unregister("sgd_copy")
    assert "core.optim.RULES.sgd_copy.update" not in sources.code("optimizers")
