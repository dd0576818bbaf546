"""Data preprocessing: zero-centering and standardization, the all-positive zig-zag, and the training effect."""
import streamlit as st

from lab import preprocessing as lab
from figures import preprocessing as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "preprocessing"
P = lab.PREPROCESS
TOTAL = 400
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
# the label lookup passes unknown values through: AppTest hands the formatted label back to format_func
dataset = controls.select("data", t("preprocessing.dataset"), list(lab.DATASETS), "shifted", where=side,
                          format_func=lambda k: t(f"preprocessing.ds_{k}") if k in lab.DATASETS else str(k))
shift = controls.slider("shift", t("preprocessing.shift"), 0.0, 30.0, P["shift"], 1.0, where=side)
lr = controls.log_slider("lr", t("preprocessing.lr"), [0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3], P["lr"], where=side)
zz_lr = controls.slider("zlr", t("preprocessing.zz_lr"), 0.1, 1.0, 0.5, 0.1, where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)


@st.cache_data(max_entries=32, show_spinner=False)
def views(shift, seed):
    return lab.preprocessing_views(shift, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def zigzags(zz_lr, seed):
    return lab.zigzag_runs(zz_lr, seed)


# ---- 1. what the two operations do ------------------------------------------------------------------
st.subheader(t("preprocessing.h_scatter"))
panels = views(shift, seed)
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
st.subheader(t("preprocessing.h_zigzag"))
st.markdown(t("preprocessing.zigzag_setup"))
runs = zigzags(zz_lr, seed)
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

# ---- 3. the real effect on training -------------------------------------------------------------------
st.subheader(t("preprocessing.h_train"))
st.markdown(t(f"preprocessing.train_setup_{dataset}", shift=shift, lr=lr, batch=P["batch_size"], total=TOTAL))
lesson.predict(PAGE, "q1", 3)
NAMES = {"raw": t("preprocessing.m_raw"), "standardize": t("preprocessing.m_std")}
LABELS = NAMES | lesson.labels(PAGE, title="c_title", x="common.step_axis", y="common.loss_axis")


def view(group):
    lesson.diverged_members(group, NAMES.get)
    lesson.chart(fig.preprocess_curves({k: m.history for k, m in group.items()}, LABELS),
                 key="curves", caption=t("preprocessing.cap_curves"))
    h = {k: m.history for k, m in group.items()}
    if all(len(v["train_loss"]) for v in h.values()):
        st.markdown(t("preprocessing.numbers", step=group.step, raw=f"{h['raw']['train_loss'][-1]:.3f}",
                      std=f"{h['standardize']['train_loss'][-1]:.3f}"))


live.panel("preprocessing", lambda: lab.preprocess_group(dataset, shift, lr, seed),
           signature=(dataset, shift, lr, seed), total_steps=TOTAL, view=view)

lesson.try_this(PAGE)
lesson.explanation(PAGE)
