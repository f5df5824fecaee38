"""Live refresh on PostgreSQL: every committed event is a notification (migration 0012), a
listener hears it at once, reconnects when its connection is lost, and the app polls only
while it is not listening."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import backends
from backends import cli_env
from cli_helpers import Cli, form

from panel_tui.config import Settings
from panel_tui.store.constants import DEMO_LOGIN
from panel_tui.store.db import Store
from panel_tui.store.demo import build_demo
from panel_tui.store.ledger.admin import Admin, init_store
from panel_tui.store.pg_listen import EventListener

WAIT = 20.0


def _until(condition, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        time.sleep(0.05)


def test_a_commit_elsewhere_is_heard_and_a_lost_connection_is_made_again(
    pg_database: str,
) -> None:
    url = backends.database_url(pg_database)
    init_store(url, "admin", "Admin").close()
    store, writer = Store.open(url), Store.open(url)
    heard = threading.Semaphore(0)
    listener = EventListener(store.engine, heard.release)
    listener.start()
    try:
        assert listener.wait_listening(WAIT)
        assert heard.acquire(timeout=WAIT)  # the first call, on connecting
        assert not heard.acquire(timeout=1.0)  # nothing committed: nothing heard
        Admin(writer, "admin").add_agency("CBH", "County Behavioral Health", "county")
        assert heard.acquire(timeout=WAIT), "a committed event was not heard"

        # An administrator ends the listener's session: it connects again and still hears.
        with backends.admin_connection(pg_database) as conn:
            ended = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
            ).fetchall()
        assert ended == [(True,)]
        _until(lambda: listener.connections == 2, "the listener to connect again")
        assert heard.acquire(timeout=WAIT)  # on reconnecting: changes may have been missed
        while heard.acquire(timeout=0.5):
            pass
        Admin(writer, "admin").add_agency("MCO", "Managed Care Organization", "managed care")
        assert heard.acquire(timeout=WAIT), "after reconnecting, a commit was not heard"
    finally:
        listener.stop()
        listener.join(WAIT)
        store.close()
        writer.close()
    assert not listener.is_alive()
    with backends.admin_connection(pg_database) as conn:  # its connection is closed
        assert not conn.execute(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
            "AND query LIKE 'LISTEN%'"
        ).fetchall()


def test_without_its_trigger_the_listener_does_not_listen_and_looks_again(
    pg_database: str,
) -> None:
    """A store whose notify trigger is disabled would never notify: the listener says it is
    not listening (so the app polls) until the trigger fires again, then hears commits."""
    url = backends.database_url(pg_database)
    init_store(url, "admin", "Admin").close()
    with backends.admin_connection(pg_database) as conn:
        conn.execute("ALTER TABLE panel_tui.event DISABLE TRIGGER event_notify")
    store, writer = Store.open(url), Store.open(url)
    heard = threading.Semaphore(0)
    listener = EventListener(store.engine, heard.release)
    listener.start()
    try:
        assert not listener.wait_listening(2.0), "listening for notifications never sent"
        assert not heard.acquire(timeout=0.1)
        with backends.admin_connection(pg_database) as conn:
            conn.execute("ALTER TABLE panel_tui.event ENABLE TRIGGER event_notify")
        assert listener.wait_listening(WAIT), "the trigger is back: it listens again"
        assert heard.acquire(timeout=WAIT)  # on connecting
        Admin(writer, "admin").add_agency("CBH", "County Behavioral Health", "county")
        assert heard.acquire(timeout=WAIT), "a committed event was not heard"
    finally:
        listener.stop()
        listener.join(WAIT)
        store.close()
        writer.close()


async def test_the_app_shows_another_terminals_dispute_without_polling(
    pg_database: str, tmp_path: Path
) -> None:
    from panel_tui.app import PanelApp
    from panel_tui.screens.queue import QueueScreen
    from panel_tui.widgets.queue_view import QueueView

    url = backends.database_url(pg_database)
    store = build_demo(url, disputes=4)
    # Polling every 10 minutes: only the notification can bring the new dispute in time.
    settings = Settings(poll_seconds=600, shift_start=False)
    app = PanelApp(store, DEMO_LOGIN, demo=True, settings=settings)
    other = Cli(url, cli_env(tmp_path))  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait(pilot, lambda: app._listener is not None and app._listener.listening)
        view = lambda: app.screen.query_one(QueueView)  # noqa: E731
        rows = lambda: view().total  # noqa: E731
        await _wait(pilot, lambda: isinstance(app.screen, QueueScreen) and view().loaded)
        await _wait(pilot, lambda: rows() > 0)
        before = rows()
        out = other.ok(
            "--as", DEMO_LOGIN, "open", "--json", "-", "--format", "json", stdin=json.dumps(form())
        )
        assert json.loads(out)["ref"]
        await _wait(pilot, lambda: rows() == before + 1)
    app._listener.join(WAIT)
    assert not app._listener.is_alive()  # stopped with the app
    store.close()


async def _wait(pilot, condition) -> None:  # noqa: ANN001
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        await pilot.pause(0.05)
