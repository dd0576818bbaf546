"""Streamlit helpers shared by every page: text, URL-bound controls, live training, lesson layout."""
