"""Textual's Footer, redrawn only when the keys it shows change.

Textual's Footer removes and mounts all its keys (a dozen widgets here, each
styled anew) whenever the screen's bindings *may* have changed: on every
focus change and every time its screen comes back to the top of the stack.
Going from the queue to a dispute and back did that twice, for the same keys.
This footer remembers what it drew and recomposes only when the active
bindings (key, binding, enabled, tooltip, key display) differ.

When it does recompose, each new key is born with the footer's compact
setting. Textual's keys start compact and are bound to the footer's value on
mount: the first value's watcher added the "-compact" class and the bound
value removed it again, two restyles of every key (about half of the
Textual time of opening a dispute whose keys differ from the last one's).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    """A Footer that skips redrawing identical keys."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._drawn: tuple[object, ...] | None = None

    def _keys(self) -> tuple[object, ...]:
        show = self.app.get_key_display
        return (
            self.show_command_palette,
            self.compact,
            *(
                (key, bound.binding, bound.enabled, bound.tooltip, show(bound.binding))
                for key, bound in self.screen.active_bindings.items()
            ),
        )

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._drawn = self._keys()
        for widget in super().compose():  # grouped keys come through here one by one too
            # Set before mount: no watcher, no restyle. The command palette's key is not
            # bound to the footer's setting (Textual leaves it compact): left alone.
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        # As Footer.bindings_changed, but the recompose is skipped when nothing changed.
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if self.is_attached and self._keys() != self._drawn:
            await self.recompose()
