"""The high-contrast theme: black and white with saturated signal colours.

For people who need more contrast than Textual's default theme gives, and for
screens in bright rooms. Breached rows stay bold red, warnings bold yellow;
the cursor is reverse video, which every terminal shows. Chosen with ``f2``
(rebindable: ``app.theme``) or ``[app] theme = "high-contrast"`` in config.toml.
"""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="high-contrast",
    primary="#ffffff",
    secondary="#ffff00",
    accent="#00ffff",
    warning="#ffff00",
    error="#ff3030",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    boost="#333333",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
    variables={
        "text-muted": "#ffffff",
        "footer-key-foreground": "#ffff00",
        "block-cursor-foreground": "#000000",
        "block-cursor-background": "#ffffff",
    },
)

#: The theme ``f2`` leaves high contrast for.
DEFAULT_THEME = "textual-dark"
