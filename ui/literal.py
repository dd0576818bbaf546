"""Text from outside the app (a link's value, a file, an upload) shown as literal text inside Streamlit markdown.

Streamlit renders notices (st.warning, st.error, ...) as markdown with its own extensions: links, images, headings,
bare URLs turned into links, `:red[...]` colours, `:material/...:` icons, `$...$` maths. Backslash-escaping the
punctuation is not enough (a bare URL still becomes a link, an icon still renders, as checked in Chromium), so a
value is shown as an inline code span, which the markdown renderer leaves as text: its fence is one backtick longer
than the longest run of backticks inside, and characters that are not printable (a newline would end the span's
paragraph) are shown as escapes.
"""
from __future__ import annotations

import re

_BACKTICKS = re.compile(r"`+")


def printable(value: str) -> str:
    """``value`` with every non-printable character written as its escape (newline -> \\n, NUL -> \\x00)."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)


def literal(value, limit: int = 40) -> str:
    """Markdown that shows ``value`` (any object; str() of it) as literal text, cut to ``limit`` characters."""
    text = printable(str(value))
    if len(text) > limit:
        text = text[:limit] + "…"
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"  # the spaces let a value start or end with a backtick
