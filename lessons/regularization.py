"""Regularization and overfitting: training-set and model size, L1 vs L2 vs decoupled weight decay, max-norm,
early stopping, all trained side by side on the same few digits (a share of them labelled wrong)."""
import streamlit as st

from lab import regularization
from figures import regularization as fig
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "regularization"
R, S = regularization.REG, regularization.SETTINGS
lesson.header(PAGE)

side = lesson.sidebar_controls(PAGE)
n_train, width, lam, wd, c, seed = (controls.draw(S[k], where=side) for k in ("n", "width", "lam", "wd", "c", "seed"))
settings = regularization.Settings(n_train=n_train, width=width, lam=lam, wd=wd, c=c, seed=seed)
side.caption(t("regularization.setup", lr=R["lr"], batch=R["batch_size"], depth=R["depth"], steps=R["steps"],
               wrong=round(100 * R["label_noise"])))
side.caption(t("regularization.no_diverge"))

NAMES = {m: t(f"regularization.m_{m}") for m in regularization.REG_METHODS}
CURVE_LABELS = lesson.labels(PAGE, acc_title="acc_title", loss_title="loss_title", val="val", best="best",
                             x="common.step_axis", train="common.train_set")
shown = controls.draw(S["show"])


def pct(v):
    return lesson.number(100 * v, ".1f")


def table(rows):
    named = [(NAMES[k], r) for k, r in rows.items() if k != "early"] + [(t("regularization.m_early"), rows["early"])]
    return {t("regularization.col_method"): [name for name, _ in named],
            t("regularization.col_train"): [pct(r.train_acc) for _, r in named],
            t("regularization.col_test"): [pct(r.test_acc) for _, r in named],
            t("regularization.col_gap"): [pct(r.gap) for _, r in named],
            t("regularization.col_mem"): [pct(r.memorized) for _, r in named],
            t("regularization.col_best"): [f"{r.best_step} ({r.best_epoch:.0f})" for _, r in named],
            t("regularization.col_norm"): [lesson.number(r.weight_norm, ".1f") for _, r in named],
            t("regularization.col_zero"): [pct(r.zero_frac) for _, r in named]}


def view(frame):
    v = frame.data
    for k, step in v.diverged.items():
        lesson.diverged(step, f" ({NAMES[k]})")
    h = v.histories[shown]
    best = regularization.best_step(h)  # None before the first evaluation: the curves are drawn empty
    lesson.chart(lambda f: fig.train_val(f.data.histories[shown], regularization.best_step(f.data.histories[shown]),
                                         CURVE_LABELS), numbers=True, key=f"curves_{shown}", frame=frame,
                 caption=curves_caption(h, best, v.rows[shown] if v.rows is not None else None))
    rows = st.container()  # a slot that is there before the first evaluation too: the charts below never move
    if v.rows is not None:
        rows.markdown(f"**{t('regularization.table_title', step=v.step)}**")
        lesson.table(table(v.rows), where=rows)
        rows.caption(t("regularization.cap_table", wrong=round(100 * R["label_noise"]),
                       right=100 - round(100 * R["label_noise"])))
    lesson.section(t("regularization.h_weights"), anchor="weights")
    left, right = st.columns([2, 1])
    with left:
        lesson.chart(lambda f: fig.weight_hists(f.data.edges, {NAMES[k]: n for k, n in f.data.hists.items()},
                                                lesson.labels(PAGE, x="hist_x")), key="hists",
                     frame=frame, caption=t("regularization.cap_hists"))
    with right:
        lesson.predict(PAGE, "q1", 4, demo=PAGE)
    labels = {**lesson.labels(PAGE, title="norm_title", x="norm_x", y="norm_y"), "c_line": f"c = {c:g}"}
    lesson.chart(lambda f: fig.unit_norms({NAMES[k]: n for k, n in f.data.norms.items()}, c, labels), key="norms",
                 frame=frame,
                 caption=t("regularization.cap_norms", c=f"{c:g}"))


def curves_caption(h, best, row):
    """The curves' caption: the method's gap as its row of the table says it (train − test), the best step."""
    if best is None or row is None:
        return t("regularization.cap_curves_empty", name=NAMES[shown])
    rising = best < h["step"][-1] and h["test_loss"][-1] - h["test_loss"].min() > 0.1
    return t("regularization.cap_curves" if rising else "regularization.cap_curves_flat", name=NAMES[shown],
             train=pct(row.train_acc), test=pct(row.test_acc), gap=pct(row.gap), best=best)


live.panel(PAGE, regularization.training_run(settings), view, total_steps=R["steps"], start="last")

lesson.section(t("regularization.formulas"), anchor="formulas")
lesson.formula(r"L_{{L2}} = L_{{\text{{data}}}} + \tfrac12\lambda\sum W^2,\qquad "
               r"L_{{L1}} = L_{{\text{{data}}}} + \lambda\sum |W|,\qquad \lambda = {lam}", lam=lam)
words = {k: t(f"regularization.f_{k}") for k in ("l1", "decoupled", "maxnorm", "early")}
lesson.formula(r"\text{{{l1}}}:\ w \leftarrow \operatorname{{sign}}(w)\,\max(|w| - \eta\lambda,\ 0)"
               r"\qquad \text{{{decoupled}}}:\ \theta \leftarrow \theta - \eta\,v - \eta\lambda_{{wd}}\,\theta,"
               r"\quad \eta\lambda_{{wd}} = {step}", step=R["lr"] * wd, **words)
lesson.formula(r"\text{{{maxnorm}}}:\ w_j \leftarrow w_j\cdot\min\!\Big(1,\ \frac{{c}}{{\|w_j\|_2}}\Big),\quad c = {c}"
               r"\qquad \text{{{early}}}:\ t^* = \arg\min_t L_{{\text{{val}}}}(t)", c=c, **words)
st.caption(t("regularization.cap_formula"))
lesson.quick_checks(PAGE, regularization.quick_checks(settings))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
