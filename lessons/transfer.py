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
n_target, n_reuse, seed = (controls.draw(s, where=side) for s in transfer.SETTINGS)
settings = transfer.Settings(n_target=n_target, n_reuse=n_reuse, seed=seed)
side.caption(t("transfer.setup", hidden=" → ".join(map(str, T["hidden"])), pre=T["pretrain_steps"], lr=T["lr"]))
side.caption(t("transfer.no_diverge"))

source_acc = transfer.source_net()[1]  # trained once per server, shared by every setting
MAP_LABELS = lesson.labels(PAGE, **{k: f"map_{k}" for k in ("input", "hidden", "output", "data", "reused", "new")})

RUNS = {k: t(f"transfer.run_{k}") for k in ("frozen", "finetune", "scratch")}
ACC_LABELS = lesson.labels(PAGE, title="acc_title", x="common.step_axis", y="acc_axis")
LOSS_LABELS = lesson.labels(PAGE, title="loss_title", x="common.step_axis", y="common.loss_axis")


def view(frame):
    histories = frame.data.histories
    for k, step in frame.data.diverged.items():
        lesson.diverged(step, f" ({RUNS[k]})")
    dash = {RUNS["scratch"]: "dot"}
    last = {k: lesson.number(100 * h["test_acc"][-1], ".1f") if len(h["step"]) else "—" for k, h in histories.items()}
    left, right = st.columns([2, 1])
    with left:
        lesson.chart(lambda f: fig.loss_curves({RUNS[k]: (h["step"], 100 * h["test_acc"])
                                                for k, h in f.data.histories.items()}, ACC_LABELS, dash),
                     numbers=True, key="acc", frame=frame,
                     caption=t("transfer.cap_acc", **last))
        lesson.chart(lambda f: fig.loss_curves({RUNS[k]: (h["step"], h["train_loss"])
                                                for k, h in f.data.histories.items()}, LOSS_LABELS, dash),
                     key="loss", frame=frame,
                     caption=t("transfer.cap_loss"))
    with right:  # the question beside the curves that answer it
        lesson.predict(PAGE, "q1", 3, demo=PAGE)


live.panel(PAGE, transfer.transfer_run(settings), view, total_steps=T["steps"], start="last")

# the layers reused, under the curves: above them, the diagram pushed the accuracy chart under the fold
c_map, c_source = st.columns([3, 2], vertical_alignment="center")
with c_map:
    lesson.chart(fig.layer_map(N_HIDDEN, n_reuse, MAP_LABELS), key="layers",  # a diagram: outside the live view
                 caption=t("transfer.cap_layers", k=n_reuse))
c_source.markdown(t("transfer.source", acc=f"{100 * source_acc:.1f}", steps=T["pretrain_steps"]))

lesson.formula(r"\theta^{{\text{{new}}}}_{{l}} = \theta^{{\text{{source}}}}_{{l}}\ \ (l \le {k}),\qquad"
               r"\text{{{frozen} }}\ \theta_l \leftarrow \theta_l\ \ (l \le {k}),\qquad"
               r"\text{{{others} }}\ \theta_l \leftarrow \theta_l - \eta\,\nabla_{{\theta_l}} L_{{\text{{target}}}}", k=n_reuse,
               frozen=t("transfer.f_frozen"), others=t("transfer.f_others"))
st.caption(t("transfer.cap_formula"))
lesson.quick_checks(PAGE, transfer.quick_checks(settings))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
