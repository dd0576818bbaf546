"""Batches: full-batch vs mini-batch vs single-sample gradient descent, epochs vs iterations."""
import streamlit as st

from lab import batches as lab
from figures import batches as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "batches"
D = lab.DEFAULTS
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
S = lab.SETTINGS
batch, lr, seed = (controls.draw(S[key], where=side) for key in ("batch", "lr", "seed"))

n_train = lab.N_TRAIN
per_epoch = lab.iterations_per_epoch(n_train, batch)
NAMES = {"full": t("batches.full", n=n_train), "mini": t("batches.mini", b=batch), "single": t("batches.single")}

# ---- 1. the loss curves: the key picture, trained at the defaults (Train replays it) -----------------------
lesson.section(t("batches.h_curves"), anchor="curves")
chart_col, side_col = st.columns([3, 1], gap="small")
with side_col:
    x_key = "epoch" if controls.draw(S["epochs"]) else "step"
    lesson.predict(PAGE, "q1", 3, demo=PAGE)
LABELS = NAMES | lesson.labels(PAGE, title="curve_title", x=f"x_{x_key}", y="common.loss_axis", batch="on_batch",
                               whole="on_whole")


def view(frame):
    c = frame.data
    for label, step in c.diverged.items():
        lesson.diverged(step, f" ({NAMES[label]})")
    def curves(f):
        words = LABELS | {"common": t("batches.common_mark", e=f"{f.data.common_epoch:.2g}")}
        return fig.batch_curves(f.data.histories, x_key, words, common_epoch=f.data.common_epoch)

    lesson.chart(curves, numbers=True, key=f"curves_{x_key}", caption=t(f"batches.cap_{x_key}"), frame=frame)
    if frame.step:
        st.markdown(t("batches.numbers", step=frame.step, e=f"{c.common_epoch:.2g}",
                      **{f"ep_{k}": f"{v:.3g}" for k, v in c.epochs.items()},
                      **{f"at_{k}": lesson.number(v) for k, v in c.at_common.items()},
                      **{f"var_{k}": f"{v:.2g}" for k, v in c.noise.items()}))
    if lr >= lab.BOUNDED_FROM_LR:
        st.caption(t("batches.bounded"))


with chart_col:
    live.panel(PAGE, lab.batch_run(lab.Settings(batch, lr, seed)), view, total_steps=lab.TOTAL, start="last")

st.markdown(t("batches.curves_setup", n=n_train, hidden=lab.BATCH["hidden"][0], lr=lr, total=lab.TOTAL))
rest = n_train - (per_epoch - 1) * batch
st.info(t("batches.epoch_rule" if rest < batch else "batches.epoch_rule_exact", n=n_train, b=batch, k=per_epoch,
          rest=rest), icon=":material/info:")
lesson.formula(r"\text{{{epoch}}} = \left\lceil \frac{{N}}{{B}} \right\rceil = \left\lceil \frac{{{n}}}{{{b}}} \right\rceil"
               r" = {k}\ \text{{{iters}}},\qquad \theta \leftarrow \theta - \eta\,\frac{{1}}{{B}}\sum_{{i\in\text{{batch}}}}"
               r"\nabla_\theta L_i,\ \ \eta = {lr}", n=n_train, b=batch, k=per_epoch, lr=lr,
               epoch=t("batches.f_epoch"), iters=t("batches.f_iters"))

# ---- 2. the paths on a 2-parameter loss -----------------------------------------------------------
lesson.section(t("batches.h_paths"), anchor="paths")
bp = lab.batch_paths(batch, seed=seed)
st.markdown(t("batches.paths_setup", n=bp.n, steps=lab.PATHS["steps"], lr=lab.PATHS["lr"]))
lesson.chart(fig.batch_paths(bp, NAMES | {"full": t("batches.full", n=bp.n), "optimum": t("batches.optimum"),
                                          "title": t("batches.path_title", steps=lab.PATHS["steps"]),
                                          "start": t("batches.start")}),
             key="paths", caption=t("batches.cap_paths", k=lab.iterations_per_epoch(bp.n, batch), b=batch, n=bp.n))
lesson.formula(r"L(w,b) = \frac1N\sum_{{i=1}}^{{N}} (w x_i + b - y_i)^2,\quad "
               r"g_{{\text{{batch}}}} = \Big(\tfrac{{2}}{{B}}\textstyle\sum_{{i\in\text{{batch}}}} r_i x_i,\ "
               r"\tfrac{{2}}{{B}}\sum_{{i\in\text{{batch}}}} r_i\Big),\ \ B \in \{{{n},\ {b},\ 1\}}",
               n=bp.n, b=batch)

lesson.try_this(PAGE)
lesson.explanation(PAGE)
