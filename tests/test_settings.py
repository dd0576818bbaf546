"""Each lesson's settings are declared once (lab/<lesson>.py SETTINGS, lab/settings.py) and read by the page's
controls, the notebook and the playground's configuration file; and a page's settings stay on their page."""
from __future__ import annotations

import importlib
import math
import time

import pytest

from lab import settings as S
from tests.apptest_util import errors, open_page, page_widgets
from ui import nav

LESSONS = [p.slug for p in nav.PAGES if p.slug != "home"]


def declared(slug: str) -> S.Settings:
    return importlib.import_module(f"lab.{slug}").SETTINGS


# ---- one setting ------------------------------------------------------------------------------------------------

def test_a_number_setting_reads_checks_and_snaps():
    depth = S.number("depth", "vanishing.depth", 2, 50, 12)
    assert depth.read("7") == 7.0 and depth.snap(depth.read("7")) == 7
    assert depth.check(7) == 7 and type(depth.check(7)) is int
    for bad in (True, 7.0, "7", 51, 1):
        with pytest.raises(S.Refused):
            depth.check(bad)
    width = S.number("width", "vanishing.width", 8, 64, 32, 8)
    assert width.snap(9) == 8 and width.snap(13) == 16  # halves go up
    rate = S.number("rate", "dropout.rate", 0.0, 0.8, 0.3, 0.05)
    assert rate.check(0.1 * 3) == 0.3  # onto the grid, as the slider shows it
    with pytest.raises(S.Refused) as err:
        rate.check(0.9)
    assert err.value.code == "out_of_range" and err.value.params["hi"] == "0.8"


def test_a_level_setting_takes_only_its_values_from_a_file_and_snaps_a_link():
    lr = S.level("lr", "x.lr", (0.001, 0.01, 0.1, 1.0), 0.1)
    assert lr.check(0.1) == 0.1 and lr.check(1) == 1.0
    with pytest.raises(S.Refused) as err:
        lr.check(0.05)
    assert err.value.code == "not_choice"
    assert lr.snap(lr.read("0.12")) == 0.1 and lr.snap(lr.read("0.02")) == 0.01  # nearest on a log scale
    with pytest.raises(S.Refused):
        lr.read("2")


def test_choices_flags_and_whole_numbers():
    opts = S.choices("opts", "x.opts", ("sgd", "adam", "momentum"), ("sgd",), max_selections=2)
    assert opts.read("adam,sgd") == ["adam", "sgd"] and opts.check(["adam"]) == ["adam"]
    for bad in ("adam,adam", "nope", "sgd,adam,momentum"):
        with pytest.raises(S.Refused):
            opts.read(bad)
    with pytest.raises(S.Refused):
        opts.check("adam")  # a string is not a list of names
    bn = S.flag("bn", "x.bn")
    assert bn.read("on") is True and bn.read("0") is False and bn.check(False) is False
    with pytest.raises(S.Refused):
        bn.check(1)
    seed = S.SEED
    assert seed.read("42") == 42 and seed.check(42) == 42
    for bad in ("4.5", "10000", "-1"):
        with pytest.raises(S.Refused):
            seed.read(bad)


def test_numbers_registries_grow_and_a_bad_default_is_refused_at_declaration():
    names = ["a", "b"]
    pick = S.choice("pick", "x.pick", lambda: tuple(names), "a")
    with pytest.raises(S.Refused):
        pick.check("c")
    names.append("c")  # a registry entry added at run time is an option at once
    assert pick.check("c") == "c"
    with pytest.raises(S.Refused):
        S.number("x", "x.x", 0, 1, 2)
    with pytest.raises(ValueError):
        S.Settings(S.flag("a", "x.a"), S.flag("a", "x.b"))


