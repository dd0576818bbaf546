"""Dropout: overfitting made visible, the masks, sub-networks as an ensemble, inverted vs classic, and batch norm."""
import streamlit as st

from lab import dropout as lab
from figures import dropout as fig
from ui import controls, lesson, live, teacher
from ui.i18n import t

PAGE = "dropout"
O, E = lab.OVERFIT, lab.ENSEMBLE
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
S = lab.SETTINGS
rate, lam, seed = (controls.draw(S[k], where=side) for k in ("rate", "l2", "seed"))
side.caption(t("dropout.convention"))


def pct(v):
    return f"{100 * v:.1f}"


# ---- 1. overfitting -------------------------------------------------------------------------------
lesson.section(t("dropout.h_overfit"), anchor="overfitting")
NAMES = {"none": t("dropout.m_none"), "dropout": t("dropout.m_dropout", rate=rate), "l2": t("dropout.m_l2", lam=lam)}
CURVE_LABELS = {**NAMES, **lesson.labels(PAGE, x="common.step_axis", y="acc", gap="gap", acc_title="title_acc",
                                         gap_title="title_gap", train="common.train_set", test="common.test_set")}
points = lab.shared_overfit_data(seed)


def overfit_view(frame):
    v = frame.data
    for key, step in v.diverged_at.items():
        lesson.diverged(step, f" ({NAMES[key]})")
    chart_col, ask_col = st.columns([5, 2])
    with chart_col:
        lesson.chart(lambda f: fig.overfit_curves(f.data.histories, CURVE_LABELS, O["steps"]), numbers=True,
                     key="overfit", frame=frame,
                     caption=t("dropout.cap_overfit"))
    with ask_col:
        lesson.predict(PAGE, "q1", 3, demo="overfit")
    h = v.histories
    gaps = {k: float(h[k]["train_acc"][-1] - h[k]["test_acc"][-1]) for k in h if len(h[k]["step"])}
    line = st.container()  # a slot that is there before the first evaluation too: the map below never moves
    if len(gaps) == len(h):
        line.markdown(t("dropout.gaps", step=frame.step, g_none=pct(gaps["none"]), g_drop=pct(gaps["dropout"]),
                      g_l2=pct(gaps["l2"]), t_none=pct(h["none"]["test_acc"][-1]),
                      t_drop=pct(h["dropout"]["test_acc"][-1]), t_l2=pct(h["l2"]["test_acc"][-1])))
    lesson.chart(lambda f: fig.overfit_maps(f.data.xs, f.data.ys,
                                            {k: lab.map_probabilities(m) for k, m in f.data.maps.items()},
                                            points.x_train, points.y_train, {**NAMES, **lesson.labels(PAGE, prob="prob")}),
                 key="overfit_maps", frame=frame, caption=t("dropout.cap_maps"))


live.panel("overfit", lab.overfit_run(rate, lam, seed), overfit_view, total_steps=O["steps"], start="last")
st.markdown(t("dropout.overfit_setup", n=points.x_train.shape[0], n_test=points.x_test.shape[0],
              depth=len(O["hidden"]), width=O["hidden"][0], lr=O["lr"], batch=O["batch_size"], noise=O["noise"],
              steps=O["steps"]))
lesson.formula(r"L = L_{{\text{{data}}}} + \tfrac12\,\lambda \sum W^2,\quad \lambda = {lam}"
               r"\qquad\quad \tilde h = h \odot m / (1 - r),\ m_i \sim \text{{Bernoulli}}(1 - r),\ r = {rate}",
               lam=lam, rate=rate)

# ---- 2. the masks --------------------------------------------------------------------------------
lesson.section(t("dropout.h_masks"), anchor="masks")
left, right = st.columns([4, 1])
if teacher.inputs_mode(("draw",)) != "hidden":  # the button moves the draw slider: locked or hidden with it
    right.button(t("dropout.resample"), icon=":material/casino:", width="stretch", key="_resample",
                 disabled=teacher.inputs_mode(("draw",)) == "locked",
                 on_click=lambda: st.session_state.__setitem__("draw", (st.session_state.get("draw", 0) + 1) % 100))
draw = controls.draw(S["draw"], where=left)
sizes = [2, *E["hidden"], 2]
masks = lab.sample_masks(E["hidden"], rate, seed, draw)
kept = [int(m.sum()) for m in masks]
columns = [t("dropout.col_input")] + [t("dropout.col_hidden", i=i + 1) for i in range(len(masks))] + [t("dropout.col_output")]
lesson.chart(fig.network_diagram(sizes, masks, {**lesson.labels(PAGE, kept="kept", dropped="dropped"),
                                                 "title": t("dropout.net_title", draw=draw, seed=seed),
                                                 "columns": columns}),
             key="net", caption=t("dropout.cap_net", kept=" + ".join(map(str, kept)), total=sum(E["hidden"]),
                                  expected=f"{(1 - rate) * sum(E['hidden']):.1f}", n_nets=f"{2 ** sum(E['hidden']):,}"))

