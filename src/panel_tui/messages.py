"""App-level messages: small dataclasses posted from thread workers to the UI.

Widget-owned messages live in their widgets (e.g. ``QueueView.Opened``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.worker import Worker, WorkerState


@dataclass
class StoreChanged(Message):
    """Another connection (or this app) committed: refetch what is on screen."""

    data_version: int


@dataclass
class ClockTick(Message):
    """Time moved on: re-evaluate the clocks on screen."""


@dataclass
class IdentityChanged(Message):
    """The demo user switched: rights, header and 'Mine' change."""

    login: str


@dataclass
class Notice(Message):
    """Something to tell the user from a worker (busy store, refused action)."""

    text: str
    severity: str = "information"


class ForwardWorkerErrors:
    """Mixin: a failed worker of this node reaches the app's one error handler.

    ``Worker.StateChanged`` does not bubble, so each node that runs workers
    forwards failures to ``App.worker_failed`` (which shows a notice, never a
    traceback).
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.worker_failed(event.worker)  # type: ignore[attr-defined]
