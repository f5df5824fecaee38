"""The baselines' apps and the waiting helpers. Textual only: no panel_tui import.

The bare app asks for a callback after the first screen refresh from
``on_mount``; panel-tui's first paint ends at the same point of Textual's
frame (see apps.py), so the two figures compare like with like.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Input, Static

COLUMNS = ("Ref", "Type", "Risk", "Agencies", "Stage", "Clock", "Cover", "Prov. ends", "Holder")


class BareApp(App[None]):
    """The first-paint and memory floor: Header, an empty DataTable and Footer."""

    def __init__(self, on_first_paint: Callable[[App], None] | None = None) -> None:
        super().__init__()
        self._on_first_paint = on_first_paint

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        if self._on_first_paint is not None:
            self.call_after_refresh(self._on_first_paint, self)


class BareInputApp(App[None]):
    """The interaction floor: a keystroke in an Input updates a Static."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(id="box")
        yield Static(id="echo")
        yield Footer()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#echo", Static).update(f"filter: {event.value}")


def screen_text(app: App) -> str:
    """The visible screen as plain text."""
    return "\n".join(
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    )


async def painted(app: App) -> None:
    """Return after the screen has been refreshed (Textual's call_after_refresh)."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: future.done() or future.set_result(None))
    await future


def send_key(app: App, key: str) -> None:
    """Deliver a key as the terminal driver would, without Pilot's idle waits.

    ``Pilot.press`` sleeps until the process looks idle, which adds tens of
    milliseconds to every key; a benchmark wants the app's own time.
    This is what ``App._press_keys`` does for one key, minus the waiting.
    """
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Poll ``condition`` every millisecond, letting the app run in between."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the app did not reach the expected state in time")
        await asyncio.sleep(0.001)
