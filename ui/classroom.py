"""A class on the lab: the teacher starts one from the sidebar, students join by link, QR code or typed code, and
every predict-first question becomes a live poll (answers, reasons, a second round), every quick check is tallied,
and the teacher sees where each student is on a guided route. The rules and the data live in ui/class_store.py
(in this process for `make run`, in Redis for `make serve`); this module is the Streamlit side.

Link keys: ``class=CODE`` (a student's link), ``class=CODE&teacher=KEY`` (the teacher's), and ``seat=…``, the
anonymous seat the lab gives a student who joined (kept in the link, so a student whose connection moved to another
server process keeps their seat and their answers).

Live updates are polls, not pushes: the teacher's charts are fragments that redraw every TEACHER_EVERY seconds, and
a student's page has one small fragment that reads the class's state every STUDENT_EVERY seconds and reruns the page
when the teacher revealed an answer, opened a second round or moved to another page. The reads of one process are
shared through a short cache (SHARE_SECONDS), so sixty students cost the store a few reads a second.
"""
from __future__ import annotations

import threading
import time
import zlib
from io import BytesIO

import streamlit as st

from figures import classpoll as poll_figures
from ui import class_store, nav, routes
from ui.class_store import Refused
from ui.i18n import current_lang, t

TEACHER_EVERY = 1.0   # s: the teacher's tally redraws (the issue: within 2 s)
STUDENT_EVERY = 1.0   # s: a student's page looks for a reveal or a move (the issue: within 3 s)
SHARE_SECONDS = 0.4   # s: a process's sessions share one read of a class's state
FAILED_JOINS = (20, 60)          # per session: failed join attempts per minute
FAILED_JOINS_PROCESS = (200, 10)  # per process: failed join attempts per 10 s (guessing codes)
LINK_KEYS = ("class", "teacher", "seat")
_STATE = "_class"


def store() -> class_store.ClassStore:
    return class_store.store()


# ------------------------------------------------------------------------------------------------ who am I
def current() -> dict | None:
    """{"code", "role": "teacher"|"student", "key" or "seat"} of this session's class, or None."""
    return st.session_state.get(_STATE)


def is_teacher() -> bool:
    c = current()
    return c is not None and c["role"] == "teacher"


def is_student() -> bool:
    c = current()
    return c is not None and c["role"] == "student"


_SHARED: dict = {}
_SHARED_LOCK = threading.Lock()


def _shared(what: tuple, read, ttl: float = SHARE_SECONDS):
    """One read per ``ttl`` per process for ``what`` (the class's state): sessions polling together share it."""
    now = time.monotonic()
    with _SHARED_LOCK:
        hit = _SHARED.get(what)
        if hit is not None and now - hit[0] < ttl:
            return hit[1]
        if len(_SHARED) > 4 * class_store.MAX_CLASSES:
            _SHARED.clear()
    value = read()
    with _SHARED_LOCK:
        _SHARED[what] = (now, value)
    return value


def _forget(code: str) -> None:
    with _SHARED_LOCK:
        for what in [w for w in _SHARED if w[1] == code]:
            del _SHARED[what]


def state() -> class_store.ClassState | None:
    """The class's state (shared per process for SHARE_SECONDS); None when not in a class or the class is gone."""
    c = current()
    if c is None:
        return None
    try:
        return _shared(("state", c["code"]), lambda: store().state(c["code"]))
    except Refused:
        _leave(notice="ended")
        return None
    except Exception:  # noqa: BLE001 - the store is unreachable (Redis restarting): say so, keep the page
        st.session_state["_class_notice"] = "unreachable"
        return None


# ------------------------------------------------------------------------------------------------ the link
_FAILS: list[float] = []
_FAILS_LOCK = threading.Lock()


