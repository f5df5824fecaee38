"""Live refresh on PostgreSQL: LISTEN for the events the store commits.

Migration 0012 makes every INSERT into ``event`` send ``NOTIFY panel_tui_events``
(delivered at commit). An ``EventListener`` keeps one connection of its own in
autocommit, LISTENing, on a daemon thread, and calls ``on_change`` for each
notification, so the app refreshes as soon as another terminal commits instead
of asking for ``max(id)`` every poll. If the connection is lost (a server
restart, a dropped network, an administrator ending it) it reconnects with a
growing pause, and says so through ``listening``: while that is False the app
polls as before. On (re)connecting it also calls ``on_change`` once, since a
change may have come and gone while nobody was listening. A store whose notify
trigger is missing or disabled (``doctor`` names it) would never notify: then
the listener does not listen, the app polls, and it looks again at each retry.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

CHANNEL = "panel_tui_events"
#: How long one wait for notifications lasts before ``stop`` is looked at again.
WAIT_SECONDS = 0.5
#: Pauses between reconnection attempts: doubling up to the last.
RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)

log = logging.getLogger(__name__)


class NoNotifyTrigger(Exception):
    """The store would send no notifications: listening would hear nothing."""


class EventListener(threading.Thread):
    """Calls ``on_change()`` (on this thread) whenever another connection commits an event."""

    def __init__(self, engine: Engine, on_change: Callable[[], None]) -> None:
        super().__init__(name="panel-tui-listen", daemon=True)
        self.engine = engine
        self.on_change = on_change
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self.connections = 0  # how many times it has (re)connected

    @property
    def listening(self) -> bool:
        """True while notifications can arrive: the app need not poll."""
        return self._listening.is_set()

    def wait_listening(self, timeout: float) -> bool:
        return self._listening.wait(timeout)

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                self._listen()
                failures = 0
            except Exception as exc:  # a lost connection: reconnect after a pause
                log.info("listening for store changes failed: %r", exc)
                failures += 1
            finally:
                self._listening.clear()
            if not self._stopping.is_set():
                self._stopping.wait(RETRY_SECONDS[min(failures, len(RETRY_SECONDS)) - 1])

    def _listen(self) -> None:
        connection = self._connect()
        try:
            if not self._trigger_fires(connection):
                raise NoNotifyTrigger(
                    "the notify trigger on events is missing or disabled (doctor names the "
                    "fix): polling for changes instead"
                )
            connection.execute(f"LISTEN {CHANNEL}")
            self.connections += 1
            self._listening.set()
            self.on_change()  # whatever was committed while nobody listened
            while not self._stopping.is_set():
                # Ends after the first notification or the timeout; a lost connection raises.
                notified = False
                for _notify in connection.notifies(timeout=WAIT_SECONDS, stop_after=1):
                    notified = True
                if notified:
                    self.on_change()
        finally:
            connection.close()

    @staticmethod
    def _trigger_fires(connection: Any) -> bool:
        from panel_tui.store.postgres import FIRING, NOTIFY_STATE_SQL

        row = connection.execute(NOTIFY_STATE_SQL).fetchone()
        return row is not None and row[0] in FIRING

    def _connect(self) -> Any:
        """A connection of the store's engine (its URL, password and settings), taken out of
        the pool for good: LISTEN belongs to a session, and this one is never handed back."""
        pooled = self.engine.raw_connection()
        driver = pooled.driver_connection  # (None once detached)
        pooled.detach()
        assert driver is not None
        driver.rollback()
        driver.autocommit = True
        return driver
