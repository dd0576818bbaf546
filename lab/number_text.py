"""Numbers written by people (a link's value, a field of a CSV file), read in linear time.

    plain("0.5")             # True: plain ASCII decimal notation, at most MAX_CHARS characters
    read("-1.25e2")          # -125.0; NotANumber (a ValueError) for anything else, with .reason "long" or "form"

A number is ``[+-]digits[.digits][(e|E)[+-]digits]`` (digits before or after the point, or both): no "1_0", no
"0x10", no other scripts' digits, no "inf"/"nan". The text's length is checked first, then one left-to-right pass
decides, so a hostile field costs time proportional to its length, never more (a regular expression with nested
or adjacent optional repeats, ``[0-9]+\\.?[0-9]*``, backtracks quadratically on a long run of digits that ends in
a letter, while holding the GIL: issue 21 measured a 16 KB file stalling every session for 5 s).
"""
from __future__ import annotations

MAX_CHARS = 32  # a coordinate or a setting never needs more ("-3.999999999999999999999999e-01" is 31)


class NotANumber(ValueError):
    """Text that is not a plain decimal number: reason "long" (longer than the cap) or "form" (not the notation)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def _digits(text: str, start: int) -> int:
    """How many ASCII digits follow position ``start``."""
    end = start
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return end - start


def plain(text: str, max_chars: int = MAX_CHARS) -> bool:
    """True when ``text`` is a plain ASCII decimal number of at most ``max_chars`` characters (one pass)."""
    if not isinstance(text, str) or not 0 < len(text) <= max_chars:
        return False
    i = 1 if text[0] in "+-" else 0
    whole = _digits(text, i)
    i += whole
    fraction = 0
    if i < len(text) and text[i] == ".":
        i += 1
        fraction = _digits(text, i)
        i += fraction
    if whole == 0 and fraction == 0:
        return False
    if i < len(text) and text[i] in "eE":
        i += 1
        if i < len(text) and text[i] in "+-":
            i += 1
        exponent = _digits(text, i)
        if exponent == 0:
            return False
        i += exponent
    return i == len(text)


def read(text: str, max_chars: int = MAX_CHARS) -> float:
    """The number ``text`` writes (may be ±inf or 0.0 when it overflows or underflows: callers check the range).
    NotANumber when it is longer than ``max_chars`` or not plain decimal notation."""
    if len(text) > max_chars:
        raise NotANumber("long", f"longer than {max_chars} characters")
    if not plain(text, max_chars):
        raise NotANumber("form", "not a plain decimal number")
    return float(text)
