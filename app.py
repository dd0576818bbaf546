"""Router: language, presenter mode and the page navigation. Every page lives in lessons/ (see ui/nav.py)."""
from __future__ import annotations

import os
from pathlib import Path

# One BLAS thread: sessions already train in parallel threads, and threaded BLAS on our small matrices only
# oversubscribes the cores (measured: 200 steps took 14.8 s with default threads vs 0.74 s with one, under load).
# Effective only if NumPy is not loaded yet, which is the case under `streamlit run`; Makefile/Dockerfile set it too.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Imported up front, before any session can build a chart: Plotly uses pandas through sys.modules when another
# thread has put it there, and sessions that start together on a fresh server then saw a half-imported pandas
# ("partially initialized module 'pandas'", found by bench/load.py). The import statement waits for completion.
import pandas  # noqa: E402, F401
import plotly.graph_objects  # noqa: E402, F401
import streamlit as st  # noqa: E402

from core import runtime  # noqa: E402
from lab.settings import flag  # noqa: E402
from runs import housekeeping, warm  # noqa: E402
from ui import classroom, controls, guards, lesson, nav, page_env, teacher  # noqa: E402
from content.catalog import LANGUAGE_NAMES, LANGUAGES
from ui.i18n import browser_lang, t
from ui.literal import literal

# The icon is a file of ours: a Material icon name would make every browser fetch it from a font server, and a
# classroom may have no internet or must not contact third parties.
ICON = Path(__file__).resolve().parent / "ui" / "icon.png"
st.set_page_config(page_title="Deep Net Training Lab", page_icon=str(ICON), layout="wide")


@st.cache_resource(show_spinner=False)
def _process_settings() -> bool:
    """Once per server process (`python -m ui.launch` has done it already): glibc's allocator thresholds for
    faster training steps (core/runtime.py), the server guards (ui/guards.py), and the class server's warm-up and
    housekeeping (runs/)."""
    guards.install()
    warm.start(nav.LESSONS)
    housekeeping.start()
    return runtime.tune_allocator()


_process_settings()

# Static CSS only; no user text reaches it.
# - Less empty space above the title than Streamlit's default (about 6 rem): a laptop's first screen is for the lesson.
# - Captions at 4.5:1 (WCAG 1.4.3): Streamlit fades them to 60 % opacity (#828180 on white, 3.9:1); this grey is
#   6.3:1 on white, 5.6:1 on the shaded boxes.
# - Sections are h2 under the page's h1 (ui.lesson.section), drawn at the size Streamlit gives its subheaders.
# - Reduced motion (the browser's setting): no transitions or animations of Streamlit's own (ui/page_env.py slows the
#   live charts).
# - The hidden box of ui.page_env's script.
# - A multiselect's text box keeps 24 px after its chips (WCAG 2.5.8 target size; it shrank to a few px).
# - Formulas (ui.lesson.formula: maths in a paragraph, which wraps) at the size st.latex drew them.
# - On a phone: a title that fits in two lines, a live panel's buttons in one row; up to 768 px (a tablet), where
#   Streamlit folds the sidebar away, the page's "Settings and pages" button (ui.page_env.settings_button), and code,
#   a multiselect's chips, a segmented control's options and a row of tabs that wrap instead of scrolling sideways.
st.markdown("""<style>
    [data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
    [data-testid="stSidebarContent"] [data-testid="stSidebarHeader"] { height: 1rem; }
    [data-testid="stCaptionContainer"] { opacity: 1; color: #5e6069; }
    [data-testid="stHeading"] h2 { font-size: 1.5rem; padding: 0.75rem 0 0.5rem; }
    [data-testid="stSidebar"] [data-testid="stHeading"] h2 { font-size: 1.25rem; }
    .st-key-page-env { display: none; }
    [data-testid="stMultiSelectTagsContainer"] input { min-width: 1.75rem !important; }
    [data-testid="stMarkdownContainer"] .katex { font-size: 1.15em; }
    .st-key-open-settings { display: none; }
    @media (max-width: 640px) {
      [data-testid="stMain"] h1 { font-size: 1.9rem; }
      [class*="st-key-live-row-"] [data-testid="stHorizontalBlock"] { flex-wrap: nowrap; gap: 0.5rem; }
      [class*="st-key-live-row-"] [data-testid="stColumn"] { min-width: 0 !important; width: auto !important;
                                                             flex: 1 1 0 !important; }
      [class*="st-key-live-row-"] [data-testid="stColumn"]:nth-child(4) { display: none; }
      /* a live panel's progress bar says what its step slider says right under it: on a phone the slider alone,
         so the chart starts on the first screen */
      [data-testid="stLayoutWrapper"]:has(> [class*="st-key-live-bar-"]):has(+ * .dnn-scrub) { display: none; }
    }
    @media (max-width: 768px) {  /* where Streamlit folds the sidebar away */
      .st-key-open-settings { display: block; }
      [data-testid="stCode"] pre, [data-testid="stCode"] pre * { white-space: pre-wrap !important; overflow-wrap: anywhere; }
      [data-testid="stMultiSelectTagsContainer"], [data-testid="stButtonGroup"] > div { flex-wrap: wrap; }
      [data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; overflow-x: visible; row-gap: 0.25rem; }
    }
    @media (prefers-reduced-motion: reduce) {
      *, *::before, *::after { animation-duration: 0.01ms !important; animation-iteration-count: 1 !important;
                               transition-duration: 0.01ms !important; scroll-behavior: auto !important; }
    }
    </style>""", unsafe_allow_html=True)

