"""`panel-tui alerts`: digests to the rung's named people, by SMTP or webhook, each alert once.

A real SMTP server (aiosmtpd) and a real HTTP listener (http.server) on
loopback receive what is sent. Crashes are real processes that die between
claiming and sending, or between sending and marking.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cli_helpers import Cli, form

from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.sqlite_driver import sqlite as sqlite3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd's handler: every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[type[Hook], str]]:
    handler = type("Hook", (Hook,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def site(cli: Cli, alerts: str) -> None:
    """The host's site config: the shared store, and ``alerts`` as its ``[alerts]``."""
    directory = cli.db.parent / "site"
    (directory / "panel-tui").mkdir(parents=True, exist_ok=True)
    (directory / "panel-tui" / "config.toml").write_text(f'[store]\npath = "{cli.db}"\n{alerts}')
    cli.env["XDG_CONFIG_DIRS"] = str(directory)


def mail_site(cli: Cli, port: int) -> None:
    site(
        cli,
        f'[alerts]\nsmtp = "127.0.0.1:{port}"\nsender = "panel@example.org"\n'
        'mail_domain = "example.org"\n[alerts.addresses]\nintake = "intake@mco.example"\n',
    )


def open_back(cli: Cli, hours: float, **changes: object) -> str:
    store = Store.open(str(cli.db))
    try:
        when = datetime.now(UTC) - timedelta(hours=hours)
        return Ledger(store, "duty", clock=lambda: when).open_dispute(form(**changes))
    finally:
        store.close()


def sent_rows(cli: Cli) -> list[tuple[str, str, str | None]]:
    conn = sqlite3.connect(cli.db)
    try:
        return conn.execute(
            "SELECT login, state, sent_at FROM alertsent ORDER BY login, state"
        ).fetchall()
    finally:
        conn.close()


def test_one_digest_per_named_person_and_never_twice(team: Cli, smtp) -> None:
    inbox, port = smtp
    mail_site(team, port)
    warned = open_back(team, 20, risk="high")  # stage 0, frontline: warning since 2 h
    breached = open_back(team, 30, risk="high")  # breached 6 h ago
    out = team.ok("alerts")
    # The frontline rung's named people of the parties (CBH raises, MCO responds).
    assert sorted(to for to, _ in inbox.messages) == [["front@example.org"], ["intake@mco.example"]]
    for _, message in inbox.messages:
        assert message["Subject"] == "panel-tui: 1 breached, 1 at warning"
        text = message.get_payload()
        assert warned in text and breached in text and "BREACHED" in text
        assert message["Message-ID"].endswith("@panel-tui>")
    assert "sent front (front@example.org)" in out
    assert [r[:2] for r in sent_rows(team)] == [
        ("front", "breached"),
        ("front", "warning"),
        ("intake", "breached"),
        ("intake", "warning"),
    ]
    assert all(r[2] for r in sent_rows(team))
    assert "nothing new to send" in team.ok("alerts")  # a rerun repeats nothing
    assert len(inbox.messages) == 2
    # A clock that crosses later is a new alert, and only it is sent.
    newer = open_back(team, 19, risk="high")
    team.ok("alerts")
    assert len(inbox.messages) == 4
    assert all(
        newer in m.get_payload() and warned not in m.get_payload() for _, m in inbox.messages[2:]
    )
    assert team.ok("audit", "verify").startswith("audit chain intact")


def test_webhook_posts_json_with_an_idempotency_key(team: Cli, webhook) -> None:
    hook, url = webhook
    site(team, f'[alerts]\nwebhook = "{url}"\n')
    ref = open_back(team, 30, risk="high")
    team.ok("alerts")
    assert sorted(body["login"] for _, body in hook.received) == ["front", "intake"]
    headers, body = hook.received[0]
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == body["message_id"].strip("<>")
    assert body["alerts"][0]["ref"] == ref and body["alerts"][0]["state"] == "breached"
    assert body["alerts"][0]["role"] == "frontline"
    team.ok("alerts")
    assert len(hook.received) == 2


def test_a_refusing_webhook_keeps_the_alerts_for_the_next_run(team: Cli, webhook) -> None:
    hook, url = webhook
    site(team, f'[alerts]\nwebhook = "{url}"\n')
    open_back(team, 30, risk="high")
    hook.status = 503
    failed = team("alerts")
    assert failed.returncode == 3 and "kept for the next run" in failed.stderr
    assert all(r[2] is None for r in sent_rows(team))
    hook.status = 200
    team.ok("alerts")
    assert len(hook.received) == 4  # two refused, then two delivered
    assert all(r[2] for r in sent_rows(team))


def test_dry_run_prints_and_records_nothing(team: Cli, smtp) -> None:
    inbox, port = smtp
    mail_site(team, port)
    ref = open_back(team, 10, risk="high")
    now = team.ok("alerts", "--dry-run")
    assert "0 digest(s) would be sent" in now
    later = team.ok("alerts", "--dry-run", "--at", "+9h")  # at 19 h: warning
    assert f"{ref}  warning" in later and "--- to front:" in later
    assert "2 digest(s) would be sent" in later
    assert inbox.messages == [] and sent_rows(team) == []
    refused = team("alerts", "--at", "+9h")
    assert refused.returncode == 2 and "--dry-run only" in refused.stderr


