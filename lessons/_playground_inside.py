"""The playground's network view (private to lessons/playground.py): the input point whose numbers the hover shows,
and the live chart of every unit and the strongest weights (figures/network.py over lab.playground's NetView)."""
from __future__ import annotations

import streamlit as st

from figures import network as fig
from lab import playground
from ui import lesson
from ui.i18n import t

PAGE = "playground"


def words(cfg: playground.PlaygroundConfig) -> dict:
    """The network view's words: its columns, activations, legend and hover lines in the page's language."""
    layers = [t("playground.net_input")] + [t("playground.net_hidden", i=i + 1) for i in range(cfg.layers)] + [
        t("playground.net_output")]
    return {**lesson.labels(PAGE, title="net_title", pos="net_pos", neg="net_neg", shown="net_shown",
                            unit_hidden="net_unit_hidden", unit_output="net_unit_output", unit_z="net_unit_z",
                            unit_rest="net_unit_rest", unit_a="net_unit_a", unit_grad="net_unit_grad",
                            link_hover="net_link_hover", input_hover="net_input_hover", summary="net_summary"),
            "layers": layers, "acts": [t(f"common.opt_{a}") for a in cfg.activations] + ["softmax"]}


def point_name(view, i: int) -> str:
    """An input point as the selector names it: its coordinates and class (2-D data), or its digit."""
    x, label = view.points[i], int(view.labels[i])
    if len(x) == 2:
        return t("playground.net_point_2d", i=i + 1, x=f"{x[0]:.2f}", y=f"{x[1]:.2f}", c=label)
    return t("playground.net_point_img", i=i + 1, c=label)


def network(frame, cfg: playground.PlaygroundConfig) -> None:
    """The point selector and the network view of ``frame`` (a live chart: it plays with the run)."""
    view = frame.data.network
    named = words(cfg)
    point = st.selectbox(t("playground.net_point"), range(len(view.labels)), key="_net_point",
                         format_func=lambda i: point_name(view, i))
    lesson.chart(lambda f: fig.network(f.data.network, point, named), key=f"network{point}", frame=frame,
                 caption=t("playground.cap_net"), alt=fig.summary(view, point, named))
