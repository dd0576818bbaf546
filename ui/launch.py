"""Start the lab: process settings and server guards first, then Streamlit's own `streamlit run app.py`.

    python -m ui.launch [streamlit run options, e.g. --server.port 8501]

What must happen once per server process happens here, before the first session: one BLAS thread (sessions already
train in parallel threads, and threaded BLAS on small matrices only oversubscribes the cores), glibc's allocator
thresholds for faster training steps (core/runtime.py), and the guards of ui/guards.py.
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
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
