"""Scrub a run in real Chromium (issue 26, item 3): after a run, the panel's step slider moved with the keyboard
redraws every live chart at the step chosen, the address bar says at=<step>, and that link opened in a new tab
shows the same pictures at the same step, in both languages. (Its latency is measured by bench/live_refresh.py
--scrub, not asserted here.)"""
import pytest

from tests.browser_util import SCREENSHOTS, served_browser, wait_idle
from tests.test_blink_browser import FINISHED, open_for_training, press_train

pytestmark = pytest.mark.browser

SLIDER = "[class*='st-key-playground-at'] input[type=range]"
SLIDER_STEP = """() => document.querySelector("[class*='st-key-playground-at'] input[type=range]").closest('.dnn-scrub')
  .querySelector('output').textContent.match(/\\d+/)[0]"""
# what each live chart of the page shows: its step and the numbers it draws
SHOWN = """() => Array.from(document.querySelectorAll('.dnn-live')).map((e) => {
  const gd = e.querySelector('.js-plotly-plot');
  return [e.dataset.chart, e.dataset.step, gd && gd.data ? JSON.stringify(gd.data.map((t) => [t.x, t.y, t.z])) : ''];
})"""


@pytest.fixture(scope="module")
def browser():
    with served_browser(viewport=(1366, 900)) as (server, context):
        yield server, context


def _settled(page, step: str):
    page.wait_for_function(f"() => Array.from(document.querySelectorAll('.dnn-live')).every(e => e.dataset.step === '{step}')",
                           timeout=30_000)
    wait_idle(page)
    return page.evaluate(SHOWN)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_step_slider_redraws_the_step_and_the_link_reproduces_it(browser, lang):
    server, context = browser
    page = context.new_page()
    try:
        open_for_training(page, f"{server.url}/playground?lang={lang}")
        press_train(page)
        page.wait_for_function(FINISHED, timeout=180_000)
        wait_idle(page)
        slider = page.locator(SLIDER)
        slider.focus()
        for _ in range(5):
            page.keyboard.press("ArrowLeft")
        step = page.evaluate(SLIDER_STEP)
        shown = _settled(page, step)
        page.wait_for_function(f"() => location.search.includes('at={step}')", timeout=30_000)
        # every live chart of the panel (the decision map, the losses, the network view, the histograms) at that step
        assert {k for k, _, _ in shown} == {"boundary", "loss", "network0", "hists"}, [k for k, _, _ in shown]
        assert {s for _, s, _ in shown} == {step} and int(step) < 200
        page.screenshot(path=str(SCREENSHOTS / f"scrub-{lang}.png"))
        link = page.url
    finally:
        page.close()
    other = context.new_page()
    try:
        other.goto(link, wait_until="domcontentloaded")
        other.wait_for_selector(SLIDER, timeout=180_000)
        assert _settled(other, step) == shown  # the same pictures at the same step
        assert other.evaluate(SLIDER_STEP) == step
    finally:
        other.close()