def _may_try() -> bool:
    """Rate limit on failed joins, per session and per process (a wrong code costs a look-up, nothing stored)."""
    now = time.monotonic()
    mine = [s for s in st.session_state.get("_class_fails", []) if now - s < FAILED_JOINS[1]]
    st.session_state["_class_fails"] = mine
    with _FAILS_LOCK:
        _FAILS[:] = [s for s in _FAILS if now - s < FAILED_JOINS_PROCESS[1]]
        return len(mine) < FAILED_JOINS[0] and len(_FAILS) < FAILED_JOINS_PROCESS[0]


def _failed() -> None:
    now = time.monotonic()
    st.session_state.setdefault("_class_fails", []).append(now)
    with _FAILS_LOCK:
        _FAILS.append(now)


def _notice(where, reason: str) -> None:
    """A refusal in words (nothing the student sent is shown: a code that is not one is just 'not a class code')."""
    where.warning(t(f"classroom.refused_{reason}"), icon=":material/group_off:")


def join(typed: str, seat: str | None = None) -> str | None:
    """Join the class ``typed`` names as a student -> None, or the reason it was refused."""
    if not _may_try():
        return "rate"
    try:
        code = class_store.normalize_code(typed)
        seat = store().join(code, seat)
    except Refused as err:
        if err.reason in ("bad_code", "no_class"):
            _failed()
        return err.reason
    except Exception:  # noqa: BLE001
        return "unreachable"
    st.session_state[_STATE] = {"code": code, "role": "student", "seat": seat}
    _write_link()
    return None


def _write_link() -> None:
    c = current()
    if c is None:
        for key in LINK_KEYS:
            if key in st.query_params:
                del st.query_params[key]
        return
    wanted = {"class": c["code"]}
    wanted["teacher" if c["role"] == "teacher" else "seat"] = c.get("key") or c.get("seat")
    for key in LINK_KEYS:
        if key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]


def read(params, notices) -> None:
    """app.py, every run: the class in the link (join it, or take the teacher's place), else the session's class
    written back into the link (a page switch clears it)."""
    raw = params.get("class")
    c = current()
    if raw is None or (c is not None and raw == c["code"] and params.get("teacher", c.get("key")) == c.get("key")):
        _write_link()
        return
    if len(raw) > class_store.MAX_INPUT * 4 or not _may_try():  # a flood: refuse before looking at it
        _notice(notices, "rate" if len(raw) <= class_store.MAX_INPUT * 4 else "bad_code")
        _drop_link()
        return
    teacher_key = params.get("teacher")
    if teacher_key is not None:
        try:
            code = class_store.normalize_code(raw)
            ok = store().is_teacher(code, teacher_key)
        except Refused as err:
            _failed()
            _notice(notices, err.reason)
            _drop_link()
            return
        if not ok:
            _failed()
            _notice(notices, "bad_key")
            _drop_link()
            return
        st.session_state[_STATE] = {"code": code, "role": "teacher", "key": teacher_key}
        st.session_state["present"] = True
        _write_link()
        return
    reason = join(raw, params.get("seat"))
    if reason is not None:
        _notice(notices, reason)
        _drop_link()


def _drop_link() -> None:
    for key in LINK_KEYS:
        if key in st.query_params:
            del st.query_params[key]
    if current() is not None:
        _write_link()


def _leave(notice: str | None = None) -> None:
    st.session_state.pop(_STATE, None)
    if notice:
        st.session_state["_class_notice"] = notice
    _write_link()


# ------------------------------------------------------------------------------------------------ the sidebar
def start() -> None:
    """Start a class (on_click): this session becomes its teacher, presenter mode on."""
    try:
        code, key = store().create()
    except Refused as err:
        st.session_state["_class_notice"] = err.reason
        return
    except Exception:  # noqa: BLE001
        st.session_state["_class_notice"] = "unreachable"
        return
    st.session_state[_STATE] = {"code": code, "role": "teacher", "key": key}
    st.session_state["present"] = True
    st.query_params["present"] = "1"
    _write_link()


