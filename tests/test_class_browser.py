"""A class in real Chromium, in both languages: a teacher starts a class from the sidebar; five students join by the
link and one types the code on the home page and follows the teacher; they answer the first predict-first question
with a reason; the teacher's screen counts them; Reveal reaches every student's page; a quick check is tallied.

One `python -m ui.launch` server (the in-process class store of `make run`), without the warm-up of every lesson's
defaults (this test needs none of them). Screenshots: artifacts/screenshots/class-teacher-<lang>.png (1920×1080,
presenter mode) and class-phone-<lang>.png (390×844).
"""
from __future__ import annotations

import re
import time

import pytest

from tests.browser_util import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, Server, chromium_missing, wait_idle
from content.catalog import load

pytestmark = pytest.mark.browser
LINKED, TYPED = 5, 1
REVEAL_WITHIN = 3.0  # s, the bound (a loaded test machine gets a margin below)
SLACK = 10.0


@pytest.fixture(scope="module")
def browser():
    why = chromium_missing()
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    server = Server(env={"LAB_WARM": "0"})
    pw = sync_playwright().start()
    chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield server, chromium
    finally:
        chromium.close()
        pw.stop()
        server.close()


def _open(chromium, url, viewport=(1366, 900)):
    context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    return page


def _pick(page, text: str) -> None:
    """Click a radio option by its exact text (the label Streamlit draws for it)."""
    page.locator("[data-testid=stRadio] label").filter(has_text=re.compile("^" + re.escape(text) + "$")).first.click()


def _wait_text(page, text: str, timeout: float) -> float:
    """Seconds until ``text`` is on the page."""
    started = time.monotonic()
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout * 1000)
    return time.monotonic() - started


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_class_in_the_browser(browser, lang):
    server, chromium = browser
    words = load(lang)
    teacher = _open(chromium, f"{server.url}/losses?lang={lang}", viewport=(1920, 1080))
    teacher.get_by_role("button", name=words["classroom.start"]).click()
    teacher.wait_for_url(re.compile(r"class=[A-Z0-9]{6}"), timeout=30_000)
    wait_idle(teacher)
    code = re.search(r"class=([A-Z0-9]{6})", teacher.url).group(1)
    assert re.search(r"teacher=[A-Za-z0-9_-]{22}", teacher.url) and "present=1" in teacher.url
    assert teacher.locator("[data-testid=stImage] img").count() >= 1  # the QR code, served by the app itself

    students = [_open(chromium, f"{server.url}/losses?class={code}&lang={lang}") for _ in range(LINKED - 1)]
    students.append(_open(chromium, f"{server.url}/losses?class={code}&lang={lang}", viewport=(390, 844)))
    for s in students:
        assert "teacher=" not in s.url and re.search(r"seat=", s.url)
    # the sixth types the code on the home page, then follows the teacher to the lesson
    typed = _open(chromium, f"{server.url}/?lang={lang}")
    typed.get_by_label(words["classroom.code_label"]).fill(f"{code[:3].lower()} {code[3:]}")
    typed.get_by_role("button", name=words["classroom.join"]).click()
    follow = typed.get_by_text(words["classroom.follow"].format(title=words["losses.nav"]))
    follow.wait_for(timeout=30_000)
    follow.click()
    typed.wait_for_url(re.compile(r"/losses\?"), timeout=30_000)
    wait_idle(typed)
    students.append(typed)

    # every student answers q1 with a reason: options 1, 1, 1, 2, 2, 3; the right reason for the first three
    options = [words[f"losses.q1_{i}"] for i in (1, 2, 3)]
    picks = [0, 0, 0, 1, 1, 2]
    for s, pick in zip(students, picks):
        _pick(s, options[pick])
        s.get_by_text(words["classroom.why"]).first.wait_for(timeout=30_000)
        _pick(s, words["losses.q1_why1"] if pick == 0 else words["losses.q1_why2"])
        wait_idle(s)
    n = LINKED + TYPED
    waited = _wait_text(teacher, words["classroom.answered"].format(n=n, m=n), 2.0 + SLACK)
    alt = words["classroom.alt_round"].format(round=words["classroom.round1"], counts=", ".join(
        f"{words['classroom.option_n'].format(n=i + 1)}: {c}" for i, c in enumerate([3, 2, 1])))
    _wait_text(teacher, alt, 5.0)
    reasons = words["classroom.alt_reason"].format(option=words["classroom.option_n"].format(n=1), counts=", ".join(
        f"{words['classroom.reason_n'].format(n=k + 1)}{' ✓' if k == 0 else ''}: {c}" for k, c in enumerate([3, 0, 0, 0])))
    _wait_text(teacher, reasons, 5.0)
    teacher.screenshot(path=str(SCREENSHOTS / f"class-panel-{lang}.png"))
    teacher.set_viewport_size({"width": 1920, "height": 1500})  # the poll box whole: answers, then reasons
    teacher.get_by_text(words["classroom.answered"].format(n=n, m=n)).first.scroll_into_view_if_needed()
    teacher.wait_for_timeout(800)
    teacher.screenshot(path=str(SCREENSHOTS / f"class-teacher-{lang}.png"))
    teacher.set_viewport_size({"width": 1920, "height": 1080})

    # Reveal: every student's page shows the answer
    teacher.get_by_role("button", name=words["classroom.reveal"]).first.click()
    started = time.monotonic()
    answer = words["losses.q1_a"][:60]
    reached = []
    for s in students:
        s.get_by_text(answer, exact=False).first.wait_for(timeout=(REVEAL_WITHIN + SLACK) * 1000)
        reached.append(time.monotonic() - started)
    print(f"\n{lang}: the tally showed all {n} after {waited:.1f} s; reveal reached the students after "
          + ", ".join(f"{r:.1f}" for r in reached) + " s")
    students[LINKED - 1].screenshot(path=str(SCREENSHOTS / f"class-phone-{lang}.png"), full_page=False)

    # a quick check: two students answer, one right (computed by the page's lab), one wrong
    from lab import losses as lab
    d = lab.DEFAULTS
    _, _, at = lab.gradient_curves(d.n_classes, lab.WRONG_P)
    check = lab.quick_checks(lab.fit_lines(d.n_outliers, d.outlier_size, d.delta, d.seed), d.delta, at, d.n_classes)[0]
    right = words[f"losses.check1_{check.options[check.answer]}"]
    wrong = next(words[f"losses.check1_{o}"] for o in check.options if o != check.options[check.answer])
    for s, text in ((students[0], right), (students[1], wrong)):
        s.get_by_text(words["common.quick_checks"]).first.scroll_into_view_if_needed()
        _pick(s, text)
        wait_idle(s)
    assert students[0].get_by_text(words["common.check_right"]).count() >= 1
    _wait_text(teacher, words["classroom.check_share"].format(n=1, right=1, total=2), 5.0 + SLACK)
    for page in [teacher, *students]:
        assert page.locator("[data-testid=stException]").count() == 0
        page.context.close()
