"""Serving a class: several app processes behind HAProxy with sticky sessions (`make serve`, compose.yaml)."""
