"""One step, narrated ("Step inside", issue 26 item 2): a page's next update walked through stop by stop, the
mini-batch, every layer's pre-activation and activation, the loss, the gradient flowing back layer by layer and the
update of every weight matrix, each stop lighting up the part of the network it is about (figures.network) and
writing its formula with the numbers of that very update (lab._inside.record_update: what the engine computed).
Back and Next are buttons and the ← and → keys.

    inside.section(PAGE, lambda: playground.inside(cfg, frame.step), words, cache=(cfg, frame.step))
"""
from __future__ import annotations

from string import Template
from typing import Callable, Hashable

import numpy as np
import streamlit as st

from core import optim
from figures import network as fig
from ui import lesson
from ui.i18n import t


def network_words(n_hidden: int, acts) -> dict:
    """The network diagram's words (figures.network.network's labels) for n_hidden hidden layers with ``acts``."""
    return {**lesson.labels("common", title="net_title", pos="net_pos", neg="net_neg", shown="net_shown",
                            unit_hidden="net_unit_hidden", unit_output="net_unit_output", unit_z="net_unit_z",
                            unit_rest="net_unit_rest", unit_a="net_unit_a", unit_grad="net_unit_grad",
                            link_hover="net_link_hover", input_hover="net_input_hover", summary="net_summary"),
            "layers": [t("common.net_input")] + [t("common.net_hidden", i=i + 1) for i in range(n_hidden)] + [
                t("common.net_output")],
            "acts": [t(f"common.opt_{a}") for a in acts] + ["softmax"]}


def stops(record) -> list[tuple[str, int]]:
    """The stops of a recorded update: the inputs, each dense layer forward, the loss, each layer backward (output
    first), each weight matrix's update (layers counted from 1, the inputs are 0)."""
    n = len(record.layers)
    return ([("inputs", 0)] + [("forward", k) for k in range(1, n + 1)] + [("loss", n)]
            + [("backward", k) for k in range(n, 0, -1)] + [("update", k) for k in range(1, n + 1)])


def highlight(kind: str, layer: int) -> dict:
    """Which part of the diagram a stop lights up."""
    return {"inputs": {"layer": 0}, "forward": {"layer": layer, "links": layer}, "loss": {"layer": layer},
            "backward": {"layer": layer, "links": layer, "back": True}, "update": {"links": layer}}[kind]


def _n(v: float) -> str:
    """A number in a formula: 4 significant digits, powers of ten as LaTeX, negative ones in parentheses when they are
    multiplied (``paren``)."""
    v = float(v)
    if not np.isfinite(v):
        return r"\text{—}"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.4g}"
    mantissa, exp = f"{v:.2e}".split("e")
    return rf"{mantissa}\times 10^{{{int(exp)}}}"


def _p(v: float) -> str:
    text = _n(v)
    return f"({text})" if float(v) < 0 else text


SHOWN_TERMS = 2  # terms of a sum a formula writes out (the record keeps more; the others are summed into one)


def _terms(pairs, rest: float | None, n_total: int) -> str:
    """a·b + c·d + … as LaTeX, the sum of the others as one number."""
    pairs = [tuple(map(float, p)) for p in pairs]
    if rest is not None and len(pairs) > SHOWN_TERMS:
        rest += sum(a * b for a, b in pairs[SHOWN_TERMS:])
        pairs = pairs[:SHOWN_TERMS]
    out = " + ".join(rf"{_p(a)}\cdot{_p(b)}" for a, b in pairs)
    if rest is not None and n_total > len(pairs):
        out += rf" + \underbrace{{{_p(rest)}}}_{{\text{{{t('common.inside_others', n=n_total - len(pairs))}}}}}"
    return out


def _lines(left: str, sides: list[str]) -> str:
    """left = side 1 = side 2 = ..., one equals sign a line (a formula narrow enough for a phone or a projector)."""
    return r"\begin{aligned} " + left + " &= " + r" \\ &= ".join(sides) + r" \end{aligned}"


