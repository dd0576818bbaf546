"""Weight initialization: activation statistics layer by layer, symmetry, and inits trained side by side."""
import numpy as np
import streamlit as st

from figures import initialization as fig
from lab import initialization as lab
from ui import controls, lesson, live
from ui.i18n import has, t

PAGE = "initialization"

lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)
act = controls.select("act", t("initialization.activation"), lab.ACTIVATIONS, "tanh", where=side)
init = controls.select("init", t("initialization.init"), lab.INITS, "normal", where=side)
std = controls.log_slider("std", t("initialization.std"), [1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], 0.01,
                          where=side, help=t("initialization.std_help"))
depth = controls.slider("depth", t("initialization.depth"), 2, 20, 10, where=side)
width = controls.select("width", t("initialization.width"), [50, 100, 200, 500], 500, where=side,
                        format_func=str)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
side.divider()
sym_init = controls.select("sym", t("initialization.sym_init"), ["constant", "zeros"], "constant", where=side)
preset = controls.select("preset", t("initialization.preset"), list(lab.PRESETS), "deep_relu", where=side,
                         format_func=lambda p: t(f"initialization.preset_{p}") if has(f"initialization.preset_{p}") else p)

experiment = st.cache_data(max_entries=24, show_spinner=False)(lab.layer_statistics)
symmetry = st.cache_data(max_entries=12, show_spinner=False)(lab.symmetry)  # one run per init: the He reference stays


def init_label(name):
    return t("initialization.lbl_normal", s=f"{std:g}") if name == "normal" else t(f"common.opt_{name}")


def pct(x):
    return f"{100 * x:.0f}"


# ---- 1. the classic experiment -------------------------------------------------------------
st.subheader(t("initialization.h_stats"))
revealed = lesson.predict(PAGE, "q1", 4)
r = experiment(depth, width, act, float(std) if init == "normal" else init, seed, revealed)
titles = []
for i in r["shown"]:
    extra = (t("initialization.sat", p=pct(r["saturated"][i])) if r["saturated"][i] >= 0.01
             else t("initialization.zero", p=pct(r["zeros"][i])) if act == "relu" else "")
    titles.append(f"{t('initialization.layer_n', i=i + 1)} {extra}".rstrip())
act_hists = list(r["act_hists"])
if not revealed:  # predict, then run: the last layer stays hidden until the guess is in
    act_hists[-1] = (np.zeros_like(act_hists[-1][0]), act_hists[-1][1])
    titles[-1] = f"{t('initialization.layer_n', i=r['shown'][-1] + 1)} · ?"
lesson.chart(fig.layer_histograms(act_hists, {"panels": titles, "x": t("initialization.x_act")}, 0, r["a_range"]),
             key="act_hist", caption=t("initialization.cap_act", act=t(f"common.opt_{act}"), init=init_label(init),
                                       n=lab.N_INPUTS, depth=depth, width=width))

sigma, gain = lab.predicted_gain(act, init, std, width)
lesson.formula(r"\mathrm{{Var}}(z_l) \approx {k} n_{{in}}\,\sigma_W^2\;\mathrm{{Var}}(z_{{l-1}})"
               r"\quad\Rightarrow\quad \text{{{gain}}} \approx \sqrt{{{k}{n}}}\times{s} = {g}",
               k=r"\tfrac{1}{2}\cdot " if act == "relu" else "", n=width, s=float(sigma), g=gain,
               gain=t("initialization.gain_word"))
st.caption(t("initialization.cap_formula", measured=lesson.number(r["gain"])))

if revealed:
    lesson.chart(fig.layer_stats(np.arange(1, depth + 1), r["mean"], r["std"], r["grad_std"],
                                 lesson.labels(PAGE, mean="s_mean", std="s_std", grad_std="s_grad_std",
                                               act_title="t_act_stats", grad_title="t_grad_stats", x="common.layer")),
                 key="stats", caption=t("initialization.cap_stats"))
    grad_titles = [t("initialization.layer_n", i=i + 1) for i in r["shown"]]
    lesson.chart(fig.layer_histograms(r["grad_hists"], {"panels": grad_titles, "x": t("initialization.x_grad")}, 3,
                                      r["g_range"]),
                 key="grad_hist", caption=t("initialization.cap_grad", g=f"{r['g_range'][1]:.2g}"))
else:
    st.info(t("initialization.hidden_note"), icon=":material/visibility_off:")

# ---- 2. symmetry -----------------------------------------------------------------------------
st.subheader(t("initialization.h_sym"))
a, b = symmetry(sym_init, seed), symmetry(lab.SYMMETRY_REFERENCE, seed)
lesson.chart(fig.weight_heatmaps({init_label(sym_init): a.weights, init_label(lab.SYMMETRY_REFERENCE): b.weights},
                                 lesson.labels(PAGE, x="x_unit", y="y_input")),
             key="sym_heat", caption=t("initialization.cap_sym", init=init_label(sym_init), steps=a.steps,
                                  ws=f"{a.weight_spread.max():.2g}", os=f"{a.output_spread.max():.2g}",
                                  hws=f"{b.weight_spread.max():.2g}", hos=f"{b.output_spread.max():.2g}",
                                  acc=pct(a.train_acc), hacc=pct(b.train_acc)))

# ---- 3. side by side -------------------------------------------------------------------------
st.subheader(t("initialization.h_live"))
p = lab.PRESETS[preset]
st.markdown(t("initialization.live_intro", act=t(f"common.opt_{p['activation']}"), depth=p["depth"],
              width=p["width"], lr=p["lr"], steps=lab.STEPS))


def view(group):
    lesson.diverged_members(group, init_label)
    left, right = st.columns(2)
    with left:
        losses = {init_label(n): (tr.history["step"], tr.history["train_loss"]) for n, tr in group.items()}
        lesson.chart(fig.loss_curves(losses, lesson.labels(PAGE, title="t_loss", x="common.step_axis",
                                                           y="common.loss_axis")),
                     key="live_loss", caption=t("initialization.cap_loss"))
    with right:
        first = {init_label(n): norms for n, norms in lab.first_layer_grad_norms(group).items()}
        lesson.chart(fig.first_layer_grad(first, lesson.labels(PAGE, title="t_gnorm", x="common.step_axis",
                                                               y="y_gnorm")),
                     key="live_gnorm", caption=t("initialization.cap_gnorm"))


live.panel("init_cmp", lambda: lab.side_by_side(preset, std, seed), signature=(preset, std, seed),
           total_steps=lab.STEPS, view=view, step_size=10, first_chunk=2)

# ---- 4. which init for which activation --------------------------------------------------------
st.subheader(t("initialization.h_table"))
stds = lab.recommended_stds(width)
st.markdown(t("initialization.table", n=width, xs=f"{stds['xavier_normal']:.4f}", hs=f"{stds['he_normal']:.4f}",
              ls=f"{stds['lecun_normal']:.4f}"))

lesson.try_this(PAGE)
lesson.explanation(PAGE)
