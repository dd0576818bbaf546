"""Live charts redraw in place (issue 23, item 2): on every page with a live run, in real Chromium, the charts are
sampled every 50 ms through a whole run, and every chart is drawn in every sample.

What blinked: Streamlit names a st.plotly_chart element after its figure, so each new frame mounted a new chart,
hidden and empty until Plotly had drawn it (5-12 % of the samples of a playing panel). ui.livechart keeps one
element per chart and redraws it in place. A sample counts a chart as drawn when its box has its height, its plot
is visible and its SVG holds drawn marks; the number of charts never drops either (a chart removed and re-created
between two samples would be caught by the MutationObserver even when both samples look drawn).
"""
import pytest

from tests.browser_util import ROOT, served_browser, wait_idle
from ui import nav

pytestmark = pytest.mark.browser

SAMPLER = r"""
() => {
  const charts = () => Array.from(document.querySelectorAll("[data-testid='stPlotlyChart']"));
  const drawn = (e) => {
    const plot = e.querySelector('.js-plotly-plot');
    const svg = plot && plot.querySelector('.main-svg');
    return !!svg && e.getBoundingClientRect().height > 40 && getComputedStyle(plot).visibility !== 'hidden'
      && svg.querySelectorAll('path, rect, image, text').length > 0;
  };
  const state = {samples: 0, blank: [], removed: [], steps: new Set(), count: charts().length};
  new MutationObserver((records) => {
    for (const r of records) for (const node of r.removedNodes) {
      if (node.nodeType !== 1) continue;
      const gone = node.matches("[data-testid='stPlotlyChart']") ? [node]
        : Array.from(node.querySelectorAll("[data-testid='stPlotlyChart']"));
      for (const c of gone) state.removed.push((c.dataset.chart || c.parentElement && c.parentElement.className || '?')
                                              + ' @' + Math.round(performance.now()));
    }
  }).observe(document.body, {childList: true, subtree: true});
  state.timer = setInterval(() => {
    const found = charts();
    state.samples += 1;
    const bad = found.filter((e) => !drawn(e)).length + Math.max(0, state.count - found.length);
    // which chart, its height, its plot's visibility and its marks: what a failure needs to be understood
    const why = found.filter((e) => !drawn(e)).map((e) => {
      const plot = e.querySelector('.js-plotly-plot'), svg = plot && plot.querySelector('.main-svg');
      return [e.dataset.chart || (e.closest('[class*="st-key-"]') || {}).className || '?',
              Math.round(e.getBoundingClientRect().height), plot ? getComputedStyle(plot).visibility : 'no plot',
              svg ? svg.querySelectorAll('path, rect, image, text').length : -1];
    });
    if (bad) state.blank.push([Math.round(performance.now()), bad, found.length, why]);
    for (const e of found) if (e.dataset.step) state.steps.add(e.dataset.chart + '@' + e.dataset.step);
  }, 50);
  window.__blink = state;
}
"""
READ = "() => ({samples: __blink.samples, blank: __blink.blank, removed: __blink.removed, count: __blink.count, " \
       "steps: __blink.steps.size})"
TRAIN = "[class*='st-key-'][class*='-train'] button"
PLAYING = f"() => /Pause|일시 정지/.test(document.querySelector(\"{TRAIN}\").innerText)"
# the first live panel's progress says its run is over ("Step 600 of 600", "600스텝 중 600스텝"), and its button is
# not Pause any more
FINISHED = r"""() => {
  const bar = document.querySelector("[data-testid='stProgress']");
  const m = bar && (bar.innerText.match(/Step ([\d,]+) of ([\d,]+)/) || bar.innerText.match(/([\d,]+)스텝 중 ([\d,]+)스텝/));
  const button = document.querySelector("[class*='st-key-'][class*='-train'] button");
  return !!m && m[1] === m[2] && !!button && !/Pause|일시 정지/.test(button.innerText);
}"""
# the pages with a live run: those whose page draws a live panel
LIVE_PAGES = [p.slug for p in nav.PAGES if "live.panel(" in (ROOT / p.path).read_text()]