@pytest.mark.parametrize("text", ["1" * 180 + "x", "9" * 198 + ".x", "." + "5" * 198 + "e", "+" + "0" * 198 + "-"])
def test_number_reading_is_linear_and_capped(text):
    started = time.perf_counter()
    for _ in range(200):
        with pytest.raises(S.Refused):
            S.read_number(text)
        with pytest.raises(S.Refused):
            S.read_number(text * 100)  # over the cap: refused before any pattern looks at it
    assert time.perf_counter() - started < 1.0  # the old pattern needed ~2 s for 200 of the first (n² backtracking)


def test_an_overflowing_integer_from_a_file_is_refused_not_raised():
    with pytest.raises(S.Refused) as err:
        S.number("lr", "x.lr", 0.0, 1.0, 0.5).check(10 ** 400)
    assert err.value.code == "not_number"


# ---- every lesson's declaration ---------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", LESSONS)
def test_every_declared_setting_has_its_words(slug):
    from content import catalog

    for lang in catalog.LANGUAGES:
        entries = catalog.load(lang)
        for setting in declared(slug):
            assert setting.label in entries, f"{lang}: {setting.key}'s label {setting.label}"
            if setting.help:
                assert setting.help in entries
            if setting.words:  # a prefix that names no option's text is a typo (an option without one shows itself)
                assert any(f"{setting.words}{o}" in entries for o in setting.options()), f"{lang}: {setting.words}"


@pytest.mark.app
@pytest.mark.parametrize("slug", LESSONS)
def test_a_page_draws_only_declared_controls_at_their_declared_defaults(slug):
    at = open_page(slug)
    assert errors(at) == []
    known = set(declared(slug).keys())
    extra = {w.key for w in page_widgets(at)} - known
    if slug == "optimizers":  # its start point and each optimizer's sliders are declared per surface / optimizer
        from lab import optimizers

        extra -= set(optimizers.start_settings(optimizers.DEFAULTS.surface).keys())
        extra -= {s.key for name in optimizers.DEFAULTS.opts for s in optimizers.hp_settings(name)}
    if slug == "playground":
        extra -= {f"act{i}" for i in range(1, 7)}
    assert extra == set(), f"controls drawn without a declaration: {sorted(extra)}"
    for widget in page_widgets(at):
        if widget.key in known:
            default = declared(slug)[widget.key].default
            value = widget.value
            if isinstance(default, float) and isinstance(value, str):  # AppTest hands back a select_slider's label
                value = float(value)
            assert value == default or (isinstance(default, list) and list(value) == default), widget.key


# ---- one declaration, read by the page, the notebook and the configuration file -----------------------------------

@pytest.mark.app
def test_changing_one_declared_range_moves_the_page_the_notebook_and_the_configuration_file(monkeypatch):
    import notebooks
    from lab import playground

    narrowed = playground.SETTINGS["width"].but(hi=24)
    monkeypatch.setitem(playground.SETTINGS._by_key, "width", narrowed)

    at = open_page("playground")
    assert errors(at) == []
    assert at.slider(key="width").max == 24  # the page's slider
    at = open_page("playground", params={"width": "40"})
    assert at.slider(key="width").value == playground.SETTINGS["width"].default  # a link beyond it: the default
    assert notebooks.values("playground", {"width": 40})["width"] == 16  # the notebook refuses it too
    assert notebooks.values("playground", {"width": 20})["width"] == 20
    with pytest.raises(playground.ConfigError) as err:  # and so does the configuration file
        playground.from_json('{"width": 40}')
    assert err.value.code == "out_of_range" and err.value.params["hi"] == "24"
    assert playground.from_json('{"width": 20}').width == 20


# ---- a page's settings belong to that page ----------------------------------------------------------------------

def _shared_moves() -> list[tuple[str, str]]:
    """An ordered walk over the lessons in which every ordered pair of pages that share a control key (the seed
    apart: every page has it) is one move: Hierholzer's circuit of that symmetric graph."""
    keys = {slug: set(declared(slug).keys()) - {"seed"} for slug in LESSONS}
    edges = {a: [b for b in LESSONS if b != a and keys[a] & keys[b]] for a in LESSONS}
    start = next(a for a in LESSONS if edges[a])
    stack, walk = [start], []
    while stack:
        node = stack[-1]
        if edges[node]:
            stack.append(edges[node].pop(0))
        else:
            walk.append(stack.pop())
    walk.reverse()
    return list(zip(walk, walk[1:]))


