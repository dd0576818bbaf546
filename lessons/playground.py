"""Playground: every knob on one page, a live decision map, loss curves and per-layer histograms while it trains,
a link that reproduces the setting, and the weights and configuration to download (and a configuration to load).
With "your own points" the map takes clicks and the points load and save as CSV (lessons/_own_points.py)."""
import numpy as np
import streamlit as st

from lab import own_points, playground
from figures import playground as fig
from lessons import _playground_inside as inside
from lessons import _own_points as points
from ui import controls, downloads, lesson, live, nav, teacher
from ui.i18n import t
from ui.literal import literal

PAGE = "playground"
ss = st.session_state
S = playground.SETTINGS  # every knob: its control here, its field in the configuration file and the notebook
# knob -> the pages that explain it (linked when they exist)
GUIDE = (("data", ("dropout", "regularization")), ("layers", ("vanishing",)), ("act", ("activations",)),
         ("init", ("initialization",)), ("bn", ("batchnorm",)), ("drop", ("dropout",)),
         ("opt", ("optimizers", "landscape")), ("batch", ("batches",)), ("reg", ("regularization", "dropout")),
         ("seed", ()))


def import_config():
    """The uploader's on_change: it runs before the next script run, so the controls are then created with the
    imported values. A refused file changes nothing."""
    upload = ss.get("_cfg_upload")
    if upload is None:
        return
    try:
        cfg = playground.from_json(upload.getvalue())
    except playground.ConfigError as err:  # the reason in the page's language; the file's values quoted literally
        reason = t(f"playground.cfg_{err.code}", **{k: v if isinstance(v, int) else literal(v, limit=80)
                                                    for k, v in err.params.items()})  # ints are counts, ours
        ss["_cfg_msg"] = ("error", t("playground.import_error", reason=reason))
        return
    for setting in S:
        ss[setting.key] = getattr(cfg, setting.name)
    for i, act in enumerate(cfg.activations, start=1):
        ss[playground.activation_setting(i).key] = act
    if cfg.dataset == playground.OWN_SET:
        ss["points"] = cfg.points
    ss["_cfg_msg"] = ("success", t("playground.import_ok"))


lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)

knobs = {}  # configuration field -> value


def knob(key: str, where=side):
    knobs[S[key].name] = value = controls.draw(S[key], where=where)
    return value


side.markdown(f"**{t('playground.sec_data')}**")
dataset = knob("data")
own = dataset == playground.OWN_SET  # one's own points: no noise to add, and they may hold out none
knobs["noise"] = S["noise"].default if own else knob("noise")
held = playground.test_setting(dataset)  # the test share: from 0 for one's own points, from 0.1 for the others
if ss.get(held.key, held.default) < held.lo:  # back from one's own points with none held out: the nearest allowed
    ss[held.key] = held.lo
knobs["test_ratio"] = test = controls.draw(held, where=side)
side.markdown(f"**{t('playground.sec_net')}**")
layers = knob("layers")
knob("width")
box = side.expander(t("playground.acts"), icon=":material/tune:")
acts = tuple(controls.draw(playground.activation_setting(i), where=box, i=i) for i in range(1, layers + 1))
init = knob("init")
knobs["init_std"] = knob("std") if init == "normal" else S["std"].default
for key in ("bn", "drop"):
    knob(key)
side.markdown(f"**{t('playground.sec_train')}**")
for key in ("opt", "lr", "sched", "batch", "steps"):
    knob(key)
side.markdown(f"**{t('playground.sec_reg')}**")
for key in ("l1", "l2", "maxnorm", "seed"):
    knob(key)
points.from_link(side)
points_mode = teacher.mode("points", ())  # the points are a setting too: a teacher's link may hide or lock them

cfg = playground.PlaygroundConfig(**knobs, activations=acts, points=ss["points"] if own else ())
points.to_link(cfg.points)
clicks = dict(on_select=points.click_map, selection_mode="points") if own and points_mode is None else {}
sets = lesson.labels(PAGE, train="common.train_set", test="common.test_set")
map_words = {**lesson.labels(PAGE, x="b_x", y="b_y", prob="b_prob", class0="b_class0", class1="b_class1"), **sets}