_CLAIM_THEN_DIE = """
import os, sys
from datetime import UTC, datetime, timedelta
from panel_tui.alerts import send as sender
from panel_tui.alerts.run import pending
from panel_tui.alerts.config import load_alerts_config
from panel_tui.store.db import Store
from panel_tui.store.ledger import alerts as record

store = Store.open(sys.argv[1])
now = datetime.now(UTC)
digests = record.claim(store, pending(store, now, timedelta(hours=24)), "cron", now, "email")
if sys.argv[2] == "after-send":
    config = load_alerts_config()
    for digest in digests:
        sender.send(config, digest, config.address(digest.login), now)
os._exit(9)  # killed: no mark, no release, no cleanup
"""


def crash(cli: Cli, where: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CLAIM_THEN_DIE, str(cli.db), where],
        env=cli.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr


def test_a_crash_between_claim_and_send_loses_nothing(team: Cli, smtp) -> None:
    inbox, port = smtp
    mail_site(team, port)
    open_back(team, 30, risk="high")
    crash(team, "after-claim")
    assert inbox.messages == [] and len(sent_rows(team)) == 2
    assert all(r[2] is None for r in sent_rows(team))  # claimed by a process now dead
    conn = sqlite3.connect(team.db)
    claimed = {r[0] for r in conn.execute("SELECT message_id FROM alertsent")}
    conn.close()
    team.ok("alerts")
    assert len(inbox.messages) == 2  # each person once
    assert {m["Message-ID"] for _, m in inbox.messages} == claimed  # the claimed messages
    assert all(r[2] for r in sent_rows(team))
    team.ok("alerts")
    assert len(inbox.messages) == 2


def test_a_crash_between_send_and_mark_resends_the_same_message(team: Cli, smtp) -> None:
    """The one window a client cannot close: the retry is recognisably the same message."""
    inbox, port = smtp
    mail_site(team, port)
    open_back(team, 30, risk="high")
    crash(team, "after-send")
    first = [m["Message-ID"] for _, m in inbox.messages]
    assert len(first) == 2
    team.ok("alerts")
    again = [m["Message-ID"] for _, m in inbox.messages[2:]]
    assert sorted(again) == sorted(first)  # same Message-IDs: a mail store can drop them
    team.ok("alerts")
    assert len(inbox.messages) == 4


def test_exit_codes_of_a_real_process(team: Cli) -> None:
    open_back(team, 30, risk="high")
    process = team.in_subprocess()
    missing = process("alerts")
    assert missing.returncode == 2 and "[alerts]" in missing.stderr
    site(
        team,
        f'[alerts]\nsmtp = "127.0.0.1:{free_port()}"\nsender = "p@example.org"\n'
        'mail_domain = "example.org"\n',
    )
    process = team.in_subprocess()
    down = process("alerts")  # nobody listens on that port
    assert down.returncode == 3, down.stderr
    assert "kept for the next run" in down.stderr and "Traceback" not in down.stderr
    assert all(r[2] is None for r in sent_rows(team))
    site(team, '[alerts]\nsmtp = "127.0.0.1:25"\n')  # no sender
    bad = team.in_subprocess()("alerts")
    assert bad.returncode == 2 and "sender" in bad.stderr


def test_people_without_an_address_are_named(team: Cli, smtp) -> None:
    inbox, port = smtp
    site(
        team,
        f'[alerts]\nsmtp = "127.0.0.1:{port}"\nsender = "p@example.org"\n'
        '[alerts.addresses]\nfront = "front@cbh.example"\n',
    )
    open_back(team, 30, risk="high")
    result = team("alerts")
    assert result.returncode == 3 and "no address for intake" in result.stderr
    assert [to for to, _ in inbox.messages] == [["front@cbh.example"]]
    assert [r[0] for r in sent_rows(team)] == ["front"]  # intake's alert waits, unclaimed


def test_hostile_path_is_read_from_the_site_config_only(tmp_path: Path) -> None:
    from panel_tui.alerts.config import load_alerts_config
    from panel_tui.rules.errors import StoreError

    config = tmp_path / "config.toml"
    config.write_text('[alerts]\nwebhook = "file:///etc/passwd"\n')
    with pytest.raises(StoreError, match="http"):
        load_alerts_config(config)
    config.write_text('[alerts]\nsmtp = "h:1"\nwebhook = "http://x"\nsender = "a@b"\n')
    with pytest.raises(StoreError, match="exactly one"):
        load_alerts_config(config)


def test_a_login_that_would_break_a_header_is_left_out_and_the_rest_are_sent(
    team: Cli, smtp
) -> None:
    """A login holding CR LF (an older store, or a direct edit) could add a header
    (``Bcc:``), and the store refuses to record a claim for it: left out and named in
    one line, it no longer stops everyone else's digest."""
    inbox, port = smtp
    mail_site(team, port)
    open_back(team, 30, risk="high")
    conn = sqlite3.connect(team.db)
    with conn:
        conn.execute("UPDATE person SET login = ? WHERE login = 'front'", ("front\r\nBcc: x",))
    conn.close()
    result = team("alerts")
    assert result.returncode == 3, result.stderr
    assert "not sent to front\\x0d\\x0aBcc: x: the login holds a control character" in result.stderr
    assert "\r" not in result.stderr
    assert [to for to, _ in inbox.messages] == [["intake@mco.example"]]
    assert all(m["Bcc"] is None for _, m in inbox.messages)
