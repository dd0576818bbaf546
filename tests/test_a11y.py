"""Accessibility in real Chromium (issue 24, WCAG 2.2 AA): axe-core on every page view and during a live run, the
page's language and title, charts a screen reader can name, a keyboard-only walk through a live run, the optimizer
race and the playground, reduced motion, and the phone's way to the settings.

axe-core comes from the npm registry (tests/axe, `npm ci --prefix tests/axe`, done by .ci/run); without it or
without Chromium these tests skip with a message saying so. One server and one browser serve the whole module.
"""
import re

import pytest

from tests.a11y_util import SERIOUS, axe_missing, run_axe
from tests.browser_util import CHROMIUM_ARGS, served_browser, wait_idle  # noqa: F401
from ui import nav
from content.catalog import load

pytestmark = pytest.mark.browser
SLUGS = [p.slug for p in nav.PAGES]
CHARTS_DRAWN = ("() => document.querySelectorAll('[data-testid=stPlotlyChart]').length == "
                "document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot').length")
TRAIN = "[class*='st-key-'][class*='-train'] button"


@pytest.fixture(scope="module")
def served():
    why = axe_missing()
    if why:
        pytest.skip(why)
    with served_browser(viewport=(1366, 768)) as (server, context):
        yield server, context


def _open(page, server, path):
    page.goto(f"{server.url}/{path}", wait_until="domcontentloaded")
    wait_idle(page)
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    page.wait_for_timeout(300)


CHART_NAMES = """() => Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]')).map(c =>
    [c.getAttribute('role'), c.getAttribute('aria-label') || ''])"""


def test_every_page_view_passes_axe_and_says_its_language(served):
    """All 30 page views (15 pages × 2 languages) in one session: no serious or critical axe-core violation of WCAG
    2.0/2.1/2.2 A and AA, headings in order (h2 under the h1), <html lang> = the page's language, the tab's title
    in that language, and every chart a figure with a name (st.plotly_chart(alt=...))."""
    server, context = served
    page = context.new_page()
    problems = []
    try:
        for lang in ("en", "ko"):
            words = load(lang)
            for slug in SLUGS:
                _open(page, server, f"{'' if slug == 'home' else slug}?lang={lang}")
                view = f"{slug}-{lang}"
                found = run_axe(page) + [v for v in run_axe(page, ["best-practice"], whole_page=False)
                                         if v["id"] == "heading-order"]
                problems += [f"{view}: {v['id']} ({v['impact']}): {v['nodes'][:2]}" for v in found
                             if v["impact"] in SERIOUS or v["id"] == "heading-order"]
                html_lang, title = page.evaluate("() => [document.documentElement.lang, document.title]")
                if html_lang != lang:
                    problems.append(f"{view}: <html lang={html_lang!r}>")
                if title != f"{words[f'{slug}.nav']} · {words['home.title']}":
                    problems.append(f"{view}: title {title!r}")
                for role, name in page.evaluate(CHART_NAMES):
                    korean = bool(re.search(r"[\uac00-\ud7a3]", name))
                    if role != "figure" or not name.strip() or korean != (lang == "ko"):
                        problems.append(f"{view}: chart role={role!r} aria-label={name[:60]!r}")
    finally:
        page.close()
    assert problems == [], "\n".join(problems[:30])


def test_axe_during_a_live_run_and_the_chart_names_follow_it(served):
    """While a run plays: still no serious violation, and the live charts' names change with the frames they show."""
    server, context = served
    page = context.new_page()
    try:
        _open(page, server, "vanishing?lang=en")
        page.locator("[class*='st-key-vanishing-reset'] button").click()
        wait_idle(page)
        before = page.evaluate(CHART_NAMES)
        page.locator(TRAIN).first.click()
        page.wait_for_timeout(1500)
        assert "Pause" in page.locator(TRAIN).first.inner_text(), "the run did not start"
        found = [v for v in run_axe(page, whole_page=False) if v["impact"] in SERIOUS]
        assert found == [], found
        page.wait_for_timeout(800)
        during = page.evaluate(CHART_NAMES)
        assert [n for _, n in during][2:] != [n for _, n in before][2:], "the live charts' names did not change"
        assert all(role == "figure" and name for role, name in during)
    finally:
        page.close()


# ---- the keyboard only ---------------------------------------------------------------------------------------

