"""The page registry: app.py builds st.navigation from it, tests discover pages from it.

A page is one entry: its slug is the file name in lessons/, the URL path and the content file's name.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    slug: str
    group: str
    icon: str

    @property
    def path(self) -> str:
        return f"lessons/{self.slug}.py"


# Group keys are translated through common.group_<key>; order here is the order in the sidebar.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "start", ":material/home:"),
    PageSpec("losses", "foundations", ":material/functions:"),
    PageSpec("batches", "foundations", ":material/stacks:"),
    PageSpec("preprocessing", "foundations", ":material/tune:"),
    PageSpec("activations", "foundations", ":material/show_chart:"),
    PageSpec("vanishing", "problems", ":material/trending_down:"),
    PageSpec("initialization", "problems", ":material/casino:"),
    PageSpec("batchnorm", "fixes", ":material/align_vertical_center:"),
    PageSpec("dropout", "fixes", ":material/grain:"),
    PageSpec("regularization", "fixes", ":material/compress:"),
    PageSpec("ensembles", "fixes", ":material/groups:"),
    PageSpec("transfer", "fixes", ":material/move_up:"),
    PageSpec("optimizers", "optimization", ":material/route:"),
    PageSpec("landscape", "optimization", ":material/landscape:"),
    PageSpec("playground", "playground", ":material/sports_esports:"),
)

GROUPS = tuple(dict.fromkeys(p.group for p in PAGES))
# The lessons: every page but the overview, in the order students usually open them. A lesson has its experiments in
# lab/<slug>.py (settings, warm-up, the code behind it), its figures in figures/<slug>.py and its words in
# content/<lang>/<slug>.txt; the warm-up, the notebooks and the code panels are found from this list.
LESSONS: tuple[str, ...] = tuple(p.slug for p in PAGES if p.group != "start")


def get(slug: str) -> PageSpec:
    for page in PAGES:
        if page.slug == slug:
            return page
    raise ValueError(f"unknown page {slug!r}; valid: {', '.join(p.slug for p in PAGES)}")
