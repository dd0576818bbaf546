"""What a student sees without scrolling, and what the back row of a classroom can read, in real Chromium.

- First screen (1366×768, a common laptop): at least one of the page's settings is visible in the sidebar, and the
  top 120 px of the page's first chart are on screen, before any button is pressed.
- Phone (390×844) and tablet (768×1024), both languages (issue 24): where the sidebar is folded away, the page's
  labelled "Settings and pages" button (or a setting) and the top of the first chart are on the first screen; no
  chart text under 12 px; nothing scrolls sideways, neither the page nor a box in it (formulas, code, tables).
- Presenter mode (1920×1080, ?present=1): every text Plotly draws in the charts (tick labels, legends, axis and
  subplot titles, annotations, colour bars, buttons) is at least 18 px, and so are tables, slider values, what a
  select shows and the controls' labels; sidebar labels and buttons are not cut; no chart's title overlaps its
  legend or an annotation, and no axis title its tick labels (issue 23, item 6).
Screenshots land in artifacts/screenshots/ (first-<page>-<lang>.png, <screen>-<page>-<lang>.png,
presenter-<page>-<lang>.png) to look at.
"""
import pytest

from tests.browser_util import SCREENSHOTS, served_browser, wait_idle
from ui import nav

pytestmark = pytest.mark.browser
LESSONS = [p.slug for p in nav.PAGES if p.slug != "home"]
MIN_PRESENTER_PX = 18
MIN_PHONE_CHART_PX = 12
CHART_TOP_VISIBLE = 120
SMALL_SCREENS = {"phone": (390, 844), "tablet": (768, 1024)}


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


@pytest.fixture(scope="module")
def small(served):
    """A phone's and a tablet's context (touch, mobile viewport), on the module's server."""
    server, laptop_context = served
    contexts = {name: laptop_context.browser.new_context(viewport={"width": w, "height": h}, is_mobile=True,
                                                         has_touch=True)
                for name, (w, h) in SMALL_SCREENS.items()}
    yield server, contexts
    for context in contexts.values():
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


SMALL_SCREEN = """() => {
  const h = window.innerHeight, w = window.innerWidth;
  const visible = r => r && r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= h && r.left >= 0 && r.right <= w;
  const button = document.querySelector('.st-key-open-settings button');
  const buttonBox = button ? button.getBoundingClientRect() : null;
  const side = document.querySelector('[data-testid=stSidebarUserContent]');
  const setting = side ? side.querySelector('[data-testid=stSlider], [data-testid=stSelectbox], [data-testid=stRadio]') : null;
  const chart = document.querySelector('[data-testid=stPlotlyChart]');
  const small = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    for (const el of plot.querySelectorAll('.main-svg text, .main-svg tspan')) {
      if (el.closest('.hoverlayer') || !(el.textContent || '').trim()) continue;
      if ((el.getAttribute('style') || '').includes('%')) continue;  // a superscript, measured with its label
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const px = parseFloat(getComputedStyle(el).fontSize);
      if (px < %MIN%) small.push([px, el.textContent.slice(0, 20)]);
    }
  }
  const sideways = [];
  const main = document.querySelector('[data-testid=stMain]');
  for (const el of main.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    if (!['auto', 'scroll'].includes(cs.overflowX) || el.clientWidth === 0) continue;
    if (el.closest('.js-plotly-plot')) continue;
    if (el.scrollWidth > el.clientWidth + 2)
      sideways.push([el.getAttribute('data-testid') || el.className.toString().slice(0, 30), el.scrollWidth, el.clientWidth,
                     (el.innerText || '').slice(0, 40)]);
  }
  return {h, w, settingsButton: !!button && visible(buttonBox) && buttonBox.height >= 24 && (button.innerText || '').length > 3,
          settingVisible: !!setting && visible(setting.getBoundingClientRect()),
          chartTop: chart ? chart.getBoundingClientRect().top : 1e9, small: small.slice(0, 6),
          sideways: sideways.slice(0, 6), pageWide: document.documentElement.scrollWidth > w + 1 || main.scrollWidth > main.clientWidth + 1};
}""".replace("%MIN%", str(MIN_PHONE_CHART_PX))


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("slug", LESSONS)
@pytest.mark.parametrize("screen", list(SMALL_SCREENS))
def test_a_phone_and_a_tablet_show_a_way_to_the_settings_and_the_key_chart(small, screen, slug, lang):
    server, contexts = small
    page = _open(contexts[screen], f"{server.url}/{slug}?lang={lang}")
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{screen}-{slug}-{lang}.png"))
        seen = page.evaluate(SMALL_SCREEN)
        assert seen["settingsButton"] or seen["settingVisible"], f"no setting and no way to them on screen: {seen}"
        assert seen["chartTop"] <= seen["h"] - CHART_TOP_VISIBLE, f"the first chart starts too low: {seen}"
        assert seen["small"] == [], f"chart text under {MIN_PHONE_CHART_PX}px: {seen['small']}"
        assert seen["sideways"] == [] and not seen["pageWide"], f"scrolls sideways: {seen['sideways']}"
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
  // the page's own text a class reads off the screen: tables, slider values, what a select shows, labels
  const page = [];
  for (const el of document.querySelectorAll('[data-testid=stTable] td, [data-testid=stTable] th, '
      + '[data-testid=stSliderThumbValue], [data-testid=stSelectbox] input, [data-testid=stNumberInput] input, '
      + '[data-testid=stWidgetLabel] p')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || !((el.innerText || el.value || '').trim())) continue;
    page.push([parseFloat(getComputedStyle(el).fontSize), el.getAttribute('data-testid') || el.tagName,
               (el.innerText || el.value || '').slice(0, 20)]);
  }
  // overlaps: a chart's title with its legend or an annotation, an axis title with its tick labels
  const overlaps = [];
  const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
                        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const title = plot.querySelector('.gtitle');
    const titleBox = title && (title.textContent || '').trim() ? title.getBoundingClientRect() : null;
    const legend = plot.querySelector('.legend');
    const notes = Array.from(plot.querySelectorAll('.annotation-text')).filter(n => (n.textContent || '').trim());
    if (titleBox) {
      if (legend && hit(titleBox, legend.getBoundingClientRect())) overlaps.push(['title/legend', title.textContent.slice(0, 30)]);
      for (const n of notes) if (hit(titleBox, n.getBoundingClientRect()))
        overlaps.push(['title/annotation', title.textContent.slice(0, 30), n.textContent.slice(0, 20)]);
    }
    for (const axisTitle of plot.querySelectorAll('.xtitle, .ytitle')) {
      const letter = axisTitle.classList.contains('xtitle') ? 'x' : 'y';
      const box = axisTitle.getBoundingClientRect();
      for (const tick of plot.querySelectorAll('.' + letter + 'tick text')) {
        if ((tick.textContent || '').trim() && hit(box, tick.getBoundingClientRect())) {
          overlaps.push(['axis title/ticks', axisTitle.textContent.slice(0, 30), tick.textContent]);
          break;
        }
      }
    }
  }
  return {sizes, cut, page, overlaps};
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
        small_page = sorted({(px, kind, text) for px, kind, text in seen["page"] if px < MIN_PRESENTER_PX})
        assert small_page == [], f"page text under {MIN_PRESENTER_PX}px: {small_page[:6]}"
        assert seen["overlaps"] == [], f"overlapping chart text: {seen['overlaps'][:6]}"
    finally:
        page.close()
