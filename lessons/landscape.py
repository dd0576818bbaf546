"""The loss landscape of a real network: a 2-D slice of a trained MLP's loss along filter-normalized directions."""
import numpy as np
import streamlit as st

from lab import landscape
from figures import landscape as fig
from ui import controls, lesson
from ui.i18n import t

PAGE = "landscape"
lesson.header(PAGE)


def label(prefix):
    """Option name -> its text (an option with no text entry, or already a label, is shown as is)."""
    return lambda v: t(f"{PAGE}.{prefix}_{v}") if lesson.has(f"{PAGE}.{prefix}_{v}") else str(v)


side = lesson.sidebar_controls(PAGE)
side.markdown(f"**{t('landscape.group_train')}**")
dataset = controls.select("data", t("landscape.dataset"), ["moons", "circles", "spirals", "xor"], "moons", where=side)
width = controls.slider("width", t("landscape.width"), 2, 24, 16, where=side)
depth = controls.slider("depth", t("landscape.depth"), 1, 3, 2, where=side)
act = controls.select("act", t("landscape.activation"), ["relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid"],
                      "relu", where=side)
opt = controls.select("opt", t("landscape.optimizer"), ["sgd", "momentum", "rmsprop", "adam"], "adam", where=side)
lr = controls.log_slider("lr", t("landscape.lr"), [1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], 0.01, where=side)
steps = controls.slider("steps", t("landscape.steps"), 50, 1000, 300, step=50, where=side)
batch = controls.select("batch", t("landscape.batch"), ["full", "32", "8"], "full", where=side,
                        format_func=label("batch"))
wd = controls.log_slider("wd", t("landscape.wd"), [0.0, 1e-4, 1e-3, 1e-2, 3e-2], 0.0, where=side)
side.markdown(f"**{t('landscape.group_slice')}**")
directions = controls.select("dirs", t("landscape.directions"), list(landscape.DIRECTIONS), "random", where=side,
                             format_func=label("dirs"))
grid = controls.slider("grid", t("landscape.grid"), 21, 81, 41, step=10, where=side)
span = controls.log_slider("span", t("landscape.span"), [0.25, 0.5, 1.0, 2.0, 4.0], 1.0, where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
show_3d = controls.toggle("surface", t("landscape.surface"), False, where=side)
compare = controls.toggle("compare", t("landscape.compare"), False, where=side, help=t("landscape.compare_help"))

SETTINGS = dict(dataset=dataset, hidden=(width,) * depth, activation=act, optimizer=opt, lr=lr, steps=steps,
                batch_size=None if batch == "full" else int(batch), seed=seed)


@st.cache_data(max_entries=16, show_spinner=False)
def trained(settings_key, weight_decay):
    """Training only: the slice controls (grid, span, directions, 3-D, compare) never retrain."""
    return landscape.train_run(**dict(settings_key), weight_decay=weight_decay)


@st.cache_data(max_entries=16, show_spinner=False)
def explore(settings_key, weight_decay, grid, span, directions):
    run = trained(settings_key, weight_decay)  # a fresh copy: its direction stream starts over
    grid = landscape.affordable_grid(run.net.sizes, run.net.activations[0].name, len(run.ds.x_train), grid)
    return landscape.slice_run(run, grid=grid, span=span, directions=directions)


@st.cache_data(max_entries=16, show_spinner=False)
def weight_decay_cuts(settings_key, span):
    """The same run trained with λ = 0 and 1e-2 (cached with the main slice's training), cut along δ."""
    alphas = np.linspace(-span, span, 41)
    return alphas, {lam: landscape.cut(trained(settings_key, lam), alphas) for lam in (0.0, 1e-2)}


key = tuple(sorted(SETTINGS.items()))
res = explore(key, wd, grid, span, directions)
lesson.diverged(res.diverged_at)

cols = st.columns(4)
cols[0].metric(t("landscape.m_loss"), lesson.number(res.center_loss))
cols[1].metric(t("landscape.m_acc"), f"{res.train_acc:.0%}")
cols[2].metric(t("landscape.m_captured"), lesson.number(res.captured, ".0%"), help=t("landscape.m_captured_help"))
cols[3].metric(t("landscape.m_params"), f"{res.n_params:,}")

if directions == "pca":
    axes = {"x": t("landscape.axis_pc", k=1, share=f"{res.explained[0]:.0%}"),
            "y": t("landscape.axis_pc", k=2, share=f"{res.explained[1]:.0%}")}
else:
    axes = lesson.labels(PAGE, x="axis_delta", y="axis_eta")

left, right = st.columns([3, 2], gap="medium")
with left:
    if show_3d:
        lesson.chart(fig.surface(res, {**axes, **lesson.labels(PAGE, z="log_loss", path="path")}),
                     key="surface3d", caption=t("landscape.cap_surface"))
    else:
        words = lesson.labels(PAGE, loss="loss", start="start", end="end", path="path", step="common.step_axis")
        lesson.chart(fig.contour(res, {**axes, **words}), key="contour",
                     caption=t(f"landscape.cap_contour_{directions}", captured=lesson.number(res.captured, ".0%")))
    if res.span > span:
        st.caption(t("landscape.span_grown", span=f"{res.span:.2f}"))

with right:
    if compare:
        alphas, cuts = weight_decay_cuts(key, span)
        words = {**lesson.labels(PAGE, x="axis_cut", y="common.loss_axis"),
                 "lines": [t("landscape.wd_line", wd=lam) for lam in cuts]}
        lesson.chart(fig.cross_sections(alphas, list(cuts.values()), words), key="cuts",
                     caption=t("landscape.cap_compare"))
    else:
        mid = res.loss.shape[0] // 2
        words = {**lesson.labels(PAGE, x="axis_step", y="common.loss_axis"), "lines": [axes["x"], axes["y"]]}
        lesson.chart(fig.cross_sections(res.alphas, [res.slice_1d, res.loss[:, mid]], words), key="cuts",
                     caption=t("landscape.cap_cuts"))

lesson.predict(PAGE, "q1", 3)

lesson.formula(r"f(\alpha,\beta)=L(\theta^*+\alpha\,\delta+\beta\,\eta),\qquad "
               r"\delta_{{:,j}}\leftarrow\frac{{\delta_{{:,j}}}}{{\lVert\delta_{{:,j}}\rVert}}\,"
               r"\lVert\theta^*_{{:,j}}\rVert,\qquad \alpha,\beta\in[-{span},\,{span}],\ "
               r"({n}\times{n}),\quad P={p}", span=res.span, n=len(res.alphas), p=res.n_params)
lesson.try_this(PAGE)
lesson.explanation(PAGE)