def _away_from(widget, default):
    """A value for ``widget`` that differs from ``default`` (another page's default for the same key)."""
    kind = type(widget).__name__
    if kind == "Slider":
        return widget.max if widget.max != default else widget.min
    if kind in ("SelectSlider", "Selectbox", "Radio"):
        options = list(widget.options)
        shown = str(default)
        pick = options[-1] if options[-1] not in (shown, f"{default:g}" if isinstance(default, float) else shown) \
            else options[0]
        return pick
    if kind in ("Toggle", "Checkbox"):
        return not bool(default) if isinstance(default, bool) else not widget.value
    if kind == "NumberInput":
        return widget.max if widget.max != default else widget.min
    if kind == "Multiselect":
        return [] if default else list(widget.options)[:1]
    return None


def _value_of(widget):
    value = widget.value
    return list(value) if type(widget).__name__ == "Multiselect" else value


def _same(widget, value, default) -> bool:
    if isinstance(default, float) and isinstance(value, str):
        value = float(value)
    if isinstance(default, (list, tuple)):
        return list(value) == list(default)
    return value == default or (isinstance(default, float) and isinstance(value, float)
                                and math.isclose(value, default, rel_tol=1e-12))


@pytest.mark.app
def test_moving_between_pages_never_carries_a_setting_over():
    """One session walks every ordered pair of pages that share a control key (66 moves). Before each move the
    page's shared controls (and the seed) are moved away from the next page's defaults; the next page, reached as
    the navigation reaches it (the link holds only the language), must show its own settings (its defaults on a
    first visit, what this session left it with on a return) and write none of the last page's values into its
    link."""
    moves = _shared_moves()
    pairs = {(a, b) for a in LESSONS for b in LESSONS
             if a != b and (set(declared(a).keys()) & set(declared(b).keys())) - {"seed"}}
    assert set(moves) == pairs and len(moves) == len(pairs) >= 60
    at = open_page(moves[0][0])
    left_with: dict[str, dict] = {}  # page -> the values this session left it with
    leaks = []
    for here, there in moves:
        shared = (set(declared(here).keys()) & set(declared(there).keys())) | {"seed"}
        widgets = {w.key: w for w in page_widgets(at) if w.key in shared}
        for key, widget in widgets.items():
            value = _away_from(widget, declared(there)[key].default)
            if value is not None:
                widget.set_value(value)
        at.run()
        assert errors(at) == [], (here, errors(at))
        left_with[here] = {w.key: _value_of(w) for w in page_widgets(at)}
        for key in list(at.query_params):  # the navigation: a new page's address carries only the language
            if key != "lang":
                del at.query_params[key]
        at.switch_page(nav.get(there).path).run()
        assert errors(at) == [], (there, errors(at))
        own = left_with.get(there, {})
        for widget in page_widgets(at):
            expected = own.get(widget.key, declared(there)[widget.key].default if widget.key in declared(there) else None)
            if widget.key in shared and not _same(widget, _value_of(widget), expected):
                leaks.append(f"{here} -> {there}: {widget.key} = {_value_of(widget)!r}, not {expected!r}")
            if widget.key in own and widget.key not in shared and not _same(widget, _value_of(widget), expected):
                leaks.append(f"{here} -> {there}: {there}'s own {widget.key} was not kept")
        for key in at.query_params:  # the link holds only this page's own values
            if key in shared and (key not in own or declared(there)[key].text(own[key]) != at.query_params[key]):
                leaks.append(f"{here} -> {there}: the link has {key}={at.query_params[key]}")
    assert leaks == []
