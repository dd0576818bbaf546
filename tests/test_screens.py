"""What a student sees without scrolling, and what the back row of a classroom can read, in real Chromium.

- First screen (1366×768, a common laptop): at least one of the page's settings is visible in the sidebar, and the
  top 120 px of the page's first chart are on screen, before any button is pressed.
- Presenter mode (1920×1080, ?present=1): every text Plotly draws in the charts (tick labels, legends, axis and
  subplot titles, annotations, colour bars, buttons) is at least 18 px, sidebar labels and buttons are not cut.
Screenshots land in artifacts/screenshots/ (first-<page>-<lang>.png, presenter-<page>-<lang>.png) to look at.
"""
import pytest

from tests.browser_util import SCREENSHOTS, served_browser, wait_idle
from ui import nav

pytestmark = pytest.mark.browser
LESSONS = [p.slug for p in nav.PAGES if p.slug != "home"]
MIN_PRESENTER_PX = 18
CHART_TOP_VISIBLE = 120


@pytest.fixture(scope="module")
def served():
    with served_browser(viewport=(1366, 768)) as (server, context):
        yield server, context


@pytest.fixture(scope="module")
def laptop(served):
    return served


@pytest.fixture(scope="module")
def projector(served):
    server, laptop_context = served
    context = laptop_context.browser.new_context(viewport={"width": 1920, "height": 1080})
    yield server, context
    context.close()


def _open(context, url):
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stPlotlyChart]').length > 0 && "
                           "document.querySelectorAll('[data-testid=stPlotlyChart]').length == "
                           "document.querySelectorAll('.js-plotly-plot').length", timeout=30_000)
    page.wait_for_timeout(500)
    return page


FIRST_SCREEN = """() => {
  const h = window.innerHeight;
  const side = document.querySelector('[data-testid=stSidebarContent]');
  const controls = side ? Array.from(side.querySelectorAll('[data-testid^=stWidget], [data-testid=stSlider], '
      + '[data-testid=stSelectbox], [data-testid=stRadio], [data-testid=stToggle], [data-testid=stNumberInput], '
      + '[data-testid=stMultiSelect], [data-testid=stSelectSlider]')) : [];
  const settings = controls.filter(e => !e.closest('[data-testid=stSegmentedControl]')
      && !(e.innerText || '').match(/Presenter|발표/));
  const firstSetting = settings.length ? settings[0].getBoundingClientRect().top : 1e9;
  const chart = document.querySelector('[data-testid=stPlotlyChart]');
  const chartTop = chart ? chart.getBoundingClientRect().top : 1e9;
  return {height: h, firstSetting, chartTop};
}"""


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("slug", LESSONS)
def test_the_first_screen_shows_a_setting_and_the_key_chart(laptop, slug, lang):
    server, context = laptop
    page = _open(context, f"{server.url}/{slug}?lang={lang}")
    try:
        page.screenshot(path=str(SCREENSHOTS / f"first-{slug}-{lang}.png"))
        seen = page.evaluate(FIRST_SCREEN)
        assert seen["firstSetting"] < seen["height"] - 40, f"no setting on the first screen: {seen}"
        assert seen["chartTop"] <= seen["height"] - CHART_TOP_VISIBLE, f"the first chart starts too low: {seen}"
    finally:
        page.close()


PRESENTER_SIZES = """() => {
  const sizes = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    for (const el of plot.querySelectorAll('.main-svg text, .main-svg tspan')) {
      if (el.closest('.hoverlayer') || el.closest('.modebar') || !(el.textContent || '').trim()) continue;
      // a superscript (the exponent of 10⁻², drawn at 70 % of its label) belongs to a label measured as a whole
      if ((el.getAttribute('style') || '').includes('%')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      const cls = (el.getAttribute('class') || el.parentNode.getAttribute('class') || '');
      sizes.push([px, cls, el.textContent.slice(0, 30)]);
    }
  }
  const cut = [];
  for (const el of document.querySelectorAll('[data-testid=stSidebar] [data-testid=stWidgetLabel] p, button p')) {
    if (el.scrollWidth > el.clientWidth + 1) cut.push(el.textContent.slice(0, 40));
  }
  return {sizes, cut};
}"""


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("slug", LESSONS)
def test_presenter_mode_is_readable_from_the_back_row(projector, slug, lang):
    server, context = projector
    page = _open(context, f"{server.url}/{slug}?lang={lang}&present=1")
    try:
        page.screenshot(path=str(SCREENSHOTS / f"presenter-{slug}-{lang}.png"))
        seen = page.evaluate(PRESENTER_SIZES)
        small = sorted({(px, cls, text) for px, cls, text in seen["sizes"] if px < MIN_PRESENTER_PX})
        assert seen["sizes"], "no chart text found"
        assert small == [], f"{len(small)} chart texts under {MIN_PRESENTER_PX}px, e.g. {small[:6]}"
        assert seen["cut"] == [], f"labels or buttons cut: {seen['cut'][:6]}"
    finally:
        page.close()