def formula(record, kind: str, layer: int) -> list[str]:
    """The LaTeX of a stop, with the numbers of the recorded update."""
    rows = []
    if kind == "inputs":
        x = np.asarray(record.x, float)
        cols = min(x.shape[1], 4)
        body = r"\\".join(" & ".join(_n(v) for v in row[:cols]) + (r" & \cdots" if x.shape[1] > cols else "")
                          for row in x)
        rows.append(rf"X = \begin{{bmatrix}} {body} \\ \vdots \end{{bmatrix}}_{{{record.batch}\times{x.shape[1]}}}"
                    rf",\qquad y = ({', '.join(str(int(v)) for v in record.y)}, \ldots)")
        return rows
    L = record.layers[layer - 1]
    j, i = L.unit + 1, L.input + 1
    output = layer == len(record.layers)
    if kind == "forward":
        n_in = L.shape[0]
        pairs = [(w, a) for _, w, a in L.terms]
        rows.append(_lines(rf"z_{{{j}}}", [rf"\sum_i w_{{i,{j}}}\,a_i + b_{{{j}}}",
                                             rf"{_terms(pairs, L.rest, n_in)} + {_p(L.bias)}", _n(L.z[0, L.unit])]))
        if L.bn is not None:
            mean, var, gamma, beta, eps = L.bn
            z_hat = (L.z[0, L.unit] - mean) / np.sqrt(var + eps)
            rows.append(rf"\hat z = \frac{{z - \mu_B}}{{\sqrt{{\sigma_B^2 + \varepsilon}}}} = \frac{{{_n(L.z[0, L.unit])}"
                        rf" - {_p(mean)}}}{{\sqrt{{{_n(var)} + {_n(eps)}}}}} = {_n(z_hat)},\quad "
                        rf"\gamma\hat z + \beta = {_p(gamma)}\cdot{_p(z_hat)} + {_p(beta)} = {_n(gamma * z_hat + beta)}")
        if output:
            rows.append(rf"p_{{{j}}} = \frac{{e^{{z_{{{j}}}}}}}{{\sum_k e^{{z_k}}}} = {_n(L.a[0, L.unit])}")
        else:
            act = t(f"common.opt_{record.acts[layer - 1]}")
            arg = r"\gamma\hat z + \beta" if L.bn is not None else f"z_{{{j}}}"
            rows.append(rf"a_{{{j}}} = \text{{{act}}}({arg}) = {_n(L.a[0, L.unit])}")
        return rows
    if kind == "loss":
        p = [row[int(y)] for row, y in zip(record.probs, record.y)]
        terms = " + ".join(_n(v) for v in record.loss_terms)
        rows.append(_lines("L", [r"-\frac{1}{B}\sum_{n=1}^{B} \log p_{n,y_n}",
                                  rf"\frac{{1}}{{{record.batch}}}\big({terms} + \cdots\big)", _n(record.loss)]))
        rows.append(r",\ ".join(rf"p_{{{n + 1},y_{{{n + 1}}}}} = {_n(v)}" for n, v in enumerate(p)))
        return rows
    if kind == "backward":
        if output:
            y = int(record.y[0] == L.unit)
            rows.append(rf"\delta_{{{j}}} = \frac{{\partial L}}{{\partial z_{{{j}}}}} = \frac{{p_{{{j}}} - "
                        rf"[y = {L.unit}]}}{{B}} = \frac{{{_n(L.a[0, L.unit])} - {y}}}{{{record.batch}}} = "
                        rf"{_n(L.delta[0, L.unit])}")
        elif L.slope is not None:
            rows.append(rf"\delta_{{{j}}} = \frac{{\partial L}}{{\partial a_{{{j}}}}}\,f'(z_{{{j}}}) = "
                        rf"{_p(L.grad_a[0, L.unit])}\cdot{_p(L.slope[0])} = {_n(L.delta[0, L.unit])}")
        else:
            rows.append(rf"\delta_{{{j}}} = \frac{{\partial L}}{{\partial z_{{{j}}}}} = {_n(L.delta[0, L.unit])}")
        rows.append(_lines(rf"\frac{{\partial L}}{{\partial w_{{{i},{j}}}}}", [
            rf"\sum_n a_{{n,{i}}}\,\delta_{{n,{j}}}",
            _terms([tuple(r) for r in L.grad_terms], L.grad_rest, record.batch), _n(L.grad_w)]))
        rows.append(rf"\lVert \delta^{{({layer})}} \rVert = {_n(L.delta_norm)},\quad"
                    rf"\lVert \partial L/\partial W^{{({layer})}} \rVert = {_n(L.grad_norm)}")
        return rows
    # the update of weight w_ij: the optimizer's own rows with this weight's numbers
    numbers = {key: _n(value) for key, value in record.hp.items()}
    numbers.update({key: _n(value) for key, value in L.parts.items()})
    numbers.update(t=str(record.t), lr=_n(record.lr), gradient=_n(L.step_grad), update=_n(L.rule_update))
    grad = rf"g = \frac{{\partial L}}{{\partial w_{{{i},{j}}}}} = {numbers['gradient']}"
    if not _same(L.step_grad, L.grad_w):  # the optimizer was handed ∂L/∂w with a penalty's term, or clipped
        grad = (rf"g = \frac{{\partial L}}{{\partial w_{{{i},{j}}}}} = {_n(L.grad_w)}\ \to\ {numbers['gradient']}"
                rf"\ \text{{({t('common.inside_g_adjusted')})}}")
    rows.append(rf"t = {record.t},\ \eta = {numbers['lr']},\ {grad}")
    for row in optim.rule(record.optimizer).latex:
        rows.append(Template(row).safe_substitute(numbers))
    plain = L.w + L.rule_update
    rows.append(rf"w_{{{i},{j}}} \leftarrow w_{{{i},{j}}} + \Delta w = {_n(L.w)} + {_p(L.rule_update)} = {_n(plain)}")
    if not _same(plain, L.w_after):  # decoupled weight decay or max-norm moved it again
        rows.append(rf"w_{{{i},{j}}} \to {_n(L.w_after)}\ \text{{({t('common.inside_w_constrained')})}}")
    return rows


