"""Playground: every knob on one page, a live decision map, loss curves and per-layer histograms while it trains,
a link that reproduces the setting, and the weights and configuration to download (and a configuration to load).
With "your own points" the map takes clicks and the points load and save as CSV (lessons/_playground_points.py)."""
import numpy as np
import streamlit as st

from core import activations, initializers, optim, schedules
from lab import custom_data, playground
from figures import playground as fig
from lessons import _playground_points as points
from ui import controls, lesson, live, nav, teacher
from ui.i18n import t
from ui.literal import literal

PAGE = "playground"
ss = st.session_state
D = playground.PlaygroundConfig()  # the defaults of every knob
# config field -> control key (= URL parameter); the activations are act1 … act6
KEYS = {"dataset": "data", "noise": "noise", "test_ratio": "test", "layers": "layers", "width": "width",
        "init": "init", "init_std": "std", "batchnorm": "bn", "dropout": "drop", "optimizer": "opt", "lr": "lr",
        "schedule": "sched", "batch_size": "batch", "steps": "steps", "l1": "l1", "l2": "l2", "max_norm": "maxnorm",
        "seed": "seed"}
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
    for field, key in KEYS.items():
        ss[key] = getattr(cfg, field)
    for i, act in enumerate(cfg.activations, start=1):
        ss[f"act{i}"] = act
    if cfg.dataset == playground.CUSTOM:
        ss["pts"] = cfg.points
    ss["_cfg_msg"] = ("success", t("playground.import_ok"))


lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)

side.markdown(f"**{t('playground.sec_data')}**")
dataset = controls.select("data", t("playground.dataset"), playground.DATASETS, D.dataset, where=side)
custom = dataset == playground.CUSTOM  # one's own points: no noise to add
noise = D.noise if custom else controls.slider("noise", t("playground.noise"), 0.0, 1.0, D.noise, 0.05, where=side)
held = playground.test_ratio_range(dataset)  # one's own points may hold out none, the built-in sets 10 % or more
if ss.get("test", D.test_ratio) < held[0]:  # back from one's own points with 0 held out: the nearest share allowed
    ss["test"] = held[0]
test = controls.slider("test", t("playground.test_ratio"), *held, D.test_ratio, 0.05, where=side,
                       help=t("playground.test_ratio_own") if custom else None)

side.markdown(f"**{t('playground.sec_net')}**")
layers = controls.slider("layers", t("playground.layers"), 1, playground.MAX_LAYERS, D.layers, where=side)
width = controls.slider("width", t("playground.width"), 1, 64, D.width, where=side)
box = side.expander(t("playground.acts"), icon=":material/tune:")
acts = tuple(controls.select(f"act{i}", t("playground.act_of", i=i), activations.NAMES, D.activations[0], where=box)
             for i in range(1, layers + 1))
init = controls.select("init", t("playground.init"), initializers.NAMES, D.init, where=side)
std = D.init_std
if init == "normal":
    std = controls.log_slider("std", t("playground.std"), playground.CHOICES["init_std"], D.init_std, where=side)
bn = controls.toggle("bn", t("playground.bn"), D.batchnorm, where=side)
drop = controls.slider("drop", t("playground.dropout"), 0.0, 0.8, D.dropout, 0.05, where=side)

side.markdown(f"**{t('playground.sec_train')}**")
opt = controls.select("opt", t("playground.optimizer"), optim.NAMES, D.optimizer, where=side)
lr = controls.log_slider("lr", t("playground.lr"), playground.CHOICES["lr"], D.lr, where=side)
sched = controls.select("sched", t("playground.schedule"), schedules.NAMES, D.schedule, where=side,
                        format_func=lambda s: t(f"playground.sch_{s}") if s in schedules.NAMES else str(s))
batch = controls.log_slider("batch", t("playground.batch"), playground.CHOICES["batch_size"], D.batch_size, where=side)
steps = controls.slider("steps", t("playground.steps"), 100, 5000, D.steps, 100, where=side)

side.markdown(f"**{t('playground.sec_reg')}**")
l1 = controls.log_slider("l1", t("playground.l1"), playground.CHOICES["l1"], D.l1, where=side)
l2 = controls.log_slider("l2", t("playground.l2"), playground.CHOICES["l2"], D.l2, where=side)
maxnorm = controls.log_slider("maxnorm", t("playground.maxnorm"), playground.CHOICES["max_norm"], D.max_norm,
                              where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, D.seed, where=side)
