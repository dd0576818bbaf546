"""The text catalog: content/<lang>/<page>.txt files parsed into one dict per language.

Kept free of Streamlit so tests (and the key-parity check) can load it directly.
File format: a line ``=== key`` starts an entry; its value runs to the next ``=== `` line.
"""
from __future__ import annotations

import functools
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "ko")
LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}


def parse(text: str, source: str = "<text>") -> dict[str, str]:
    """Parse one content file into {key: value}. Duplicate keys are an error (a silent overwrite hides typos)."""
    entries: dict[str, str] = {}
    key, lines = None, []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("=== "):
            if key is not None:
                entries[key] = "\n".join(lines).strip()
            key, lines = line[4:].strip(), []
            if not key or " " in key:
                raise ValueError(f"{source}:{lineno}: bad key {key!r}")
            if key in entries:
                raise ValueError(f"{source}:{lineno}: duplicate key {key!r}")
        elif key is not None:
            lines.append(line)
        elif line.strip():
            raise ValueError(f"{source}:{lineno}: text before the first '=== key' line")
    if key is not None:
        entries[key] = "\n".join(lines).strip()
    return entries


@functools.lru_cache(maxsize=None)
def load(lang: str) -> dict[str, str]:
    """All entries of one language, keyed '<file stem>.<key>'."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGUAGES)}")
    catalog: dict[str, str] = {}
    for path in sorted((CONTENT_DIR / lang).glob("*.txt")):
        for key, value in parse(path.read_text(encoding="utf-8"), str(path)).items():
            catalog[f"{path.stem}.{key}"] = value
    return catalog