def _same(a: float, b: float) -> bool:
    """Equal as far as the formulas' four significant digits and the engine's float32 arithmetic can tell."""
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-12)


def words(record, kind: str, layer: int) -> str:
    """The stop's sentences, with its numbers."""
    if kind == "inputs":
        return t("common.inside_inputs", step=record.step, batch=record.batch)
    L = record.layers[layer - 1]
    output = layer == len(record.layers)
    common = dict(l=layer, unit=L.unit + 1, input=L.input + 1, rows=L.shape[0], cols=L.shape[1], batch=record.batch)
    if kind == "forward":
        key = "inside_forward_out" if output else ("inside_forward_bn" if L.bn is not None else "inside_forward")
        return t(f"common.{key}", act=t(f"common.opt_{record.acts[layer - 1]}") if not output else "softmax", **common)
    if kind == "loss":
        return t("common.inside_loss", batch=record.batch)
    if kind == "backward":
        if output:
            return t("common.inside_back_out", **common)
        above = record.layers[layer].delta_norm
        ratio = L.delta_norm / above if above > 0 else float("nan")
        return t("common.inside_back", norm=lesson.number(L.delta_norm, ".3g"),
                 ratio=lesson.number(ratio, ".3g"), **common)
    return t("common.inside_update", opt=t(f"common.opt_{record.optimizer}"), lr=lesson.number(record.lr, ".3g"),
             **common)


def section(page: str, compute: Callable, diagram_words: dict, cache: Hashable, at_step: int) -> None:
    """The "Step inside" section of a page: a toggle; when on, the update after step ``at_step`` (``compute()``:
    lab's Inside for it, shared) narrated stop by stop, with Back/Next (and ←/→)."""
    lesson.section(t("common.inside_title"), anchor="step-inside")
    if not st.toggle(t("common.inside_toggle", step=at_step + 1), key=f"_inside.{page}.on",
                     help=t("common.inside_help")):
        return
    try:
        inside = compute()
    except ValueError:  # the run ended (diverged, or at its last step): no update after this one
        st.info(t("common.inside_none", step=at_step), icon=":material/info:")
        return
    record = inside.record
    walk = stops(record)
    state_key = f"_inside.{page}.stop"
    if st.session_state.get(f"_inside.{page}.of") != (cache, at_step):  # another update: from its first stop
        st.session_state[f"_inside.{page}.of"] = (cache, at_step)
        st.session_state[state_key] = 0
    k = min(max(int(st.session_state.get(state_key, 0)), 0), len(walk) - 1)

    def move(by: int) -> None:
        st.session_state[state_key] = min(max(st.session_state.get(state_key, 0) + by, 0), len(walk) - 1)

    kind, layer = walk[k]
    back, where, forward = st.columns([1, 3, 1], vertical_alignment="center")
    back.button(t("common.inside_back_button"), key=f"_inside.{page}.back", on_click=move, args=(-1,),
                icon=":material/arrow_back:", shortcut="Left", width="stretch")
    forward.button(t("common.inside_next_button"), key=f"_inside.{page}.next", on_click=move, args=(1,),
                   icon=":material/arrow_forward:", shortcut="Right", width="stretch",
                   type="primary")
    title = t(f"common.inside_{kind}_title", l=layer) if kind != "forward" or layer < len(record.layers) else \
        t("common.inside_forward_out_title")
    where.markdown(f"**{t('common.inside_stop', k=k + 1, n=len(walk), title=title)}**")
    st.progress((k + 1) / len(walk))
    left, right = st.columns([4, 7])
    with left:
        light = highlight(kind, layer)
        lesson.chart(lambda: fig.network(inside.view, 0, diagram_words, highlight=light), key=f"inside_net_{page}",
                     caption=t("common.inside_cap"), cache=(page, "inside", cache, at_step, kind, layer))
    with right:
        st.markdown(words(record, kind, layer))
        for row in formula(record, kind, layer):  # one equals sign a line: narrow enough beside the diagram
            st.latex(row)