# ---- 3. the ensemble view -----------------------------------------------------------------------
lesson.section(t("dropout.h_ensemble"), anchor="ensemble")
passes = controls.draw(S["passes"])
maps = lab.combine_maps(lab.page_sub_maps(rate, seed, draw), lab.page_mc_maps(rate)[passes])
_, ds = lab.ensemble_weights(rate)
ensemble_labels = {**lesson.labels(PAGE, std_title="std_title", prob="prob", std="std"),
                   "sub_titles": [t("dropout.sub_title", draw=draw + k, acc=pct(maps.sub_acc[k])) for k in range(3)],
                   "full_title": t("dropout.full_title", acc=pct(maps.full_acc)),
                   "mc_title": t("dropout.mc_title", T=passes, acc=pct(maps.mc_acc))}
lesson.chart(fig.ensemble_grid(maps, ds.x_train, ds.y_train, ensemble_labels),
             key="ensemble", caption=t("dropout.cap_ensemble"))
lesson.formula(r"\hat p(x) = \frac{{1}}{{T}}\sum_{{t=1}}^{{T}} \mathrm{{softmax}}\big(f(x;\,m_t)\big),\quad T = {T}"
               r"\qquad f_{{\text{{test}}}}(x) = f\big(x;\ \mathbb{{E}}[m]\big)", T=passes)

# ---- 4. inverted vs classic ---------------------------------------------------------------------
lesson.section(t("dropout.h_two"), anchor="scaling")
st.markdown(t("dropout.two_intro"))
cols = st.columns(5)
w1, w2, x, y, keep = (controls.draw(S[k], where=col) for k, col in zip(("w1", "w2", "x", "y", "keep"), cols))
ex = lab.two_input(w1, w2, x, y, keep)
table, bars = st.columns([2, 3])
lesson.table({t("dropout.t_mask"): [f"({a}, {b})" for a, b in ex.masks], t("dropout.t_prob"): [f"{p:.4g}" for p in ex.prob],
              t("dropout.t_raw"): [f"{v:.4g}" for v in ex.raw], t("dropout.t_inv"): [f"{v:.4g}" for v in ex.inverted]},
             where=table)
with bars:
    lesson.chart(fig.two_input_bars(ex, lesson.labels(PAGE, title="b_title", x="b_mask", y="b_output", raw="b_raw",
                                                      inverted="b_inverted", e_raw="b_e_raw", e_inv="b_e_inv")),
                 key="two", caption=t("dropout.cap_two"))
lesson.formula(r"\mathbb{{E}}[a_{{\text{{train}}}}] = \sum_m P(m)\,a(m) = {e_raw} = p\,(w_1x + w_2y) = {p}\times{full}",
               e_raw=ex.expected_raw, p=keep, full=ex.full)
lesson.formula(r"\Rightarrow\ \text{{{classic_word} }} a = p\,(w_1x+w_2y) = {classic}", classic=ex.classic_test,
               classic_word=t("dropout.f_classic"))  # its own line: with the words of either language it fits
lesson.formula(r"\text{{{inverted_word} }}\mathbb{{E}}[a/p] = {e_inv} = w_1x + w_2y = {full}"
               r"\ \Rightarrow\ \text{{{test_word} }} a = w_1x + w_2y = {full}",
               e_inv=ex.expected_inverted, full=ex.full, inverted_word=t("dropout.f_inverted"),
               test_word=t("dropout.f_test"))

# ---- 5. dropout and batch norm ------------------------------------------------------------------
lesson.section(t("dropout.h_bn"), anchor="batch-norm")
st.markdown(t("dropout.bn_intro"))
now = lab.shift_at(rate)
lesson.chart(fig.variance_shift(now, lab.SHIFT_RATES, lab.shift_curve(), rate,
                                lesson.labels(PAGE, x="v_running", y="v_inference", rate="v_rate", ratio="v_ratio",
                                              units_title="v_title_units", rates_title="v_title_rates",
                                              equal="v_equal", units="v_units", now="v_now")),
             key="shift", caption=t("dropout.cap_shift", ratio=f"{now.ratio:.2f}", rate=rate))
lesson.formula(r"\mathrm{{Var}}_{{\text{{train}}}}[\tilde h] = \frac{{\mathbb{{E}}[h^2]}}{{1-r}} - \mathbb{{E}}[h]^2"
               r"\ >\ \mathrm{{Var}}_{{\text{{test}}}}[h] = \mathbb{{E}}[h^2] - \mathbb{{E}}[h]^2,\quad r = {rate},"
               r"\ \ \overline{{\mathrm{{Var}}_{{\text{{test}}}} / \text{{running\_var}}}} = {ratio}",
               rate=rate, ratio=now.ratio)

lesson.quick_checks(PAGE, lab.quick_checks(ex, keep, rate))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
