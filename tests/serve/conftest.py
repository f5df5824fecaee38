"""A real ``panel-tui serve`` in a subprocess, on a free loopback port, over a store in
which the OS user running the tests is a duty lead (the served app acts as that user)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "app"))  # storefix

from storefix import PEOPLE, build_store  # noqa: E402

from panel_tui.store.identity import os_login  # noqa: E402
from panel_tui.store.ledger.admin import Admin  # noqa: E402

URL = re.compile(r"panel-tui in a browser: (http://\S+/\?token=(\S+))")


@dataclass
class Served:
    url: str
    token: str
    base: str
    db: Path
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, deadline: float) -> None:
    """The URL is printed at start-up, just before the port listens."""
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """A server of its own, for a test that changes what it serves."""
    yield from _serve(tmp_path)


@pytest.fixture(scope="module")
def served_to_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for a module's tests that only ask it (each start costs a few seconds)."""
    yield from _serve(tmp_path_factory.mktemp("served"))


def _serve(tmp_path: Path) -> Iterator[Served]:
    db = tmp_path / "store" / "served.db"
    store = build_store(db, now=datetime.now(UTC))  # D-…-0001 breached 5 h ago
    me = os_login()
    admin = Admin(store, "root")
    if me in {"root", *(login for login, *_ in PEOPLE)}:
        admin.set_person(me, roles=["admin", "duty_lead"], agency="CBH")
    else:
        admin.add_person(me, "The Tester", ["duty_lead"], "CBH")
    store.close()
    config = tmp_path / "config.toml"
    # The queue first, not what changed since this user last looked (the shift start).
    config.write_text("[app]\nshift_start = false\n", encoding="utf-8")
    env = {**os.environ, "PANEL_TUI_CONFIG": str(config), "TZ": "UTC"}
    env.pop("PANEL_TUI_DB", None)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "panel_tui", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            found = URL.search(line)
            if found:
                url, token = found.groups()
                _wait_listening(port, deadline)
                yield Served(url, token, f"http://127.0.0.1:{port}", db, process)
                break
        else:
            raise AssertionError("the server printed no URL:\n" + "".join(seen))
        if not found:
            raise AssertionError("the server printed no URL:\n" + "".join(seen))
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
