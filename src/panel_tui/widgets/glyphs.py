"""The app's name for ``rules.glyphs`` (the command line reads the same table there)."""

from panel_tui.rules.glyphs import ASCII, KEY_WORDS, TABLE, ascii_terminal, translate

__all__ = ["ASCII", "KEY_WORDS", "TABLE", "ascii_terminal", "translate"]
