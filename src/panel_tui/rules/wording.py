"""Counts in words: "1 dispute", "2 disputes", "0 disputes".

Messages that say how many of something were read, written or found are read by
people at the end of a command or in a meeting; "imported 1 disputes" reads as a
slip and makes the rest of the message look careless.
"""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun plural unless there is exactly one."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
