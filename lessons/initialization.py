"""Weight initialization: activation statistics layer by layer, symmetry, and inits trained side by side."""
import numpy as np
import streamlit as st

from figures import initialization as fig
from lab import initialization as lab
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "initialization"

lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)
S = lab.SETTINGS
act, init, std, depth, width, seed = (controls.draw(S[k], where=side) for k in ("act", "init", "std", "depth", "width",
                                                                                 "seed"))
side.divider()
sym_init, preset = controls.draw(S["sym"], where=side), controls.draw(S["preset"], where=side)
probe = lab.Probe(depth, width, act, init, float(std), seed)


def init_label(name):
    return t("initialization.lbl_normal", s=f"{std:g}") if name == "normal" else t(f"common.opt_{name}")



def pct(x):
    return f"{100 * x:.0f}"


# ---- 1. the classic experiment: the key chart, the question beside it -------------------------------------------
lesson.section(t("initialization.h_stats"), anchor="statistics")


# The builders look their words up themselves: a frame's chart that is already in the shared store costs no lookup.
def activation_chart(v, revealed):
    """The layer histograms; before the guess is revealed the last layer is drawn empty, titled "?"."""
    titles = []
    for i in v.shown:
        extra = ""
        if i < v.forward:
            extra = (t("initialization.sat", p=pct(v.saturated[i])) if v.saturated[i] >= 0.01
                     else t("initialization.zero", p=pct(v.zeros[i])) if act == "relu" else "")
        titles.append(f"{t('initialization.layer_n', i=i + 1)} {extra}".rstrip())
    hists = list(v.act_hists)
    if not revealed and hists[-1] is not None:  # predict, then run: the last layer stays hidden until the guess is in
        hists[-1] = (np.zeros_like(hists[-1][0]), hists[-1][1])
        titles[-1] = f"{t('initialization.layer_n', i=v.shown[-1] + 1)} · ?"
    return fig.layer_histograms(hists, {"panels": titles, "x": t("initialization.x_act")}, 0, v.a_range)


def stats_chart(v):
    words = lesson.labels(PAGE, mean="s_mean", std="s_std", grad_std="s_grad_std", act_title="t_act_stats",
                          grad_title="t_grad_stats", x="common.layer")
    return fig.layer_stats(np.arange(1, depth + 1), v.mean, v.std, v.grad_std, words)


def gradient_chart(v):
    words = {"panels": [t("initialization.layer_n", i=i + 1) for i in v.shown], "x": t("initialization.x_grad")}
    return fig.layer_histograms(v.grad_hists, words, 3, v.g_range)


def stats_view(frame):
    v = frame.data
    c_chart, c_predict = st.columns([5, 2])
    with c_predict:  # in the view, so that revealing redraws the charts it unlocks
        revealed = lesson.predict(PAGE, "q1", 4, demo="stats")
    with c_chart:
        lesson.chart(lambda f: activation_chart(f.data, revealed), frame=frame, numbers=True,
                     key="act_hist" if revealed else "act_hist_hidden",
                     caption=t("initialization.cap_act", act=t(f"common.opt_{act}"), init=init_label(init),
                               n=f"{lab.N_INPUTS:,}", k=lab.HIST_INPUTS, depth=depth, width=width))
    sigma, gain = lab.predicted_gain(act, init, std, width)
    lesson.formula(r"\mathrm{{Var}}(z_l) \approx {k} n_{{in}}\,\sigma_W^2\;\mathrm{{Var}}(z_{{l-1}})"
                   r"\quad\Rightarrow\quad \text{{{gain}}} \approx \sqrt{{{k}{n}}}\times{s} = {g}",
                   k=r"\tfrac{1}{2}\cdot " if act == "relu" else "", n=width, s=float(sigma), g=gain,
                   gain=t("initialization.gain_word"))
    st.caption(t("initialization.cap_formula", measured=lesson.number(v.gain)))
    if not revealed:
        st.info(t("initialization.hidden_note"), icon=":material/visibility_off:")
        return
    lesson.chart(lambda f: stats_chart(f.data), key="stats", caption=t("initialization.cap_stats"), frame=frame)
    lesson.chart(lambda f: gradient_chart(f.data), key="grad_hist", frame=frame,
                 caption=t("initialization.cap_grad", g=f"{v.g_range[1]:.2g}", k=lab.HIST_INPUTS))


live.panel("stats", lab.stats_run(probe), stats_view, total_steps=2 * depth, start="last")

# ---- 2. symmetry -----------------------------------------------------------------------------
lesson.section(t("initialization.h_sym"), anchor="symmetry")
a, b = lab.symmetry(sym_init, seed), lab.symmetry(lab.SYMMETRY_REFERENCE, seed)
words = lesson.labels(PAGE, x="x_unit", y="y_input")
heat = {init_label(sym_init): a.weights, init_label(lab.SYMMETRY_REFERENCE): b.weights}
lesson.chart(lambda: fig.weight_heatmaps(heat, words), cache=(PAGE, sym_init, seed), key="sym_heat",
             caption=t("initialization.cap_sym", init=init_label(sym_init), steps=a.steps,
                       ws=f"{a.weight_spread.max():.2g}", os=f"{a.output_spread.max():.2g}",
                       hws=f"{b.weight_spread.max():.2g}", hos=f"{b.output_spread.max():.2g}",
                       acc=pct(a.train_acc), hacc=pct(b.train_acc)))

# ---- 3. side by side -------------------------------------------------------------------------
lesson.section(t("initialization.h_live"), anchor="side-by-side")
p = lab.PRESETS[preset]
st.markdown(t("initialization.live_intro", act=t(f"common.opt_{p['activation']}"), depth=p["depth"],
              width=p["width"], lr=p["lr"], steps=lab.STEPS))


def training_view(frame):
    members = frame.data
    for name, m in members.items():
        if m.diverged_at is not None:
            lesson.diverged(m.diverged_at, f" ({init_label(name)})")
    left, right = st.columns(2)
    with left:
        lesson.chart(lambda f: fig.loss_curves({init_label(n): (m.step, m.train_loss) for n, m in f.data.items()},
                                             lesson.labels(PAGE, title="t_loss", x="common.step_axis",
                                                           y="common.loss_axis")),
                     key="live_loss", caption=t("initialization.cap_loss"), frame=frame)
    with right:
        lesson.chart(lambda f: fig.first_layer_grad({init_label(n): (m.step, m.first_grad) for n, m in f.data.items()},
                                                  lesson.labels(PAGE, title="t_gnorm", x="common.step_axis",
                                                                y="y_gnorm")),
                     key="live_gnorm", caption=t("initialization.cap_gnorm"), frame=frame)


live.panel("init_cmp", lab.training_run(preset, float(std), seed), training_view, total_steps=lab.STEPS,
           start="last")

# ---- 4. which init for which activation --------------------------------------------------------
lesson.section(t("initialization.h_table"), anchor="which-init")
stds = lab.recommended_stds(width)
st.markdown(t("initialization.table", n=width, xs=f"{stds['xavier_normal']:.4f}", hs=f"{stds['he_normal']:.4f}",
              ls=f"{stds['lecun_normal']:.4f}"))

lesson.quick_checks(PAGE, lab.quick_checks(act, init, float(std), width))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
