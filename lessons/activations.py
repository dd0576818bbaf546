"""Activation functions: each one beside its slope, the sigmoid's three problems, dying ReLUs, and a side-by-side race.

Controls sit next to the section they drive (the page has five experiments; one long sidebar would hide which
slider moves which chart). The seed, shared by all of them, is in the sidebar.
"""
import streamlit as st

from figures import activations as fig
from lab import activations as lab
from ui import controls, lesson, live, sections
from ui.i18n import has, t

PAGE = "activations"
S = lab.SETTINGS


def label(name):
    """An activation's short name (common.opt_<name>, else the name itself)."""
    return t(f"common.opt_{name}") if has(f"common.opt_{name}") else str(name)



lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)
seed = controls.draw(S["seed"], where=side)

# ---- 1. each function and its derivative -------------------------------------------------------
lesson.section(t("activations.h_functions"), anchor="functions")
c_fn, c_p1, c_p2 = st.columns([2, 1, 1])
fn = controls.draw(S["fn"], where=c_fn)
hp = {name: controls.draw(S[key], where=place)
      for (name, key), place in zip(lab.HYPERPARAMETERS.get(fn, {}).items(), (c_p1, c_p2))}
if fn == "rrelu":  # a reversed pair still means the band between them
    hp = dict(lower=min(hp.values()), upper=max(hp.values()))
curve = lab.function_curve(fn, **hp)
c_chart, c_formula = st.columns([3, 2])
with c_chart:
    words = lesson.labels(PAGE, f="f_label", d="d_label", flat="flat_label", dead="dead_label", band="band_label")
    lesson.chart(lambda: fig.function_chart(curve, {**words, "x": "z"}), numbers=True, key="chart_fn",
                 caption=t("activations.cap_fn", slope=lab.FLAT_SLOPE), cache=(PAGE, fn, *sorted(hp.items())))
with c_formula:
    definition, derivative = fig.latex(fn, curve.hp)
    lesson.formula(definition)
    lesson.formula(derivative)
    st.markdown(t(f"activations.note_{fn}"))

N_DYING_LAYERS = len(lab.DYING["hidden"])


# ---- 2 to 5, one tab each: the race, the sigmoid's problems, dying ReLU, the guidance (?section=dying opens one)
def sigmoid_section():
    lesson.section(t("activations.h_sigmoid"), anchor="sigmoid")
    st.markdown(t("activations.p1"))
    lesson.formula(r"\sigma'(z) \le 0.25 \;\Rightarrow\; \prod_{{l=1}}^{{10}} \sigma'(z_l) \le 0.25^{{10}} \approx {b}",
                   b=0.25 ** 10)
    st.markdown(t("activations.p2"))
    c_lr, c_spread = st.columns(2)
    zz_lr, zz_spread = controls.draw(S["zz_lr"], where=c_lr), controls.draw(S["zz_spread"], where=c_spread)
    runs = lab.zigzag_pair(zz_lr, zz_spread, seed)
    never = t("activations.never")
    steps = [t("activations.n_steps", n=r.steps_to_target) if r.steps_to_target is not None else never for r in runs]
    words = lesson.labels(PAGE, positive="zz_pos", centered="zz_cen", path="zz_path", start="zz_start",
                          target="zz_target", allowed="zz_allowed")
    lesson.chart(lambda: fig.zigzag_chart(runs, words), cache=(PAGE, "zigzag", zz_lr, zz_spread, seed),
                 key="chart_zigzag", caption=t("activations.cap_zz", pos=steps[0], cen=steps[1]))
    lesson.formula(r"\frac{{\partial L}}{{\partial w_i}} = \frac{{\partial L}}{{\partial s}}\,x_i,\qquad "
                   r"w \leftarrow w - {lr}\,\frac{{e\,x}}{{\lVert x\rVert^2}},\quad e = (w - w^*)\cdot x", lr=zz_lr)
    st.markdown(t("activations.p3"))

    ms = lab.time_per_million(("sigmoid", "relu"), repeats=3)
    c_m1, c_m2, c_m3 = st.columns(3)
    c_m1.metric(t("activations.ms_sigmoid"), f"{ms['sigmoid']:.1f} ms")
    c_m2.metric(t("activations.ms_relu"), f"{ms['relu']:.1f} ms")
    c_m3.metric(t("activations.ms_ratio"), f"×{ms['sigmoid'] / max(ms['relu'], 1e-9):.0f}")
    st.caption(t("activations.cap_ms"))


def dying_view(frame):
    v = frame.data
    for name, step in v.diverged.items():
        lesson.diverged(step, f" ({label(name)})")
    # the builders look their words up themselves: a chart already in the shared store costs no lookup
    lesson.chart(lambda f: fig.dead_chart({label(name): s for name, s in f.data.dead.items()}, N_DYING_LAYERS,
                                          lab.DYING_STEPS, lesson.labels(PAGE, x="common.step_axis", y="dead_axis",
                                                                         layer="common.layer")),
                 key="chart_dead", caption=t("activations.cap_dead"), frame=frame)
    unit = v.unit
    if "relu" in v.diverged:
        return
    if unit is None:
        st.info(t("activations.no_dead"))
        return
    lesson.chart(lambda: fig.preactivation_hist(unit.z_dead, unit.z_alive, lesson.labels(
                     PAGE, dead="dead_unit", alive="alive_unit", x="z_axis", y="count")), key="chart_strip", frame=frame,
                 caption=t("activations.cap_strip", layer=unit.layer + 1, unit=unit.unit + 1, n=len(unit.z_dead),
                           zmax=f"{unit.z_dead.max():.3f}"))


