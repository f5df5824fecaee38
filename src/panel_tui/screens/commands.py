"""Domain commands for the command palette (ctrl+p): go to a dispute, sections, modes, users."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

from panel_tui.rules.enums import Action
from panel_tui.rules.rights import allowed
from panel_tui.store.read import orm_queries
from panel_tui.store.read.queue_models import Section

if TYPE_CHECKING:
    from panel_tui.app import PanelApp


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
