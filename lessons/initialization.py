"""Weight initialization: activation statistics layer by layer, symmetry, and inits trained side by side."""
import numpy as np
import streamlit as st

from core import compare, data, initializers, nn, probe, train
from figures import initialization as fig
from ui import controls, lesson, live
from ui.i18n import has, t

PAGE = "initialization"
N_INPUTS, BINS = 1000, 30  # cs231n lecture 6: randn(1000, 500) through 10 tanh layers of 500
INITS = ("normal", "zeros", "constant", "xavier_normal", "he_normal", "lecun_normal")
ACTS = ("tanh", "sigmoid", "relu", "selu")
# Side-by-side training presets (moons, full batch, SGD with momentum, 300 updates). deep_relu is He et al.
# 2015's 30-layer ReLU experiment at small scale: Xavier's signal halves in variance per layer and stalls.
PRESETS = {  # a plain literal: tests/test_page_initialization.py reads it from this file
    "deep_relu": {"activation": "relu", "depth": 30, "width": 32, "lr": 0.01,
                  "inits": ("normal", "xavier_normal", "he_normal")},
    "tanh": {"activation": "tanh", "depth": 6, "width": 32, "lr": 0.05,
             "inits": ("zeros", "constant", "normal", "xavier_normal")},
}
STEPS = 300

lesson.header(PAGE)
side = lesson.sidebar_controls(PAGE)
act = controls.select("act", t("initialization.activation"), ACTS, "tanh", where=side)
init = controls.select("init", t("initialization.init"), INITS, "normal", where=side)
std = controls.log_slider("std", t("initialization.std"), [1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], 0.01,
                          where=side, help=t("initialization.std_help"))
depth = controls.slider("depth", t("initialization.depth"), 2, 20, 10, where=side)
width = controls.select("width", t("initialization.width"), [50, 100, 200, 500], 500, where=side,
                        format_func=str)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
side.divider()
sym_init = controls.select("sym", t("initialization.sym_init"), ["constant", "zeros"], "constant", where=side)
preset = controls.select("preset", t("initialization.preset"), list(PRESETS), "deep_relu", where=side,
                         format_func=lambda p: t(f"initialization.preset_{p}") if has(f"initialization.preset_{p}") else p)


@st.cache_data(max_entries=24, show_spinner=False)
def experiment(depth, width, act, init, seed, gradients):
    """The activation-statistics probe, reduced to per-layer numbers and histogram counts.

    init: a name or a float std (``normal``); gradients: run the backward pass too (only shown once the
    guess is revealed). float32 and no dL/dW (half the cost): the statistics agree with float64 to ~4 digits,
    gradients through saturated units to the same order of magnitude (tests/test_probe.py)."""
    s = probe.activation_stats(depth, width, act, init, n=N_INPUTS, seed=seed, backward=gradients,
                               dtype=np.float32, weight_grads=False)
    if not (np.isfinite(s.std).all() and np.isfinite(s.grad_std).all()):  # beyond float32's 3e38: redo in float64
        s = probe.activation_stats(depth, width, act, init, n=N_INPUTS, seed=seed, backward=gradients,
                                   weight_grads=False)
    shown = sorted(set(np.linspace(0, depth - 1, min(depth, 10)).round().astype(int).tolist()))
    a_range = _act_range(act, s)
    r = dict(mean=s.mean, std=s.std, saturated=s.saturated, zeros=s.zero_fraction, shown=shown, a_range=a_range,
             act_hists=[s.hist(i, BINS, a_range) for i in shown])
    if gradients:
        finite = np.isfinite(s.grad_std)
        g_max = np.nanmax(np.where(finite, 3 * s.grad_std, np.nan)) if finite.any() else 0
        g_range = (-g_max, g_max) if g_max > 0 else (-1.0, 1.0)
        r.update(grad_std=s.grad_std, g_range=g_range,
                 grad_hists=[s.hist(i, BINS, g_range, of="gradient") for i in shown])
    return r


def _act_range(act, s):
    """tanh [-1, 1], sigmoid [0, 1]; ReLU (0, max] leaving out its exact zeros; else the data's range."""
    if act in ("tanh", "sigmoid"):
        return (-1.0, 1.0) if act == "tanh" else (0.0, 1.0)
    values = [(float(np.min(a[np.isfinite(a)])), float(np.max(a[np.isfinite(a)])))
              for a in s.activations if np.isfinite(a).any()]
    lo, hi = (min(v[0] for v in values), max(v[1] for v in values)) if values else (-1.0, 1.0)
    if act == "relu":
        lo = 1e-12  # zeros sit outside the range: the bars show the active half
    return (lo, hi) if hi > lo else (lo - 1.0, lo + 1.0)


@st.cache_data(max_entries=12, show_spinner=False)
def symmetry_run(name, seed):
    return probe.symmetry(name, activation="tanh", hidden=(8, 8), steps=100, lr=0.5, seed=seed)


