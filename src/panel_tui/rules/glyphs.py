"""ASCII in place of glyphs a terminal cannot show: one translation, for every widget
and for what the command line prints for people (``cli/output.py``).

The Linux console's fonts lack ✖ ▲ ⏎ ⭘ ✓, the eighth blocks of a sparkline and
the rounded corners of a border; a terminal in a non-UTF-8 locale shows none of
them. There, ``PanelApp`` passes everything it writes to the terminal through
``translate`` (one character for one, so nothing moves), which covers our own
widgets and Textual's (header, footer, scroll bars, borders) alike, and names
keys in words ("enter", not ⏎). Text people typed is never changed: only the
glyphs below are. ``PANEL_TUI_GLYPHS=ascii`` or ``unicode`` overrides the guess.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

#: Every glyph the app or Textual draws, and its one-character ASCII stand-in.
ASCII = {
    # state and marks
    "✖": "X", "✗": "X", "×": "x", "▲": "^", "▼": "v", "✓": "+", "✔": "+", "⭘": "o",
    "▶": ">", "◀": "<", "▸": ">", "◂": "<", "•": "*", "●": "*", "○": "o", "⏎": "<",
    "→": ">", "←": "<", "↑": "^", "↓": "v", "·": "-", "…": "~", "—": "-", "–": "-",
    "−": "-", "«": "<", "»": ">", "≈": "~",
    # blocks: bars, sparklines, scroll bars, toggles
    "█": "#", "▉": "#", "▊": "#", "▋": "#", "▌": "|", "▍": "|", "▎": "|", "▏": "|",
    "▐": "|", "▀": "-", "▔": "-", "▁": "_", "▂": "_", "▃": ".", "▄": "=", "▅": "=",
    "▆": "#", "▇": "#", "░": ":", "▒": ":", "▓": "#",
    # box drawing: light, heavy, rounded, double
    "─": "-", "━": "-", "═": "=", "│": "|", "┃": "|", "║": "|",
    "╭": "+", "╮": "+", "╰": "+", "╯": "+", "┌": "+", "┐": "+", "└": "+", "┘": "+",
    "┏": "+", "┓": "+", "┗": "+", "┛": "+", "╔": "+", "╗": "+", "╚": "+", "╝": "+",
    "├": "+", "┤": "+", "┬": "+", "┴": "+", "┼": "+", "╴": "-", "╶": "-", "╵": "|",
    "╷": "|", "╸": "-", "╺": "-", "╹": "|", "╻": "|",
    # the heavy-headed tables the command line prints (Rich's default box)
    "┳": "+", "┻": "+", "╋": "+", "┣": "+", "┫": "+", "┡": "+", "┩": "+", "╇": "+",
    "┯": "+", "┷": "+", "┿": "+", "┠": "+", "┨": "+", "╂": "+", "╞": "+", "╡": "+",
    "╪": "+", "╤": "+", "╧": "+", "╟": "+", "╢": "+", "╫": "+", "╠": "+", "╣": "+",
    "╦": "+", "╩": "+", "╬": "+",
}  # fmt: skip
TABLE = str.maketrans(ASCII)

#: Key names as words where Textual shows a glyph.
KEY_WORDS = {"enter": "enter", "up": "up", "down": "down", "left": "left", "right": "right"}


def ascii_terminal(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the terminal is unlikely to show the glyphs (TERM=linux, a non-UTF-8 locale)."""
    env = os.environ if environ is None else environ
    choice = env.get("PANEL_TUI_GLYPHS", "").strip().lower()
    if choice in ("ascii", "unicode"):
        return choice == "ascii"
    if env.get("TERM", "") == "linux":
        return True
    # The locale that decides the character set: the first of these that is set.
    locale = next((env[k] for k in ("LC_ALL", "LC_CTYPE", "LANG") if env.get(k)), "")
    if not locale:
        return False  # nothing says: Python writes UTF-8, and most terminals show it
    normal = locale.lower().replace("-", "")
    return "utf8" not in normal


def translate(text: str) -> str:
    """``text`` with every glyph above replaced by its ASCII stand-in."""
    return text.translate(TABLE)
