"""Textual's Footer, redrawn only when the keys it shows change, and then in place.

Textual's Footer removes and mounts all its keys (a dozen widgets here, each
styled anew) whenever the screen's bindings *may* have changed: on every
focus change and every time its screen comes back to the top of the stack.
Going from the queue to a dispute and back did that twice, for the same keys.
This footer remembers what it drew and does nothing while the active
bindings (key, binding, enabled, tooltip, key display) are the same.

When they differ (the next dispute offers other actions: a key the screen's
``check_action`` refuses is not shown), the keys already mounted are kept:
each is updated in place and hidden (``display``) while not offered, so going
between disputes that offer different actions mounts nothing. Only a key never
mounted before, or keys in another order, makes it recompose, and then it
mounts the keys it showed before as well (hidden), so it converges on every
key the screen has offered. Grouped keys (Textual's ``KeyGroup``) are left to
Textual's own compose.

When it does recompose, each new key is born with the footer's compact
setting. Textual's keys start compact and are bound to the footer's value on
mount: the first value's watcher added the "-compact" class and the bound
value removed it again, two restyles of every key (about half of the
Textual time of opening a dispute whose keys differ from the last one's).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class _Key(NamedTuple):
    """One key as the footer draws it (Textual's compose, ungrouped)."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str

    @property
    def ident(self) -> tuple[str, str]:
        return self.key, self.action


class KeysFooter(Footer):
    """A Footer that skips redrawing identical keys and updates changed ones in place."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._drawn: tuple[object, ...] | None = None
        #: the keys mounted, in order (None: Textual's own compose drew them)
        self._mounted: list[_Key] | None = None
        self._active: dict[str, ActiveBinding] | None = None  # see _active_bindings

    def _active_bindings(self) -> dict[str, ActiveBinding]:
        """The screen's active bindings: during ``redraw_now`` those it read first (each
        reading asks every binding's ``check_action``; a redraw read them three times)."""
        return self.screen.active_bindings if self._active is None else self._active

    def _keys(self) -> tuple[object, ...]:
        show = self.app.get_key_display
        return (
            self.show_command_palette,
            self.compact,
            *(
                (key, bound.binding, bound.enabled, bound.tooltip, show(bound.binding))
                for key, bound in self._active_bindings().items()
            ),
        )

    def _shown(self) -> list[_Key] | None:
        """The keys Textual's Footer would show now, in its order (the command palette's
        aside); None when some are grouped."""
        first: dict[str, _Key] = {}  # one key per action, as Textual's footer shows
        for _, binding, enabled, tooltip in self._active_bindings().values():
            if not binding.show:
                continue
            if binding.group is not None:
                return None
            if binding.action not in first:
                display = self.app.get_key_display(binding)
                first[binding.action] = _Key(
                    binding.key, display, binding.description, binding.action, enabled, tooltip
                )
        return list(first.values())

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._drawn = self._keys()
            shown = self._shown()
            if shown is not None:
                yield from self._compose_keys(shown)
                return
        self._mounted = None
        for widget in super().compose():  # grouped keys come through here one by one too
            yield self._born_compact(widget)

    def _compose_keys(self, shown: list[_Key]) -> Iterator[Widget]:
        """The keys shown, with the ones mounted before kept (hidden) in their places."""
        order = _merged(self._mounted or [], shown)
        visible = {k.ident: k for k in shown}
        self._mounted = []
        for kept in order:
            spec = visible.get(kept.ident, kept)
            self._mounted.append(spec)
            widget = FooterKey(
                spec.key,
                spec.display,
                spec.description,
                spec.action,
                disabled=not spec.enabled,
                tooltip=spec.tooltip,
            )
            widget.display = kept.ident in visible
            yield self._born_compact(widget)
        palette = self._palette()
        if palette is not None:  # as Textual's Footer draws it, on the right
            binding, enabled = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def _palette(self) -> tuple[Binding, bool] | None:
        """The command palette's binding and whether it is enabled, if its key is shown."""
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        bound = self._active_bindings().get(self.app.COMMAND_PALETTE_BINDING)
        return None if bound is None else (bound.binding, bound.enabled)

    def _born_compact(self, widget: Widget) -> Widget:
        # Set before mount: no watcher, no restyle. The command palette's key is not
        # bound to the footer's setting (Textual leaves it compact): left alone.
        if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
            widget.set_reactive(FooterKey.compact, self.compact)
        return widget

    def bindings_changed(self, screen: Screen) -> None:
        # As Footer.bindings_changed, but the recompose is skipped when nothing changed.
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def mount_ahead(self, bindings: Iterable[Binding]) -> None:
        """Mount a key, hidden until offered, for each of ``bindings`` besides those shown.

        For a screen built ahead before it has anything to offer (the dispute screen
        offers no action until a dispute is in it): its first dispute's keys are then
        shown in place before the push, not mounted after its first frame.
        """
        shown = self._shown()
        if shown is None:
            return
        display = self.app.get_key_display
        ahead: dict[str, _Key] = {}  # one key per action, as shown
        for b in bindings:
            if b.show and b.group is None and b.action not in ahead:
                ahead[b.action] = _Key(b.key, display(b), b.description, b.action, True, b.tooltip)
        # The screen's keys go after the first one shown (Back), before the app's (Help).
        self._mounted = _merged(shown, list(ahead.values()))
        await self.recompose()

    def redraw_now(self) -> bool:
        """Draw the keys offered now, if that needs no recompose (False: it does, and
        it follows the next refresh as usual).

        For a kept screen refilled off the stack: Textual redraws the footer after
        the first frame that follows the push, so that frame showed the keys of the
        dispute before, and changing them laid the screen out a second time.
        """
        self._active = self.screen.active_bindings
        try:
            keys = self._keys()
            if keys != self._drawn:
                if not self._update_in_place():
                    return False
                self._drawn = keys
            return True
        finally:
            self._active = None

    async def _recompose_if_changed(self) -> None:
        if self.is_attached and not self.redraw_now():
            await self.recompose()

    def _update_in_place(self) -> bool:
        """Show the keys now offered with the widgets mounted, if they hold them all in
        order (and nothing else changed); False: a recompose is needed."""
        shown = self._shown()
        mounted = self._mounted
        drawn = self._drawn
        if shown is None or mounted is None or drawn is None:
            return False
        if drawn[:2] != (self.show_command_palette, self.compact):
            return False
        if _merged(mounted, shown) != mounted:
            return False
        widgets = [w for w in self.query_children(FooterKey) if not w.has_class("-command-palette")]
        if [(w.key, w.action) for w in widgets] != [k.ident for k in mounted]:
            return False
        visible = {k.ident: k for k in shown}
        for n, (widget, kept) in enumerate(zip(widgets, mounted, strict=True)):
            spec = visible.get(kept.ident)
            if spec is None:
                widget.display = False
                continue
            if spec != kept:
                widget.key_display, widget.description = spec.display, spec.description
                widget._disabled = not spec.enabled  # what a click checks (Textual's field)
                widget.set_class(not spec.enabled, "-disabled")
                widget.tooltip = spec.tooltip or None
                widget.refresh(layout=True)
                mounted[n] = spec
            widget.display = True
        return self._palette_in_place()

    def _palette_in_place(self) -> bool:
        """The command palette's key as it is now, if it stayed as drawn (its binding)."""
        drawn = list(self.query_children(FooterKey).filter(".-command-palette"))
        palette = self._palette()
        if palette is None or not drawn:
            return palette is None and not drawn
        binding, enabled = palette
        widget = drawn[0]
        if (widget.key, widget.action) != (binding.key, binding.action):
            return False
        widget._disabled = not enabled
        widget.set_class(not enabled, "-disabled")
        return True


def _merged(mounted: list[_Key], shown: list[_Key]) -> list[_Key]:
    """``mounted`` with the keys of ``shown`` it lacks, each put after the key shown
    before it; ``shown`` itself when the two orders disagree."""
    order = list(mounted)
    idents = [k.ident for k in order]
    previous: tuple[str, str] | None = None
    for key in shown:
        if key.ident not in idents:
            at = idents.index(previous) + 1 if previous is not None else 0
            order.insert(at, key)
            idents.insert(at, key.ident)
        previous = key.ident
    positions = [idents.index(k.ident) for k in shown]
    return order if positions == sorted(positions) else list(shown)
