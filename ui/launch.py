"""Start the lab: process settings and server guards first, then Streamlit's own `streamlit run app.py`.

    python -m ui.launch [streamlit run options, e.g. --server.port 8501]

What must happen once per server process happens here, before the first session: one BLAS thread (sessions already
train in parallel threads, and threaded BLAS on small matrices only oversubscribes the cores), glibc's allocator
thresholds for faster training steps (core/runtime.py), the guards of ui/guards.py, and then the class server's
threads (runs/): the load agent behind `make serve`'s proxy, every lesson's defaults computed in the background
(runs/warm.py: the first students find them ready, and it never makes a visitor wait) and the housekeeping that gives
a class's memory back when it has left (runs/housekeeping.py).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str]) -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy is imported anywhere
    from core import runtime
    from ui import guards

    runtime.tune_allocator()
    guards.install()
    from runs import agent, housekeeping, warm
    from ui import nav

    agent.start_from_env()  # a worker behind `make serve`'s proxy reports its load (runs/agent.py)
    warm.start(nav.LESSONS)
    housekeeping.start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    # Run as ui.launch, not as __main__: app.py imports ui.launch, and a second copy of this module (with its own
    # "started" flags) would start a second warm-up and a second housekeeping thread on the first page visit.
    from ui import launch

    launch.main(sys.argv[1:])
