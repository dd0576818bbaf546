"""The playground's own points (dataset "own"), private to lessons/playground.py: where they live in the session
and the link, the click on the map that adds or removes one, the tools above the map (what a click does, Clear, the
CSV file) and the plane to click on while a class still has too few points to train on.

The points are ``ss["points"]`` (lab.own_points's checked tuple), a setting like a control's value: ``ui.teacher``
knows them as "points" (restore defaults clears them, a teacher's link may hide or lock them, the notebook gets them),
and the link carries them as ``?points=`` in lab.own_points's text. They are not a control: their text is longer than
ui.controls.MAX_PARAM_CHARS allows, so lab.own_points.decode bounds it (MAX_POINTS) instead.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from figures import playground as fig
from lab import own_points as own
from lab import playground
from ui import lesson
from ui.i18n import has, t
from ui.literal import literal

ss = st.session_state
MARKS = {"0": ":blue[●]", "1": ":red[◆]", "remove": ":material/close:"}  # the map's class colours and symbols
CLICK = (own.LIMIT, playground.CLICK_STEP)  # the click grid: every CLICK_STEP over [-LIMIT, LIMIT]²


def reason(err: own.DataError, at: str) -> str:
    """A refused set of points in the page's language (``at``: "line" of a file or "point" of a link), the file's or
    the link's own text quoted literally."""
    params = {k: literal(v) if k == "got" else v for k, v in err.params.items()}
    where = t(f"playground.own_at_{at}", n=params["line"]) + " " if isinstance(params.get("line"), int) else ""
    key = f"playground.own_err_{err.code}_{at}"  # a wording of its own for a link's text, where one is needed
    return where + t(key if has(key) else f"playground.own_err_{err.code}", **params)


def from_link(where) -> None:
    """The points on the session's first run: the link's ``points``, else none. A value that cannot be read is quoted
    in a notice in ``where`` and dropped from the link; the points stay empty."""
    if "points" in ss:
        return
    ss["points"] = ()
    raw = st.query_params.get("points")
    if raw is None:
        return
    try:
        ss["points"] = own.decode(raw)
    except own.DataError as err:
        where.warning(t("playground.own_bad_link", value=literal(raw), reason=reason(err, "point")),
                      icon=":material/link_off:")
        del st.query_params["points"]


def to_link(points: tuple) -> None:
    """Write the points into the link (none: no ``points``), so the address bar reproduces the data."""
    if points:
        if st.query_params.get("points") != own.encode(points):
            st.query_params["points"] = own.encode(points)
    elif "points" in st.query_params:
        del st.query_params["points"]


def click_map() -> None:
    """The map's on_select: a click selected a marker of its click grid (figures.playground.click_grid, the first
    trace); add a point of the chosen class there, or remove the nearest point."""
    chosen = ((ss.get("boundary") or {}).get("selection") or {}).get("points") or []
    hits = [p for p in chosen if p.get("curve_number") == 0 and all(
        isinstance(p.get(a), (int, float)) and not isinstance(p.get(a), bool) for a in "xy")]
    if not hits:
        return
    x, y = hits[0]["x"] * playground.CLICK_STEP, hits[0]["y"] * playground.CLICK_STEP
    mode = ss.get("_pt_mode") or "0"
    try:
        ss["points"] = own.removed(ss["points"], x, y) if mode == "remove" else own.added(ss["points"], x, y, int(mode))
    except own.DataError as err:  # a point past MAX_POINTS
        ss["_pts_msg"] = ("warning", reason(err, "point"))


def typed(action: str) -> None:
    """The typed point's buttons (``typed_point``): add a point of the chosen class at the typed place, or remove the
    point nearest it; the same rules and messages as a click on the map."""
    x, y, label = ss.get("_pt_x", 0.0), ss.get("_pt_y", 0.0), ss.get("_pt_class", 0)
    before = ss["points"]
    try:
        ss["points"] = own.removed(before, x, y) if action == "remove" else own.added(before, x, y, int(label))
    except own.DataError as err:  # off the plane, or a point past MAX_POINTS
        ss["_pts_msg"] = ("warning", reason(err, "point"))
        return
    if ss["points"] == before and action == "remove":
        ss["_pts_msg"] = ("info", t("playground.own_typed_none", x=f"{x:g}", y=f"{y:g}"))


