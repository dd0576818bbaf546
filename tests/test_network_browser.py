"""The playground's network view in real Chromium (issue 26, item 1): it draws every unit's picture and the
strongest weights, it changes with the live run, and hovering a unit shows its pre-activation with the numbers of
the chosen point, its activation and its gradient, hovering a link its weight, gradient and last update, all equal
to the numbers the chart carries; in both languages (screenshots: network-<lang>.png)."""
import re

import pytest

from tests.browser_util import SCREENSHOTS, served_browser, wait_idle
from tests.test_blink_browser import FINISHED, open_for_training, press_train

pytestmark = pytest.mark.browser

CHART = ".dnn-live[data-chart^='network']"
# where a hover target of the view is on the screen, and the numbers it carries (Plotly's own data of the chart)
TARGET = """([name, k]) => {
  const gd = document.querySelector("%s .js-plotly-plot");
  const t = gd._fullData.find((d) => d.name === name);
  const fl = gd._fullLayout, r = gd.getBoundingClientRect();
  if (k < 0) {  // the target farthest from the others (links' midpoints may lie close together)
    let best = -1;
    for (let i = 0; i < t.y.length; i++) {
      let near = Infinity;
      for (let j = 0; j < t.y.length; j++) if (j !== i) near = Math.min(near, Math.abs(t.y[i] - t.y[j]));
      if (near > best) { best = near; k = i; }
    }
  }
  return {x: r.left + fl._size.l + fl.xaxis2.l2p(t.x[k]), y: r.top + fl._size.t + fl.yaxis2.l2p(t.y[k]),
          data: Array.from(t.customdata[k])};
}""" % CHART
HOVER = "() => Array.from(document.querySelectorAll(\"%s .hoverlayer .hovertext\")).map((e) => e.textContent)" % CHART
PICTURE = "() => JSON.stringify(Array.from(document.querySelector(\"%s .js-plotly-plot\")._fullData[%s]))"
WORDS = {"en": ("hidden layer 1, unit", "z = ", "gradient ∂L/∂z", "weight from unit", "its last update"),
         "ko": ("은닉층 1, 유닛", "z = ", "그레이디언트 ∂L/∂z", "가중치", "마지막 업데이트")}


@pytest.fixture(scope="module")
def browser():
    with served_browser(viewport=(1366, 900)) as (server, context):
        yield server, context


def _g3(v: float) -> str:
    """A number as Plotly's d3 format ".3g" writes it (the hover's format)."""
    text = f"{v:.3g}"
    if "e" in text or "." in text or len(text.lstrip("-")) >= 3:
        return text
    return f"{v:#.3g}".rstrip(".")  # d3 keeps trailing zeros: 0.5 -> "0.500"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_network_view_plays_with_the_run_and_shows_its_numbers(browser, lang):
    server, context = browser
    page = context.new_page()
    try:
        open_for_training(page, f"{server.url}/playground?lang={lang}")
        page.wait_for_selector(f"{CHART} .js-plotly-plot .main-svg", timeout=30_000)
        assert page.locator(f"{CHART} image").count() >= 3  # a picture per layer: hidden 1, hidden 2, output
        page.evaluate("""() => { window.__net = new Set(); const e = document.querySelector("%s");
            new MutationObserver(() => window.__net.add(e.dataset.step)).observe(e, {attributes: true,
            attributeFilter: ['data-step']}); }""" % CHART)
        press_train(page)
        page.wait_for_function(FINISHED, timeout=180_000)
        wait_idle(page)
        assert page.evaluate("() => window.__net.size") >= 10  # it changed with the run, frame after frame
        page.locator(CHART).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        unit_title, z_word, grad_word, link_word, update_word = WORDS[lang]
        # a unit of the first hidden layer: its z, activation and gradient as the chart carries them
        unit = page.evaluate(TARGET, ["units 1", 3])
        page.mouse.move(unit["x"], unit["y"])
        page.wait_for_function(HOVER + ".length > 0", timeout=5_000)
        [text] = page.evaluate(HOVER)
        _, z, a, delta = unit["data"][:4]
        assert unit_title in text and z_word in text and grad_word in text
        assert re.search(r"= " + re.escape(_g3(z).replace("-", "−")) + r"|= " + re.escape(_g3(z)), text), (text, z)
        assert _g3(delta) in text.replace("−", "-") and _g3(a) in text.replace("−", "-")
        page.screenshot(path=str(SCREENSHOTS / f"network-{lang}.png"))
        # a link into the second hidden layer: its weight, gradient and last update
        link = page.evaluate(TARGET, ["links 2", -1])
        page.mouse.move(link["x"], link["y"])
        page.wait_for_function(HOVER + ".some((t) => t.includes('w ='))", timeout=5_000)
        [text] = page.evaluate(HOVER)
        w, grad, update = link["data"][3:6]
        assert link_word in text and update_word in text
        assert f"w = {w:.4g}" in text and _g3(grad) in text and _g3(update) in text
    finally:
        page.close()
