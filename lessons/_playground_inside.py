"""The playground's network view and its narrated step (private to lessons/playground.py): the input point whose
numbers the hover shows, the live chart of every unit and the strongest weights (figures/network.py over
lab.playground's NetView), and "Step inside" the next update (ui/inside.py over lab.playground.inside)."""
from __future__ import annotations

import streamlit as st

from figures import network as fig
from lab import playground
from ui import inside, lesson
from ui.i18n import t

PAGE = "playground"


def words(cfg: playground.PlaygroundConfig) -> dict:
    """The network view's words: its columns, activations, legend and hover lines in the page's language."""
    return inside.network_words(cfg.layers, cfg.activations)


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
                 caption=t("playground.cap_net"))


def step_inside(frame, cfg: playground.PlaygroundConfig) -> None:
    """The update after the step the live panel shows, narrated stop by stop."""
    step = frame.step if frame is not None else 0
    inside.section(PAGE, lambda: playground.inside(cfg, step), words(cfg), cache=("playground", cfg), at_step=step)
