"""Batch normalization: with and without, robustness to initialization and learning rate, training vs inference."""
import numpy as np
import streamlit as st

from lab import batchnorm as lab
from figures import batchnorm as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "batchnorm"
TOTAL_STEPS = 1500
STEP = "common.step_axis"
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)


def option_label(prefix):
    """Option -> its text; idempotent (AppTest re-applies format_func to labels it already formatted)."""
    return lambda v: t(f"batchnorm.{prefix}_{v}") if lesson.has(f"batchnorm.{prefix}_{v}") else str(v)


position = controls.select("pos", t("batchnorm.position"), ["before", "after"], "before", where=side,
                           format_func=option_label("pos"))
lr = controls.log_slider("lr", t("batchnorm.lr"), [0.1, 0.3, 1.0, 2.0, 3.0, 10.0], 1.0, where=side)
init_std = controls.log_slider("std", t("batchnorm.std"), [0.01, 0.03, 0.1, 0.3, 1.0], 0.1, where=side)
momentum = controls.log_slider("mom", t("batchnorm.momentum"), [0.01, 0.03, 0.1, 0.3, 0.9], 0.1, where=side)
eps = controls.log_slider("eps", t("batchnorm.eps"), [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2], 1e-5, where=side)
unit = controls.slider("unit", t("batchnorm.unit"), 0, 99, 0, where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
names = lesson.labels(PAGE, bn="bn", plain="plain")  # the variants of lab.VARIANTS, by name


@st.cache_data(max_entries=32, show_spinner=False)
def running_trace(position, init_std, momentum, eps, seed, unit):
    """Keyed by the unit it follows; the learning rate plays no part (the weights are not trained)."""
    return lab.population_trace(position, init_std, momentum, eps, seed, unit)


@st.cache_data(max_entries=8, show_spinner=False)
def run_sweep(kind, epochs, position, momentum, eps, seed):
    return lab.sweep(kind, lab.SWEEP_VALUES[kind], epochs=epochs, n_train=1000, momentum=momentum, eps=eps,
                     bn_position=position, seed=seed)


# ---- 1. with and without batch norm, trained live --------------------------------------------------
st.header(t("batchnorm.h_compare"))
lesson.predict(PAGE, "q1", 3)


@st.cache_data(max_entries=8, show_spinner=False)
def pretrained(position, lr, init_std, momentum, eps, seed):
    """The pair a few updates in and its batch-dependence result (a fresh copy per call)."""
    return lab.pretrained_pair(position, lr, init_std, momentum, eps, seed)


@st.cache_data(max_entries=16, show_spinner=False)
def inference_demo(position, lr, init_std, momentum, eps, seed):
    """Only the batch-dependence result (small), so a rerun does not unpickle the whole pair."""
    return pretrained(position, lr, init_std, momentum, eps, seed)[1]


def view(group):
    lesson.diverged_members(group, names.get)
    hist = {k: group[k].history for k in lab.VARIANTS}
    left, right = st.columns(2)
    with left:
        lesson.chart(fig.metric_curves({k: (h["step"], h["test_acc"]) for k, h in hist.items()},
                                       {**names, **lesson.labels(PAGE, title="acc_title", x=STEP,
                                                                 y="common.accuracy_axis")}),
                     key="acc", caption=t("batchnorm.cap_acc"))
    with right:
        lesson.chart(fig.metric_curves({k: (h["step"], h["train_loss"]) for k, h in hist.items()},
                                       {**names, **lesson.labels(PAGE, title="loss_title", x=STEP,
                                                                 y="common.loss_axis")}),
                     key="loss", caption=t("batchnorm.cap_loss"))
    panels = {k: (group[k].probe_steps, group[k].percentiles[:, :, unit]) for k in lab.VARIANTS}
    lesson.chart(fig.percentile_panels(panels, {**names, **lesson.labels(PAGE, x=STEP, p15="p15", p50="p50", p85="p85"),
                                                "y": t("batchnorm.z_axis", unit=unit)}),
                 key="pct", caption=t("batchnorm.cap_pct", bn=lab.percentile_drift(group["bn"].percentiles, unit),
                                      plain=lab.percentile_drift(group["plain"].percentiles, unit)))
    stats = group["bn"].bn_stats()
    if stats is not None:
        lesson.chart(fig.running_vs_batch(group["bn"].probe_steps,
                                          (stats["running_mean"][:, unit], stats["running_var"][:, unit]),
                                          (stats["probe_mean"][:, unit], stats["probe_var"][:, unit]),
                                          lesson.labels(PAGE, x=STEP, running="running", batch="heldout",
                                                        mean_title="mean_title", var_title="var_title")),
                     key="live_stats", caption=t("batchnorm.cap_live_stats"))
    gamma, beta = group["bn"].gamma_beta()
    lesson.chart(fig.gamma_beta(gamma, beta, lesson.labels(PAGE, x="unit_axis", gamma_title="gamma_title",
                                                           beta_title="beta_title")),
                 key="gamma", caption=t("batchnorm.cap_gamma"))


live.panel(PAGE, lambda: pretrained(position, lr, init_std, momentum, eps, seed)[0],
           signature=(position, lr, init_std, momentum, eps, seed), total_steps=TOTAL_STEPS, view=view, step_size=10)

# ---- 2. training versus inference --------------------------------------------------------------------
st.header(t("batchnorm.h_infer"))
dep = inference_demo(position, lr, init_std, momentum, eps, seed)
trace = running_trace(position, init_std, momentum, eps, seed, unit)
lesson.chart(fig.running_trace(trace.batch_mean, trace.batch_var, trace.running_mean, trace.running_var,
                               trace.pop_mean, trace.pop_var,
                               lesson.labels(PAGE, x=STEP, batch="batch_stat", running="running",
                                             population="population", mean_title="mean_title", var_title="var_title")),
             key="trace", caption=t("batchnorm.cap_trace", m=momentum, n=round(1 / momentum)))
lesson.chart(fig.batch_dependence(dep.batch_sizes, dep.batch_prob, dep.running_prob,
                                  {**lesson.labels(PAGE, x="batch_size_axis", batch="with_batch",
                                                   running="with_running"),
                                   "y": t("batchnorm.prob_axis", label=dep.label)}),
             key="dep", caption=t("batchnorm.cap_dep", spread=float(np.ptp(dep.batch_prob[1:])),
                                  xhat=float(np.abs(dep.bn_out_single).max())))

# ---- 3. robustness: sweeps of the initial scale and the learning rate ------------------------------
st.header(t("batchnorm.h_sweep"))
cols = st.columns([2, 2, 1])
kind = controls.select("sweep", t("batchnorm.sweep_kind"), ["init", "lr"], "init", where=cols[0], horizontal=True,
                       format_func=option_label("sweep"))
epochs = controls.slider("epochs", t("batchnorm.epochs"), 2, 20, 10, where=cols[1])
signature = (kind, epochs, position, momentum, eps, seed)
done = st.session_state.setdefault("_batchnorm.sweeps", [])
if cols[2].button(t("batchnorm.run_sweep"), key="run_sweep", type="primary", icon=":material/play_arrow:"):
    done[:] = ([s for s in done if s != signature] + [signature])[-8:]
if signature in done:
    with st.spinner(t("batchnorm.sweeping")):
        result = run_sweep(*signature)
    lesson.chart(fig.sweep_chart(result.values, result.acc, result.diverged,
                                 {**names, **lesson.labels(PAGE, x="std_axis" if kind == "init" else "lr_axis",
                                                           y="final_acc", diverged="diverged")}),
                 key="sweep_chart", caption=t(f"batchnorm.cap_sweep_{kind}"))
else:
    st.info(t("batchnorm.sweep_hint", n=len(lab.SWEEP_VALUES[kind])), icon=":material/timer:")

# ---- formula, try this, explanation -----------------------------------------------------------------
lesson.formula(r"\mu_B=\frac{{1}}{{m}}\sum_{{i=1}}^{{m}} x_i,\quad \sigma_B^2=\frac{{1}}{{m}}\sum_{{i=1}}^{{m}}"
               r"(x_i-\mu_B)^2,\quad \hat x_i=\frac{{x_i-\mu_B}}{{\sqrt{{\sigma_B^2+{eps}}}}},\quad "
               r"y_i=\gamma\,\hat x_i+\beta", eps=eps)
lesson.formula(r"\hat\mu\leftarrow{keep}\,\hat\mu+{m}\,\mu_B,\qquad \hat\sigma^2\leftarrow{keep}\,\hat\sigma^2"
               r"+{m}\,\tfrac{{n}}{{n-1}}\sigma_B^2,\qquad y=\gamma\,\frac{{x-\hat\mu}}{{\sqrt{{\hat\sigma^2+{eps}}}}}"
               r"+\beta", m=momentum, keep=1 - momentum, eps=eps)
lesson.try_this(PAGE)
lesson.explanation(PAGE)
