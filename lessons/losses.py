"""Loss functions: MSE vs MAE vs Huber against outliers, and why classification uses cross-entropy."""
import numpy as np
import streamlit as st

from lab import losses as lab
from figures import losses as fig
from ui import controls, lesson
from ui.i18n import t

PAGE = "losses"
WRONG_P = lab.WRONG_P
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
n_out, size, delta, classes, seed = (controls.draw(s, where=side) for s in lab.SETTINGS)

NAMES = {"mse": t("losses.mse"), "mae": t("losses.mae"), "huber": t("losses.huber", delta=delta)}

# ---- 1. regression: a line through data with outliers (the key picture, beside its question) ----------------
lesson.section(t("losses.h_regression"), anchor="regression")
f = lab.fit_lines(n_out, size, delta, seed)
chart_col, side_col = st.columns([3, 1], gap="small")
with side_col:
    lesson.predict(PAGE, "q1", 3)
with chart_col:
    lesson.chart(fig.line_fits(f, NAMES | lesson.labels(PAGE, title="fit_title", data="fit_data",
                                                         outliers="fit_outliers", true="fit_true")),
                 numbers=True, key="fits", caption=t("losses.cap_fits"))
st.markdown(t("losses.regression_setup", n=lab.LINE["n"], steps=lab.FIT["steps"], lr=lab.FIT["lr"]))
slope0, intercept0 = f.true
st.markdown(t("losses.fit_numbers", true_w=f"{slope0:.2f}", true_b=f"{intercept0:.2f}", n=int(f.outlier.sum()),
              **{f"w_{k}": f"{f.slope[k]:.3f}" for k in NAMES}, **{f"b_{k}": f"{f.intercept[k]:.3f}" for k in NAMES},
              **{f"e_{k}": f"{abs(f.slope[k] - slope0):.3f}" for k in NAMES}))

r, values = lab.residual_curves(delta)
lesson.chart(fig.loss_vs_residual(r, values, delta, NAMES | lesson.labels(PAGE, title="res_title", x="res_x",
                                                                          y="loss_y")),
             key="residual", caption=t("losses.cap_residual"))
lesson.formula(r"\text{{MSE}} = \frac1N\sum_i r_i^2,\quad \text{{MAE}} = \frac1N\sum_i |r_i|,\quad "
               r"\text{{Huber}}_\delta(r) = \begin{{cases}} \tfrac12 r^2 & |r|\le\delta \\ "
               r"\delta\,(|r| - \tfrac12\delta) & |r|>\delta \end{{cases}},\ \ \delta = {delta}", delta=delta)
lesson.formula(r"\frac{{\partial}}{{\partial \hat y_i}}:\quad \text{{MSE}}\ \tfrac{{2}}{{N}} r_i \ (\text{{{grows}}}),"
               r"\quad \text{{MAE}}\ \tfrac1N \operatorname{{sign}}(r_i),\quad \text{{Huber}}\ \tfrac1N\operatorname{{clip}}(r_i,\pm{delta})",
               delta=delta, grows=t("losses.f_grows"))

# ---- 2. classification: cross-entropy vs squared error --------------------------------------------
lesson.section(t("losses.h_class"), anchor="classification")
st.markdown(t("losses.class_setup", c=classes))
lesson.predict(PAGE, "q2", 3)
p, g, at = lab.gradient_curves(classes, WRONG_P)
GNAMES = {"cross_entropy": t("losses.ce"), "mse": t("losses.mse_soft")}
lesson.chart(fig.logit_gradients(p, g, WRONG_P, GNAMES | {"title": t("losses.grad_title", c=classes),
                                                           "x": t("losses.p_true"), "y": t("losses.grad_y"),
                                                           "wrong": t("losses.wrong", p=WRONG_P)}),
             key="grads", caption=t("losses.cap_grads"))
ce, mse = float(at["cross_entropy"][0]), float(at["mse"][0])
st.markdown(t("losses.grad_numbers", p=WRONG_P, ce=f"{ce:.3f}", mse=f"{mse:.4f}", ratio=f"{ce / mse:.0f}"))
lesson.formula(r"\text{{CE}}:\ \frac{{\partial L}}{{\partial z_y}} = p_y - 1 = {ce_g}\qquad"
               r"\text{{MSE}}:\ \frac{{\partial L}}{{\partial z_y}} = -2\,p_y\Big[(1-p_y)^2 + \sum_{{k\ne y}} p_k^2\Big] = {mse_g}"
               r"\qquad p_y = {p},\ C = {c}", ce_g=-ce, mse_g=-mse, p=WRONG_P, c=classes)

q, pvals = lab.probability_curves()
lesson.chart(fig.loss_vs_probability(q, pvals, lesson.labels(PAGE, ce1="ce_curve", bce0="bce0", mse1="mse_curve",
                                                             title="prob_title", x="prob_x", y="loss_y")),
             key="prob", caption=t("losses.cap_prob"))
lesson.formula(r"\text{{CE}} = -\sum_k y_k \log p_k,\qquad "
               r"\text{{BCE}} = -\big[y\log p + (1-y)\log(1-p)\big],\ \ p = \sigma(z)\qquad"
               r"-\log {p} = {v}", p=WRONG_P, v=float(-np.log(WRONG_P)))

lesson.quick_checks(PAGE, lab.quick_checks(f, delta, at, classes))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
