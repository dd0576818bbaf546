"""The teacher's charts of a class poll (ui/classroom.py): counts in, a figure and the sentence that describes it out.

Options are named by their number ("1", "2", …: the predict box lists them in that order), so long option texts
never crowd the chart; every bar carries its count as text, so colour is never the only code.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from figures import describe, spec
from figures.theme import color, figure

PATTERNS = ("", "/", ".", "x", "-", "+")  # reasons differ by fill pattern as well as by colour


def answers(rounds: Sequence[Sequence[int]], labels: Mapping[str, str]) -> tuple[spec.Figure, str]:
    """Bars of answers per option, one bar group per round (the second round beside the first).

    rounds: R lists of C counts. labels: "title", "x" (the count axis), "y" (the option axis), "round1", "round2",
    "option" (a format string with {n}), "alt_round" (format string with {round}, {counts}).
    """
    n = len(rounds[0]) if rounds else 0
    options = [labels["option"].format(n=i + 1) for i in range(n)]
    fig = figure(labels.get("title", ""), labels.get("x", ""), labels.get("y", ""),
                 height=120 + 46 * n * max(1, len(rounds)))
    sentences = []
    for r, counts in enumerate(rounds):
        name = labels[f"round{r + 1}"]
        fig.add_trace(spec.bar(y=options, x=[int(c) for c in counts], orientation="h", name=name,
                               marker_color=color(0 if r == 0 else 1), marker_pattern_shape=PATTERNS[r],
                               text=[str(int(c)) for c in counts], textposition="auto", textangle=0,
                               hovertemplate="%{y}: %{x}<extra>" + name + "</extra>"))
        listed = ", ".join(f"{o}: {int(c)}" for o, c in zip(options, counts))
        sentences.append(labels["alt_round"].format(round=name, counts=listed))
    fig.update_layout(barmode="group", bargap=0.25, showlegend=len(rounds) > 1)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(rangemode="tozero", dtick=_tick(max((max(c) for c in rounds if len(c)), default=0)))
    fig.alt = describe.Alt(describe.title(labels.get("title", "")), describe.text(" ".join(sentences)))
    return fig, " ".join(sentences)


def answers_by_reason(by_reason: Sequence[Sequence[int]], reasons: Sequence[str],
                      labels: Mapping[str, str]) -> tuple[spec.Figure, str]:
    """Answers x reasons: one horizontal bar per option, split into the reasons its students picked.

    by_reason: C rows of K counts; reasons: K short names (the legend). labels as ``answers`` plus "alt_reason"
    (format string with {option}, {counts}).
    """
    n = len(by_reason)
    options = [labels["option"].format(n=i + 1) for i in range(n)]
    fig = figure(labels.get("title", ""), labels.get("x", ""), labels.get("y", ""), height=260 + 46 * n)
    for k, name in enumerate(reasons):
        counts = [int(row[k]) for row in by_reason]
        fig.add_trace(spec.bar(y=options, x=counts, orientation="h", name=name, marker_color=color(k + 2),
                               marker_pattern_shape=PATTERNS[k % len(PATTERNS)],
                               text=[str(c) if c else "" for c in counts], textposition="inside", textangle=0,
                               hovertemplate="%{y}: %{x}<extra>" + name + "</extra>"))
    # the legend under the bars: in a narrow column it wraps into a list, which must not squeeze the plot
    fig.update_layout(barmode="stack", bargap=0.3, showlegend=True,
                      legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(rangemode="tozero", dtick=_tick(max((sum(row) for row in by_reason), default=0)))
    sentences = [labels["alt_reason"].format(option=o, counts=", ".join(f"{r}: {int(c)}" for r, c in zip(reasons, row)))
                 for o, row in zip(options, by_reason) if sum(row)]
    fig.alt = describe.Alt(describe.title(labels.get("title", "")), describe.text(" ".join(sentences)))
    return fig, " ".join(sentences)


def _tick(top: int) -> int:
    """Whole-number ticks, about five of them."""
    return max(1, -(-int(top) // 5))
