"""Ensembles and averaging (cs231n lecture 7): K nets from different seeds, snapshot ensembles from a cyclic
learning rate, and Polyak / exponential averaging of the weights."""
import streamlit as st

from lab import ensembles
from figures import ensembles as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "ensembles"
E = ensembles.ENS
SNAP_STEPS = ensembles.SNAP_STEPS
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
k, max_lr, decay, seed = (controls.draw(s, where=side) for s in ensembles.SETTINGS)
settings = ensembles.Settings(k=k, max_lr=max_lr, decay=decay, seed=seed)
side.caption(t("ensembles.setup", n=E["n_train"], width=E["width"], noise=E["noise"]))
side.caption(t("ensembles.no_diverge"))


def pct(v):
    return lesson.number(100 * v, ".1f")


def diverged(frame, names=None):
    for member, step in frame.data.diverged.items():
        lesson.diverged(step, f" ({(names or {}).get(member, member)})")


# ---- 1. K networks ------------------------------------------------------------------------------
lesson.section(t("ensembles.h_seeds"), anchor="seed-ensemble")


def seeds_view(frame):
    diverged(frame)
    v, sc = frame.data, frame.data.scores
    names = [t("ensembles.member", i=i + 1) for i in range(k)] + [t("ensembles.mean"), t("ensembles.ensemble")]

    def bars(f):
        labels = {"title": t("ensembles.seeds_title", k=k, step=f.data.step), "y": t("ensembles.acc_axis")}
        s = f.data.scores  # untrained nets score at chance: the chart is drawn empty (ui.live says how it fills)
        return fig.score_bars([], [], [], labels) if s is None else \
            fig.score_bars(names, [*s.members, s.mean, s.ensemble], [0] * k + [1, 2], labels)

    left, right = st.columns([2, 1])
    with left:
        if sc is None:
            lesson.chart(bars, numbers=True, key="seeds", frame=frame,
                         caption=t("ensembles.cap_seeds", ens="—", mean="—", gain="—", dis="—"))
        else:
            lesson.chart(bars, numbers=True, key="seeds", frame=frame,
                         caption=t("ensembles.cap_seeds", ens=pct(sc.ensemble), mean=pct(sc.mean),
                                   gain=f"{100 * (sc.ensemble - sc.mean):+.1f}", dis=pct(sc.disagree)))
    with right:  # the question beside the chart that answers it
        lesson.predict(PAGE, "q1", 3, demo="ens_seeds")


live.panel("ens_seeds", ensembles.seeds_run(settings), seeds_view, total_steps=E["steps"], start="last")
lesson.formula(r"\hat p(y\mid x) = \frac{{1}}{{K}}\sum_{{k=1}}^{{K}} \mathrm{{softmax}}\big(f(x;\theta_k)\big),"
               r"\quad K = {k}", k=k)

# ---- 2. snapshots and 3. averaged weights -------------------------------------------------------
lesson.section(t("ensembles.h_snap"), anchor="snapshots-and-averaging")
st.markdown(t("ensembles.snap_intro", cycle=E["cycle_len"], steps=SNAP_STEPS))
lrs, ends = ensembles.lr_curve(SNAP_STEPS, max_lr=max_lr)
NAMES = {"raw": t("ensembles.raw"), "ema": t("ensembles.ema", decay=decay), "polyak": t("ensembles.polyak")}
RUNS = {"snap": t("ensembles.run_snap"), "avg": t("ensembles.run_avg")}
LR_LABELS = lesson.labels(PAGE, title="lr_title", x="common.step_axis", y="lr_axis", lr="lr_name", snap="snap_name")
SNAP_LABELS = lesson.labels(PAGE, title="snap_title", y="acc_axis")
AVG_LABELS = lesson.labels(PAGE, title="avg_title", x="common.step_axis", y="loss_axis")


def snap_view(frame):
    diverged(frame, RUNS)
    v = frame.data
    lesson.chart(lambda f: fig.schedule(lrs, ends, f.data.step, LR_LABELS), key="lr_curve", frame=frame,
                 caption=t("ensembles.cap_lr", ends=", ".join(str(e) for e in ends)))
    left, right = st.columns(2)
    with left:
        if v.scores is not None:
            sc = v.scores
            names = [t("ensembles.snapshot", step=s) for s in v.snapshot_steps] + [t("ensembles.snap_ens")]
            lesson.chart(lambda: fig.score_bars(names, [*sc.members, sc.ensemble], [0] * len(sc.members) + [2],
                                                SNAP_LABELS), key="snaps", frame=frame,
                         caption=t("ensembles.cap_snaps", ens=pct(sc.ensemble), best=pct(max(sc.members)),
                                   n=len(sc.members), dis=pct(sc.disagree)))
        else:
            st.info(t("ensembles.no_snap", step=ends[0]))
    with right:
        h = v.avg  # no rows before the first evaluation: the chart is drawn empty
        now = {key: lesson.number(h[key][-1], ".3f") if len(h["step"]) else "—" for key in ("raw", "ema", "polyak")}
        lesson.chart(lambda f: fig.loss_curves({NAMES[key]: (f.data.avg["step"], f.data.avg[key])
                                                for key in ("raw", "ema", "polyak")}, AVG_LABELS,
                                               dash={NAMES["polyak"]: "dot"}), key="avg",
                     frame=frame, caption=t("ensembles.cap_avg", **now))


live.panel("ens_snap", ensembles.snap_run(settings), snap_view, total_steps=SNAP_STEPS, start="last")
lesson.formula(r"\eta_t = \eta_{{\min}} + \tfrac12(\eta_{{\max}} - \eta_{{\min}})\Big(1 + \cos\frac{{\pi\,(t \bmod T)}}{{T}}"
               r"\Big),\quad \eta_{{\max}} = {max_lr},\ T = {T}", max_lr=max_lr, T=E["cycle_len"])
lesson.formula(r"\bar\theta^{{\,\mathrm{{EMA}}}}_t = \beta\,\bar\theta^{{\,\mathrm{{EMA}}}}_{{t-1}} + (1-\beta)\,\theta_t,"
               r"\ \beta = {decay}\qquad \bar\theta^{{\,\mathrm{{Polyak}}}}_t = \frac{{1}}{{t+1}}\sum_{{s=0}}^{{t}}\theta_s",
               decay=decay)
lesson.quick_checks(PAGE, ensembles.quick_checks(settings))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
