"""Screens the app keeps and refills rather than mounting anew (a dispute's detail, the
shift-start view): laid out while the queue idles, and not restyled whole on every push.

Mounting a screen, its first layout and the restyle of every node Textual does
on each push were most of the time from a key to such a screen on the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual import events
from textual.widget import Widget

from panel_tui.screens.base import AppScreen

#: Seconds between the layouts ahead of a refilled screen (settle_ahead): its widgets
#: ask for the next one from their own message queues meanwhile.
SETTLE = 0.03

#: Layouts at most per lay_out_now: one for what changed, one more each time a
#: scrollbar came or went (which changes the width its container lays out in).
LAYOUT_ROUNDS = 3


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

    def lay_out_ahead(self, draw: bool = True) -> None:
        """Style and lay out the screen now, off the stack, at the app's size.

        The first layout of a screen gives every widget its first size, and each
        of them then asks for another layout: a screen's first push was laid out
        twice (and restyled whole on its first resume) where later ones are laid
        out once. Done while the queue idles, the first push costs what a later
        one does. Textual lays out only the current screen on its own, hence its
        private ``_refresh_layout``.
        """
        state = self._style_state()
        if state != self._styled_in:
            if self._styled_in is not None:  # else styled as mounted, with the app as it is
                # Refilled ahead after the theme, the stylesheet or the focus changed: the
                # push skips its restyle when the state is as recorded (on_screen_resume).
                self.update_node_styles(animate=False)
            self._styled_in = state
        self.lay_out_now()
        if draw:
            self._draw_ahead()

    def lay_out_now(self) -> None:
        """Lay the screen out now, off the stack, for what changed in its widgets since
        the last layout, until it stands: no further layout waits for the push.

        Textual lays a screen out on its frame timer once its widgets have asked for it
        from their message queues, and the layout itself sets each resized widget's
        virtual size, which asks for another layout: a dispute filled and pushed on
        Enter was laid out and drawn twice, and drawn a third time for the push's own
        repaint (about 20 ms of an open at 1,000,000 disputes). Here the widgets'
        requests are taken at once (as ``Widget._check_refresh`` takes them: the
        arrangements above each are dropped); after a layout, a widget's request for
        its new size changes nothing (its height was measured at that width), unless a
        scrollbar came or went, which narrows or widens what its container lays out in.
        """
        size = self.app.size
        for _ in range(LAYOUT_ROUNDS):
            self._take_layout_requests()
            scrollbars = self._scrollbars()
            self._refresh_layout(size)
            # As Textual does after a layout on its frame timer: what was asked for is done.
            self._layout_required = False
            self._dirty_widgets.clear()
            if self._scrollbars() == scrollbars:
                break
        for widget in self._laid_out():
            widget._layout_required = False  # its new size, measured by the layout just done

    def _laid_out(self) -> Iterator[Widget]:
        """Every widget of the screen and the scrollbars of each (not in its DOM)."""
        for widget in self.walk_children(Widget):
            yield widget
            yield from widget._get_virtual_dom()

    def _take_layout_requests(self) -> None:
        for widget in self._laid_out():
            if widget._layout_required:
                widget._layout_required = False
                for ancestor in widget.ancestors:
                    if not isinstance(ancestor, Widget):
                        break
                    ancestor._clear_arrangement_cache()
                    ancestor._layout_updates += 1
                    if not ancestor.styles.auto_dimensions:
                        break

    def _asks_for_layout(self) -> bool:
        """Whether the screen or a widget of it asked for a layout since the last one."""
        return self._layout_required or any(w._layout_required for w in self._laid_out())

    def _scrollbars(self) -> list[tuple[int, int]]:
        """The room each scrollbar takes (none where hidden, or styled to no size: the
        footer's keys scroll sideways with no bar to show)."""
        return [
            (widget.scrollbar_size_vertical, widget.scrollbar_size_horizontal)
            for widget in self.walk_children(Widget)
            if widget.is_scrollable
        ]

    def _draw_ahead(self) -> None:
        # Draw it once, to nowhere: what stays the same between pushes (the header,
        # the section titles, the footer's keys) is then drawn from each widget's cache
        # on the first push too, as on later ones (about 20 ms of the first open).
        self._compositor.render_strips()

    def settle_ahead(self, wanted: Callable[[], bool], rounds: int = 3) -> None:
        """Lay the screen out ahead, off the stack, until its widgets stop asking for
        layouts (at most ``rounds``), then draw it, while ``wanted()``.

        After a refill, the layout gives each section its new size, and a new size sets
        the widget's virtual size, which in Textual asks for a layout of its own: the
        push of a screen laid out once ahead was laid out again (10-25 ms of CPU at
        120×40 on a loaded machine). Each round waits ``SETTLE`` s for those requests
        to arrive from the widgets' queues.
        """
        if self in self.app.screen_stack or not wanted():
            return  # pushed (its push lays it out) or refilled meanwhile
        if self._asks_for_layout():  # else laid out already (lay_out_now)
            self.lay_out_ahead(draw=False)
        self.set_timer(SETTLE, partial(self._settled, wanted, rounds - 1))

    def _settled(self, wanted: Callable[[], bool], rounds: int) -> None:
        if self in self.app.screen_stack or not wanted():
            return
        if self._asks_for_layout() and rounds > 0:
            self.settle_ahead(wanted, rounds)
        else:
            self._draw_ahead()
