"""figures/<slug>.py of the template lesson (docs/PAGES.md): arrays and words in, a figure spec out."""
from __future__ import annotations

import numpy as np

from figures.common import curves


def path_chart(path: np.ndarray, labels: dict):
    """The weight after each update. path: (T + 1,); labels: title, x, y."""
    return curves({labels["y"]: (np.arange(len(path)), path)}, labels["title"], labels["x"], labels["y"])