def symmetry(sym_init, seed):
    """One cached run per initialization: switching the symmetric init never retrains the He reference."""
    return {name: symmetry_run(name, seed) for name in (sym_init, "he_normal")}


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
lesson.chart(fig.layer_histograms(act_hists, titles, t("initialization.x_act"), 0, r["a_range"]), key="act_hist",
             caption=t("initialization.cap_act", act=t(f"common.opt_{act}"), init=init_label(init), n=N_INPUTS,
                       depth=depth, width=width))

sigma = std if init == "normal" else initializers.std(init, width, width)
k = 0.5 if act == "relu" else 1.0
ratio = r["std"][-1] / r["std"][-2] if depth > 1 and r["std"][-2] > 0 and np.isfinite(r["std"][-2:]).all() else float("nan")
lesson.formula(r"\mathrm{{Var}}(z_l) \approx {k} n_{{in}}\,\sigma_W^2\;\mathrm{{Var}}(z_{{l-1}})"
               r"\quad\Rightarrow\quad \text{{{gain}}} \approx \sqrt{{{k}{n}}}\times{s} = {g}",
               k=r"\tfrac{1}{2}\cdot " if act == "relu" else "", n=width, s=float(sigma),
               g=float(np.sqrt(k * width) * sigma), gain=t("initialization.gain_word"))
st.caption(t("initialization.cap_formula", measured=lesson.number(ratio)))

if revealed:
    lesson.chart(fig.layer_stats(np.arange(1, depth + 1), r["mean"], r["std"], r["grad_std"],
                                 {"mean": t("initialization.s_mean"), "std": t("initialization.s_std"),
                                  "grad_std": t("initialization.s_grad_std")},
                                 (t("initialization.t_act_stats"), t("initialization.t_grad_stats")),
                                 t("common.layer")),
                 key="stats", caption=t("initialization.cap_stats"))
    grad_titles = [t("initialization.layer_n", i=i + 1) for i in r["shown"]]
    lesson.chart(fig.layer_histograms(r["grad_hists"], grad_titles, t("initialization.x_grad"), 3, r["g_range"]),
                 key="grad_hist", caption=t("initialization.cap_grad", g=f"{r['g_range'][1]:.2g}"))
else:
    st.info(t("initialization.hidden_note"), icon=":material/visibility_off:")

# ---- 2. symmetry -----------------------------------------------------------------------------
st.subheader(t("initialization.h_sym"))
sym = symmetry(sym_init, seed)
a, b = sym[sym_init], sym["he_normal"]
lesson.chart(fig.weight_heatmaps({init_label(sym_init): a.weights, init_label("he_normal"): b.weights},
                                 [f"W{i}" for i in (1, 2)], t("initialization.x_unit"), t("initialization.y_input")),
             key="sym_heat", caption=t("initialization.cap_sym", init=init_label(sym_init), steps=a.steps,
                                  ws=f"{a.weight_spread.max():.2g}", os=f"{a.output_spread.max():.2g}",
                                  hws=f"{b.weight_spread.max():.2g}", hos=f"{b.output_spread.max():.2g}",
                                  acc=pct(a.train_acc), hacc=pct(b.train_acc)))

# ---- 3. side by side -------------------------------------------------------------------------
st.subheader(t("initialization.h_live"))
p = PRESETS[preset]
st.markdown(t("initialization.live_intro", act=t(f"common.opt_{p['activation']}"), depth=p["depth"],
              width=p["width"], lr=p["lr"], steps=STEPS))


def build():
    ds = data.get("moons", seed=seed)
    members = {}
    for name in p["inits"]:
        net = nn.MLP([ds.n_features] + [p["width"]] * p["depth"] + [ds.n_outputs], activation=p["activation"],
                     init=std if name == "normal" else name, seed=seed)
        members[name] = train.Trainer(net, ds, optimizer="momentum", opt_kwargs={"lr": p["lr"]}, seed=seed,
                                      eval_every=5)
    return compare.Group(members)


def view(group):
    lesson.diverged_members(group, init_label)
    hist = {name: tr.history for name, tr in group.items()}
    left, right = st.columns(2)
    with left:
        lesson.chart(fig.loss_curves({init_label(n): (h["step"], h["train_loss"]) for n, h in hist.items()},
                                     t("initialization.t_loss"), t("common.step_axis"), t("common.loss_axis")),
                     key="live_loss", caption=t("initialization.cap_loss"))
    with right:
        first = {init_label(n): (h["step"], h["grad_norm"][:, 0]) for n, h in hist.items()}
        lesson.chart(fig.first_layer_grad(first, t("initialization.t_gnorm"), t("common.step_axis"),
                                          t("initialization.y_gnorm")),
                     key="live_gnorm", caption=t("initialization.cap_gnorm"))


live.panel("init_cmp", build, signature=(preset, std, seed), total_steps=STEPS, view=view, step_size=10,
           first_chunk=2)

# ---- 4. which init for which activation --------------------------------------------------------
st.subheader(t("initialization.h_table"))
st.markdown(t("initialization.table", n=width,
              xs=f"{initializers.std('xavier_normal', width, width):.4f}",
              hs=f"{initializers.std('he_normal', width, width):.4f}",
              ls=f"{initializers.std('lecun_normal', width, width):.4f}"))

lesson.try_this(PAGE)
lesson.explanation(PAGE)
