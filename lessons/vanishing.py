"""Vanishing and exploding gradients: per-layer gradient norms from a real backward pass, live training,
the chain-rule bound 0.25^L of the sigmoid, and gradient clipping side by side."""
import numpy as np
import streamlit as st

from core import activations, compare, data, nn, probe, train
from figures import vanishing as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "vanishing"
TOTAL_STEPS, EVAL_EVERY, BATCH = 300, 2, 64
DATASETS = {"digits": {"n": 600}, "spirals": {}}  # 600 of the 1,797 digits keep a training step light
ACTS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu"]
INITS = ["xavier_normal", "he_normal", "lecun_normal", "normal"]

lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)
dataset = controls.select("data", t("vanishing.dataset"), list(DATASETS), "digits", where=side)
depth = controls.slider("depth", t("vanishing.depth"), 2, 50, 12, where=side)
width = controls.slider("width", t("vanishing.width"), 8, 64, 32, step=8, where=side)
act = controls.select("act", t("vanishing.activation"), ACTS, "sigmoid", where=side)
init = controls.select("init", t("vanishing.init"), INITS, "xavier_normal", where=side)
std = 1.0
if init == "normal":
    std = controls.log_slider("std", t("vanishing.std"), [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0], 1.0, where=side)
bn = controls.toggle("bn", t("vanishing.bn"), False, where=side)
lr = controls.log_slider("lr", t("vanishing.lr"), [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0], 0.1,
                         where=side)
CLIPS = ["none", "norm", "value"]
clip = controls.select("clip", t("vanishing.clip"), CLIPS, "none", where=side,
                       format_func=lambda c: t(f"vanishing.clip_{c}") if c in CLIPS else str(c), horizontal=True)
threshold = 1.0
if clip != "none":
    threshold = controls.log_slider("thr", t("vanishing.threshold"), [0.01, 0.1, 0.3, 1.0, 3.0, 10.0], 1.0,
                                    where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
arch = (dataset, depth, width, act, init, std, bn, seed)


@st.cache_data(max_entries=8, show_spinner=False)
def get_data(name, seed):
    return data.get(name, seed=seed, **DATASETS[name])


def make_net(dataset, depth, width, act, init, std, bn, seed):
    ds = get_data(dataset, seed)
    return nn.MLP([ds.n_features] + [width] * depth + [ds.n_outputs], activation=act,
                  init=std if init == "normal" else init, batchnorm=bn, seed=seed)


@st.cache_data(max_entries=32, show_spinner=False)
def profile(*arch):
    """The gradient of every layer at initialization, on the whole training set (one real backward pass)."""
    ds = get_data(arch[0], arch[-1])
    return probe.gradient_profile(make_net(*arch), ds.x_train, ds.y_train)


@st.cache_data(max_entries=8, show_spinner=False)
def initial_weights(*arch):
    return [W.copy() for W in make_net(*arch).weights]


@st.cache_data(max_entries=16, show_spinner=False)
def slope_data(act):
    f, z = activations.get(act), np.linspace(-6, 6, 241)
    return z, f.forward(z), f.derivative(z)


# ---- predict, then look ------------------------------------------------------------------------
lesson.predict(PAGE, "q1", 4)

# ---- at initialization ---------------------------------------------------------------------------
st.subheader(t("vanishing.init_title"))
prof = profile(*arch)
left, right = st.columns([3, 2])
with left:
    lesson.chart(fig.layer_profile(prof.weight_grad_norm, prof.max_slope, t("vanishing.measured"),
                                   t("vanishing.bound_line", slope=f"{prof.max_slope:g}"),
                                   t("vanishing.profile_title"), t("vanishing.layer_axis"), t("vanishing.grad_axis")),
                 key="profile", caption=t("vanishing.cap_profile"))
with right:
    z, a, da = slope_data(act)
    lesson.chart(fig.slope_curve(z, a, da, "f(z)", "f′(z)", t("vanishing.peak", slope=f"{float(np.max(da)):.3g}"),
                                 t("vanishing.slope_title", act=t(f"common.opt_{act}"))),
                 key="slope", caption=t("vanishing.cap_slope"))

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


def build():
    ds = get_data(dataset, seed)

    def trainer(**clipping):
        return train.Trainer(make_net(*arch), ds, optimizer="sgd", opt_kwargs={"lr": lr}, batch_size=BATCH,
                             seed=seed, eval_every=EVAL_EVERY, **clipping)

    members = {"yours": trainer(**({f"clip_{clip}": threshold} if clip != "none" else {}))}
    if clip != "none":
        members["plain"] = trainer()
    return compare.Group(members)


def view(group):
    multi = len(group.members) > 1
    names = {"yours": t("vanishing.run_clipped" if multi else "vanishing.run_yours"), "plain": t("vanishing.run_plain")}
    for label, tr in group.items():
        lesson.diverged(tr.diverged_at, what=f" ({names[label]})" if multi else "")
    h = group["yours"].history
    if group.step == 0 or len(h["step"]) == 0:  # nothing recorded yet (or the run diverged at its first step)
        st.info(t("vanishing.press_train"))
        return
    c1, c2 = st.columns(2)
    with c1:
        lesson.chart(fig.grad_heatmap(h["step"], h["grad_norm"], t("vanishing.heat_title"), t("common.step_axis"),
                                      t("vanishing.layer_axis"), "log₁₀ ‖∂L/∂W‖"),
                     key="heat", caption=t("vanishing.cap_heat"))
    with c2:
        losses = {names[k]: (tr.history["step"], tr.history["train_loss"]) for k, tr in group.items()}
        lesson.chart(fig.run_curves(losses, t("vanishing.loss_title"), t("common.step_axis"), t("common.loss_axis")),
                     key="loss", caption=t("vanishing.cap_loss"))
    c3, c4 = st.columns(2)
    with c3:
        norms = {names[k]: (tr.history["step"], fig.global_norm(tr.history["grad_norm"])) for k, tr in group.items()}
        line = threshold if clip == "norm" else None
        lesson.chart(fig.run_curves(norms, t("vanishing.norm_title"), t("common.step_axis"), t("vanishing.grad_axis"),
                                    threshold=line, threshold_name=t("vanishing.threshold_line", c=f"{threshold:g}")),
                     key="gnorm", caption=t(f"vanishing.cap_norm_{clip}"))
    with c4:
        w0 = initial_weights(*arch)
        moved = {names[k]: probe.relative_change(tr.net.weights, w0) for k, tr in group.items() if not tr.diverged}
        lesson.chart(fig.weight_change(moved, t("vanishing.moved_title", step=group.step), t("vanishing.layer_axis"),
                                       t("vanishing.moved_axis")),
                     key="moved", caption=t("vanishing.cap_moved"))


live.panel(PAGE, build, signature=(*arch, lr, clip, threshold), total_steps=TOTAL_STEPS, view=view)

lesson.try_this(PAGE)
lesson.explanation(PAGE)
