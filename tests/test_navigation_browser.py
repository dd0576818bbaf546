"""A page's settings stay on their page, in real Chromium: moving with the top navigation, a route's Next and
Previous links and the browser's back button never brings one page's settings to another, and a page comes back
with what it had. The page writes every setting that is not its default into the address bar, so a setting that
leaked would show there (and in *Link to this view*): the test reads the address after each move.

tests/test_settings.py walks every ordered pair of pages that share a setting (AppTest); this walks the moves a
class makes, in the browser.
"""
from __future__ import annotations

import importlib
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser_util import served_browser, wait_idle
from ui import nav, routes
from content.catalog import load

pytestmark = pytest.mark.browser
EN = load("en")


def declared(slug: str):
    return importlib.import_module(f"lab.{slug}").SETTINGS


def query(page) -> dict:
    return dict(parse_qsl(urlsplit(page.url).query))


def at_page(page) -> str:
    return urlsplit(page.url).path.strip("/") or "home"


def navigate(page, slug: str) -> None:
    """As a student does: open the page's group in the top bar, then the page."""
    group = EN[f"common.group_{nav.get(slug).group}"]
    page.locator("[data-testid=stTopNavSection]", has_text=group).first.click()
    page.get_by_role("menuitem", name=EN[f"{slug}.nav"], exact=True).click()
    page.wait_for_url(lambda url: urlsplit(url).path.strip("/") == slug, timeout=30_000)
    wait_idle(page)


def away(slug: str, keys, there: str) -> dict:
    """A link for ``slug`` setting each of ``keys`` to a value that is neither its default nor ``there``'s (so the
    page writes it into its address, and a leak would show on the next page)."""
    out = {}
    for key in keys:
        mine, theirs = declared(slug)[key], declared(there)[key]
        if mine.kind in ("number", "whole"):
            candidates = [mine.hi, mine.lo]
        elif mine.kind in ("level", "choice"):
            candidates = list(mine.options())[::-1]
        elif mine.kind == "flag":
            candidates = [True, False]
        else:
            continue
        value = next((v for v in candidates if v != mine.default and v != theirs.default), None)
        if value is not None:
            out[key] = mine.text(value)
    return out


# The moves a reviewer found leaking (issue 23), plus the seed that every page has.
MOVES = [("vanishing", "initialization"), ("initialization", "batchnorm"), ("landscape", "playground"),
         ("playground", "vanishing"), ("vanishing", "landscape"), ("optimizers", "landscape"),
         ("batches", "landscape")]


@pytest.fixture(scope="module")
def browser():
    with served_browser(viewport=(1366, 768)) as (server, context):
        yield server, context.new_page()


@pytest.mark.parametrize("here, there", MOVES, ids=[f"{a}-{b}" for a, b in MOVES])
def test_the_top_navigation_brings_no_setting_along(browser, here, there):
    server, page = browser
    shared = (set(declared(here).keys()) & set(declared(there).keys())) | {"seed"}
    link = away(here, sorted(shared), there)
    page.goto(f"{server.url}/{here}?lang=en&" + "&".join(f"{k}={v}" for k, v in link.items()))
    wait_idle(page)
    assert all(query(page).get(k) == v for k, v in link.items()), (link, page.url)  # the page took the link
    navigate(page, there)
    assert page.locator("[data-testid='stException']").count() == 0
    leaked = {k: v for k, v in query(page).items() if k in shared}
    assert leaked == {}, f"{here} -> {there} brought {leaked}"


def test_back_and_forward_keep_each_page_its_own_settings(browser):
    server, page = browser
    page.goto(f"{server.url}/vanishing?lang=en&depth=2&width=64")
    wait_idle(page)
    navigate(page, "initialization")
    assert "depth" not in query(page) and "width" not in query(page)
    page.go_back()
    page.wait_for_url(lambda url: "vanishing" in url)
    wait_idle(page)
    assert query(page).get("depth") == "2" and query(page).get("width") == "64"  # vanishing got its own back
    page.go_forward()
    page.wait_for_url(lambda url: "initialization" in url)
    wait_idle(page)
    assert "depth" not in query(page) and "width" not in query(page)


def step_query(route, number: int) -> dict:
    return {**dict(route.steps[number - 1].preset), "route": route.id, "step": str(number), "lang": "en"}


@pytest.mark.parametrize("rid", ["first", "overfit"])
def test_a_route_opens_every_step_with_its_preset_and_nothing_else(browser, rid):
    """Each Next link of a route, from a step whose settings a student moved (those the next page shares): the
    next step's address holds exactly its preset, the route and the language."""
    server, page = browser
    route = routes.all_routes("en")[rid]
    for number, step in enumerate(route.steps[:-1], start=1):
        nxt = route.steps[number].slug
        shared = sorted((set(declared(step.slug).keys()) & set(declared(nxt).keys()) | {"seed"})
                        - set(dict(step.preset)))
        here = {**step_query(route, number), **away(step.slug, shared, nxt)}
        page.goto(f"{server.url}/{step.slug}?" + "&".join(f"{k}={v}" for k, v in here.items()))
        wait_idle(page)
        assert query(page) == here, f"step {number} did not open as its link says: {page.url}"
        page.get_by_role("link", name=EN["common.route_next"].format(title=EN[f"{nxt}.nav"])).last.click()
        page.wait_for_url(lambda url, s=nxt: urlsplit(url).path.strip("/") == s, timeout=30_000)
        wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        assert query(page) == step_query(route, number + 1), f"step {number + 1} ({nxt}): {page.url}"
