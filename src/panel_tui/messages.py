"""App-level messages, posted from thread workers to the UI.

Widget-owned messages live in their widgets (e.g. ``QueueView.Opened``). They are
plain classes, as Textual's own are: a dataclass is built at import (about 0.4 ms
each on these machines), and the app imports these before its first paint.
"""

from __future__ import annotations

from textual.message import Message
from textual.worker import Worker, WorkerState


class StoreChanged(Message):
    """Another connection (or this app) committed: refetch what is on screen."""

    def __init__(self, data_version: int) -> None:
        self.data_version = data_version
        super().__init__()


class ClockTick(Message):
    """Time moved on: re-evaluate the clocks on screen."""


class IdentityChanged(Message):
    """The demo user switched: rights, header and 'Mine' change."""

    def __init__(self, login: str) -> None:
        self.login = login
        super().__init__()


class ForwardWorkerErrors:
    """Mixin: a failed worker of this node reaches the app's one error handler.

    ``Worker.StateChanged`` does not bubble, so each node that runs workers
    forwards failures to ``App.worker_failed`` (which shows a notice, never a
    traceback).
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.worker_failed(event.worker)  # type: ignore[attr-defined]