def open_for_training(page, url: str) -> None:
    """Open a page with a live panel and wait until it is idle with its Train button drawn (the first visit may wait
    for the server's warm-up)."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(TRAIN, timeout=180_000)
    wait_idle(page, 180_000)


def press_train(page) -> None:
    """Press the first live panel's Train and wait until its run plays (the button says Pause)."""
    page.locator(TRAIN).first.click()
    page.wait_for_function(PLAYING, timeout=30_000)


@pytest.fixture(scope="module")
def browser():
    with served_browser(viewport=(1366, 900)) as (server, context):
        yield server, context


@pytest.mark.parametrize("slug", LIVE_PAGES)
def test_live_charts_are_drawn_in_every_sample_of_a_run(browser, slug):
    server, context = browser
    page = context.new_page()
    try:
        open_for_training(page, f"{server.url}/{slug}?lang=en")
        page.wait_for_timeout(500)  # the charts' first drawing
        page.evaluate(SAMPLER)
        press_train(page)
        page.wait_for_function(FINISHED, timeout=180_000)  # ... to its end
        page.wait_for_timeout(300)
        seen = page.evaluate(READ)
    finally:
        page.close()
    assert seen["count"] >= 1 and seen["samples"] >= 20, seen
    assert seen["blank"] == [] and seen["removed"] == [], (
        f"{slug}: {len(seen['blank'])} of {seen['samples']} samples showed a chart not drawn ([time, charts not drawn, "
        f"charts found, [chart, height, visibility, marks]]: {seen['blank'][:10]}); charts removed during the run: {seen['removed'][:10]}")


# Every 50 ms while a run plays: the step the first progress bar says, and the step its panel's first chart shows
# (ui/livechart.js writes the step of the picture it drew in data-step).
STEP_SAMPLER = r"""
() => {
  const state = {samples: 0, differ: []};
  const said = () => {
    const bar = document.querySelector("[data-testid='stProgress']");
    const m = bar && (bar.innerText.match(/Step ([\d,]+) of/) || bar.innerText.match(/스텝 중 ([\d,]+)스텝/));
    return m ? Number(m[1].replace(/,/g, '')) : null;
  };
  const shown = () => {
    const bar = document.querySelector("[data-testid='stProgress']");
    const chart = Array.from(document.querySelectorAll('.dnn-live[data-step]')).find(
      (e) => bar && (bar.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING));
    return chart ? Number(chart.dataset.step) : null;
  };
  state.timer = setInterval(() => {
    const a = said(), b = shown();
    if (a === null || b === null) return;
    state.samples += 1;
    if (a !== b) state.differ.push([Math.round(performance.now()), a, b]);
  }, 50);
  window.__steps = state;
}
"""


@pytest.mark.parametrize("slug,lang", [("dropout", "en"), ("vanishing", "ko")])
def test_the_progress_words_say_the_step_the_chart_shows_while_it_plays(browser, slug, lang):
    """The progress bar's words ("Step 240 of 600") name the picture on screen, not the newest frame the server
    sent: a tick sends a batch of frames that the browser plays 0.1 s apart, and the words used to name the batch's
    last one (one tick ahead of the chart for most of every tick). Now the server writes them after the charts, for
    the batch's first frame, and ui/scrub.js moves them on with each frame drawn."""
    server, context = browser
    page = context.new_page()
    try:
        open_for_training(page, f"{server.url}/{slug}?lang={lang}")
        press_train(page)
        page.evaluate(STEP_SAMPLER)
        page.wait_for_timeout(4000)
        seen = page.evaluate("() => ({samples: __steps.samples, differ: __steps.differ})")
    finally:
        page.close()
    assert seen["samples"] >= 20, seen
    # a sample may fall between the server's new words and the drawing of the batch's first frame (tens of ms a
    # tick on a busy machine); before, the words named the batch's last frame: 70-78 % of the samples differed
    assert len(seen["differ"]) <= seen["samples"] // 4, (
        f"{slug}: in {len(seen['differ'])} of {seen['samples']} samples the progress said another step than the "
        f"chart ([time, said, shown]: {seen['differ'][:10]})")
