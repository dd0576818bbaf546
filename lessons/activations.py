"""Activation functions: each one beside its slope, the sigmoid's three problems, dying ReLUs, and a side-by-side race.

Controls sit next to the section they drive (the page has five experiments; one long sidebar would hide which
slider moves which chart). The seed, shared by all of them, is in the sidebar.
"""
import streamlit as st

from figures import activations as fig
from lab import activations as lab
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "activations"


zigzags = st.cache_data(max_entries=32, show_spinner=False)(lab.zigzag_pair)
timings = st.cache_data(ttl=600, max_entries=1, show_spinner=False)(lab.time_per_million)
selu_stds = st.cache_data(max_entries=8, show_spinner=False)(lab.selu_stds)


def label(name):
    return t(f"common.opt_{name}")


lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)

# ---- 1. each function and its derivative -------------------------------------------------------
st.subheader(t("activations.h_functions"))
c_fn, c_p1, c_p2 = st.columns([2, 1, 1])
fn = controls.select("fn", t("activations.function"), lab.FUNCTIONS, "relu", where=c_fn)
hp = {}
if fn == "leaky_relu":
    hp["alpha"] = controls.slider("leaky_alpha", t("activations.alpha_leak"), 0.0, 0.5, 0.1, 0.01, where=c_p1)
elif fn == "prelu":
    hp["alpha"] = controls.slider("prelu_alpha", t("activations.alpha_prelu"), 0.0, 1.0, 0.25, 0.01, where=c_p1)
elif fn == "elu":
    hp["alpha"] = controls.slider("elu_alpha", t("activations.alpha_elu"), 0.1, 3.0, 1.0, 0.1, where=c_p1)
elif fn == "rrelu":
    lo = controls.slider("rrelu_lower", t("activations.lower"), 0.0, 1.0, 0.125, 0.005, where=c_p1,
                         format="%.3f")
    hi = controls.slider("rrelu_upper", t("activations.upper"), 0.0, 1.0, 0.335, 0.005, where=c_p2,
                         format="%.3f")
    hp = dict(lower=min(lo, hi), upper=max(lo, hi))  # a reversed pair still means the band between them
elif fn == "swish":
    hp["beta"] = controls.slider("beta", t("activations.beta"), 0.1, 5.0, 1.0, 0.1, where=c_p1)
curve = lab.function_curve(fn, **hp)
c_chart, c_formula = st.columns([3, 2])
with c_chart:
    words = lesson.labels(PAGE, f="f_label", d="d_label", flat="flat_label", dead="dead_label", band="band_label")
    lesson.chart(fig.function_chart(curve, {**words, "x": "z"}),
                 key="chart_fn", caption=t("activations.cap_fn", slope=lab.FLAT_SLOPE))
with c_formula:
    definition, derivative = fig.latex(fn, curve.hp)
    lesson.formula(definition)
    lesson.formula(derivative)
    st.markdown(t(f"activations.note_{fn}"))

# ---- 2. the sigmoid's three problems -------------------------------------------------------------
st.subheader(t("activations.h_sigmoid"))
st.markdown(t("activations.p1"))
lesson.formula(r"\sigma'(z) \le 0.25 \;\Rightarrow\; \prod_{{l=1}}^{{10}} \sigma'(z_l) \le 0.25^{{10}} \approx {b}",
               b=0.25 ** 10)
st.markdown(t("activations.p2"))
c_lr, c_spread = st.columns(2)
zz_lr = controls.slider("zz_lr", t("activations.zz_lr"), 0.05, 1.0, 0.5, 0.05, where=c_lr)
zz_spread = controls.slider("zz_spread", t("activations.zz_spread"), 0.25, 3.0, 1.0, 0.25, where=c_spread)
runs = zigzags(zz_lr, zz_spread, seed)
never = t("activations.never")
steps = [t("activations.n_steps", n=r.steps_to_target) if r.steps_to_target is not None else never for r in runs]
lesson.chart(fig.zigzag_chart(runs, lesson.labels(PAGE, positive="zz_pos", centered="zz_cen", path="zz_path",
                                                  start="zz_start", target="zz_target", allowed="zz_allowed")),
             key="chart_zigzag", caption=t("activations.cap_zz", pos=steps[0], cen=steps[1]))
lesson.formula(r"\frac{{\partial L}}{{\partial w_i}} = \frac{{\partial L}}{{\partial s}}\,x_i,\qquad "
               r"w \leftarrow w - {lr}\,\frac{{e\,x}}{{\lVert x\rVert^2}},\quad e = (w - w^*)\cdot x", lr=zz_lr)
st.markdown(t("activations.p3"))

ms = timings(("sigmoid", "relu"), repeats=3)
c_m1, c_m2, c_m3 = st.columns(3)
c_m1.metric(t("activations.ms_sigmoid"), f"{ms['sigmoid']:.1f} ms")
c_m2.metric(t("activations.ms_relu"), f"{ms['relu']:.1f} ms")
c_m3.metric(t("activations.ms_ratio"), f"×{ms['sigmoid'] / max(ms['relu'], 1e-9):.0f}")
st.caption(t("activations.cap_ms"))

