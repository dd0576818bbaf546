"""Vanishing and exploding gradients: per-layer gradient norms from a real backward pass, live training,
the chain-rule bound 0.25^L of the sigmoid, and gradient clipping side by side."""
import numpy as np
import streamlit as st

from figures import vanishing as fig
from lab import vanishing as lab
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "vanishing"

lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)
dataset = controls.select("data", t("vanishing.dataset"), list(lab.DATASETS), "digits", where=side)
depth = controls.slider("depth", t("vanishing.depth"), 2, 50, 12, where=side)
width = controls.slider("width", t("vanishing.width"), 8, 64, 32, step=8, where=side)
act = controls.select("act", t("vanishing.activation"), list(lab.ACTIVATIONS), "sigmoid", where=side)
init = controls.select("init", t("vanishing.init"), list(lab.INITS), "xavier_normal", where=side)
std = 1.0
if init == "normal":
    std = controls.log_slider("std", t("vanishing.std"), [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0], 1.0, where=side)
bn = controls.toggle("bn", t("vanishing.bn"), False, where=side)
lr = controls.log_slider("lr", t("vanishing.lr"), [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0], 0.1,
                         where=side)
clip = controls.select("clip", t("vanishing.clip"), list(lab.CLIPS), "none", where=side,
                       format_func=lambda c: t(f"vanishing.clip_{c}") if c in lab.CLIPS else str(c), horizontal=True)
threshold = 1.0
if clip != "none":
    threshold = controls.log_slider("thr", t("vanishing.threshold"), [0.01, 0.1, 0.3, 1.0, 3.0, 10.0], 1.0,
                                    where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
net = dict(depth=depth, width=width, act=act, init=init, std=std, bn=bn, seed=seed)

get_data = st.cache_data(max_entries=8, show_spinner=False)(lab.dataset)
slope = st.cache_data(max_entries=16, show_spinner=False)(lab.slope)


@st.cache_data(max_entries=32, show_spinner=False)
def profile(dataset, **net):
    return lab.profile(get_data(dataset, net["seed"]), **net)


@st.cache_data(max_entries=8, show_spinner=False)
def initial_weights(dataset, **net):
    return lab.initial_weights(get_data(dataset, net["seed"]), **net)


# ---- predict, then look ------------------------------------------------------------------------
lesson.predict(PAGE, "q1", 4)

# ---- at initialization ---------------------------------------------------------------------------
st.subheader(t("vanishing.init_title"))
prof = profile(dataset, **net)
left, right = st.columns([3, 2])
with left:
    words = lesson.labels(PAGE, title="profile_title", x="layer_axis", y="grad_axis", measured="measured")
    words["bound"] = t("vanishing.bound_line", slope=f"{prof.max_slope:g}")
    lesson.chart(fig.layer_profile(prof.weight_grad_norm, prof.max_slope, words),
                 key="profile", caption=t("vanishing.cap_profile"))
with right:
    z, a, da = slope(act)
    words = {"title": t("vanishing.slope_title", act=t(f"common.opt_{act}")), "f": "f(z)", "slope": "f′(z)",
             "peak": t("vanishing.peak", slope=f"{float(np.max(da)):.3g}")}
    lesson.chart(fig.slope_curve(z, a, da, words), key="slope", caption=t("vanishing.cap_slope"))

g = prof.weight_grad_norm
with np.errstate(all="ignore"):
    ratio = g[0] / g[-1]
measured = float(ratio) if np.isfinite(ratio) and ratio > 0 else r"\text{—}"  # overflowed or underflowed
lesson.formula(r"\frac{\partial L}{\partial W_l} = h_{l-1}^{\top}\,\delta_l,\qquad "
               r"\delta_l = \big(\delta_{l+1} W_{l+1}^{\top}\big)\odot f'(z_l)")
lesson.formula(r"\frac{{\|\delta_1\|}}{{\|\delta_{{\mathrm{{out}}}}\|}} \le \prod_{{l=1}}^{{{L}}} "
               r"\max f' \cdot \|W_{{l+1}}\|_2 \;\;\xrightarrow{{\|W\|\approx 1}}\;\; {slope}^{{{L}}} = {bound}",
               L=depth, slope=prof.max_slope, bound=prof.max_slope ** depth)
lesson.formula(r"\text{{{label}}}\quad \frac{{\|\partial L/\partial W_1\|}}{{\|\partial L/\partial W_{{\mathrm{{out}}}}\|}}"
               r" = {measured}", label=t("vanishing.measured_label"), measured=measured)
st.caption(t("vanishing.cap_formula"))

# ---- while training ------------------------------------------------------------------------------
st.subheader(t("vanishing.train_title"))
st.markdown(t("vanishing.train_intro"))


def view(group):
    multi = len(group.members) > 1
    names = {"yours": t("vanishing.run_clipped" if multi else "vanishing.run_yours"), "plain": t("vanishing.run_plain")}
    for label, tr in group.items():
        lesson.diverged(tr.diverged_at, what=f" ({names[label]})" if multi else "")
    h = group["yours"].history
    c1, c2 = st.columns(2)
    with c1:
        words = lesson.labels(PAGE, title="heat_title", x="common.step_axis", y="layer_axis")
        lesson.chart(fig.grad_heatmap(h["step"], h["grad_norm"], {**words, "colorbar": "log₁₀ ‖∂L/∂W‖"}),
                     key="heat", caption=t("vanishing.cap_heat"))
    with c2:
        losses = {names[k]: (tr.history["step"], tr.history["train_loss"]) for k, tr in group.items()}
        words = lesson.labels(PAGE, title="loss_title", x="common.step_axis", y="common.loss_axis")
        lesson.chart(fig.run_curves(losses, words), key="loss", caption=t("vanishing.cap_loss"))
    c3, c4 = st.columns(2)
    with c3:
        norms = {names[k]: (tr.history["step"], fig.global_norm(tr.history["grad_norm"])) for k, tr in group.items()}
        words = lesson.labels(PAGE, title="norm_title", x="common.step_axis", y="grad_axis")
        words["threshold"] = t("vanishing.threshold_line", c=f"{threshold:g}")
        lesson.chart(fig.run_curves(norms, words, threshold=threshold if clip == "norm" else None),
                     key="gnorm", caption=t(f"vanishing.cap_norm_{clip}"))
    with c4:
        moved = lab.weights_moved(group, initial_weights(dataset, **net))
        words = {"title": t("vanishing.moved_title", step=group.step), "x": t("vanishing.layer_axis"),
                 "y": t("vanishing.moved_axis")}
        lesson.chart(fig.weight_change({names[k]: v for k, v in moved.items()}, words),
                     key="moved", caption=t("vanishing.cap_moved"))


live.panel(PAGE, lambda: lab.training_group(get_data(dataset, seed), lr, clip, threshold, **net),
           signature=(dataset, *net.values(), lr, clip, threshold), total_steps=lab.TOTAL_STEPS, view=view)

lesson.try_this(PAGE)
lesson.explanation(PAGE)
