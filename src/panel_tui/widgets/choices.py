"""Options for a Select whose labels are shown exactly as stored, never read as markup.

A Select reads a string label as Textual markup: an agency called "[b]x" would
be shown as a bold "x", and "[" alone can break the drop-down. Every Select in
the app takes its options through ``plain_options``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from rich.text import Text

from panel_tui.rules.text import visible

V = TypeVar("V")


def plain_options(options: Iterable[tuple[str, V]]) -> list[tuple[Text, V]]:
    """``(label, value)`` pairs with each label as literal one-line text (controls escaped)."""
    return [(Text(visible(label, multiline=False), no_wrap=True), v) for label, v in options]