# ---- 3. dying ReLU, live -----------------------------------------------------------------------
st.subheader(t("activations.h_dying"))
st.markdown(t("activations.dying_intro"))
D = lab.DYING
c_dlr, c_bias = st.columns(2)
dy_lr = controls.log_slider("dy_lr", t("activations.lr"), [1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3], D["lr"], where=c_dlr)
dy_bias = controls.slider("dy_bias", t("activations.bias"), -1.0, 0.5, D["bias_init"], 0.05, where=c_bias)
lesson.predict(PAGE, "q1", 4)


def dying_view(group):
    lesson.diverged_members(group, label)
    series = {label(name): s for name, s in lab.dead_series(group).items()}
    lesson.chart(fig.dead_chart(series, len(D["hidden"]), lab.DYING_STEPS,
                                lesson.labels(PAGE, x="common.step_axis", y="dead_axis", layer="common.layer")),
                 key="chart_dead", caption=t("activations.cap_dead"))
    relu = group["relu"]
    if relu.diverged:
        return
    unit = lab.dead_unit(relu)
    if unit is None:
        st.info(t("activations.no_dead"))
        return
    words = lesson.labels(PAGE, dead="dead_unit", alive="alive_unit", x="z_axis", y="count")
    lesson.chart(fig.preactivation_hist(unit.z_dead, unit.z_alive, words), key="chart_strip",
                 caption=t("activations.cap_strip", layer=unit.layer + 1, unit=unit.unit + 1, n=len(unit.z_dead),
                           zmax=f"{unit.z_dead.max():.3f}"))


live.panel("dying", lambda: lab.dying_group(D["dataset"], D["hidden"], dy_lr, dy_bias, seed),
           signature=(dy_lr, dy_bias, seed), total_steps=lab.DYING_STEPS, view=dying_view)

# ---- 4. the same network with each activation ------------------------------------------------
st.subheader(t("activations.h_compare"))
st.markdown(t("activations.compare_intro"))
C = lab.COMPARE
c_acts, c_ds, c_clr = st.columns([3, 1, 1])
chosen = controls.multiselect("acts", t("activations.acts"), lab.FUNCTIONS,
                              ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu"], where=c_acts)
ds_name = controls.select("ds", t("activations.dataset"), lab.COMPARE_DATASETS, C["dataset"], where=c_ds)
cmp_lr = controls.log_slider("cmp_lr", t("activations.lr"), [1e-3, 3e-3, 0.01, 0.03, 0.1], C["lr"], where=c_clr)


def compare_view(group):
    lesson.diverged_members(group, label)
    loss = {label(n): s for n, s in lab.compare_losses(group).items()}
    first = next(iter(group.members.values()))
    rows = lab.guide_order(list(group.members))
    table = {t("activations.col_act"): [label(n) for n in rows],
             t("activations.col_rank"): [str(lab.GUIDE_ORDER.index(n) + 1) if n in lab.GUIDE_ORDER else "–"
                                         for n in rows],
             t("activations.col_test"): [_last(group[n].history.get("test_acc"), "{:.1%}") for n in rows],
             t("activations.col_loss"): [_last(group[n].history["train_loss"], "{:.3g}") for n in rows]}
    c_loss, c_table = st.columns([1, 1])
    with c_loss:
        lesson.chart(fig.loss_race(loss, lab.COMPARE_STEPS, lesson.labels(PAGE, x="common.step_axis",
                                                                          y="common.loss_axis"),
                                   markers=group.step == 0),
                     key="chart_loss", caption=t("activations.cap_loss"))
    with c_table:
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(t("activations.cap_table"))
    grids = {label(n): lab.probability_grid(tr, n=40) for n, tr in group.items() if not tr.diverged}
    if grids:
        lesson.chart(fig.boundaries(grids, first.x_train, first.labels_train, {"colorbar": t("activations.p_class1")}),
                     key="chart_bounds", caption=t("activations.cap_bounds"))


def _last(values, fmt):
    """The last recorded value as text ("–" before the first record)."""
    return "–" if values is None or not len(values) else fmt.format(float(values[-1]))


if not chosen:
    st.info(t("activations.pick_one"))
else:
    live.panel("compare", lambda: lab.compare_group(chosen, ds_name, C["hidden"], cmp_lr, C["batch_size"], seed),
               signature=(tuple(chosen), ds_name, cmp_lr, seed), total_steps=lab.COMPARE_STEPS, view=compare_view)

# ---- 5. the guidance, next to the evidence -------------------------------------------------
st.subheader(t("activations.h_guide"))
c_guide, c_probe = st.columns([1, 1])
c_guide.markdown(t("activations.guide"))
with c_probe:
    stds = selu_stds(seed)
    lesson.chart(fig.std_per_layer({label(k): v for k, v in stds.items()},
                                   lesson.labels(PAGE, x="layer_axis", y="std_axis")),
                 key="chart_selu", caption=t("activations.cap_selu", lecun=f"{stds['lecun_normal'][-1]:.2f}",
                                             he=f"{stds['he_normal'][-1]:.1f}"))

lesson.try_this(PAGE)
lesson.explanation(PAGE)