def typed_point(off: bool) -> None:
    """A point by its coordinates and class: the keyboard's (and a screen reader's) way to add or remove one, since
    the map takes clicks only. Its own small form: x, y and the class are sent together with one of its buttons."""
    with st.expander(t("playground.own_type"), icon=":material/keyboard:"):
        with st.form("_pt_form", border=False, enter_to_submit=False):
            c1, c2, c3 = st.columns(3)
            c1.number_input("x", -own.LIMIT, own.LIMIT, 0.0, 0.1, format="%.2f", key="_pt_x", disabled=off)
            c2.number_input("y", -own.LIMIT, own.LIMIT, 0.0, 0.1, format="%.2f", key="_pt_y", disabled=off)
            c3.selectbox(t("playground.own_class"), (0, 1), key="_pt_class", disabled=off,
                         format_func=lambda c: t("playground.b_class1" if c == 1 else "playground.b_class0"))
            b1, b2 = st.columns(2)
            b1.form_submit_button(t("playground.own_add"), on_click=typed, args=("add",), disabled=off,
                                  icon=":material/add:", width="stretch")
            b2.form_submit_button(t("playground.own_remove"), on_click=typed, args=("remove",), disabled=off,
                                  icon=":material/remove:", width="stretch")


def load_csv() -> None:
    """The CSV uploader's on_change: the file's points replace the current ones; a refused file changes nothing."""
    upload = ss.get("_pts_upload")
    if upload is None:
        return
    name = literal(upload.name, limit=60)
    try:
        points = own.parse_csv(upload.getvalue())
    except own.DataError as err:
        ss["_pts_msg"] = ("error", t("playground.own_load_error", name=name, reason=reason(err, "line")))
        return
    ss["points"] = points
    ss["_pts_msg"] = ("success", t("playground.own_loaded", name=name, n=len(points)))


def clear() -> None:
    ss["points"] = ()


def tools(mode: str | None, test_ratio: float, seed: int) -> None:
    """Above the map: what a click does, Clear, the points as a CSV file (load, save; the saved file says which
    points the page holds out for testing at ``test_ratio`` and ``seed``), how many there are and how many are held
    out, and the message of the last click or file. mode "locked" (a teacher's link): shown, not usable."""
    off, points = mode == "locked", ss["points"]
    held = own.split(points, test_ratio, seed) if points else None
    c1, c2, c3 = st.columns([5, 2, 2], vertical_alignment="bottom")
    c1.segmented_control(t("playground.own_click"), tuple(MARKS), key="_pt_mode", default="0", required=True,
                         format_func=lambda m: f"{MARKS[m]} {t(f'playground.own_mode_{m}')}", disabled=off)
    c2.button(t("playground.own_clear"), key="_pts_clear", on_click=clear, disabled=off or not points,
              icon=":material/delete_sweep:", width="stretch")
    with c3.popover(t("playground.own_csv"), icon=":material/table_view:", width="stretch"):
        st.markdown(t("playground.own_csv_help", limit=own.MAX_POINTS, kb=own.MAX_BYTES // 1024,
                      plane=f"{own.LIMIT:g}"))
        st.file_uploader(t("playground.own_upload"), type=["csv", "txt"], key="_pts_upload", on_change=load_csv,
                         max_upload_size=1, disabled=off)
        st.download_button(t("playground.own_download"), own.to_csv(points, held), file_name="playground-points.csv",
                           mime="text/csv", on_click="ignore", icon=":material/download:", key="_dl_pts",
                           disabled=not points)
    typed_point(off)
    n0, n1 = own.counts(points)
    n_held = int(held.sum()) if held is not None else 0
    st.caption(t("playground.own_counts", n=len(points), max=own.MAX_POINTS, n0=n0, n1=n1) + " "
               + (t("playground.own_held", held=n_held, share=round(100 * test_ratio)) if n_held
                  else t("playground.own_held_none")))
    msg = ss.pop("_pts_msg", None)
    if msg:
        getattr(st, msg[0])(msg[1])


def waiting(points: tuple, words: dict, clicks: dict) -> None:
    """Before a class has MIN_PER_CLASS points: the plane to click on (the points, no map yet) and what is missing,
    where the live run will be."""
    left, right = st.columns([6, 5])
    plane = np.array([-playground.PLANE, playground.PLANE])
    xy = np.array([p[:2] for p in points], dtype=float).reshape(-1, 2)
    labels = np.array([p[2] for p in points], dtype=int)
    with left:
        lesson.chart(fig.boundary(plane, plane, None, xy, labels, None, None, words, click=CLICK), key="boundary",
                     caption=t("playground.cap_own_empty"), **clicks)
    need = [t("playground.own_need_class", n=n, c=c) for c, n in enumerate(own.missing(points)) if n]
    missing = t("playground.own_need_both", first=need[0], second=need[1]) if len(need) == 2 else need[0]
    right.info(t("playground.own_missing", need=own.MIN_PER_CLASS, missing=missing), icon=":material/ads_click:")