# The sidebar holds the page's settings first (ui.lesson.sidebar_controls writes into this slot), then the app's own
# language and presenter controls: on a laptop's first screen the student sees the knobs of the lesson.
PRESENT = flag("present", "common.presenter", False, help="common.presenter_help")  # the app's own, on every page
CALM = flag("calm", "common.fewer_updates", False, help="common.fewer_updates_help")  # ui.page_env: reduced motion
settings_slot = st.sidebar.container()
page_tools = st.sidebar.container()  # restore defaults, the link to this view (ui.teacher.finish_page)
app_controls = st.sidebar.container()
notices = st.container()  # notices about the link, above the page (some are known only after the page ran)
class_slot = st.container()  # a class's panel (the teacher) or watcher (a student), filled after the page ran
lesson.use_sidebar_slot(settings_slot, page_tools)

# Language: the URL wins, then the browser's locale. It is always written to the URL so a link keeps it.
if "lang" not in st.session_state:
    asked = st.query_params.get("lang")
    st.session_state["lang"] = asked if asked in LANGUAGES else browser_lang()
    if asked is not None and asked not in LANGUAGES:
        st.warning(t("common.bad_param", key="lang", value=literal(asked)), icon=":material/link_off:")
app_controls.divider()
app_controls.segmented_control(t("common.language"), LANGUAGES, key="lang", format_func=LANGUAGE_NAMES.get,
                               required=True)
# A language switch must redraw option labels: selection widgets keep their old labels otherwise (ui.controls).
st.session_state["_lang_changed"] = st.session_state.get("_last_lang", st.session_state["lang"]) != st.session_state["lang"]
st.session_state["_last_lang"] = st.session_state["lang"]
dropped = guards.dropped_link(st.query_params)
if dropped is not None:  # the server could not read the link (ui/guards.py): say so rather than ignore it
    st.warning(t("common.link_dropped", fields=f"{dropped[0]:,}", chars=f"{dropped[1]:,}"), icon=":material/link_off:")
    del st.query_params[guards.DROPPED]

if st.query_params.get("lang") != st.session_state["lang"]:
    st.query_params["lang"] = st.session_state["lang"]
page_env.mount(st.session_state["lang"], where=app_controls)  # <html lang>, and the browser's motion preference
teacher.read(st.query_params, notices)  # hide / lock / reveal / trained, for a class (ui/teacher.py)
classroom.read(st.query_params, notices)  # class=CODE (a student), class=CODE&teacher=KEY (ui/classroom.py)

presenting = controls.draw(PRESENT, where=app_controls)
controls.draw(CALM, where=app_controls)
classroom.sidebar(app_controls)  # Start a class, or the class this session is in
if presenting:
    # Projection: bigger text everywhere (charts: figures.theme.presenter), a wider sidebar whose labels wrap instead
    # of being cut, buttons that grow with their text; tables, slider values, what a select shows and its options,
    # labels at 18.4 px or more (issue 23, item 6). Static CSS only; no user text reaches it.
    st.markdown(
        """<style>
        [data-testid="stMain"] { font-size: 1.3rem; }
        [data-testid="stMain"] h1 { font-size: 3rem; }
        [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.3rem; }
        [data-testid="stCaptionContainer"] { font-size: 1.15rem; }
        [data-testid="stSidebar"] { min-width: 360px; }
        [data-testid="stSidebar"] [data-testid="stWidgetLabel"] p { white-space: normal; }
        [data-testid="stWidgetLabel"] p, [data-testid="stTable"] td, [data-testid="stTable"] th,
        [data-testid="stSliderThumbValue"], [data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"],
        [data-testid="stSelectbox"] input, [data-testid="stMultiSelect"] input, [data-testid="stMultiSelect"] span,
        [data-testid="stNumberInput"] input, [data-testid="stRadio"] label p, [data-testid="stToggle"] label p,
        [role="listbox"] [role="option"] { font-size: 1.15rem; }
        [data-testid="stTopNavLinkContainer"] span, [data-testid="stTopNavLink"] span { font-size: 1.15rem; }
        [data-testid="stBaseButton-primary"], [data-testid="stBaseButton-secondary"] { height: auto; min-height: 2.6rem; }
        [data-testid="stBaseButton-primary"] p, [data-testid="stBaseButton-secondary"] p { font-size: 1.15rem; white-space: normal; }
        </style>""",
        unsafe_allow_html=True,
    )

pages = {
    t(f"common.group_{group}"): [
        st.Page(spec.path, title=t(f"{spec.slug}.nav"), icon=spec.icon, url_path=spec.slug,
                default=(spec.slug == "home"))
        for spec in nav.PAGES if spec.group == group
    ]
    for group in nav.GROUPS
}
# The page list is a bar at the top (groups as menus), so the sidebar starts with the page's settings.
page = st.navigation(pages, position="top")
# The browser tab names the page and the lab in the page's language (WCAG 2.4.2)
st.set_page_config(page_title=f"{page.title} · {t('home.title')}")
controls.enter_page(page.url_path)  # a page's settings belong to it: the last page's controls are forgotten here
page.run()
classroom.after_page(class_slot, page.url_path or "home")
