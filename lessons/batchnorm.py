"""Batch normalization: with and without, training vs inference, robustness to initialization and learning rate."""
import numpy as np
import streamlit as st

from lab import batchnorm as lab
from figures import batchnorm as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "batchnorm"
STEP = "common.step_axis"
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
S = lab.SETTINGS
position, lr = controls.draw(S["pos"], where=side), controls.draw(S["lr"], where=side)
side.caption(t("batchnorm.lr_bounded"))
init_std, momentum, eps, unit, seed = (controls.draw(S[k], where=side) for k in ("std", "mom", "eps", "unit", "seed"))
names = lesson.labels(PAGE, bn="bn", plain="plain")  # the variants of lab.VARIANTS, by name

# ---- 1. with and without batch norm, trained live --------------------------------------------------
lesson.section(t("batchnorm.h_compare"), anchor="compare")


def pair_view(frame):
    v = frame.data
    for k in lab.VARIANTS:
        lesson.diverged(v.members[k].diverged_at, f" ({names[k]})")
    # the strong chart first: BN near its final accuracy within ~100 updates, the plain net at chance for ~300
    left, right = st.columns(2)
    with left:
        words = {**names, **lesson.labels(PAGE, title="acc_title", x=STEP, y="common.accuracy_axis")}
        lesson.chart(lambda f, words=words: fig.metric_curves({k: (m.step, m.test_acc)
                                                               for k, m in f.data.members.items()}, words,
                                                              lab.TOTAL_STEPS),
                     numbers=True, key="acc", frame=frame, caption=t("batchnorm.cap_acc"))
    with right:
        words = {**names, **lesson.labels(PAGE, title="loss_title", x=STEP, y="common.loss_axis")}
        lesson.chart(lambda f, words=words: fig.metric_curves({k: (m.step, m.train_loss)
                                                               for k, m in f.data.members.items()}, words,
                                                              lab.TOTAL_STEPS),
                     key="loss", frame=frame, caption=t("batchnorm.cap_loss"))
    chart_col, ask_col = st.columns([5, 2])
    with chart_col:  # keyed by the unit: the unit is a view of the run, not one of its settings
        words = {**names, **lesson.labels(PAGE, x=STEP, p15="p15", p50="p50", p85="p85"),
                 "y": t("batchnorm.z_axis", unit=unit)}
        lesson.chart(lambda f: fig.percentile_panels({k: (m.probe_steps, m.percentiles[:, :, unit])
                                                      for k, m in f.data.members.items()}, words, lab.TOTAL_STEPS),
                     key=f"pct{unit}", frame=frame,
                     caption=t("batchnorm.cap_pct", bn=lab.percentile_drift(v.members["bn"].percentiles, unit),
                               plain=lab.percentile_drift(v.members["plain"].percentiles, unit)))
    with ask_col:
        lesson.predict(PAGE, "q1", 3, demo=PAGE)
    with st.container():  # a slot that is there before the first probe too: the chart below never moves
        if len(v.running_mean):
            words = lesson.labels(PAGE, x=STEP, running="running", batch="heldout", mean_title="mean_title",
                                  var_title="var_title")

            def live_stats(f):
                d = f.data
                return fig.running_vs_batch(d.members["bn"].probe_steps, (d.running_mean[:, unit], d.running_var[:, unit]),
                                            (d.probe_mean[:, unit], d.probe_var[:, unit]), words, lab.TOTAL_STEPS)

            lesson.chart(live_stats, key=f"live_stats{unit}", frame=frame, caption=t("batchnorm.cap_live_stats"))
    words = lesson.labels(PAGE, x="unit_axis", gamma_title="gamma_title", beta_title="beta_title")
    lesson.chart(lambda f: fig.gamma_beta(f.data.gamma, f.data.beta, words), key="gamma", frame=frame,
                 caption=t("batchnorm.cap_gamma"))


shown = live.panel(PAGE, lab.pair_run(position, lr, init_std, momentum, eps, seed), pair_view,
                   total_steps=lab.TOTAL_STEPS, start="last")

