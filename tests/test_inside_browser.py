"""One step, narrated, in real Chromium (issue 26, item 2): "Step inside" on the playground (English) and on the
vanishing page (Korean) walks the next update stop by stop with Next/Back and with the → and ← keys; the loss and
the gradients it writes are the numbers core computes for that update, recomputed here from scratch; each stop
frames its part of the network. Screenshots: inside-<page>-<stop>.png."""
import copy
import re

import numpy as np
import pytest

from core import losses
from lab import playground, vanishing
from tests.browser_util import SCREENSHOTS, served_browser, wait_idle
from ui import inside

pytestmark = pytest.mark.browser

STOP = "() => { const m = Array.from(document.querySelectorAll('[data-testid=stMarkdownContainer] strong'))" \
       ".map((e) => e.textContent).find((t) => /^(Stop \\d+ of \\d+|\\d+단계 중 \\d+단계)/.test(t)); return m || ''; }"
# the LaTeX of every formula on the page (KaTeX keeps its source in the MathML annotation)
TEX = "() => Array.from(document.querySelectorAll('annotation[encoding=\"application/x-tex\"]')).map((e) => e.textContent)"


@pytest.fixture(scope="module")
def browser():
    with served_browser(viewport=(1366, 900)) as (server, context):
        yield server, context


def _stop(page) -> str:
    return page.evaluate(STOP)


def _go(page, key: str, expect: str):
    before = _stop(page)
    page.locator("h1").first.click()  # focus off the controls: the arrows are the stops' keys
    page.keyboard.press(key)
    page.wait_for_function(f"() => ({STOP})() !== {before!r}", timeout=30_000)
    wait_idle(page)
    assert expect in _stop(page), _stop(page)


def _step_inside(page, toggle_text: str, first_stop: str):
    """Switch "Step inside" on (its toggle's label) and wait for its first stop."""
    toggle = page.get_by_text(toggle_text)
    toggle.scroll_into_view_if_needed()
    toggle.click()
    page.wait_for_function(f"() => ({STOP})().startsWith({first_stop!r})", timeout=60_000)


def _to_section(page):
    """Scroll the "Step inside" section to the top of the window (for its screenshot)."""
    page.evaluate("() => document.getElementById('step-inside').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)


def _engine_loss(tr) -> float:
    """The loss of tr's next update, from core alone."""
    ref = copy.deepcopy(tr)
    idx = ref._next_batch()
    return float(losses.get("cross_entropy")(ref.net.forward(ref.x_train[idx], train=True), ref.y_train[idx])[0])


def test_the_playgrounds_next_update_walked_with_the_engines_numbers(browser):
    server, context = browser
    page = context.new_page()
    try:
        page.goto(f"{server.url}/playground?lang=en", wait_until="domcontentloaded")
        wait_idle(page, 180_000)
        _step_inside(page, "Step inside update 1", "Stop 1 of 11")
        wait_idle(page)
        _go(page, "ArrowRight", "Stop 2 of 11")  # layer 1, forward
        _to_section(page)
        page.screenshot(path=str(SCREENSHOTS / "inside-playground-forward.png"), full_page=False)
        page.get_by_role("button", name="Next").click()
        wait_idle(page)
        assert "Stop 3 of 11" in _stop(page)
        _go(page, "ArrowLeft", "Stop 2 of 11")
        for k in range(3, 6):
            _go(page, "ArrowRight", f"Stop {k} of 11")
        assert "the loss" in _stop(page)
        tr = playground.build(playground.PlaygroundConfig())
        loss = _engine_loss(tr)
        assert any(tex.replace(r"\end{aligned}", "").rsplit("=", 1)[-1].strip() == inside._n(loss)
                   for tex in page.evaluate(TEX)), (loss, page.evaluate(TEX))
        _go(page, "ArrowRight", "Stop 6 of 11")  # back through the output layer
        assert "back through layer 3" in _stop(page)
        _to_section(page)
        page.screenshot(path=str(SCREENSHOTS / "inside-playground-backward.png"), full_page=False)
        # the framed part: a box around the output layer's weights, drawn dotted (the way back)
        frame = page.evaluate("() => { const gd = document.querySelector('.st-key-inside_net_playground .js-plotly-plot');"
                              " return gd.layout.shapes.map((s) => [s.line.dash, s.x0, s.x1]); }")
        assert frame and all(dash == "dot" for dash, _, _ in frame) and max(x1 for _, _, x1 in frame) > 2.5
    finally:
        page.close()


def test_the_vanishing_step_in_korean_shows_the_gradient_at_every_layer(browser):
    server, context = browser
    page = context.new_page()
    try:
        page.goto(f"{server.url}/vanishing?lang=ko", wait_until="domcontentloaded")
        wait_idle(page, 180_000)
        at = int(re.search(r"(\d+)스텝$", page.locator("[data-testid='stProgress']").first.inner_text().strip()).group(1))
        _step_inside(page, f"{at + 1}번째 업데이트 들여다보기", "41단계 중 1단계")
        record = vanishing.inside(vanishing.DEFAULT_NET, vanishing.DEFAULT_TRAINING, at).record
        for k in range(2, 15):  # inputs, 13 layers forward: to the loss
            _go(page, "ArrowRight", f"41단계 중 {k}단계")
        _go(page, "ArrowRight", "41단계 중 15단계")
        # the gradient back through the output layer, then the last hidden layer: the sizes core computes
        group = vanishing.training_run(vanishing.DEFAULT_NET, vanishing.DEFAULT_TRAINING).build()
        tr = dict(group.items())["yours"].run(at)
        ref = copy.deepcopy(tr)
        idx = ref._next_batch()
        out = ref.net.forward(ref.x_train[idx], train=True)
        _, dout = losses.get("cross_entropy")(out, ref.y_train[idx])
        ref.net.backward(dout)
        norms = [np.linalg.norm(t.grad_out) for t in ref.net.trace]
        _go(page, "ArrowRight", "41단계 중 16단계")
        _go(page, "ArrowRight", "41단계 중 17단계")  # back through hidden layer 12
        tex = " ".join(page.evaluate(TEX))
        assert inside._n(norms[-2]) in tex and inside._n(record.layers[-2].delta_norm) == inside._n(norms[-2])
        # (a collapsed expander further up mentions the chain rule too: its text is not shown, so read them all)
        text = " ".join(page.locator("[data-testid='stMarkdownContainer']").filter(has_text="연쇄 법칙").all_inner_texts())
        assert f"{norms[-2] / norms[-1]:.3g}" in text  # its size relative to the layer above, in words
        _to_section(page)
        page.screenshot(path=str(SCREENSHOTS / "inside-vanishing-ko.png"), full_page=False)
    finally:
        page.close()