def _close() -> None:
    c = current()
    try:
        store().close(c["code"], c["key"])
    except Refused as err:
        st.session_state["_class_notice"] = err.reason
        return
    except Exception:  # noqa: BLE001
        pass
    _forget(c["code"])
    _leave(notice="class_closed")


def _set_follow() -> None:
    c = current()
    try:
        store().set_follow(c["code"], c["key"], bool(st.session_state.get("_class_follow")))
    except Refused as err:
        st.session_state["_class_notice"] = err.reason
    _forget(c["code"])


def sidebar(where) -> None:
    """The class's corner of the sidebar: Start a class, or the class one is in (follow, close, leave)."""
    c = current()
    where.divider()
    if c is None:
        where.button(t("classroom.start"), key="_class_start", on_click=start, icon=":material/groups:",
                     width="stretch", help=t("classroom.start_help"))
    elif c["role"] == "teacher":
        where.markdown(t("classroom.teaching", code=_spaced(c["code"])))
        s = state()
        where.toggle(t("classroom.follow_auto"), value=bool(s and s.follow), key="_class_follow",
                     on_change=_set_follow, help=t("classroom.follow_auto_help"))
        where.button(t("classroom.close"), key="_class_close", on_click=_close, icon=":material/close:",
                     width="stretch")
    else:
        where.markdown(t("classroom.joined", code=_spaced(c["code"])))
        where.button(t("classroom.leave"), key="_class_leave", on_click=_leave, icon=":material/logout:",
                     width="stretch")
    notice = st.session_state.pop("_class_notice", None)
    if notice:
        where.info(t(f"classroom.refused_{notice}"), icon=":material/info:")


def _spaced(code: str) -> str:
    """ABC DEF: easier to read from the back of the room."""
    return f"{code[:3]} {code[3:]}"


def join_box() -> None:
    """The home page: type the code the teacher shows."""
    if current() is not None:
        return
    with st.form("_class_join", border=True, enter_to_submit=True):
        st.markdown(f"**{t('classroom.join_title')}**")
        typed = st.text_input(t("classroom.code_label"), max_chars=16, key="_class_typed",
                              placeholder=t("classroom.code_placeholder", example="KT7 X3C"))
        if st.form_submit_button(t("classroom.join"), icon=":material/login:"):
            reason = join(typed or "")
            if reason is None:
                st.rerun()
            _notice(st, reason)


# ------------------------------------------------------------------------------------------------ around the page
def student_link(code: str) -> str:
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:  # noqa: BLE001 - AppTest
        base = ""
    return f"{base}?class={code}&lang={current_lang()}"


def qr_png(text: str) -> bytes:
    import segno

    out = BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=2, dark="#000", light="#fff")
    return out.getvalue()


def after_page(slot, page: str) -> None:
    """app.py, after the page ran: the teacher's class panel (code, link, QR code, route progress) and their
    location for the class to follow; a student's watcher and their route step."""
    c = current()
    if c is None:
        return
    found = routes.active(page)
    route, number = (found[0].id, found[1]) if found else ("", 0)
    if c["role"] == "teacher":
        _publish(c, page, route, number)
        with slot:
            _teacher_panel(c, page, found)
    else:
        where = f"{route}:{number}" if route else f"page:{page}"
        if st.session_state.get("_class_reported") != (c["code"], where):
            try:
                store().report_location(c["code"], c["seat"], where)
                st.session_state["_class_reported"] = (c["code"], where)
            except Exception:  # noqa: BLE001 - progress is a convenience; the next run tries again
                pass
        with slot:
            _student_watch(page, route, number)


_LINK_ONLY = set(LINK_KEYS) | {"present", "lang", "route", "step"}


def _publish(c: dict, page: str, route: str, number: int) -> None:
    query = "&".join(f"{k}={st.query_params[k]}" for k in sorted(st.query_params) if k not in _LINK_ONLY)
    where = (c["code"], page, route, number, query)
    if st.session_state.get("_class_published") == where:
        return
    try:
        store().move(c["code"], c["key"], page, route, number, query[:2000])
        st.session_state["_class_published"] = where
        _forget(c["code"])
    except Exception:  # noqa: BLE001
        pass


