"""Test-wide settings."""
import os

# The app hides error details from students (.streamlit/config.toml); tests need to see them.
os.environ["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] = "full"
# One BLAS thread, as the app runs (app.py): timing-independent and identical across machines.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
