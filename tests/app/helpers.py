"""Reading the screen as a person does, and waiting without sleeping blindly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import TextArea

from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.panel import PanelScreen
from panel_tui.screens.queue import QueueScreen
from panel_tui.widgets.queue_view import QueueView


def screen_text(app: App) -> str:
    """The visible screen as plain text, line by line."""
    return "\n".join(
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    )


#: Generous: a loaded CI machine can be slow, and a test that passes waits no longer.
WAIT = 15.0


async def wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = WAIT) -> None:
    """Let the app run until ``condition`` holds (workers and timers keep going)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out; the screen shows:\n{screen_text(pilot.app)}")
        await pilot.pause(0.05)


async def wait_text(pilot: Pilot, text: str, timeout: float = WAIT) -> None:
    await wait_for(pilot, lambda: text in screen_text(pilot.app), timeout)


#: Holds a test may keep on purpose, letting them go itself later (a gated store opening).
HELD_BY_TESTS = frozenset({"store"})


async def type_text(pilot: Pilot, text: str) -> None:
    """``text`` typed where the focus is: its keys sent together, as a quick typist's or a
    paste's arrive (the app lands them where they would land one by one: test_bursts.py),
    then until the app has handled them. One key at a time, ``pilot.press`` waits for a
    repaint after each: typing a form that way took most of a test's time."""
    await burst(pilot, chars(text))
    # The app routes the keys one by one (keyorder.py), each through its own queue to the
    # focused widget's: until every key is routed and both queues are empty. Keys held
    # for what the test itself lets go later (the store's opening) are left waiting; a
    # hold of the app's own (a dialog or dispute being read) is waited out.
    app = pilot.app

    def routing() -> bool:
        held_by_test = bool(app._holds) and app._holds <= HELD_BY_TESTS
        return (app.keys_pending() and not held_by_test) or not app._message_queue.empty()

    while routing():
        await pilot.pause()
    await pilot.pause()


async def queue_ready(pilot: Pilot) -> QueueScreen:
    """The queue is on screen with its first page loaded."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, QueueScreen))
    await wait_for(pilot, lambda: pilot.app.screen.query_one(QueueView).loaded)
    return pilot.app.screen


async def wait_notice(pilot: Pilot, text: str) -> str:
    """A notice (toast) saying ``text`` appears; its whole message."""

    def said() -> list[str]:
        return [n.message for n in pilot.app._notifications if text in n.message]

    await wait_for(pilot, lambda: bool(said()))
    return said()[0]


async def note_started(pilot: Pilot) -> None:
    """From the queue, the first dispute (D-2026-0001 in the app's fixed store) opened and
    a note begun (n), its text area focused."""
    await queue_ready(pilot)
    await pilot.press("enter")
    await wait_text(pilot, "D-2026-0001 person")
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.focused, TextArea))


async def open_panel(pilot: Pilot) -> PanelScreen:
    """From the queue, panel mode (P) on today's agenda's first item, D-2026-0004 in the
    app's fixed store."""
    await queue_ready(pilot)
    await pilot.press("P")
    await wait_text(pilot, "D-2026-0004 eligibility")
    screen = pilot.app.screen
    assert isinstance(screen, PanelScreen)
    return screen


async def dispute_shown(pilot: Pilot, ref: str) -> DisputeScreen:
    """From the queue, the dispute ``ref`` opened and its detail loaded."""
    app = pilot.app
    await queue_ready(pilot)
    app.open_dispute(ref)
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, DisputeScreen)
            and app.screen.detail is not None
            and app.screen.detail.ref == ref
        ),
    )
    return app.screen


def chars(text: str) -> list[str]:
    """Key names for ``text``, one per character (for ``burst``)."""
    from textual.keys import _character_to_key

    return [ch if ch.isalnum() else _character_to_key(ch) for ch in text]


async def burst(pilot: Pilot, keys: list[str]) -> None:
    """Keys that arrive together (a paste without bracketed paste, tmux send-keys, slow SSH).

    ``pilot.press`` waits for the app to go idle after every key; a terminal
    does not. These go to the app's driver back to back, as a terminal's do.
    """
    from textual import events

    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        char = {"tab": "\t", "enter": "\r", "space": " "}.get(key)
        if char is None and len(key) == 1:
            char = key
        elif (
            char is None
            and not key.startswith(("ctrl+", "shift+"))
            and key
            not in ("escape", "up", "down", "left", "right", "home", "end", "backspace", "delete")
        ):
            import unicodedata

            from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key

            # As Pilot.press does: "minus" is HYPHEN-MINUS, not MINUS SIGN.
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)


async def settled(pilot: Pilot, quiet: float = 0.3, timeout: float = WAIT) -> None:
    """Until the screen stops changing, so a snapshot shows one state and only that one.

    Toasts go (each leaves on its own timer, so a slow run would picture it or not),
    cursors stop blinking (a steady cursor where the focus is), animations finish,
    and the screen is read until two looks ``quiet`` seconds apart are the same
    picture, colours and all (a focus moving, a worker's result).
    """
    from textual.widgets import Input, TextArea

    app = pilot.app
    app.clear_notifications()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = None
    while True:
        for screen in app.screen_stack:
            for widget in screen.query("Input, TextArea"):
                if isinstance(widget, Input | TextArea) and widget.cursor_blink:
                    widget.cursor_blink = False
                    if isinstance(widget, TextArea):
                        # Textual 8.2.8 keys a TextArea's cached lines without the focus once
                        # blink is off: a line cached in the blink's dark half would stay dark.
                        widget.notify_style_update()  # (its public way to drop that cache)
                    widget.refresh()
        # A dialog's see-through background is drawn from the screens below it and kept;
        # drawn while one of them was being laid out, it stays blank: draw it afresh.
        app.screen.refresh()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(quiet)
        shot = app.export_screenshot()
        if shot == last:
            return
        if loop.time() > deadline:
            raise AssertionError(f"the screen kept changing; it shows:\n{screen_text(app)}")
        last = shot
