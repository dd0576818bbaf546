"""Links in a real browser: hostile values never become markup, the address bar reproduces what is drawn, a link
too long to read is reported, and no page asks anything of a third-party server."""
import json
from urllib.parse import quote

import pytest

from tests.browser_util import served_browser, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with served_browser() as (server, context):
        yield server, context


def visit(context, url):
    page = context.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else None)
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    return page, outside


# The adversarial pass's payloads (issue 17, item 1), on a lesson and on the router's own parameter.
PAYLOADS = [
    ("losses", "seed", "x` [Log in again](https://evil.example) `"),
    ("losses", "seed", "x` ![i](http://127.0.0.1:9/x.png) `"),
    ("losses", "seed", "`\n# HEADING\n`"),
    ("losses", "seed", "x` :red[red] :material/home: https://evil.example `"),
    ("", "lang", "x` [Log in again](https://evil.example) `"),
]


@pytest.mark.parametrize("slug, key, payload", PAYLOADS)
def test_a_link_value_never_becomes_markup(browser, slug, key, payload):
    server, context = browser
    page, outside = visit(context, f"{server.url}/{slug}?lang=en&{key}={quote(payload)}")
    try:
        alerts = page.locator("[data-testid='stAlert']")
        notice = next(i for i in range(alerts.count()) if key in alerts.nth(i).inner_text())
        alert = alerts.nth(notice)
        markdown = alert.locator("[data-testid='stMarkdownContainer']")
        tags = set(markdown.evaluate("m => Array.from(m.querySelectorAll('*')).map(e => e.tagName.toLowerCase())"))
        assert tags <= {"p", "strong", "code"}, tags  # no link, image, heading, colour or icon from the value
        assert markdown.locator("code").count() == 1  # the value sits in one literal code span
        assert "evil.example" not in " ".join(page.evaluate("Array.from(document.links).map(a => a.href)"))
        assert not any("127.0.0.1:9" in u for u in outside)
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()


def drawn_data(page) -> str:
    """The data of every drawn Plotly chart (what the browser plots), as one JSON text, once it is steady."""
    page.wait_for_function("() => { const n = document.querySelectorAll('[data-testid=stPlotlyChart]').length; "
                           "return n > 0 && document.querySelectorAll('.js-plotly-plot').length == n; }", timeout=30_000)
    read = ("() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => gd.data.map(t => "
            "({x: Array.from(t.x || []), y: Array.from(t.y || []), z: Array.from(t.z || []).map(r => Array.from(r || []))})))")
    last = None
    for _ in range(20):
        now = json.dumps(page.evaluate(read))
        if now == last:
            return now
        last = now
        page.wait_for_timeout(500)
    return last


@pytest.mark.parametrize("path", ["playground?noise=0.123456789012", "losses?size=3.3", "losses?size=3.00000000001",
                                  "dropout?w1=0.30000000001", "vanishing?width=9"])
def test_the_address_bar_reproduces_the_charts(browser, path):
    """Open an oddly written link; the page snaps it and writes the link back; that link draws the same charts."""
    server, context = browser
    first, _ = visit(context, f"{server.url}/{path}&lang=en")
    second = None
    try:
        key = path.split("?")[1].split("=")[0]
        assert any(key in text for text in first.locator("[data-testid='stAlert']").all_inner_texts())
        written = first.url
        assert path.split("?")[1] not in written  # the link now says what the control shows
        second, _ = visit(context, written)
        assert second.url == written
        assert drawn_data(first) == drawn_data(second)
        assert first.locator("[data-testid='stException']").count() == 0
    finally:
        first.close()
        if second is not None:
            second.close()


def test_a_link_too_long_to_read_is_reported(browser):
    server, context = browser
    query = "lang=ko&" + "&".join(f"k{i}=1" for i in range(1200))  # over Streamlit's 1,000 parameters
    page, _ = visit(context, f"{server.url}/losses?{query}")
    try:
        notices = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
        assert f"{query.count('&') + 1:,}" in notices and f"{len(query):,}" in notices
        assert "k1199" not in page.url
    finally:
        page.close()


@pytest.mark.parametrize("slug", ["", "optimizers"])
def test_pages_need_nothing_outside_the_server(browser, slug):
    server, context = browser
    page, outside = visit(context, f"{server.url}/{slug}?lang=en")
    page.close()
    assert outside == []