# ---- 2. training versus inference --------------------------------------------------------------------
lesson.section(t("batchnorm.h_infer"), anchor="inference")
trace = lab.running_trace(position, init_std, momentum, seed, unit)
lesson.chart(fig.running_trace(trace.batch_mean, trace.batch_var, trace.running_mean, trace.running_var,
                               trace.pop_mean, trace.pop_var,
                               lesson.labels(PAGE, x=STEP, batch="batch_stat", running="running",
                                             population="population", mean_title="mean_title", var_title="var_title")),
             key="trace", caption=t("batchnorm.cap_trace", m=momentum, n=round(1 / momentum)))
dep = shown.data.dependence  # the BN network above, at the step it shows (redrawn in place when it moves)
lesson.chart(lambda: fig.batch_dependence(dep.batch_sizes, dep.batch_prob, dep.running_prob,
                                          {**lesson.labels(PAGE, x="batch_size_axis", batch="with_batch",
                                                           running="with_running"),
                                           "y": t("batchnorm.prob_axis", label=dep.label)}),
             key="dep", frame=shown, caption=t("batchnorm.cap_dep", spread=float(np.ptp(dep.batch_prob[1:])),
                                  xhat=float(np.abs(dep.bn_out_single).max()), step=shown.step))

# ---- 3. robustness: sweeps of the initial scale and the learning rate ------------------------------
lesson.section(t("batchnorm.h_sweep"), anchor="sweep")
cols = st.columns([3, 2])
kind, epochs = controls.draw(S["sweep"], where=cols[0]), controls.draw(S["epochs"], where=cols[1])
st.markdown(t("batchnorm.sweep_hint", n=len(lab.SWEEP_VALUES[kind])))
axis = t("batchnorm.std_axis" if kind == "init" else "batchnorm.lr_axis")


def sweep_view(frame):
    v = frame.data
    for k in lab.VARIANTS:
        for i in np.flatnonzero(v.diverged[k]):
            lesson.diverged(int(v.diverged_update[k][i]), f" ({names[k]}, {axis} {v.values[i]:.2g})")
    words = {**names, **lesson.labels(PAGE, y="final_acc", diverged="diverged"), "x": axis}

    def sweep(f):
        d = f.data
        done = {k: np.arange(len(d.values)) * 2 + j < d.done for j, k in enumerate(lab.VARIANTS)}
        return fig.sweep_chart(d.values, d.acc, d.diverged, words, done)

    lesson.chart(sweep, key=f"sweep_chart_{kind}",
                 frame=frame, caption=t(f"batchnorm.cap_sweep_{kind}"))


live.panel("bn-sweep", lab.sweep_run(kind, epochs, position, momentum, eps, seed), sweep_view,
           total_steps=lab.sweep_total(kind, epochs), start="last")

# ---- formula, try this, explanation -----------------------------------------------------------------
lesson.formula(r"\mu_B=\frac{{1}}{{m}}\sum_{{i=1}}^{{m}} x_i,\quad \sigma_B^2=\frac{{1}}{{m}}\sum_{{i=1}}^{{m}}"
               r"(x_i-\mu_B)^2,\quad \hat x_i=\frac{{x_i-\mu_B}}{{\sqrt{{\sigma_B^2+{eps}}}}},\quad "
               r"y_i=\gamma\,\hat x_i+\beta", eps=eps)
lesson.formula(r"\hat\mu\leftarrow{keep}\,\hat\mu+{m}\,\mu_B,\qquad \hat\sigma^2\leftarrow{keep}\,\hat\sigma^2"
               r"+{m}\,\tfrac{{n}}{{n-1}}\sigma_B^2,\qquad y=\gamma\,\frac{{x-\hat\mu}}{{\sqrt{{\hat\sigma^2+{eps}}}}}"
               r"+\beta", m=momentum, keep=1 - momentum, eps=eps)
lesson.quick_checks(PAGE, lab.quick_checks(momentum, eps, trace, unit))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