def dying_section():
    lesson.section(t("activations.h_dying"), anchor="dying-relu")
    st.markdown(t("activations.dying_intro"))
    c_controls, c_predict = st.columns([1, 1])
    with c_controls:
        dy_lr, dy_bias = controls.draw(S["dy_lr"]), controls.draw(S["dy_bias"])
        st.caption(t("activations.no_divergence"))
    with c_predict:
        lesson.predict(PAGE, "q1", 4, demo="dying")
    live.panel("dying", lab.dying_run(dy_lr, dy_bias, seed), dying_view, total_steps=lab.DYING_STEPS, start="last")


def race_view(frame, ds_name):
    v = frame.data
    for name, step in v.diverged.items():
        lesson.diverged(step, f" ({label(name)})")
    rows = lab.guide_order(list(v.losses))
    table = {t("activations.col_act"): [label(n) for n in rows],
             t("activations.col_rank"): [str(lab.GUIDE_ORDER.index(n) + 1) if n in lab.GUIDE_ORDER else "–"
                                         for n in rows],
             t("activations.col_test"): [_text(v.test_acc[n], "{:.1%}") for n in rows],
             t("activations.col_loss"): [_text(v.train_loss[n], "{:.3g}") for n in rows]}
    c_loss, c_table = st.columns([1, 1])
    with c_loss:
        lesson.chart(lambda f: fig.loss_race({label(n): s for n, s in f.data.losses.items()}, lab.COMPARE_STEPS,
                                             lesson.labels(PAGE, x="common.step_axis", y="common.loss_axis"),
                                             markers=f.data.step == 0),
                     key="chart_loss", caption=t("activations.cap_loss"), frame=frame)
    with c_table:
        lesson.table(table)
        st.caption(t("activations.cap_table"))
    if v.grids:
        ds = lab.shared_data(ds_name, seed)
        lesson.chart(lambda f: fig.boundaries({label(n): g for n, g in f.data.grids.items()}, ds.x_train,
                                              ds.y_train, {"colorbar": t("activations.p_class1")}),
                     key="chart_bounds", caption=t("activations.cap_bounds"), frame=frame)


def _text(value, fmt):
    """A recorded number as text ("–" before the first record)."""
    return "–" if value is None else fmt.format(value)


def race_section():
    lesson.section(t("activations.h_compare"), anchor="race")
    st.markdown(t("activations.compare_intro"))
    c_acts, c_ds, c_clr = st.columns([3, 1, 1])
    chosen = controls.draw(S["acts"], where=c_acts)
    ds_name = controls.draw(S["ds"], where=c_ds)
    cmp_lr = controls.draw(S["cmp_lr"], where=c_clr)
    st.caption(t("activations.no_divergence"))
    if not chosen:
        st.info(t("activations.pick_one"))
    else:
        live.panel("compare", lab.race_run(tuple(chosen), ds_name, cmp_lr, seed),
                   lambda frame: race_view(frame, ds_name),
                   total_steps=lab.COMPARE_STEPS, start="last")


def guide_section():
    lesson.section(t("activations.h_guide"), anchor="guide")
    c_guide, c_probe = st.columns([1, 1])
    c_guide.markdown(t("activations.guide"))
    with c_probe:
        stds = lab.selu_stds()
        words = lesson.labels(PAGE, x="layer_axis", y="std_axis")
        lesson.chart(lambda: fig.std_per_layer({label(k): v for k, v in stds.items()}, words), cache=(PAGE, "selu"),
                     key="chart_selu", caption=t("activations.cap_selu", lecun=f"{stds['lecun_normal'][-1]:.2f}",
                                                 he=f"{stds['he_normal'][-1]:.1f}"))


sections.tabs(PAGE, {"race": race_section, "sigmoid": sigmoid_section, "dying": dying_section,
                     "guide": guide_section},  # the race first: what the page's notebook computes
              keys={"sigmoid": ("zz_lr", "zz_spread"), "dying": ("dy_lr", "dy_bias"),
                    "race": ("acts", "ds", "cmp_lr")})

def shown(key: str):
    """A control's value for the quick checks when its tab is closed: the session's, else the link's, else the
    default (the same value the tab would draw)."""
    if key in st.session_state:
        return st.session_state[key]
    raw = st.query_params.get(key)
    try:
        return S[key].snap(S[key].read(raw)) if raw is not None else S[key].default
    except ValueError:  # a refused link value: the tab shows the default too
        return S[key].default


zigzags = lab.zigzag_pair(shown("zz_lr"), shown("zz_spread"), seed)
lesson.quick_checks(PAGE, lab.quick_checks(curve, zigzags, lab.selu_stds()))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
