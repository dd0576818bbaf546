"""Vanishing and exploding gradients: the gradient reaching every layer from a real backward pass beside the
chain-rule bound from the measured weights, the activation's slope, and plain vs clipped SGD trained side by side."""
import numpy as np
import streamlit as st

from figures import vanishing as fig
from lab import vanishing as lab
from ui import controls, inside, lesson, live
from ui.i18n import t

PAGE = "vanishing"
S = lab.SETTINGS

lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)
dataset, depth, width, act, init = (controls.draw(S[k], where=side) for k in ("data", "depth", "width", "act", "init"))
std = controls.draw(S["std"], where=side) if init == "normal" else S["std"].default
bn, lr, clip = (controls.draw(S[k], where=side) for k in ("bn", "lr", "clip"))
threshold = controls.draw(S["thr"], where=side) if clip != "none" else S["thr"].default
seed = controls.draw(S["seed"], where=side)
net = lab.Net(dataset, depth, width, act, init, std, bn, seed)



def value(x):
    """A measured number for a formula: LaTeX, or a dash when it overflowed or underflowed."""
    return float(x) if np.isfinite(x) and x > 0 else r"\text{—}"


# ---- at initialization: the key chart, with the question it answers beside it ---------------------------------
lesson.section(t("vanishing.init_title"), anchor="at-initialization")
prof = lab.profile(net)
c_chart, c_predict = st.columns([3, 2])
with c_chart:
    words = lesson.labels(PAGE, title="profile_title", x="layer_axis", y="delta_axis", measured="measured",
                          bound="bound_line")
    lesson.chart(lambda: fig.layer_profile(prof.delta_norm, prof.bound, words), numbers=True, key="profile",
                 cache=(PAGE, net),
                 caption=t("vanishing.cap_profile") if not bn else t("vanishing.cap_profile_bn"))
with c_predict:
    lesson.predict(PAGE, "q1", 4)

c_formula, c_slope = st.columns([3, 2])
with c_formula:
    lesson.formula(r"\frac{\partial L}{\partial W_l} = h_{l-1}^{\top}\,\delta_l,\qquad "
                   r"\delta_l = \big(\delta_{l+1} W_{l+1}^{\top}\big)\odot f'(z_l)")
    if not bn:
        norms = prof.spectral_norm[1:]
        lesson.formula(r"\frac{{\|\delta_1\|}}{{\|\delta_{{\mathrm{{out}}}}\|}} \le \prod_{{l=1}}^{{{L}}} "
                       r"\max f' \cdot \|W_{{l+1}}\|_2 = {slope}^{{{L}}} \cdot {product} = {bound}",
                       L=depth, slope=prof.max_slope, product=value(np.prod(norms)), bound=value(prof.bound_ratio))
    lesson.formula(r"\text{{{label}}}\quad \frac{{\|\delta_1\|}}{{\|\delta_{{\mathrm{{out}}}}\|}} = {measured}",
                   label=t("vanishing.measured_label"), measured=value(prof.ratio))
    if bn:
        st.caption(t("vanishing.cap_formula_bn"))
    else:
        st.caption(t("vanishing.cap_formula", lo=lesson.number(float(np.min(norms)), ".2g"),
                     hi=lesson.number(float(np.max(norms)), ".2g")))
with c_slope:
    z, a, da = lab.slope(act)
    words = {"title": t("vanishing.slope_title", act=t(f"common.opt_{act}")), "f": "f(z)", "slope": "f′(z)",
             "peak": t("vanishing.peak", slope=f"{float(np.max(da)):.3g}")}
    lesson.chart(lambda: fig.slope_curve(z, a, da, words), key="slope", caption=t("vanishing.cap_slope"),
                 cache=(PAGE, act))

# ---- while training ------------------------------------------------------------------------------------------
lesson.section(t("vanishing.train_title"), anchor="while-training")
st.markdown(t("vanishing.train_intro"))


def run_names(members) -> dict:
    multi = len(members) > 1
    return {"yours": t("vanishing.run_clipped" if multi else "vanishing.run_yours"), "plain": t("vanishing.run_plain")}


# The builders look their words up themselves: a frame's chart that is already in the shared store costs no lookup.
def heat_chart(m):
    words = lesson.labels(PAGE, title="heat_title", x="common.step_axis", y="layer_axis")
    return fig.grad_heatmap(m.step, m.grad_norm, {**words, "colorbar": "log₁₀ ‖∂L/∂W‖"})


def focus(members) -> tuple:
    """The runs that set the y axis: those that did not diverge, when one beside them did (its 10⁴⁷ would flatten
    them); otherwise every run."""
    names = run_names(members)
    kept = tuple(names[k] for k, m in members.items() if m.diverged_at is None)
    return kept if 0 < len(kept) < len(members) else ()


def loss_chart(members):
    names = run_names(members)
    words = lesson.labels(PAGE, title="loss_title", x="common.step_axis", y="common.loss_axis", off_chart="off_chart")
    return fig.run_curves({names[k]: (m.step, m.train_loss) for k, m in members.items()}, words,
                          focus=focus(members))


def norm_chart(members):
    names = run_names(members)
    words = {**lesson.labels(PAGE, title="norm_title", x="common.step_axis", y="grad_axis", off_chart="off_chart"),
             "threshold": t("vanishing.threshold_line", c=f"{threshold:g}")}
    return fig.run_curves({names[k]: (m.step, fig.global_norm(m.grad_norm)) for k, m in members.items()}, words,
                          threshold=threshold if clip == "norm" else None, focus=focus(members))


def moved_chart(members, step):
    names = run_names(members)
    words = {"title": t("vanishing.moved_title", step=step), "x": t("vanishing.layer_axis"),
             "y": t("vanishing.moved_axis")}
    return fig.weight_change({names[k]: m.moved for k, m in members.items() if m.moved is not None}, words)


def view(frame):
    members = frame.data.members
    if any(m.diverged_at is not None for m in members.values()):
        multi, names = len(members) > 1, run_names(members)
        for label, m in members.items():
            lesson.diverged(m.diverged_at, what=f" ({names[label]})" if multi else "")
    c1, c2 = st.columns(2)
    with c1:
        lesson.chart(lambda f: heat_chart(f.data.members["yours"]), key="heat", caption=t("vanishing.cap_heat"),
                     frame=frame)
    with c2:
        lesson.chart(lambda f: loss_chart(f.data.members), key="loss", caption=t("vanishing.cap_loss"), frame=frame)
    c3, c4 = st.columns(2)
    with c3:
        lesson.chart(lambda f: norm_chart(f.data.members), key="gnorm", caption=t(f"vanishing.cap_norm_{clip}"), frame=frame)
    with c4:
        lesson.chart(lambda f: moved_chart(f.data.members, f.data.step), key="moved", caption=t("vanishing.cap_moved"),
                     frame=frame)


training = lab.Training(lr, clip, threshold)
frame = live.panel(PAGE, lab.training_run(net, training), view, total_steps=lab.TOTAL_STEPS, start="last")
# one update walked through: on its way back the gradient shrinks (or grows) layer by layer, as the chart above shows
at = (live.shown_frame(PAGE) or frame).step  # the frame shown now (after a scrub, too)
inside.section(PAGE, lambda: lab.inside(net, training, at), inside.network_words(depth, [act] * depth),
               cache=(PAGE, net, training), at_step=at)

lesson.quick_checks(PAGE, lab.quick_checks(prof, net))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