points.from_link(side)
pts_mode = teacher.mode("pts", ())  # the points are a setting too: a teacher's link may hide or lock them

cfg = playground.PlaygroundConfig(dataset=dataset, noise=noise, test_ratio=test, layers=layers, width=width,
                                  activations=acts, init=init, init_std=std, batchnorm=bn, dropout=drop, optimizer=opt,
                                  lr=lr, schedule=sched, batch_size=batch, l1=l1, l2=l2, max_norm=maxnorm, steps=steps,
                                  seed=seed, points=ss["pts"] if custom else ())
points.to_link(cfg.points)
clicks = dict(on_select=points.click_map, selection_mode="points") if custom and pts_mode is None else {}
sets = lesson.labels(PAGE, train="common.train_set", test="common.test_set")
map_words = {**lesson.labels(PAGE, x="b_x", y="b_y", prob="b_prob", class0="b_class0", class1="b_class1"), **sets}


def view(frame):
    if cfg.points != (ss["pts"] if custom else ()):  # a click on the map reran this fragment only: run the page
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
    with left:
        if v.grid is not None:
            ds = playground.data_of(cfg)
            lesson.chart(lambda: fig.boundary(*v.grid, ds.x_train, ds.y_train, ds.x_test, ds.y_test, map_words,
                                              click=points.CLICK if custom else None),
                         key="boundary", caption=t(f"playground.cap_{'own' if custom else 'boundary'}"), frame=frame,
                         **clicks)
        else:
            names = lesson.labels(PAGE, x="c_pred", y="c_true", hover="c_hover")
            lesson.chart(lambda: fig.confusion(v.confusion, names), key="confusion",
                         caption=t("playground.cap_confusion"), frame=frame)
    with right:
        words = {**lesson.labels(PAGE, x="common.step_axis", y="common.loss_axis"), **sets}
        lesson.chart(lambda: fig.loss_curves(h, words), key="loss", caption=t("playground.cap_loss"), frame=frame)
        if v.wrong is not None and len(v.wrong[0]):
            lesson.chart(lambda: fig.digit_gallery(*v.wrong, lesson.labels(PAGE, image_title="wrong_title")),
                         key="wrong", caption=t("playground.cap_wrong"), frame=frame)
    titles = [t("playground.layer_title", i=i + 1, act=t(f"common.opt_{a}")) for i, a in enumerate(cfg.activations)]
    lesson.chart(lambda: fig.layer_histograms(v.hists, {"x": t("playground.hist_axis"), "layers": titles}),
                 key="hists", frame=frame,
                 caption=t("playground.cap_hists", n=min(playground.HIST_BATCH, playground.data_of(cfg).x_train.shape[0])))


if custom and pts_mode != "hidden":
    points.tools(pts_mode, test, seed)
frame = None
if custom and not custom_data.ready(cfg.points):  # too few points to train on: the plane to click on
    points.waiting(cfg.points, map_words, clicks)
else:
    frame = live.panel(PAGE, playground.training_run(cfg), view, total_steps=cfg.steps)

st.subheader(t("playground.save_title"), anchor="save")
st.markdown(t("playground.save_intro"))
c1, c2, c3 = st.columns([1, 1, 2])
c1.download_button(t("playground.dl_config"), cfg.to_json(), file_name="playground-config.json",
                   mime="application/json", on_click="ignore", icon=":material/settings:", key="_dl_cfg")
step = frame.step if frame is not None else 0
c2.download_button(t("playground.dl_weights"), lambda: playground.weights_at(cfg, step),
                   file_name=f"playground-weights-step{step}.npz", mime="application/octet-stream", on_click="ignore",
                   icon=":material/download:", key="_dl_w", disabled=frame is None)
c3.file_uploader(t("playground.upload"), type=["json"], key="_cfg_upload", on_change=import_config, max_upload_size=1,
                 help=t("playground.upload_help"))
msg = ss.pop("_cfg_msg", None)
if msg:
    (st.success if msg[0] == "success" else st.error)(msg[1])

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
