"""Plotly figure builders: engine results in, figure specs (plain JSON, `figures.spec`) out. One theme, one
palette. No Streamlit here.

Text (titles, axis labels) is passed in by the caller, already translated.
"""
