"""Screens the app keeps and refills rather than mounting anew (a dispute's detail, the
shift-start view): laid out while the queue idles, and not restyled whole on every push.

Mounting a screen, its first layout and the restyle of every node Textual does
on each push were most of the time from a key to such a screen on the terminal.
"""

from __future__ import annotations

from textual import events

from panel_tui.screens.base import AppScreen


class KeptScreen(AppScreen):
    """A screen installed once by the app, pushed and popped many times."""

    _styled_in: object = None  # the app-wide style state at the last full restyle

    def _style_state(self) -> object:
        app = self.app
        return (app.stylesheet, app.theme, frozenset(app.get_pseudo_classes()))

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Skip Textual's restyle of every node when nothing app-wide has changed.

        Pushing a screen restyles all its nodes in case the stylesheet, the theme
        or the app's focus changed while it was away: about 5 ms per dispute
        opened, and the restyle repainted the scrollbar once more after the first
        frame. Its nodes' own classes are restyled when they change. This runs
        before Screen's handler, which reads ``refresh_styles``.
        """
        state = self._style_state()
        if state == self._styled_in:
            event.refresh_styles = False
        elif event.refresh_styles:  # false when a screen above was popped: Textual skips it
            self._styled_in = state  # Screen's handler restyles every node now

    def lay_out_ahead(self) -> None:
        """Style and lay out the screen now, off the stack, at the app's size.

        The first layout of a screen gives every widget its first size, and each
        of them then asks for another layout: a screen's first push was laid out
        twice (and restyled whole on its first resume) where later ones are laid
        out once. Done while the queue idles, the first push costs what a later
        one does. Textual lays out only the current screen on its own, hence its
        private ``_refresh_layout``.
        """
        self._styled_in = self._style_state()
        self._refresh_layout(self.app.size)
        # And draw it once, to nowhere: what stays the same between pushes (the header,
        # the section titles, the footer's keys) is then drawn from each widget's cache
        # on the first push too, as on later ones (about 20 ms of the first open).
        self._compositor.render_strips()
