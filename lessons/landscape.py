"""The loss landscape of a real network: a 2-D slice of a trained MLP's loss along filter-normalized directions."""
import streamlit as st

from lab import landscape

from runs import shared
from figures import landscape as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "landscape"
lesson.header(PAGE)
S = landscape.SETTINGS

side = lesson.sidebar_controls(PAGE)
side.markdown(f"**{t('landscape.group_train')}**")
dataset, width, depth, act, opt, lr, steps, batch, wd = (
    controls.draw(S[k], where=side) for k in ("data", "width", "depth", "act", "opt", "lr", "steps", "batch", "wd"))
side.markdown(f"**{t('landscape.group_slice')}**")
directions, grid, span, seed, show_3d, compare = (
    controls.draw(S[k], where=side) for k in ("dirs", "grid", "span", "seed", "surface", "compare"))

settings = landscape.Settings(dataset=dataset, width=width, depth=depth, activation=act, optimizer=opt, lr=lr,
                              steps=steps, batch=batch, weight_decay=wd, directions=directions, grid=grid, span=span,
                              seed=seed)


def axes_of(res) -> dict:
    """The slice's axis titles at a frame (the principal components' shares once the slice exists)."""
    if directions == "pca" and res.has_slice:
        return {"x": t("landscape.axis_pc", k=1, share=f"{res.explained[0]:.0%}"),
                "y": t("landscape.axis_pc", k=2, share=f"{res.explained[1]:.0%}")}
    return lesson.labels(PAGE, x="axis_delta", y="axis_eta")


def compare_chart(res):
    alphas, curves = res.compare or (res.alphas, {})
    words = {**lesson.labels(PAGE, x="axis_cut", y="common.loss_axis"),
             "lines": [t("landscape.wd_line", wd=lam) for lam in curves]}
    return fig.cross_sections(alphas, list(curves.values()), words)


def cuts_chart(res):
    axes = axes_of(res)
    cuts = ([(res.alphas, res.slice_1d, axes["x"])] if res.slice_1d is not None else []) + [
        (res.betas, res.beta_cut, axes["y"])]  # the β cut at the rows computed so far
    words = {**lesson.labels(PAGE, x="axis_step", y="common.loss_axis"), "lines": [c[2] for c in cuts]}
    return fig.cross_sections([c[0] for c in cuts], [c[1] for c in cuts], words)


def view(frame):
    """The map (or the 3-D surface) with the path so far, the question beside it, the cuts, the numbers."""
    res = frame.data
    lesson.diverged(frame.diverged_at)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if show_3d:
            lesson.chart(lambda f: fig.surface(f.data, {**axes_of(f.data),
                                                        **lesson.labels(PAGE, z="log_loss", path="path")}),
                         key="surface3d", caption=t("landscape.cap_surface"), frame=frame)
        else:
            words = lesson.labels(PAGE, loss="loss", start="start", end="end", path="path", step="common.step_axis")
            lesson.chart(lambda f: fig.contour(f.data, {**axes_of(f.data), **words}), key="contour", frame=frame,
                         caption=t(f"landscape.cap_contour_{directions}", captured=lesson.number(res.captured, ".0%")))
        if res.span > span:
            st.caption(t("landscape.span_grown", span=f"{res.span:.2f}"))
    with right:
        lesson.predict(PAGE, "q1", 3, demo=PAGE)  # beside the map that answers it
        if compare:
            lesson.chart(lambda f: compare_chart(f.data), key="wd_cuts", caption=t("landscape.cap_compare"),
                         frame=frame)
        else:
            lesson.chart(lambda f: cuts_chart(f.data), numbers=True, key="cuts", caption=t("landscape.cap_cuts"),
                         frame=frame)
    cols = st.columns(4)
    cols[0].metric(t("landscape.m_loss"), lesson.number(res.center_loss))
    cols[1].metric(t("landscape.m_acc"), lesson.number(res.train_acc, ".0%"))
    cols[2].metric(t("landscape.m_captured"), lesson.number(res.captured, ".0%"), help=t("landscape.m_captured_help"))
    cols[3].metric(t("landscape.m_params"), f"{res.n_params:,}")


# The first screen shows the default run finished (computed at server start; a visitor who comes before the
# warm-up reached this page waits for it once); Train replays it, and a new setting trains and slices in the
# frames it plays (the path grows while the map fills in).
spec = landscape.landscape_run(settings)
if settings == landscape.DEFAULTS:
    shared.complete(spec)
frame = live.panel(PAGE, spec, view, total_steps=steps, start="last")

lesson.formula(r"f(\alpha,\beta)=L(\theta^*+\alpha\,\delta+\beta\,\eta),\qquad "
               r"\delta_{{:,j}}\leftarrow\frac{{\delta_{{:,j}}}}{{\lVert\delta_{{:,j}}\rVert}}\,"
               r"\lVert\theta^*_{{:,j}}\rVert,\qquad \alpha,\beta\in[-{span},\,{span}],\ "
               r"({n}\times{n}),\quad P={p}", span=frame.data.span, n=grid, p=frame.data.n_params)
lesson.quick_checks(PAGE, landscape.quick_checks(frame.data, settings))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