def _teacher_panel(c: dict, page: str, found) -> None:
    with st.expander(t("classroom.panel", code=_spaced(c["code"])), expanded=page == "home" or
                     not st.session_state.get("_class_panel_seen"), icon=":material/groups:"):
        st.session_state["_class_panel_seen"] = True
        link = student_link(c["code"])
        left, right = st.columns([3, 1])
        left.markdown(t("classroom.link_label"))
        left.markdown(f"### `{link}`")  # large, for the back row (a code span: shown as text, never as a link)
        left.markdown(t("classroom.code_big", code=_spaced(c["code"])))
        left.caption(t("classroom.teacher_link_help"))
        right.image(qr_png(link), width=240, caption=t("classroom.qr_caption"), alt=t("classroom.qr_alt", link=link))

        @st.fragment(run_every=2.0)
        def live_counts():
            s = state()
            if s is None:
                return
            st.markdown(t("classroom.students", n=s.students))
            if found is not None:
                route, number = found
                counts = _shared(("progress", c["code"]), lambda: store().progress(c["code"]), 1.0)
                lines = [t("classroom.progress_line", n=i, title=t(f"{step.slug}.nav"),
                           students=counts.get(f"{route.id}:{i}", 0), here=" ◀" if i == number else "")
                         for i, step in enumerate(route.steps, start=1)]
                st.markdown(t("classroom.progress_title", route=route.title) + "\n\n" + "\n".join(lines))

        live_counts()


def _student_watch(page: str, route: str, number: int) -> None:
    """A student's page: every STUDENT_EVERY s, look at the class; rerun the page when a poll of this page changed,
    and offer (or follow at once) the teacher's move."""
    here = (page, route, number)

    @st.fragment(run_every=STUDENT_EVERY)
    def watch():
        s = state()
        if s is None:
            return
        # a reveal or a second round of this page's polls reruns the page (one run per student and change: a
        # fragment per question polling on its own cost three times as much all the time, bench/class_poll.py)
        mine = {q: v for q, v in s.polls.items() if q.startswith(f"{page}.")}
        seen = st.session_state.get("_class_seen")
        if seen is not None and seen[0] == page and seen[1] != mine:
            st.session_state["_class_seen"] = (page, mine)
            st.rerun()
        st.session_state["_class_seen"] = (page, mine)
        loc = s.location
        if not loc.page or (loc.page, loc.route, loc.step) == here or loc.seq <= st.session_state.get("_class_followed", 0):
            return
        try:
            target = nav.get(loc.page)
        except ValueError:
            return
        query = _follow_query(loc)
        if s.follow:
            st.session_state["_class_followed"] = loc.seq
            st.switch_page(target.path, query_params=query)
        st.page_link(target.path, label=t("classroom.follow", title=t(f"{loc.page}.nav")), icon=":material/arrow_forward:",
                     query_params=query)

    watch()


def _follow_query(loc: class_store.Location) -> dict:
    from urllib.parse import parse_qsl

    c = current()
    query = dict(parse_qsl(loc.query)[:60])
    if loc.route:
        query.update(route=loc.route, step=str(loc.step))
    query.update({"class": c["code"], "seat": c["seat"], "lang": current_lang()})
    return query


# ------------------------------------------------------------------------------------------------ polls
def reasons(page: str, key: str) -> list[tuple[int, str]]:
    """The question's reasons as (stored index, text) in the order shown: a fixed shuffle per question (the first
    reason in the content file is the right one; shown first it would give itself away)."""
    from ui.i18n import has

    texts = []
    while has(f"{page}.{key}_why{len(texts) + 1}"):
        texts.append(t(f"{page}.{key}_why{len(texts) + 1}"))
    order = sorted(range(len(texts)), key=lambda i: zlib.crc32(f"{page}.{key}.{i}".encode()))
    return [(i, texts[i]) for i in order]


