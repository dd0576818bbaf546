"""Batches: full-batch vs mini-batch vs single-sample gradient descent, epochs vs iterations."""
import streamlit as st

from lab import batches as lab
from figures import batches as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "batches"
TOTAL = 400
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
batch = controls.select("batch", t("batches.batch_size"), [2, 4, 8, 16, 32, 64, 128], lab.BATCH["batch_size"],
                        where=side, format_func=str)
lr = controls.log_slider("lr", t("batches.lr"), [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0], lab.BATCH["lr"], where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)


@st.cache_data(max_entries=32, show_spinner=False)
def paths(batch, seed):
    return lab.batch_paths(batch, seed=seed)


n_train = lab.N_TRAIN
per_epoch = lab.iterations_per_epoch(n_train, batch)
NAMES = {"full": t("batches.full", n=n_train), "mini": t("batches.mini", b=batch), "single": t("batches.single")}

# ---- 1. the loss curves -------------------------------------------------------------------------
st.subheader(t("batches.h_curves"))
st.markdown(t("batches.curves_setup", n=n_train, hidden=lab.BATCH["hidden"][0], lr=lr, total=TOTAL))
st.info(t("batches.epoch_rule", n=n_train, b=batch, k=per_epoch, rest=n_train - (per_epoch - 1) * batch),
        icon=":material/info:")
lesson.predict(PAGE, "q1", 3)
x_key = "epoch" if controls.toggle("epochs", t("batches.xaxis"), False) else "step"
LABELS = NAMES | lesson.labels(PAGE, title="curve_title", x=f"x_{x_key}", y="common.loss_axis", batch="on_batch",
                               whole="on_whole")


def view(group):
    lesson.diverged_members(group, NAMES.get)
    lesson.chart(fig.batch_curves({k: m.history for k, m in group.items()}, x_key, LABELS), key="curves",
                 caption=t(f"batches.cap_{x_key}"))
    if group.step:
        cells = lab.progress(group)
        st.markdown(t("batches.numbers", step=group.step,
                      **{f"ep_{k}": f"{v[0]:.3g}" for k, v in cells.items()},
                      **{f"var_{k}": f"{v[1]:.2g}" for k, v in cells.items()}))


live.panel("batches", lambda: lab.batch_group(batch, lr, seed), signature=(batch, lr, seed), total_steps=TOTAL,
           view=view)
lesson.formula(r"\text{{{epoch}}} = \left\lceil \frac{{N}}{{B}} \right\rceil = \left\lceil \frac{{{n}}}{{{b}}} \right\rceil"
               r" = {k}\ \text{{{iters}}},\qquad \theta \leftarrow \theta - \eta\,\frac{{1}}{{B}}\sum_{{i\in\text{{batch}}}}"
               r"\nabla_\theta L_i,\ \ \eta = {lr}", n=n_train, b=batch, k=per_epoch, lr=lr,
               epoch=t("batches.f_epoch"), iters=t("batches.f_iters"))

# ---- 2. the paths on a 2-parameter loss -----------------------------------------------------------
st.subheader(t("batches.h_paths"))
bp = paths(batch, seed)
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
