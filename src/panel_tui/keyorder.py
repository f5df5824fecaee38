"""Keys land where they would have landed typed slowly, however fast they arrive.

Textual hands each key to the focused widget's own message queue and routes
the next key at once. In a burst (a paste without bracketed paste, a slow SSH
link, ``tmux send-keys``) the second key was routed before the first had moved
the focus: "Consent ok<tab>Problem…" all landed in Consent, and in panel mode
the letters of a rationale typed right after "2" reordered the agenda (J) and
moved to another item (n).

``OrderedKeys`` (mixed into the App) holds each key until the one before it
has been handled: the app's queue and every queue on the screen are empty (a
focus change is a message to the app; a pushed screen is still mounting), and
nothing the app is waiting for holds the keys (the store being opened, a
dispute or a dialog being prepared in a worker: ``hold``/``release``). Held
keys are sent in order, never dropped. A key is held at most ``HOLD_LIMIT``
seconds, so a handler that never settles cannot swallow the keyboard.
"""

from __future__ import annotations

import asyncio
from collections import deque
from time import monotonic

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.widget import Widget

HOLD_LIMIT = 5.0
#: While a hold keeps the keys waiting, how often to look again.
RECHECK = 0.02


class OrderedKeys(App):
    """An App that routes one key at a time (see the module's docstring)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._keys: deque[events.Key] = deque()
        self._key_in_flight = False
        self._holds: set[str] = set()
        self._told_waiting = False
        self._settler: asyncio.Task[None] | None = None

    # --- what the app waits for ----------------------------------------------------------
    def hold(self, reason: str) -> None:
        """Keys wait (in order) until ``release(reason)``: the screen they belong on is coming."""
        self._holds.add(reason)

    def release(self, reason: str) -> None:
        self._holds.discard(reason)

    def keys_pending(self) -> bool:
        """Keys received and not yet routed (held, or the last one still settling)."""
        return bool(self._keys) or self._key_in_flight

    def key_hold_notice(self) -> str | None:
        """Override: what to tell the user when keys wait on a hold (None: say nothing)."""
        return None

    # --- routing -----------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._keys.append(event)
            if not self._key_in_flight:
                self._key_in_flight = True
                self._wait_then_send()
            return
        await super().on_event(event)

    def _wait_then_send(self) -> None:
        # Waiting happens in a task of its own: the app's queue must keep moving meanwhile
        # (a key bubbles up to it, and a focus change is a callback on it).
        self._settler = asyncio.create_task(self._settle())

    async def _send_next_key(self) -> None:
        """Route the next waiting key the way Textual does; the one after waits for it."""
        if not self._keys or not self.screen_stack:  # none left, or the app has closed
            self._keys.clear()
            self._key_in_flight = False
            return
        await super().on_event(self._keys.popleft())
        self._wait_then_send()

    async def _settle(self) -> None:
        started = monotonic()
        quiet = 0
        try:
            while quiet < 2 and monotonic() - started < HOLD_LIMIT:
                if self._holds:  # e.g. the store opening: look again now and then
                    if monotonic() - started > 0.2:
                        self._say_waiting()
                    quiet = 0
                    await asyncio.sleep(RECHECK)
                    continue
                await asyncio.sleep(0)  # every other task takes a step
                quiet = quiet + 1 if self._quiet() else 0
        finally:  # whatever happened, the next key goes
            self._told_waiting = False
            self.call_later(self._send_next_key)

    def _quiet(self) -> bool:
        """Nothing left to do for the last key: no hold, no message waiting anywhere on the
        screen or in the app, no screen half mounted.

        A queue is empty while its handler still runs, so ``_settle`` asks twice, with
        every other task stepped in between. This reads Textual's private queues: Textual
        is pinned, and tests/app/test_bursts.py holds it to this.
        """
        if self._holds or not _idle(self):
            return False
        if not self.screen_stack:  # the app has closed: nothing is left to wait for
            return True
        return all(
            node.is_mounted and _idle(node)
            for node in self.screen.walk_children(Widget, with_self=True)
        )

    def _say_waiting(self) -> None:
        if self._told_waiting:
            return
        self._told_waiting = True
        notice = self.key_hold_notice()
        if notice:
            self.notify(notice, timeout=3)


def _idle(node: MessagePump) -> bool:
    return node._message_queue.empty() and not node._next_callbacks
