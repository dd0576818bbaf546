"""Regularization and overfitting: training-set and model size, L1 vs L2 vs decoupled weight decay, max-norm,
early stopping, all trained side by side on the same few digits."""
import numpy as np
import streamlit as st

from lab import regularization
from figures import regularization as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "regularization"
R = regularization.REG
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
n_train = controls.log_slider("n", t("regularization.n_train"), [50, 100, 200, 400, 700, 1000], R["n_train"],
                              where=side)
width = controls.log_slider("width", t("regularization.width"), [8, 16, 32, 64, 128, 256], R["width"], where=side)
lam = controls.log_slider("lam", t("regularization.lam"), [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1], R["lam"],
                          where=side)
c = controls.slider("c", t("regularization.c"), 0.25, 4.0, R["c"], 0.25, where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
side.caption(t("regularization.setup", lr=R["lr"], batch=R["batch_size"], depth=R["depth"], noise=R["noise"]))

NAMES = {m: t(f"regularization.m_{m}") for m in regularization.REG_METHODS}
CURVE_LABELS = lesson.labels(PAGE, acc_title="acc_title", loss_title="loss_title", val="val", best="best",
                             x="common.step_axis", train="common.train_set")
shown = controls.select("show", t("regularization.show"), list(regularization.REG_METHODS), "none",
                        format_func=lambda m: NAMES.get(m, str(m)), horizontal=True)
lesson.predict(PAGE, "q1", 4)


def pct(v):
    return f"{100 * v:.1f}"


def table(group):
    rows = [(NAMES[k], regularization.summary(m, group.test)) for k, m in group.items()]
    none = group["none"]
    rows.append((t("regularization.m_early"), regularization.summary(none, group.test, none.best_state)))
    return {t("regularization.col_method"): [name for name, _ in rows],
            t("regularization.col_train"): [pct(r.train_acc) for _, r in rows],
            t("regularization.col_test"): [pct(r.test_acc) for _, r in rows],
            t("regularization.col_gap"): [pct(r.gap) for _, r in rows],
            t("regularization.col_best"): [f"{r.best_step} ({r.best_epoch:.0f})" for _, r in rows],
            t("regularization.col_norm"): [f"{r.weight_norm:.1f}" for _, r in rows],
            t("regularization.col_zero"): [pct(r.zero_frac) for _, r in rows]}


def view(group):
    lesson.diverged_members(group, NAMES.get)
    h = group[shown].history
    best = regularization.best_step(h)  # None before the first evaluation: the curves are drawn empty
    gap = "—" if best is None else pct(h["train_acc"][-1] - h["test_acc"][-1])
    lesson.chart(fig.train_val(h, best, CURVE_LABELS), key="curves",
                 caption=t("regularization.cap_curves", name=NAMES[shown], best="—" if best is None else best, gap=gap))
    if best is None:
        return  # the table and the weight charts come with the first evaluation, like the curves
    st.markdown(f"**{t('regularization.table_title', step=group.step)}**")
    st.table(table(group))
    st.caption(t("regularization.cap_table"))

    weights = [np.concatenate([W.ravel() for W in m.net.weights]) for _, m in group.items()]
    hists = {t("regularization.hist_title", name=NAMES[k], zero=pct(np.mean(w == 0)),
               near=pct(np.mean(np.abs(w) < 1e-3))): w for k, w in zip(group.members, weights)}
    lesson.chart(fig.weight_hists(hists, lesson.labels(PAGE, x="hist_x")), key="hists",
                 caption=t("regularization.cap_hists"))

    norms = {NAMES["maxnorm"]: regularization.unit_norms(group["maxnorm"].net.weights[0]),
             NAMES["none"]: regularization.unit_norms(group["none"].net.weights[0])}
    labels = {**lesson.labels(PAGE, title="norm_title", x="norm_x", y="norm_y"), "c_line": f"c = {c:g}"}
    lesson.chart(fig.unit_norms(norms, c, labels), key="norms", caption=t("regularization.cap_norms", c=f"{c:g}"))


live.panel(PAGE, lambda: regularization.regularization_group(n_train, width, lam, c, seed),
           signature=(n_train, width, lam, c, seed), total_steps=R["steps"], view=view)

st.subheader(t("regularization.formulas"))
lesson.formula(r"L_{{L2}} = L_{{\text{{data}}}} + \tfrac12\lambda\sum W^2,\qquad "
               r"L_{{L1}} = L_{{\text{{data}}}} + \lambda\sum |W|,\qquad \lambda = {lam}", lam=lam)
lesson.formula(r"\text{{L1 (proximal)}}:\ w \leftarrow \operatorname{{sign}}(w)\,\max(|w| - \eta\lambda,\ 0)"
               r"\qquad \text{{decoupled}}:\ \theta \leftarrow \theta - \eta\,v - \eta\lambda\,\theta,"
               r"\quad \eta\lambda = {step}", step=R["lr"] * lam)
lesson.formula(r"\text{{max-norm}}:\ w_j \leftarrow w_j\cdot\min\!\Big(1,\ \frac{{c}}{{\|w_j\|_2}}\Big),\quad c = {c}"
               r"\qquad \text{{early stopping}}:\ t^* = \arg\min_t L_{{\text{{val}}}}(t)", c=c)
st.caption(t("regularization.cap_formula"))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
