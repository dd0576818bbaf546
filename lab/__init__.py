"""Each lesson's experiments, one module per lesson page (``lab/<slug>.py`` serves ``lessons/<slug>.py`` and is
drawn by ``figures/<slug>.py``), built on the engine in ``core/``. NumPy only: never Streamlit or Plotly.

A lesson module turns the page's settings into plain results (arrays, small dataclasses) or into a live object
with ``run(n)`` and ``step`` that ``ui.live`` trains in chunks. ``lab.common`` holds what several lessons share.
"""
