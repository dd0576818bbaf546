"""axe-core in a real page (Playwright), and the numbers an accessibility check reads off a drawn page.

axe-core comes from the npm registry, pinned in tests/axe/package.json (`npm ci --prefix tests/axe`, which .ci/run
does on a clean checkout); AXE_JS may point at another copy of axe.min.js.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = Path(os.environ.get("AXE_JS", ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"))
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what schools must meet (KWCAG, ADA Title II, EN 301 549)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = ("serious", "critical")
# axe's advice beyond WCAG (heading order, landmarks, ...): measured by bench/axe_counts.py, not asserted
BEST_PRACTICE = ["best-practice"]


def axe_missing() -> str | None:
    """Why axe-core cannot run here, or None."""
    if not AXE_JS.exists():
        return f"axe-core is not installed at {AXE_JS}: run `npm ci --prefix tests/axe`"
    return None


def run_axe(page, tags=WCAG_TAGS, whole_page: bool = True) -> list[dict]:
    """axe-core's violations of the page as it is now: [{id, impact, nodes: [target | html, ...], help}].

    whole_page: first grow the viewport to the page's height (Streamlit scrolls inside its main container, and axe
    leaves what is scrolled out of view "to review" instead of checking its contrast), then restore it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    size = page.viewport_size
    if whole_page:
        height = page.evaluate(
            "() => Math.max(...Array.from(document.querySelectorAll('[data-testid=stMain], "
            "[data-testid=stSidebarContent]')).map(e => e.scrollHeight), 600)")
        page.set_viewport_size({"width": size["width"], "height": min(int(height) + 80, 12000)})
        page.wait_for_timeout(300)
    try:
        return _axe(page, list(tags))
    finally:
        if whole_page:
            page.set_viewport_size(size)


def _axe(page, tags: list[str]) -> list[dict]:
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, wcag: v.tags.some(t => t.startsWith('wcag')),
                                           nodes: v.nodes.map(n => n.target.join(' ') + ' | ' + n.html.slice(0, 120))}));
        }""", tags)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SERIOUS]


def count_by_rule(views: dict[str, list[dict]]) -> dict[tuple[str, str], tuple[int, int]]:
    """{(rule, impact): (page views with it, nodes)} over several page views' violations."""
    pages, nodes = Counter(), Counter()
    for violations in views.values():
        for v in violations:
            pages[(v["id"], v["impact"])] += 1
            nodes[(v["id"], v["impact"])] += len(v["nodes"])
    return {key: (pages[key], nodes[key]) for key in sorted(pages)}


# ---- what a page's charts carry (AppTest: the figure JSON and the element's proto) ------------------------------

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Non-text contrast (WCAG 1.4.11): a mark that must be seen stands out from the plot's background at 3:1
MARK_CONTRAST = 3.0


def charts_without_alt(at, lang: str) -> list[str]:
    """Charts with no text alternative, or one not in the page's language (Korean words on a Korean page, none on
    an English one)."""
    from tests.apptest_util import all_charts

    bad = []
    for i, chart in enumerate(all_charts(at)):
        alt = chart.alt.strip()
        if not alt:
            bad.append(f"chart {i}: no alt")
        elif (lang == "ko") != bool(HANGUL.search(alt)):
            bad.append(f"chart {i}: alt not in {lang}: {alt[:80]}")
    return bad


def _named(colour: str) -> tuple[float, float, float, float] | None:
    """(r, g, b, alpha) in 0..1 of a Plotly colour string (#rgb, #rrggbb, rgb(), rgba(), a few names), else None."""
    c = colour.strip().lower()
    names = {"white": "#ffffff", "black": "#000000", "grey": "#808080", "gray": "#808080"}
    c = names.get(c, c)
    if re.fullmatch(r"#[0-9a-f]{3}", c):
        c = "#" + "".join(ch * 2 for ch in c[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", c):
        return tuple(int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)) + (1.0,)
    m = re.fullmatch(r"rgba?\(([^)]*)\)", c)
    if m:
        parts = [float(p) for p in m.group(1).split(",")]
        return (parts[0] / 255, parts[1] / 255, parts[2] / 255, parts[3] if len(parts) > 3 else 1.0)
    return None


def luminance(rgb) -> float:
    f = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb[:3]]
    return 0.2126 * f[0] + 0.7152 * f[1] + 0.0722 * f[2]