def _on_answer(page, key, n_options, options, why_key, rnd_key):
    """on_change of a student's radio: count the answer (and reason) for the class."""
    c = current()
    if not is_student():
        return
    choice = st.session_state.get(rnd_key)
    if choice is None:
        return
    if choice not in options:  # a value the page never offered
        st.session_state["_class_poll_notice"] = (page, key, "bad_option")
        return
    shown = reasons(page, key)
    why = st.session_state.get(why_key)
    texts = [text for _, text in shown]
    reason = shown[texts.index(why)][0] if why in texts else None
    try:
        store().answer(c["code"], c["seat"], f"{page}.{key}", options.index(choice), n_options, reason, len(shown))
    except Refused as err:
        st.session_state["_class_poll_notice"] = (page, key, err.reason)
    except Exception:  # noqa: BLE001
        st.session_state["_class_poll_notice"] = (page, key, "unreachable")


def poll_state(page: str, key: str) -> tuple[int, bool] | None:
    """(round, revealed) of this page's question in the class, or None outside a class."""
    s = state()
    if s is None:
        return None
    return s.polls.get(f"{page}.{key}", (1, False))


def student_poll(page: str, key: str, options: list[str]) -> None:
    """The radio (changeable until the reveal), then the reasons, a second-round radio when the teacher asks, and
    the answer once revealed (the page's watcher reruns the page when that happens)."""
    c = current()
    qid = f"{page}.{key}"
    n = len(options)
    shown = reasons(page, key)
    guess_key, why_key = f"_guess.{qid}", f"_why.{qid}"
    if guess_key not in st.session_state:  # a fresh session of a seat (a reconnect): its answer stands
        try:
            mine = store().my_answer(c["code"], c["seat"], qid, 1)
        except Exception:  # noqa: BLE001
            mine = None
        if mine is not None:
            st.session_state[guess_key] = options[mine[0]]
            if mine[1] is not None:
                st.session_state[why_key] = dict(shown).get(mine[1])

    polled = poll_state(page, key)
    if polled is None:
        return
    rnd, revealed = polled
    closed = revealed and rnd == 1 or rnd == 2
    choice = st.radio(t("common.your_guess"), options, index=None, key=guess_key, disabled=closed,
                      on_change=_on_answer, args=(page, key, n, options, why_key, guess_key))
    if choice is not None and shown:
        st.radio(t("classroom.why"), [text for _, text in shown], index=None, key=why_key, disabled=closed,
                 on_change=_on_answer, args=(page, key, n, options, why_key, guess_key))
    if rnd == 2:
        st.markdown(f"**{t('classroom.round2_ask')}**")
        st.radio(t("common.your_guess"), options, index=None, key=f"_guess2.{qid}",
                 on_change=_on_answer, args=(page, key, n, options, None, f"_guess2.{qid}"))
    notice = st.session_state.get("_class_poll_notice")
    if notice and notice[:2] == (page, key):
        st.session_state.pop("_class_poll_notice")
        _notice(st, notice[2])
    elif choice is not None and not closed:
        st.caption(t("classroom.counted"))
    if revealed:
        answer_text(page, key)


def answer_text(page: str, key: str) -> None:
    """The revealed answer, and the right reason when the question has reasons."""
    st.success(t(f"{page}.{key}_a"))
    why = reasons(page, key)
    if why:
        st.markdown(t("classroom.right_reason", reason=dict(why)[0]))


