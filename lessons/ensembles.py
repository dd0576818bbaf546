"""Ensembles and averaging (cs231n lecture 7): K nets from different seeds, snapshot ensembles from a cyclic
learning rate, and Polyak / exponential averaging of the weights."""
import streamlit as st

from lab import ensembles
from figures import ensembles as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "ensembles"
E = ensembles.ENS
SNAP_STEPS = 4 * E["cycle_len"]
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
k = controls.slider("k", t("ensembles.k"), 2, 10, 5, where=side)
max_lr = controls.log_slider("lr", t("ensembles.max_lr"), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5], E["max_lr"], where=side)
decay = controls.log_slider("decay", t("ensembles.decay"), [0.9, 0.95, 0.98, 0.99, 0.995, 0.999], E["ema_decay"],
                            where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
side.caption(t("ensembles.setup", n=E["n_train"], width=E["width"], noise=E["noise"]))


def pct(v):
    return f"{100 * v:.1f}"


# ---- 1. K networks ------------------------------------------------------------------------------
st.subheader(t("ensembles.h_seeds"))
lesson.predict(PAGE, "q1", 3)


def seeds_view(group):
    lesson.diverged_members(group)
    n_nets = len(group.members)
    labels = {"title": t("ensembles.seeds_title", k=n_nets, step=group.step), "y": t("ensembles.acc_axis")}
    if group.step == 0:  # untrained nets score at chance: the chart is drawn empty (ui.live says how it fills)
        lesson.chart(fig.score_bars([], [], [], labels), key="seeds",
                     caption=t("ensembles.cap_seeds", ens="—", mean="—", gain="—"))
        return
    sc = ensembles.score_ensemble([m.net for _, m in group.items()], group.test)
    names = [t("ensembles.member", i=i + 1) for i in range(n_nets)] + [t("ensembles.mean"), t("ensembles.ensemble")]
    kinds = [0] * n_nets + [1, 2]
    lesson.chart(fig.score_bars(names, [*sc.members, sc.mean, sc.ensemble], kinds, labels), key="seeds",
                 caption=t("ensembles.cap_seeds", ens=pct(sc.ensemble), mean=pct(sc.mean),
                           gain=f"{100 * (sc.ensemble - sc.mean):+.1f}"))


live.panel("ens_seeds", lambda: ensembles.seed_ensemble(k, seed), signature=(k, seed), total_steps=E["steps"],
           view=seeds_view)
lesson.formula(r"\hat p(y\mid x) = \frac{{1}}{{K}}\sum_{{k=1}}^{{K}} \mathrm{{softmax}}\big(f(x;\theta_k)\big),"
               r"\quad K = {k}", k=k)

# ---- 2. snapshots and 3. averaged weights -------------------------------------------------------
st.subheader(t("ensembles.h_snap"))
st.markdown(t("ensembles.snap_intro", cycle=E["cycle_len"], steps=SNAP_STEPS))
lrs, ends = ensembles.lr_curve(SNAP_STEPS, max_lr=max_lr)
NAMES = {"raw": t("ensembles.raw"), "ema": t("ensembles.ema", decay=decay), "polyak": t("ensembles.polyak")}
LR_LABELS = lesson.labels(PAGE, title="lr_title", x="common.step_axis", y="lr_axis", lr="lr_name", snap="snap_name")
SNAP_LABELS = lesson.labels(PAGE, title="snap_title", y="acc_axis")
AVG_LABELS = lesson.labels(PAGE, title="avg_title", x="common.step_axis", y="loss_axis")


def snap_view(group):
    runs = {"snap": t("ensembles.run_snap"), "avg": t("ensembles.run_avg")}
    lesson.diverged_members(group, runs.get)
    lesson.chart(fig.schedule(lrs, ends, group.step, LR_LABELS), key="lr_curve",
                 caption=t("ensembles.cap_lr", ends=", ".join(str(e) for e in ends)))
    snap = group["snap"]
    left, right = st.columns(2)
    with left:
        if snap.snapshots:
            sc = ensembles.score_ensemble([snap.net_with(s) for s in snap.snapshots], group.test)
            names = [t("ensembles.snapshot", step=s) for s in snap.snapshot_steps] + [t("ensembles.snap_ens")]
            lesson.chart(fig.score_bars(names, [*sc.members, sc.ensemble], [0] * len(sc.members) + [2], SNAP_LABELS),
                         key="snaps", caption=t("ensembles.cap_snaps", ens=pct(sc.ensemble), last=pct(sc.members[-1]),
                                                n=len(sc.members)))
        else:
            st.info(t("ensembles.no_snap", step=ends[0]))
    with right:
        h = group["avg"].avg_history()  # no rows before the first evaluation: the chart is drawn empty
        series = {NAMES[key]: (h["step"], h[key]) for key in ("raw", "ema", "polyak")}
        now = {key: f"{h[key][-1]:.3f}" if len(h["step"]) else "—" for key in ("raw", "ema", "polyak")}
        lesson.chart(fig.loss_curves(series, AVG_LABELS, dash={NAMES["polyak"]: "dot"}), key="avg",
                     caption=t("ensembles.cap_avg", **now))


live.panel("ens_snap", lambda: ensembles.snapshot_group(seed, max_lr=max_lr, ema_decay=decay),
           signature=(max_lr, decay, seed), total_steps=SNAP_STEPS, view=snap_view)
lesson.formula(r"\eta_t = \eta_{{\min}} + \tfrac12(\eta_{{\max}} - \eta_{{\min}})\Big(1 + \cos\frac{{\pi\,(t \bmod T)}}{{T}}"
               r"\Big),\quad \eta_{{\max}} = {max_lr},\ T = {T}", max_lr=max_lr, T=E["cycle_len"])
lesson.formula(r"\bar\theta^{{\,\mathrm{{EMA}}}}_t = \beta\,\bar\theta^{{\,\mathrm{{EMA}}}}_{{t-1}} + (1-\beta)\,\theta_t,"
               r"\ \beta = {decay}\qquad \bar\theta^{{\,\mathrm{{Polyak}}}}_t = \frac{{1}}{{t+1}}\sum_{{s=0}}^{{t}}\theta_s",
               decay=decay)
lesson.try_this(PAGE)
lesson.explanation(PAGE)
