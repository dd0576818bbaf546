"""Your own points in real Chromium: a click on the playground's map puts a point of the chosen class where it
lands, the address bar holds it, "removes a point" takes it away, and a click on the live map (inside the training
panel's fragment) sends the run back to step 0 on the new data, as its caption says. Screenshots land in artifacts/screenshots/ (own-*.png)."""
import pytest

from lab import own_points
from tests.browser_util import SCREENSHOTS, full_screenshot, served_browser, wait_idle

pytestmark = pytest.mark.browser

# what the map draws of one's own points (every scatter trace but the invisible click grid), as [x, y, class]
DRAWN = """() => {
  const gd = document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')[0];
  if (!gd || !gd._fullData) return null;
  const out = [];
  gd._fullData.forEach((t, i) => {
    if (t.type !== 'scatter' || t.name === 'click' || !(t._length > 0)) return;
    const label = t.marker.symbol.startsWith('diamond') ? 1 : 0;
    for (let k = 0; k < (t._length || 0); k++) out.push([Math.round(t.x[k] * 100) / 100, Math.round(t.y[k] * 100) / 100, label]);
  });
  return out;
}"""
SIX = ((-1.5, 1.2, 0), (-1.1, 1.8, 0), (-2.0, 1.4, 0), (1.4, -1.2, 1), (1.9, -1.6, 1), (1.1, -2.0, 1))


@pytest.fixture(scope="module")
def browser():
    with served_browser(viewport=(1366, 900)) as (server, context):
        yield server, context


def _open(context, url):
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    page.wait_for_function(f"() => ({DRAWN})() !== null", timeout=30_000)
    return page


def _click_map(page, fx, fy):
    box = page.locator("[data-testid='stPlotlyChart']").first.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def _settled(page, count):
    page.wait_for_function(f"() => {{ const d = ({DRAWN})(); return d !== null && d.length === {count}; }}",
                           timeout=30_000)
    wait_idle(page)
    return drawn(page)


def drawn(page):
    return sorted(page.evaluate(DRAWN))


def _link_points(page):
    from urllib.parse import parse_qs, urlparse

    found = parse_qs(urlparse(page.url).query).get("points")
    return sorted(list(p) for p in own_points.decode(found[0])) if found else []


def test_a_click_on_the_map_adds_a_point_and_remove_takes_it_away(browser):
    server, context = browser
    page = _open(context, f"{server.url}/playground?lang=en&data=own")
    try:
        assert drawn(page) == [] and "points=" not in page.url
        _click_map(page, 0.25, 0.3)  # upper left of the plane
        [point] = _settled(page, 1)
        assert point[0] < 0 < point[1] and point[2] == 0
        assert _link_points(page) == [point]  # the address bar holds what is drawn
        page.get_by_role("radio", name="adds class 1").click()
        wait_idle(page)
        _click_map(page, 0.75, 0.7)
        two = _settled(page, 2)
        assert [p for p in two if p[2] == 1][0][0] > 0 and _link_points(page) == two
        page.get_by_role("radio", name="removes a point").click()
        wait_idle(page)
        _click_map(page, 0.25, 0.3)
        assert _settled(page, 1) == [p for p in two if p[2] == 1] and _link_points(page) == _settled(page, 1)
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_click_on_the_live_map_goes_back_to_step_0_on_the_new_data(browser, lang):
    """cap_own says what happens: the run goes back to step 0 on the new points, waiting for Train."""
    server, context = browser
    page = _open(context, f"{server.url}/playground?lang={lang}&data=own&points={own_points.encode(SIX)}")
    try:
        assert drawn(page) == sorted(list(p) for p in SIX)
        for _ in range(3):  # a few updates, the run paused: the live map is drawn inside the panel's fragment
            page.locator("[class*='st-key-playground-step'] button").click()
            wait_idle(page)
        page.wait_for_function(f"() => ({DRAWN})() !== null", timeout=30_000)
        full_screenshot(page, str(SCREENSHOTS / f"own-playground-{lang}-stepped.png"))
        _click_map(page, 0.5, 0.5)  # a class-0 point in the middle: the chart sits in the live fragment
        seven = _settled(page, 7)
        assert any(abs(x) <= 0.2 and abs(y) <= 0.2 and c == 0 for x, y, c in seven)
        assert _link_points(page) == seven
        progress = page.locator("[data-testid='stProgress']").first.inner_text()
        assert ("Step 0 of" if lang == "en" else "중 0스텝") in progress, progress
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(SCREENSHOTS / f"own-playground-{lang}.png"))
    finally:
        page.close()