def teacher_poll(page: str, key: str, options: list[str], demo: str | None) -> None:
    """The teacher's live view of a poll: n of m answered, the bars (rounds side by side), answers x reasons,
    and Reveal / Second round / Reset."""
    from ui import lesson

    c = current()
    qid = f"{page}.{key}"
    shown = reasons(page, key)
    stored_reasons = [text for _, text in sorted(shown)]
    for i, text in enumerate(options, start=1):
        st.markdown(f"**{i}.** {text}")

    @st.fragment(run_every=TEACHER_EVERY)
    def live():
        try:
            tally = store().tally(c["code"], qid, len(options), len(shown))
        except Exception:  # noqa: BLE001 - the class is gone or the store restarts: the next tick tries again
            return
        rnd = len(tally.rounds)
        latest = tally.rounds[-1]
        st.markdown(f"### {t('classroom.answered', n=latest.answered, m=tally.joined)}")
        words = {"title": "", "x": t("classroom.count_axis"), "y": "", "round1": t("classroom.round1"),
                 "round2": t("classroom.round2"), "option": t("classroom.option_n"),
                 "alt_round": t("classroom.alt_round"), "alt_reason": t("classroom.alt_reason")}
        fig, alt = poll_figures.answers([r.counts for r in tally.rounds], words)
        lesson.chart(fig, key=f"_poll.{qid}", caption=alt)
        if shown:
            names = [t("classroom.reason_n", n=i + 1) + (" ✓" if i == 0 else "") for i in range(len(shown))]
            fig, alt = poll_figures.answers_by_reason(tally.rounds[0].by_reason, names,
                                                      {**words, "x": t("classroom.count_axis")})
            lesson.chart(fig, key=f"_poll_why.{qid}", caption=alt or t("classroom.no_reasons"))
            st.markdown("\n".join(f"- {names[i]}: {text}" for i, text in enumerate(stored_reasons)))
        cols = st.columns(3)
        if not tally.revealed and cols[0].button(t("classroom.reveal"), key=f"_class_reveal.{qid}", type="primary",
                                                 icon=":material/visibility:"):
            _teacher_act(lambda: store().reveal(c["code"], c["key"], qid))
        if tally.revealed and rnd == 1 and cols[1].button(t("classroom.second_round"), key=f"_class_round2.{qid}",
                                                          icon=":material/replay:"):
            _teacher_act(lambda: store().second_round(c["code"], c["key"], qid))
        if cols[2].button(t("classroom.reset"), key=f"_class_reset.{qid}", icon=":material/restart_alt:"):
            st.session_state.pop(f"_class_played.{qid}", None)
            _teacher_act(lambda: store().reset(c["code"], c["key"], qid))

    live()


def _teacher_act(act) -> None:
    try:
        act()
    except Refused as err:
        st.session_state["_class_notice"] = err.reason
    except Exception:  # noqa: BLE001
        st.session_state["_class_notice"] = "unreachable"
    _forget(current()["code"])
    st.rerun()


def play_demo_once(page: str, key: str, demo: str | None) -> None:
    """A revealed poll runs the demo that answers it, once per session and reveal."""
    mark = f"_class_played.{page}.{key}"
    if demo and not st.session_state.get(mark):
        st.session_state[mark] = True
        from ui import live

        live.play_from_start(demo)


def predict_in_class(page: str, key: str, options: list[str], demo: str | None) -> bool | None:
    """lesson.predict in a class -> revealed (by the teacher), or None when not in a class (the lone flow)."""
    polled = poll_state(page, key)
    if polled is None:
        return None
    rnd, revealed = polled
    if is_teacher():
        teacher_poll(page, key, options, demo)
        if revealed:
            answer_text(page, key)
    else:
        student_poll(page, key, options)
    if revealed:
        play_demo_once(page, key, demo)
    else:
        st.session_state.pop(f"_class_played.{page}.{key}", None)
    return revealed


# ------------------------------------------------------------------------------------------------ quick checks
def record_check(page: str, key: str, right: bool) -> None:
    if not is_student():
        return
    c = current()
    try:
        store().check(c["code"], c["seat"], f"{page}.{key}", right)
    except Exception:  # noqa: BLE001 - the student's own feedback does not depend on the class
        pass


def check_share(page: str, key: str) -> tuple[int, int] | None:
    if not is_teacher():
        return None
    c = current()
    try:
        return store().check_share(c["code"], f"{page}.{key}")
    except Exception:  # noqa: BLE001
        return None
