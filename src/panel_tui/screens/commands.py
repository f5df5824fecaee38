"""The command palette (ctrl+p) and its domain commands: go to a dispute, sections, modes,
users."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual import on
from textual.app import SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker

from panel_tui.keyorder import OrderedKeys
from panel_tui.rules.enums import Action
from panel_tui.rules.rights import allowed
from panel_tui.store.read import orm_queries
from panel_tui.store.read.queue_models import Section

if TYPE_CHECKING:
    from panel_tui.app import PanelApp


class PanelCommandPalette(CommandPalette):
    """Textual's palette, where Enter typed before the list has appeared waits for it.

    The list comes from a search that runs after each key; Textual's Enter acts
    on the list shown, so an Enter that came before the search for what was
    typed had ended (typed quickly, a slow machine) did nothing, or highlighted
    a line of the list for the letters before, and the reference typed next for
    "Go to dispute" went into the search. Here that Enter waits for the search,
    then does what it would have done; the keys after it wait too (the app's
    "palette" hold).
    """

    _enter_waiting = False

    @on(Input.Submitted)
    def _enter_before_the_list(self, event: Input.Submitted) -> None:
        if self._selected_command is not None or not self._searching():
            return  # CommandPalette's own handler acts on the list shown
        event.stop()
        event.prevent_default()  # not CommandPalette's handler: it would do nothing
        self._enter_waiting = True
        self._keys().hold("palette")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if not (self._enter_waiting and worker.group == self._GATHER_COMMANDS_GROUP):
            return
        if worker.is_finished and not worker.is_cancelled:  # a cancelled one has a successor
            self._stop_waiting()
            self._select_or_command()

    def on_unmount(self) -> None:
        self._stop_waiting()

    def _stop_waiting(self) -> None:
        if self._enter_waiting:
            self._enter_waiting = False
            self._keys().release("palette")

    def _searching(self) -> bool:
        group = self._GATHER_COMMANDS_GROUP
        return any(w.node is self and w.group == group and not w.is_finished for w in self.workers)

    def _keys(self) -> OrderedKeys:
        assert isinstance(self.app, OrderedKeys)
        return self.app


def _home(app: PanelApp):  # noqa: ANN202
    from panel_tui.screens.queue import QueueScreen

    while len(app.screen_stack) > 1 and not isinstance(app.screen, QueueScreen):
        app.pop_screen()
    return app.screen if isinstance(app.screen, QueueScreen) else None


def _go_to(app: PanelApp) -> None:
    from panel_tui.screens.modals import AskModal

    def opened(ref: str | None) -> None:
        if ref:
            app.open_dispute(ref.strip().upper())

    app.push_screen(AskModal("Go to dispute", "Reference, e.g. D-2026-0042"), opened)


def _section(app: PanelApp, section: Section) -> None:
    queue = _home(app)
    if queue is not None:
        queue.show_section(section)


def domain_commands(app: PanelApp, screen: Screen) -> Iterator[SystemCommand]:
    from panel_tui.screens.dashboard import DashboardScreen
    from panel_tui.screens.form import DisputeFormScreen
    from panel_tui.screens.panel import PanelScreen

    yield SystemCommand("Go to dispute…", "Open a dispute by its reference", lambda: _go_to(app))
    for section in Section:
        yield SystemCommand(
            f"Section: {section.label}",
            "Show this section of the queue",
            lambda s=section: _section(app, s),
        )
    # Rights and people are known once the store is open: never wait for it here (the
    # palette calls this on the UI thread, which froze until the store was open).
    if app.store_is_open and allowed(app.policy, Action.OPEN, app.roles):
        yield SystemCommand(
            "New dispute",
            "Open the structured dispute form",
            lambda: app.push_screen(DisputeFormScreen()),
        )
    yield SystemCommand("Panel mode", "Run today's panel", lambda: app.push_screen(PanelScreen()))
    yield SystemCommand(
        "Dashboard", "Oversight measures for a period", lambda: app.push_screen(DashboardScreen())
    )
    yield SystemCommand("Help", "Keys of this screen", app.action_help)
    if app.demo and app.store_is_open:
        for person in orm_queries.people(app.store):
            if person.active and person.login != app.login:
                yield SystemCommand(
                    f"Switch user: {person.login}",
                    f"{person.display_name} ({', '.join(person.roles)}): try this role",
                    lambda login=person.login: app.switch_user(login),
                )
