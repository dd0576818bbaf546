"""Transfer learning: pre-train a digit classifier, reuse its lower layers for "is it odd?" with few samples;
frozen vs fine-tuned vs from scratch, with a slider for how many layers to reuse."""
import streamlit as st

from lab import transfer
from figures import transfer as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "transfer"
T = transfer.TRANSFER
N_HIDDEN = len(T["hidden"])
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
n_target = controls.log_slider("n", t("transfer.n_target"), [10, 20, 50, 100, 200, 500], T["n_target"], where=side)
n_reuse = controls.slider("reuse", t("transfer.reuse"), 0, N_HIDDEN, T["n_reuse"], where=side)
seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=side)
side.caption(t("transfer.setup", hidden=" → ".join(map(str, T["hidden"])), pre=T["pretrain_steps"], lr=T["lr"]))


@st.cache_data(max_entries=8, show_spinner=False)
def source_net(seed):
    return transfer.pretrain(seed)


net, source_acc = source_net(seed)
st.markdown(t("transfer.source", acc=f"{100 * source_acc:.1f}", steps=T["pretrain_steps"]))
MAP_LABELS = lesson.labels(PAGE, **{k: f"map_{k}" for k in ("input", "hidden", "output", "data", "reused", "new")})
lesson.chart(fig.layer_map(N_HIDDEN, n_reuse, MAP_LABELS), key="layers",  # a diagram: outside the live view
             caption=t("transfer.cap_layers", k=n_reuse))
lesson.predict(PAGE, "q1", 3)

RUNS = {k: t(f"transfer.run_{k}") for k in ("frozen", "finetune", "scratch")}
ACC_LABELS = lesson.labels(PAGE, title="acc_title", x="common.step_axis", y="acc_axis")
LOSS_LABELS = lesson.labels(PAGE, title="loss_title", x="common.step_axis", y="common.loss_axis")


def view(group):
    lesson.diverged_members(group, RUNS.get)
    left, right = st.columns(2)
    acc = {RUNS[k]: (m.history["step"], 100 * m.history["test_acc"]) for k, m in group.items()}
    loss = {RUNS[k]: (m.history["step"], m.history["train_loss"]) for k, m in group.items()}
    dash = {RUNS["scratch"]: "dot"}
    last = {k: f"{100 * m.history['test_acc'][-1]:.1f}" if len(m.history["step"]) else "—" for k, m in group.items()}
    with left:
        lesson.chart(fig.loss_curves(acc, ACC_LABELS, dash), key="acc", caption=t("transfer.cap_acc", **last))
    with right:
        lesson.chart(fig.loss_curves(loss, LOSS_LABELS, dash), key="loss", caption=t("transfer.cap_loss"))


live.panel(PAGE, lambda: transfer.transfer_group(net, n_target, n_reuse, seed), signature=(n_target, n_reuse, seed),
           total_steps=T["steps"], view=view)

lesson.formula(r"\theta^{{\text{{new}}}}_{{l}} = \theta^{{\text{{source}}}}_{{l}}\ \ (l \le {k}),\qquad"
               r"\text{{frozen: }}\ \theta_l \leftarrow \theta_l\ \ (l \le {k}),\qquad"
               r"\text{{others: }}\ \theta_l \leftarrow \theta_l - \eta\,\nabla_{{\theta_l}} L_{{\text{{target}}}}", k=n_reuse)
st.caption(t("transfer.cap_formula"))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
