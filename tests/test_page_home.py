"""The home page: its map links every lesson, and what it tells a teacher about the app is what the app does."""
import pytest

from lab import playground

from runs import shared, warm
from tests.apptest_util import errors, open_page
from ui import nav
from content.catalog import load

LESSONS = [p for p in nav.PAGES if p.slug != "home"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_map_links_every_lesson_under_its_group(lang):
    at = open_page("home", lang)
    assert errors(at) == []
    links = [el.proto for el in at.get("page_link") if not el.proto.label[:1].isdigit()]  # routes' steps are numbered
    words = load(lang)
    assert sorted(link.label for link in links) == sorted(words[f"{p.slug}.nav"] for p in LESSONS)
    shown = " ".join(el.value for el in at.markdown)
    for group in {p.group for p in LESSONS}:
        assert words[f"common.group_{group}"] in shown


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_class_notes_name_the_controls_as_the_app_labels_them(lang):
    """"Presenter mode (sidebar)" and "Train / Pause / Step / Reset": the same words as the toggle and the buttons."""
    words = load(lang)
    notes = words["home.class"]
    assert " / ".join(words[f"common.{k}"] for k in ("train", "pause", "step", "reset")) in notes
    assert words["common.presenter"] in notes


def test_a_run_is_computed_once_for_everyone_with_the_same_settings():
    """"A run is computed once for everyone with the same settings and replayed to each of them; the default
    settings of every page are ready before the lesson starts" (computed at server start: runs/warm.py)."""
    first = shared.run(playground.training_run(playground.PlaygroundConfig(steps=100, seed=11)))
    again = shared.run(playground.training_run(playground.PlaygroundConfig(steps=100, seed=11)))
    assert first is again
    assert set(nav.LESSONS) == {p.slug for p in LESSONS}  # the warm-up's list (ui.launch passes it to lab.warm)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_sections_a_teacher_can_link_to(lang):
    """/?lang=ko#in-class opens the notes for teachers: the same anchors in both languages."""
    assert {"map", "in-class"} <= {el.proto.anchor for el in open_page("home", lang).header}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_routes_are_listed_with_numbered_steps_that_carry_route_and_step(lang):
    from ui import routes

    at = open_page("home", lang)
    numbered = [el.proto for el in at.get("page_link") if el.proto.label[:1].isdigit()]
    expected = [(r.id, n) for r in routes.all_routes(lang).values() for n in range(1, len(r.steps) + 1)]
    assert len(numbered) == len(expected)
    for link, (rid, n) in zip(numbered, expected):
        assert f"route={rid}" in link.query_string and f"step={n}" in link.query_string
