"""Guided routes through the lessons: data in content/<lang>/routes.txt, not code.

A route has an id, a title, its length in minutes, a one-line summary, and numbered steps; a step is a page with a
preset (a link's settings) and a one-line goal. In content/<lang>/routes.txt:

    === first.title            the route's title
    === first.minutes          e.g. 50
    === first.summary          one line for the home page
    === first.steps            one step per line: slug | preset query (may be empty) | the step's goal

A page opened from a route carries ``route=<id>&step=<n>`` in its link: it shows which step of which route it is, with
the goal, and links to the previous and next steps (with their presets) under that banner and again at its end.

Every step carries its preset: the settings that open the picture its goal talks about (tests/test_routes.py parses
each preset through the page's own controls and computes each goal's claim at it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import streamlit as st

from ui import nav
from content.catalog import load
from ui.i18n import current_lang, t


@dataclass(frozen=True)
class Step:
    slug: str
    preset: tuple[tuple[str, str], ...]  # the link's settings, in order
    goal: str


@dataclass(frozen=True)
class Route:
    id: str
    title: str
    minutes: int
    summary: str
    steps: tuple[Step, ...]


def parse_steps(text: str) -> tuple[Step, ...]:
    steps = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        slug, preset, goal = (part.strip() for part in (line + " | | ").split("|")[:3])
        steps.append(Step(slug, tuple(parse_qsl(preset, keep_blank_values=False)), goal))
    return tuple(steps)


def all_routes(lang: str | None = None) -> dict[str, Route]:
    """Every route of the content files, in the given language (default: the page's)."""
    entries = load(lang or current_lang())
    ids = sorted({key.split(".")[1] for key in entries if re.fullmatch(r"routes\.\w+\.steps", key)},
                 key=lambda rid: entries.get(f"routes.{rid}.order", rid))
    return {rid: Route(rid, entries[f"routes.{rid}.title"], int(entries[f"routes.{rid}.minutes"]),
                       entries[f"routes.{rid}.summary"], parse_steps(entries[f"routes.{rid}.steps"])) for rid in ids}


def active(page: str) -> tuple[Route, int] | None:
    """The route and step (1-based) this page was opened on, when the link names them and they match the page."""
    rid, raw = st.query_params.get("route"), st.query_params.get("step")
    route = all_routes().get(rid or "")
    if route is None or raw is None or not re.fullmatch(r"[0-9]{1,3}", raw):
        return None
    number = int(raw)
    if not 1 <= number <= len(route.steps) or route.steps[number - 1].slug != page:
        return None
    return route, number


def step_link(route: Route, number: int) -> dict:
    """The query of a route's step: its preset, the route and step, the language and presenter mode kept."""
    query = dict(route.steps[number - 1].preset)
    query.update(route=route.id, step=str(number), lang=current_lang())
    if st.session_state.get("present"):
        query["present"] = "1"
    return query


def apply_preset(route: Route, number: int) -> None:
    """Arriving at a step: its preset wins over what this session had in those controls (once per step)."""
    mark = (route.id, number)
    if st.session_state.get("_route_applied") == mark:
        return
    st.session_state["_route_applied"] = mark
    for key, value in route.steps[number - 1].preset:
        st.session_state.pop(key, None)  # the control reads the link again when it is drawn
        st.query_params[key] = value


def banner(page: str) -> None:
    """Under the title: 'Route · step 3 of 8 — goal', then the previous and next steps (the same links as at the
    bottom of the page: a lesson is 2,500-6,600 px long, and a class moves on from the top)."""
    found = active(page)
    if found is None:
        st.session_state.pop("_route_preset", None)
        return
    route, number = found
    apply_preset(route, number)
    # the step's settings stay in its address even at their defaults: the link to this view is the step's
    st.session_state["_route_preset"] = tuple(key for key, _ in route.steps[number - 1].preset)
    st.info(t("common.route_banner", route=route.title, step=number, steps=len(route.steps),
              goal=route.steps[number - 1].goal), icon=":material/route:")
    neighbours(route, number)


def footer(page: str) -> None:
    """At the end of the page: previous and next on the active route again."""
    found = active(page)
    if found is not None:
        neighbours(*found)


def neighbours(route: Route, number: int) -> None:
    """Previous and next on the route, each keeping the route and bringing its step's preset (the last step
    leads back to the start page)."""
    left, right = st.columns(2)
    if number > 1:
        prev = route.steps[number - 2]
        left.page_link(nav.get(prev.slug).path, label=t("common.route_previous", title=t(f"{prev.slug}.nav")),
                       icon=":material/arrow_back:", query_params=step_link(route, number - 1))
    if number < len(route.steps):
        nxt = route.steps[number]
        right.page_link(nav.get(nxt.slug).path, label=t("common.route_next", title=t(f"{nxt.slug}.nav")),
                        icon=":material/arrow_forward:", query_params=step_link(route, number + 1))
    else:
        right.page_link(nav.get("home").path, label=t("common.route_done"), icon=":material/flag:")


def overview_one(route: Route, where=st) -> None:
    """A route on the home page: its title and length, its summary, each numbered step (a link with its preset)."""
    with where.container(border=True):
        st.markdown(f"**{route.title}** · {t('common.route_minutes', minutes=route.minutes)}")
        st.caption(route.summary)
        for number, step in enumerate(route.steps, start=1):
            st.page_link(nav.get(step.slug).path, label=f"{number}. {t(f'{step.slug}.nav')}",
                         query_params=step_link(route, number), help=step.goal)