def _tab_to(page, test_js: str, limit: int = 150) -> int:
    """Press Tab until the focused element passes ``test_js`` (a function of the element); -> the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!e && ({test_js})(e); }}"):
            return presses
    raise AssertionError(f"Tab never reached {test_js} in {limit} presses")


def _progress(page) -> str:
    return page.locator("[data-testid=stProgress]").first.inner_text()


def _step_of(text: str) -> int:
    return int(re.search(r"(\d+)", text).group(1))


def _in(key: str) -> str:
    return f"(e => !!e.closest(\"[class*='st-key-{key}']\"))"


def test_a_keyboard_alone_trains_pauses_resumes_steps_plays_the_race_and_adds_a_point(served):
    """Tab and Enter/Space only (no mouse, no click): on the dropout page Train starts the run, Enter pauses it, Space
    resumes it, Space pauses it, Step moves one frame; on the optimizers page Play replays the race; on the
    playground a typed point lands in the link. Train comes before any chart in the Tab order (Plotly's toolbar,
    8 stops per chart, is gone)."""
    server, context = served
    page = context.new_page()
    try:
        # fewer updates (a picture a second): the run lasts its 40 frames' 40 s, not 4 s, so it is still playing
        # through the five presses below (at ten pictures a second it reached its end between them)
        _open(page, server, "dropout?lang=en&calm=1")
        presses = _tab_to(page, _in("overfit-train"))
        assert presses < 40, f"Train is {presses} Tab presses away"
        page.keyboard.press("Enter")  # Train (Replay when the page opened on the finished run: it plays from 0)
        page.wait_for_timeout(2500)
        assert "Pause" in page.locator(TRAIN).first.inner_text()
        assert _step_of(_progress(page)) > 0
        # pause, resume, pause, resume, pause: each press once (a press used to reach the server twice while a run
        # played, so Enter or Space on Pause often paused and resumed at once: ui.live's idempotent buttons)
        for key, expect in (("Enter", "Train"), ("Space", "Pause"), ("Space", "Train"), ("Enter", "Pause"),
                            ("Enter", "Train")):
            page.keyboard.press(key)
            page.wait_for_timeout(1200)
            wait_idle(page)
            assert expect in page.locator(TRAIN).first.inner_text(), f"{key} did not give {expect}"
        paused_at = _step_of(_progress(page))
        page.wait_for_timeout(800)
        assert _step_of(_progress(page)) == paused_at, "the run went on while paused"
        _tab_to(page, _in("overfit-step"))
        page.keyboard.press("Enter")
        page.wait_for_timeout(600)
        wait_idle(page)
        assert _step_of(_progress(page)) > paused_at, "Step did not move the run"

        _open(page, server, "optimizers?lang=en")  # the race: Play (Replay when it shows its end) from the keyboard
        _tab_to(page, _in("race-train"))
        assert _step_of(_progress(page)) == 30
        page.keyboard.press("Enter")
        page.wait_for_timeout(700)
        names = {page.evaluate(CHART_NAMES)[0][1]}
        page.wait_for_timeout(1500)
        names.add(page.evaluate(CHART_NAMES)[0][1])
        assert len(names) > 1, "the race did not play"

        _open(page, server, "playground?lang=en&data=own")
        _tab_to(page, "(e => e.tagName === 'SUMMARY' && e.innerText.includes('Type a point'))")
        page.keyboard.press("Enter")
        page.wait_for_timeout(400)
        for label, value in (("x", "1.5"), ("y", "-0.5")):
            _tab_to(page, f"(e => e.tagName === 'INPUT' && e.getAttribute('aria-label') === '{label}')")
            page.keyboard.press("Control+A")
            page.keyboard.type(value)
        _tab_to(page, "(e => e.tagName === 'BUTTON' && e.innerText.includes('Add the point'))")
        page.keyboard.press("Enter")
        page.wait_for_timeout(800)
        wait_idle(page)
        assert "points=1.5%3A-0.5%3A0" in page.url or "points=1.5:-0.5:0" in page.url, page.url
    finally:
        page.close()


def test_reduced_motion_slows_a_live_run_to_about_once_a_second(served):
    """With the operating system's reduced motion (Chromium's prefers-reduced-motion), detected in the browser: a
    playing run's progress changes about once a second (a median gap of 0.7 s or more; it is 0.2 s otherwise), and
    it still moves."""
    server, context = served
    calm = context.browser.new_context(viewport={"width": 1366, "height": 768}, reduced_motion="reduce")
    page = calm.new_page()
    try:
        _open(page, server, "dropout?lang=en")
        page.wait_for_timeout(1000)  # the page learns the preference (one rerun)
        wait_idle(page)
        page.locator("[class*='st-key-overfit-reset'] button").click()
        wait_idle(page)
        page.locator(TRAIN).first.click()
        page.wait_for_timeout(1200)
        # when the progress text changes, by the browser's clock (its timers run late on a busy machine)
        changes = page.evaluate("""async () => { const out = []; let last = null; const t0 = performance.now();
            while (performance.now() - t0 < 6000) { const p = document.querySelector('[data-testid=stProgress]');
              const text = p ? p.innerText : '';
              if (text && text !== last) { out.push(performance.now()); last = text; }
              await new Promise(r => setTimeout(r, 50)); }
            return out; }""")
        gaps = sorted(b - a for a, b in zip(changes, changes[1:]))
        assert len(gaps) >= 2, f"the run hardly moved: {changes}"
        assert gaps[len(gaps) // 2] >= 700, f"refreshes {gaps} ms apart (median under 0.7 s)"
    finally:
        calm.close()


def test_a_phone_opens_the_settings_from_a_labelled_button(served):
    """At 390×844 the sidebar is collapsed behind a 28 px icon: the page's "Settings and pages" button is on the
    first screen, and pressing it shows the settings with the focus on the first one."""
    server, context = served
    phone = context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    try:
        _open(page, server, "vanishing?lang=ko")
        button = page.get_by_role("button", name=re.compile(load("ko")["common.open_settings"]))
        box = button.bounding_box()
        assert box and box["y"] + box["height"] < 844 and box["height"] >= 24
        button.tap()
        page.wait_for_timeout(800)
        first = page.locator("[data-testid=stSidebarUserContent] [data-testid=stSelectbox]").first.bounding_box()
        assert first and 0 <= first["x"] < 390 and first["y"] < 844, first
        assert page.evaluate("() => !!document.activeElement.closest('[data-testid=stSidebar]')")
    finally:
        phone.close()