def view(frame):
    if cfg.points != (ss["points"] if own else ()):  # a click on the map reran this fragment only: run the page
        st.rerun()
    lesson.diverged(frame.diverged_at)
    v, h = frame.data, frame.data.history
    acc = [f"{100 * h[k][-1]:.1f} %" if len(h["step"]) and np.isfinite(h[k][-1]) else "—"  # no test points: —
           for k in ("train_acc", "test_acc")]
    # one line, not four metrics: every element is a message to every student on every refresh
    st.markdown(" · ".join(f"{t(f'playground.{key}')} **{value}**" for key, value in
                           (("m_epoch", f"{v.epoch:.1f}"), ("m_lr", f"{v.lr:.3g}"), ("m_train_acc", acc[0]),
                            ("m_test_acc", acc[1]))))
    left, right = st.columns([6, 5])  # the map a little wider: its colour bar takes a part of it
    with left:  # the map (the digits: the confusion matrix) and the losses; beside them the network
        if v.grid is not None:
            ds = playground.data_of(cfg)
            lesson.chart(lambda f: fig.boundary(*f.data.grid, ds.x_train, ds.y_train, ds.x_test, ds.y_test, map_words,
                                                click=points.CLICK if own else None),
                         key="boundary", caption=t(f"playground.cap_{'own' if own else 'boundary'}"), frame=frame,
                         **clicks)
        else:
            names = lesson.labels(PAGE, x="c_pred", y="c_true", hover="c_hover")
            lesson.chart(lambda f: fig.confusion(f.data.confusion, names), key="confusion",
                         caption=t("playground.cap_confusion"), frame=frame)
        words = {**lesson.labels(PAGE, x="common.step_axis", y="common.loss_axis"), **sets}
        lesson.chart(lambda f: fig.loss_curves(f.data.history, words), numbers=True, key="loss",
                     caption=t("playground.cap_loss"), frame=frame)
    with right:
        inside.network(frame, cfg)
        if v.wrong is not None and len(v.wrong[0]):
            lesson.chart(lambda f: fig.digit_gallery(*f.data.wrong, lesson.labels(PAGE, image_title="wrong_title")),
                         key="wrong", caption=t("playground.cap_wrong"), frame=frame)
    titles = [t("playground.layer_title", i=i + 1, act=t(f"common.opt_{a}")) for i, a in enumerate(cfg.activations)]
    lesson.chart(lambda f: fig.layer_histograms(f.data.hists, {"x": t("playground.hist_axis"), "layers": titles}),
                 key="hists", frame=frame,
                 caption=t("playground.cap_hists", n=min(playground.HIST_BATCH, playground.data_of(cfg).x_train.shape[0])))


if own and points_mode != "hidden":
    points.tools(points_mode, test, knobs["seed"])
frame = None
if own and not own_points.ready(cfg.points):  # too few points to train on: the plane to click on
    points.waiting(cfg.points, map_words, clicks)
else:
    frame = live.panel(PAGE, playground.training_run(cfg), view, total_steps=cfg.steps)
    inside.step_inside(live.shown_frame(PAGE) or frame, cfg)  # the frame shown now (after a scrub, too)

lesson.section(t("playground.save_title"), anchor="save")
st.markdown(t("playground.save_intro"))
c1, c2, c3 = st.columns([1, 1, 2])
c1.download_button(t("playground.dl_config"), cfg.to_json(), file_name="playground-config.json",
                   mime="application/json", on_click="ignore", icon=":material/settings:", key="_dl_cfg")
step = frame.step if frame is not None else 0
c2.download_button(t("playground.dl_weights"), downloads.deferred(playground.weights_at, cfg, step),
                   file_name=f"playground-weights-step{step}.npz", mime="application/octet-stream", on_click="ignore",
                   icon=":material/download:", key="_dl_w", disabled=frame is None)
cfg_mode = teacher.inputs_mode()  # a file sets every knob: under a teacher's hide or lock, no file
if cfg_mode != "hidden":
    c3.file_uploader(t("playground.upload"), type=["json"], key="_cfg_upload", on_change=import_config,
                     max_upload_size=1, help=t("playground.upload_help"), disabled=cfg_mode == "locked")
msg = ss.pop("_cfg_msg", None)
if msg:
    (st.success if msg[0] == "success" else st.error)(msg[1])

if frame is not None:  # (own points too few to train on: nothing to check yet)
    lesson.quick_checks(PAGE, playground.quick_checks(cfg, frame.data))
lesson.try_this(PAGE)
with st.expander(t("common.explanation"), expanded=not lesson.presenting()):
    st.markdown(t("playground.explain"))
    pages = {p.slug: p for p in nav.PAGES if lesson.has(f"{p.slug}.title")}
    for knob, slugs in GUIDE:
        text_col, link_col = st.columns([2, 1])
        text_col.markdown(t(f"playground.knob_{knob}"))
        for slug in slugs:
            if slug in pages:
                link_col.page_link(pages[slug].path, label=t(f"{slug}.title"), icon=pages[slug].icon)
lesson.footer(PAGE)
