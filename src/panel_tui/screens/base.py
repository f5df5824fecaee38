"""What every screen shares: the store, who is acting, the clock, and busy-store retries.

Store calls happen in thread workers; ``retrying`` wraps one call so that a
locked store becomes a notice and a retry instead of a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

from panel_tui.messages import ClockTick, ForwardWorkerErrors, IdentityChanged, StoreChanged
from panel_tui.rules.enums import Action
from panel_tui.rules.errors import StoreBusyError

if TYPE_CHECKING:
    from panel_tui.app import PanelApp
    from panel_tui.rules.rights import DisputeFacts

T = TypeVar("T")
RETRIES = 5


def retrying(app: PanelApp, call: Callable[[], T]) -> T:
    """Run ``call`` (in a worker thread); a busy store is retried with a notice."""
    for attempt in range(RETRIES + 1):
        try:
            return call()
        except Exception as exc:
            # The store says "busy" by type (StoreBusyError), never only in words.
            if not isinstance(exc, StoreBusyError) or attempt == RETRIES:
                raise
            app.call_from_thread(
                app.notify,
                f"The store is busy (another user is writing); retrying ({attempt + 1}/{RETRIES})…",
                severity="warning",
                timeout=2,
            )
            time.sleep(0.3 * (attempt + 1))
    raise AssertionError("unreachable")


class PanelScreen(Screen[T]):
    """A screen of this app: ``panel`` is ``app`` with the services PanelApp adds."""

    @property
    def panel(self) -> PanelApp:
        # Textual types ``app`` as any App; every screen here runs in PanelApp.
        return cast("PanelApp", self.app)


class AppScreen(ForwardWorkerErrors, PanelScreen[None]):
    """A screen that knows the app's services."""

    def now(self) -> datetime:
        return self.panel.now()

    def may(
        self,
        action: Action,
        dispute_type: str | None = None,
        facts: DisputeFacts | None = None,
    ) -> bool:
        """Whether the acting person may take ``action`` (on the dispute of ``facts``, now:
        its rung, status and receiving agency; rules/rights.py ``may``, as the store asks)."""
        roles = self.panel.roles  # none until the store is open: then the policy is not needed
        if not roles:
            return False
        # Imported here: the queue's first frame asks with no roles yet, and the rights'
        # dataclasses cost that frame about 3 ms of import (benchmarks/RESULTS.md).
        from panel_tui.rules import rights

        if facts is not None:
            person = self.panel.person
            actor = rights.Actor(self.panel.login, roles, person.agency if person else None)
            return bool(rights.may(self.panel.policy, actor, action, facts))
        return rights.allowed(self.panel.policy, action, roles, dispute_type)

    def on_store_changed(self, message: StoreChanged) -> None:
        self.refresh_data()

    def on_clock_tick(self, message: ClockTick) -> None:
        self.refresh_clocks()

    def on_identity_changed(self, message: IdentityChanged) -> None:
        self.refresh_bindings()
        self.refresh_data()

    def refresh_data(self) -> None:
        """Override: refetch what is on screen (someone changed the store)."""

    def refresh_clocks(self) -> None:
        """Override: re-evaluate the clocks on screen (time moved on)."""
        self.refresh_data()
