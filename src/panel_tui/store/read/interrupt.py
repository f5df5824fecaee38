"""Stopping a read another thread started: the queue's stale queries.

A thread worker cannot be stopped from outside, and a query on a million
disputes can run for a tenth of a second after the filter it answers has been
typed over. An ``Interrupt`` is handed to the read; the read attaches its
connection while it runs, and ``cancel()`` (from any thread) calls the
driver's ``interrupt()`` on it, so SQLite stops at its next step and the read
raises ``Cancelled`` (on PostgreSQL, psycopg's cancel request: the server stops
the query). A read started after ``cancel()`` stops at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Cancelled(Exception):
    """The read was cancelled: its answer is no longer wanted."""


class Interrupt:
    """One purpose's cancel switch (say, the page for one filter)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        self.cancelled = False

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            for connection in self._connections:
                _stop(connection)

    def _attach(self, connection: Any) -> None:
        with self._lock:
            if self.cancelled:
                raise Cancelled
            self._connections.append(connection)

    def _detach(self, connection: Any) -> None:
        with self._lock:
            self._connections.remove(connection)


def _stop(connection: Any) -> None:
    """sqlite3's ``interrupt()``; psycopg's ``cancel_safe()`` (a cancel request the server
    answers at once). Under the lock, so the read cannot detach and reuse its connection
    for another query before the request has been delivered."""
    interrupt = getattr(connection, "interrupt", None)
    if interrupt is not None:
        interrupt()
    else:
        connection.cancel_safe(timeout=5)


@contextmanager
def attached(interrupt: Interrupt | None, connection: Any) -> Iterator[None]:
    """Run a read on ``connection`` that ``interrupt.cancel()`` can stop (no-op for None)."""
    if interrupt is None:
        yield
        return
    interrupt._attach(connection)
    try:
        yield
    except Exception as exc:  # the driver's "interrupted", or SQLAlchemy's wrapping of it
        if interrupt.cancelled:
            raise Cancelled from exc
        raise
    finally:
        interrupt._detach(connection)
