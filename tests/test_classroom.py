"""A class through the app (Streamlit's AppTest, the in-process store `make run` uses): start, join by link and by
typed code, poll, reasons, reveal, second round, quick checks, route progress, following the teacher, and the link
and key checks a hostile student meets."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import class_store
from content.catalog import load

APP = str(Path(__file__).resolve().parent.parent / "app.py")
EN, KO = load("en"), load("ko")


@pytest.fixture(autouse=True)
def fresh_store(monkeypatch):
    store = class_store.ClassStore(class_store.MemoryBackend())
    monkeypatch.setattr(class_store, "_STORE", [store])
    from ui import classroom
    classroom._SHARED.clear()
    yield store


def app(page="losses", **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"lessons/{page}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [e.value for e in at.success] + [w.value for w in at.warning]
                     + [i.value for i in at.info] + [c.value for c in at.caption])


def start_class(page="losses", lang="en", **query):
    teacher = app(page, lang=lang, **query)
    teacher.button(key="_class_start").click().run()
    c = teacher.session_state["_class"]
    assert c["role"] == "teacher" and teacher.query_params["teacher"] in (c["key"], [c["key"]])
    assert teacher.session_state["present"] is True  # presenter mode on
    return teacher, c["code"], c["key"]


def test_a_class_polls_a_question_with_reasons_and_reveals_it(fresh_store):
    teacher, code, key = start_class()
    assert teacher.get("image"), "the QR code of the students' link"
    assert code in texts(teacher).replace(" ", "")
    students = [app(**{"class": code}) for _ in range(3)]
    for s in students:
        assert s.session_state["_class"]["role"] == "student" and "teacher" not in s.query_params
    options = students[0].radio(key="_guess.losses.q1").options
    for i, s in enumerate(students):
        s.radio(key="_guess.losses.q1").set_value(options[i % 2]).run()
        assert EN["classroom.counted"] in texts(s)
        why = s.radio(key="_why.losses.q1")  # the reasons come once a guess is in
        why.set_value(why.options[0]).run()
    students[2].radio(key="_guess.losses.q1").set_value(options[2]).run()  # changed its mind
    tally = fresh_store.tally(code, "losses.q1", 3, 4)
    assert tally.rounds[0].counts == [1, 1, 1] and sum(map(sum, tally.rounds[0].by_reason)) == 3
    teacher.run()
    assert EN["classroom.answered"].format(n=3, m=3) in texts(teacher)
    # Reveal: every student's page shows the answer, and its guess is closed
    teacher.button(key="_class_reveal.losses.q1").click().run()
    assert fresh_store.state(code).polls["losses.q1"] == (1, True)
    for s in students:
        s.run()
        assert EN["losses.q1_a"] in texts(s)
        assert s.radio(key="_guess.losses.q1").disabled
    # a second round, shown beside the first
    teacher.run()
    teacher.button(key="_class_round2.losses.q1").click().run()
    students[0].run()
    students[0].radio(key="_guess2.losses.q1").set_value(options[0]).run()
    assert [r.counts for r in fresh_store.tally(code, "losses.q1", 3, 4).rounds] == [[1, 1, 1], [1, 0, 0]]


def test_quick_checks_give_feedback_and_the_teacher_sees_the_share(fresh_store):
    teacher, code, key = start_class()
    student = app(**{"class": code})
    radio = student.radio(key="_check.losses.check1")
    from lab import losses as lab
    d = lab.DEFAULTS
    _, _, at = lab.gradient_curves(d.n_classes, lab.WRONG_P)
    check = lab.quick_checks(lab.fit_lines(d.n_outliers, d.outlier_size, d.delta, d.seed), d.delta, at, d.n_classes)[0]
    right = EN[f"losses.check1_{check.options[check.answer]}"]
    wrong = next(o for o in radio.options if o != right)
    radio.set_value(wrong).run()
    assert any(EN["common.check_wrong"].split(":")[0] in e.value for e in student.error)
    radio.set_value(right).run()  # practice after the first answer does not change the class's tally
    assert EN["common.check_right"] in texts(student)
    assert fresh_store.check_share(code, "losses.check1") == (0, 1)
    teacher.run()
    assert EN["classroom.check_share"].format(n=1, right=0, total=1) in texts(teacher)


def test_typed_codes_join_from_the_home_page(fresh_store):
    code, _ = fresh_store.create()
    home = app("home")
    home.text_input(key="_class_typed").input(f" {code[:3].lower()}-{code[3:]} ")
    next(b for b in home.button if b.label == EN["classroom.join"]).click().run()
    assert home.session_state["_class"]["code"] == code
    assert fresh_store.state(code).students == 1


def test_route_progress_and_following_the_teacher(fresh_store):
    teacher, code, key = start_class("losses", route="first", step="1")
    students = [app("losses", **{"class": code, "route": "first", "step": "1"}) for _ in range(2)]
    app("batches", **{"class": code, "route": "first", "step": "2"})
    assert fresh_store.progress(code) == {"first:1": 2, "first:2": 1}
    from ui import classroom
    classroom._SHARED.clear()  # the process shares a read for a second; this test is faster than that
    teacher.run()
    assert "**2**" in texts(teacher) and "**1**" in texts(teacher)
    # the teacher moves on: a student's page offers to follow
    teacher.query_params["step"] = "2"
    teacher.switch_page("lessons/batches.py").run()
    assert fresh_store.state(code).location.page == "batches"
    students[0].run()
    links = [p for p in students[0].get("page_link")]
    assert any(EN["classroom.follow"].format(title=EN["batches.nav"]) == p.proto.label for p in links)


def test_korean_class(fresh_store):
    teacher, code, key = start_class(lang="ko")
    student = app(**{"class": code, "lang": "ko"})
    options = student.radio(key="_guess.losses.q1").options
    assert options[0] == KO["losses.q1_1"]
    student.radio(key="_guess.losses.q1").set_value(options[0]).run()
    assert KO["classroom.counted"] in texts(student)
    teacher.run()
    assert KO["classroom.answered"].format(n=1, m=1) in texts(teacher)


# ------------------------------------------------------------------------------------------------ hostile
def test_a_wrong_or_oversized_teacher_key_gets_a_notice_and_changes_nothing(fresh_store):
    code, key = fresh_store.create()
    seat = fresh_store.join(code)
    fresh_store.answer(code, seat, "losses.q1", 0, 3)
    for bad in (key[:-1] + ("x" if key[-1] != "x" else "y"), "", "k" * 5000, "<b>x</b>"):
        at = app(**{"class": code, "teacher": bad})
        assert EN["classroom.refused_bad_key"] in texts(at)
        assert "_class" not in at.session_state and "teacher" not in at.query_params
        assert "<b>" not in texts(at)
    assert fresh_store.state(code).polls == {} and fresh_store.state(code).students == 1


def test_bad_codes_in_links_get_a_notice_and_store_nothing(fresh_store):
    before = sorted(fresh_store.b.keys(""))
    for raw in ("x" * 100_000, "<script>", "AAAAAA", "0O0O0O", "CODE%00"):
        at = app(**{"class": raw})
        shown = texts(at)
        assert EN["classroom.refused_bad_code"] in shown or EN["classroom.refused_no_class"] in shown \
            or EN["classroom.refused_rate"] in shown, raw[:20]
        assert "_class" not in at.session_state and "class" not in at.query_params
        assert raw[:40] not in shown
    assert sorted(fresh_store.b.keys("")) == before


def test_the_link_to_share_never_carries_the_teacher_key(fresh_store):
    teacher, code, key = start_class()
    shown = "\n".join(c.value for c in teacher.code)
    assert f"class={code}" in shown and key not in shown


def test_a_student_cannot_reveal(fresh_store):
    teacher, code, key = start_class()
    student = app(**{"class": code})
    assert not [b for b in student.button if b.key.startswith("_class_reveal")]
    assert not [b for b in student.button if b.key == "_reveal.losses.q1"]  # the lone reveal is gone in a class


def test_the_teachers_charts_pass_plotlys_schema(fresh_store):
    from tests.apptest_util import invalid_charts

    teacher, code, key = start_class()
    student = app(**{"class": code})
    radio = student.radio(key="_guess.losses.q1")
    radio.set_value(radio.options[1]).run()
    why = student.radio(key="_why.losses.q1")
    why.set_value(why.options[2]).run()
    teacher.run()
    teacher.button(key="_class_reveal.losses.q1").click().run()
    teacher.button(key="_class_round2.losses.q1").click().run()
    assert invalid_charts(teacher) == []


def test_guessing_codes_is_rate_limited_per_session(fresh_store):
    from ui import classroom

    home = app("home")
    for i in range(classroom.FAILED_JOINS[0] + 3):
        home.text_input(key="_class_typed").input(f"AAAA{classroom.class_store.ALPHABET[i % 15]}A")
        next(b for b in home.button if b.label == EN["classroom.join"]).click().run()
    assert EN["classroom.refused_rate"] in texts(home)
    assert fresh_store.b.keys("c:") == [] and "_class" not in home.session_state


def test_students_follow_automatically_when_the_teacher_chose_so(fresh_store):
    teacher, code, key = start_class("losses")
    student = app("losses", **{"class": code})
    teacher.toggle(key="_class_follow").set_value(True).run()
    assert fresh_store.state(code).follow
    teacher.switch_page("lessons/dropout.py").run()
    from ui import classroom
    classroom._SHARED.clear()
    student.run()
    assert not student.exception
    assert student.session_state["_page"] == "dropout" or EN["dropout.title"] in [t.value for t in student.title]
