"""Test-wide settings."""
import os

# The app hides error details from students (.streamlit/config.toml); tests need to see them.
os.environ["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] = "full"
# One BLAS thread, as the app runs (app.py): timing-independent and identical across machines.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# AppTest runs app.py in the test process: no background warm-up of every lesson there (tests/test_warm.py calls it).
os.environ["LAB_WARM"] = "0"