def contrast(a: str, b: str = "#ffffff") -> float:
    """WCAG contrast ratio of two opaque colours (alpha is composited over white)."""
    ca, cb = _named(a), _named(b)
    over = lambda c: tuple(c[3] * v + (1 - c[3]) for v in c[:3])  # noqa: E731
    la, lb = sorted((luminance(over(ca)), luminance(over(cb))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _series(figure: dict) -> list[dict]:
    """The traces a reader tells apart: lines, markers and bars named in the legend (decorations, maps, invisible
    click grids and faint full paths are not series)."""
    out = []
    for tr in figure.get("data", []):
        kind = tr.get("type", "scatter")
        if kind not in ("scatter", "scattergl", "bar", "scatter3d"):
            continue
        if tr.get("showlegend") is False or not tr.get("name") or tr.get("name") == "click":
            continue
        if (tr.get("marker") or {}).get("opacity") == 0 or (tr.get("opacity") or 1) < 0.5:
            continue
        out.append(tr)
    return out


def _look(tr: dict) -> tuple:
    """What besides colour draws a series: its dash (lines), its symbol (markers), its fill pattern (bars)."""
    kind = tr.get("type", "scatter")
    if kind == "bar":
        return ("bar", str(((tr.get("marker") or {}).get("pattern") or {}).get("shape", "")))
    mode = tr.get("mode", "lines+markers")
    line = tr.get("line") or {}
    marker = tr.get("marker") or {}
    if tr.get("fill") not in (None, "none") and not line.get("width", 1):
        return ("fill", tr.get("fill"))
    return (mode, line.get("dash", "solid") if "lines" in mode else None,
            str(marker.get("symbol", "circle")) if "markers" in mode else None)


def _colour(tr: dict) -> str:
    line, marker = tr.get("line") or {}, tr.get("marker") or {}
    for c in (line.get("color") if "lines" in tr.get("mode", "") else None, marker.get("color"), line.get("color")):
        if isinstance(c, str):
            return c
        if isinstance(c, list) and c and isinstance(c[0], str):
            return ",".join(c)
    return ""


def colour_only_series(figure: dict) -> list[str]:
    """Pairs of series in one subplot that differ by colour alone (WCAG 1.4.1): same dash, symbol and fill."""
    bad = []
    by_cell: dict = {}
    for tr in _series(figure):
        by_cell.setdefault((tr.get("xaxis", "x"), tr.get("yaxis", "y")), []).append(tr)
    for traces in by_cell.values():
        for i, a in enumerate(traces):
            for b in traces[i + 1:]:
                if _colour(a) != _colour(b) and _look(a) == _look(b) and a.get("name") != b.get("name"):
                    bad.append(f"{a.get('name')!r} and {b.get('name')!r}: {_look(a)}")
    return bad


def faint_marks(figure: dict, background: str = "#ffffff") -> list[str]:
    """Series none of whose colours (line, marker, marker outline) reaches MARK_CONTRAST against the background."""
    bad = []
    for tr in _series(figure):
        line, marker = tr.get("line") or {}, tr.get("marker") or {}
        candidates = []
        for c in (line.get("color"), marker.get("color"), (marker.get("line") or {}).get("color")):
            if isinstance(c, str):
                candidates.append(c)
            elif isinstance(c, list):
                candidates += [v for v in c if isinstance(v, str)]
        parsed = [c for c in candidates if _named(c) is not None]
        if parsed and max(contrast(c, background) for c in parsed) < MARK_CONTRAST:
            bad.append(f"{tr.get('name')!r}: {parsed}")
    return bad


def chart_problems(at, lang: str) -> list[str]:
    """Every accessibility property of a page's charts AppTest can see: a text alternative in the page's language,
    series told apart by more than colour, marks at 3:1, and no Plotly toolbar or Plotly animation controls
    (buttons and sliders no keyboard reaches)."""
    from tests.apptest_util import all_charts

    problems = charts_without_alt(at, lang)
    for i, chart in enumerate(all_charts(at)):
        figure = chart.spec
        problems += [f"chart {i}: colour only: {p}" for p in colour_only_series(figure)]
        problems += [f"chart {i}: faint: {p}" for p in faint_marks(figure)]
        layout = figure.get("layout", {})
        if layout.get("updatemenus") or layout.get("sliders") or figure.get("frames"):
            problems.append(f"chart {i}: Plotly animation controls")
        if chart.config.get("displayModeBar") is not False:
            problems.append(f"chart {i}: Plotly toolbar")
    return problems
