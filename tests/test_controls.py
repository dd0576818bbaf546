"""What a link can put into a control: plain numbers only, snapped to what the control shows (with a notice), never
markup; and the server guards (ui/guards.py). Browser-side checks of the same are in tests/test_links.py."""
from urllib.parse import parse_qs

import pytest

from tests.apptest_util import errors, open_page
from lab import settings
from ui.literal import literal, printable

pytestmark = pytest.mark.app


@pytest.mark.parametrize("raw", ["1_0", "𝟓", "٣", "1e-400", "0x10", " 5", "5 ", "1e309", "inf", "nan", "+-1", "1.2.3",
                                 "１０", "1e", ".", ""])
def test_only_plain_ascii_decimal_numbers_are_read(raw):
    with pytest.raises(ValueError):
        settings.read_number(raw)


@pytest.mark.parametrize("raw, value", [("10", 10.0), ("-2.5", -2.5), (".5", 0.5), ("5.", 5.0), ("1e-3", 1e-3),
                                        ("+3", 3.0), ("0", 0.0), ("0.0e5", 0.0)])
def test_plain_numbers_read_exactly(raw, value):
    assert settings.read_number(raw) == value


@pytest.mark.parametrize("value, lo, hi, step, is_int, snapped", [
    (3.3, 0.0, 15.0, 0.5, False, 3.5), (3.00000000001, 0.0, 15.0, 0.5, False, 3.0),
    (0.123456789012, 0.0, 1.0, 0.05, False, 0.1), (0.30000000000000004, 0.0, 1.0, 0.1, False, 0.3),
    (9, 8, 64, 8, True, 8), (22, 21, 81, 10, True, 21), (75, 50, 1000, 50, True, 100), (150, 1, 1000, 1, True, 150),
    (15.0, 0.0, 15.0, 0.5, False, 15.0)])
def test_grid_snap(value, lo, hi, step, is_int, snapped):
    got = settings.grid_snap(value, lo, hi, step, is_int)
    assert got == snapped and type(got) is (int if is_int else float)
    assert settings.to_text(got) == (str(snapped) if is_int else repr(snapped))


def test_serialized_floats_read_back_exactly():
    for v in (0.1, 1 / 3, 0.123456789012, 2.5e-7, 1e-4):
        assert settings.read_number(settings.to_text(v)) == v


@pytest.mark.parametrize("raw", ["x` [Log in again](https://evil.example) `", "`\n# HEADING\n`", "a``b", "`",
                                 ":red[RED] :material/home: $x$"])
def test_literal_is_one_code_span(raw):
    shown = literal(raw, limit=200)
    fence = shown.split(" ", 1)[0]
    assert set(fence) == {"`"} and shown.endswith(" " + fence)
    inside = shown[len(fence) + 1:-len(fence) - 1]
    assert inside == printable(raw) and "\n" not in inside
    assert "`" * len(fence) not in inside  # no run inside can close the span early


def notices(at):
    return [e.value for e in list(at.warning) + list(at.info)]


@pytest.mark.parametrize("value", ["1_0", "𝟓", "٣", "1e-400", "0x10"])
def test_odd_numbers_in_a_link_fall_back_with_a_notice(value):
    at = open_page("losses", "en", {"size": value})
    assert errors(at) == []
    assert at.slider(key="size").value == 6.0
    assert any("size" in n for n in notices(at))
    assert "size" not in at.query_params


@pytest.mark.parametrize("page, key, raw, shown", [("losses", "size", "3.3", 3.5), ("losses", "size", "3.00000000001", 3.0),
                                                  ("playground", "noise", "0.123456789012", 0.1),
                                                  ("vanishing", "width", "9", 8)])
def test_an_off_grid_link_value_is_snapped_and_said(page, key, raw, shown):
    at = open_page(page, "en", {key: raw})
    assert errors(at) == []
    assert at.slider(key=key).value == shown
    assert any(key in n and literal(raw) in n for n in notices(at))  # the notice quotes the link's text literally
    written = at.query_params.get(key)
    assert written is None or float(written[0] if isinstance(written, list) else written) == shown


def test_a_log_slider_value_between_options_is_snapped():
    at = open_page("vanishing", "en", {"lr": "0.12"})
    assert errors(at) == []
    assert at.select_slider(key="lr").value in (0.1, "0.1")
    assert any("lr" in n for n in notices(at))


def test_a_link_value_with_markup_is_quoted_literally():
    payload = "x` [Log in again](https://evil.example) `"
    at = open_page("losses", "en", {"seed": payload})
    assert errors(at) == []
    [warning] = [n for n in notices(at) if "seed" in n]
    assert literal(payload) in warning
    assert "](" not in warning.replace(literal(payload), "")  # the only link syntax is inside the code span


def test_the_clear_cache_message_keeps_the_class_caches():
    """Streamlit's handler for a client's clear_cache message, with the guard installed and the viewer toolbar
    (.streamlit/config.toml): a cached result survives it. Without the guard it would be computed again."""
    import streamlit as st
    from streamlit import config
    from streamlit.runtime import app_session

    from ui import guards

    calls = []

    @st.cache_data
    def shared(x):
        calls.append(x)
        return x * 2

    assert guards.install()
    shared(3)

    class Session:  # the handler's only use of self: its own session state
        _session_state = type("S", (), {"clear": lambda self: None})()

    before = config.get_option("client.toolbarMode")
    try:
        config.set_option("client.toolbarMode", "viewer")
        app_session.AppSession._handle_clear_cache_request(Session())
        shared(3)
        assert calls == [3]
        config.set_option("client.toolbarMode", "developer")  # a developer's own server still clears
        app_session.AppSession._handle_clear_cache_request(Session())
        shared(3)
        assert calls == [3, 3]
    finally:
        config.set_option("client.toolbarMode", before)
        shared.clear()


def test_a_dropped_link_is_marked_for_the_page():
    from streamlit.runtime import app_session

    from ui import guards

    assert guards.install()
    huge = "&".join(f"k{i}=1" for i in range(1200))
    marked = app_session.sanitize_query_string(huge)
    assert guards.dropped_link({k: v[0] for k, v in parse_qs(marked).items()}) == (1200, len(huge))
    assert app_session.sanitize_query_string("a=1&b=2") == "a=1&b=2"
    assert guards.dropped_link({guards.DROPPED: "junk"}) is None
