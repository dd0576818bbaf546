"""Data preprocessing: zero-centering and standardization, the all-positive zig-zag, and the training effect."""
import numpy as np
import streamlit as st

from lab import preprocessing as lab
from figures import preprocessing as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "preprocessing"
P = lab.PREPROCESS
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
dataset, shift, lr, zz_lr, seed = (controls.draw(s, where=side) for s in lab.SETTINGS)
settings = lab.Settings(dataset, shift, lr, zz_lr, seed)

# ---- 1. what the two operations do ------------------------------------------------------------------
lesson.section(t("preprocessing.h_scatter"), anchor="operations")
panels = lab.preprocessing_views(shift, seed)
lesson.chart(fig.preprocess_scatter(panels, lesson.labels(PAGE, raw="t_raw", center="t_center", standardize="t_std",
                                                          train="common.train_set", test="common.test_set")),
             key="scatter", caption=t("preprocessing.cap_scatter"))
standard = panels["standardize"]
m, s = standard.info["mean"], standard.info["std"]
st.markdown(t("preprocessing.stats", m1=f"{m[0]:.2f}", m2=f"{m[1]:.2f}", s1=f"{s[0]:.2f}", s2=f"{s[1]:.2f}",
              tm=", ".join(f"{v:.2f}" for v in standard.x_test.mean(axis=0) + 0.0),
              ts=", ".join(f"{v:.2f}" for v in standard.x_test.std(axis=0))))
lesson.formula(r"x' = x - \mu_{{\text{{train}}}},\qquad x'' = \frac{{x - \mu_{{\text{{train}}}}}}{{\sigma_{{\text{{train}}}}}},"
               r"\qquad \mu_{{\text{{train}}}} = ({m1},\ {m2}),\ \ \sigma_{{\text{{train}}}} = ({s1},\ {s2})",
               m1=float(m[0]), m2=float(m[1]), s1=float(s[0]), s2=float(s[1]))
st.warning(t("preprocessing.leak"), icon=":material/science:")

# ---- 2. why: all-positive inputs make gradient descent zig-zag ---------------------------------------
lesson.section(t("preprocessing.h_zigzag"), anchor="zigzag")
st.markdown(t("preprocessing.zigzag_setup"))
runs = lab.zigzag_runs(zz_lr, seed)
same = lab.same_sign_fraction(runs["positive"])
steps = {k: (r.steps_to_target if r.steps_to_target is not None else t("preprocessing.never")) for k, r in runs.items()}
lesson.chart(fig.zigzag_paths(runs, {"title": t("preprocessing.z_title", lr=zz_lr),
                                     "positive": t("preprocessing.z_pos"), "centered": t("preprocessing.z_cen")}),
             key="zigzag", caption=t("preprocessing.cap_zigzag", pos=steps["positive"], cen=steps["centered"],
                                     same=f"{100 * same:.0f}"))
lesson.formula(r"s = w_1x_1 + w_2x_2,\quad \frac{{\partial L}}{{\partial w_i}} = \frac{{\partial L}}{{\partial s}}\,x_i"
               r"\ \Rightarrow\ x_1, x_2 > 0:\ \operatorname{{sign}}\frac{{\partial L}}{{\partial w_1}} = "
               r"\operatorname{{sign}}\frac{{\partial L}}{{\partial w_2}}\quad({same}\%)",
               same=round(100 * same))

# ---- 3. the real effect on training (trained at the defaults; Train replays it) -------------------------
lesson.section(t("preprocessing.h_train"), anchor="training")
st.markdown(t(f"preprocessing.train_setup_{dataset}", shift=shift, lr=lr, batch=P["batch_size"], total=lab.TOTAL))
NAMES = {"raw": t("preprocessing.m_raw"), "standardize": t("preprocessing.m_std")}
LABELS = NAMES | lesson.labels(PAGE, title="c_title", x="common.step_axis", y="common.loss_axis")


def view(frame):
    c = frame.data
    for label, step in c.diverged.items():
        lesson.diverged(step, f" ({NAMES[label]})")
    lesson.chart(lambda f: fig.preprocess_curves(f.data.histories, LABELS), numbers=True, key="curves",
                 caption=t("preprocessing.cap_curves"), frame=frame)
    h = c.histories
    if all(len(v["train_loss"]) for v in h.values()):
        st.markdown(t("preprocessing.numbers", step=frame.step, raw=f"{h['raw']['train_loss'][-1]:.3f}",
                      std=f"{h['standardize']['train_loss'][-1]:.3f}", dead_raw=c.dead["raw"],
                      dead_std=c.dead["standardize"], hidden=c.hidden))
    if c.dead["raw"] == c.hidden:  # why the raw copy neither learns nor diverges
        st.info(t("preprocessing.all_dead", hidden=c.hidden, c=c.n_classes, loss=f"{np.log(c.n_classes):.2f}"),
                icon=":material/block:")


chart_col, side_col = st.columns([3, 1], gap="small")
with side_col:
    lesson.predict(PAGE, "q1", 3, demo=PAGE)
with chart_col:
    live.panel(PAGE, lab.preprocess_run(settings), view, total_steps=lab.TOTAL, start="last")

lesson.quick_checks(PAGE, lab.quick_checks(panels, runs, zz_lr))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
