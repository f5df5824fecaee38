"""`queue` reads a current store without the ORM, and says the same as through it.

``--as`` (here, as oneself) takes the full path through ``Store.open``: the
two outputs must be byte for byte the same. Those marked ``backend`` run on a
PostgreSQL store too (psycopg's quick reader) on a PostgreSQL run.
"""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import backends
import pytest
from cli_helpers import Cli
from demo_cache import demo_copy

from panel_tui.store.demo import build_demo
from panel_tui.store.sqlite_driver import sqlite as sqlite3

FILTERS = [
    (),
    ("--breached",),
    ("--section", "closed"),
    ("--section", "closed", "--text", "p-"),
    ("--section", "at_panel"),
    ("--section", "provisional_expiring"),
    ("--section", "due_today"),
    ("--mine",),
    ("--due-within", "24h"),
    ("--agency", "mco", "--risk", "high", "--risk", "critical"),
    ("--type", "funding", "--stage", "1", "--stage", "2"),
    ("--text", "CBH", "--limit", "3"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    home = tmp_path_factory.mktemp("queue-paths")
    env = dict(os.environ, XDG_DATA_HOME=str(home / "data"), NO_COLOR="1", COLUMNS="200")
    env.pop("PANEL_TUI_DB", None)
    built_at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    if backends.on_postgres():  # the same demo, built in a database of its own
        with backends.fresh_database() as name:
            url = backends.database_url(name)
            build_demo(url, disputes=60, seed=7, now=built_at).close()
            yield Cli(url, env)  # type: ignore[arg-type]
        return
    # The demo the store tests read too, built once per run (the same build as `demo`).
    db = demo_copy(tmp_path_factory, home / "demo.db", disputes=60, seed=7, now=built_at)
    yield Cli(db, env)


@pytest.fixture(scope="module")
def at() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


CASES = [("json", args) for args in FILTERS]
CASES += [(fmt, args) for fmt in ("csv", "table") for args in ((), ("--breached",))]


def _case_id(value: str | tuple[str, ...]) -> str:
    return value if isinstance(value, str) else " ".join(value) or "all open"


@pytest.mark.backend
@pytest.mark.parametrize(("fmt", "args"), CASES, ids=_case_id)
def test_the_quick_and_the_full_path_print_the_same(
    demo: Cli, at: str, fmt: str, args: tuple[str, ...]
) -> None:
    quick = demo.ok("queue", *args, "--format", fmt, "--at", at)
    full = demo.ok("--as", getpass.getuser(), "queue", *args, "--format", fmt, "--at", at)
    assert quick == full
    if fmt == "json" and not args:
        assert json.loads(quick)["total"] > 10  # the comparison sees real rows


def _modules_after_queue(demo: Cli, *args: str) -> dict[str, bool]:
    code = (
        "import sys, json;"
        "from panel_tui.cli import main;"
        f"code = main({['--db', str(demo.db), *args, 'queue', '--format', 'json']!r});"
        "print(json.dumps({'exit': code, 'orm': 'sqlalchemy' in sys.modules,"
        " 'textual': 'textual' in sys.modules,"
        " 'other commands': 'panel_tui.cli.admin' in sys.modules,"
        " 'logging': 'logging' in sys.modules}), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=demo.env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.backend
def test_the_queue_command_does_not_import_the_orm_on_a_current_store(demo: Cli) -> None:
    # Nor the other commands' modules (only the read commands' part of the parser is
    # built), nor logging (imported only to say that a quick read fell back). On
    # PostgreSQL psycopg imports logging itself: only our part of that can be held.
    modules = _modules_after_queue(demo)
    logging_imported = modules.pop("logging")
    if not backends.on_postgres():
        assert logging_imported is False
    assert modules == {"exit": 0, "orm": False, "textual": False, "other commands": False}
    # --as needs the store's policy: the full path.
    assert _modules_after_queue(demo, "--as", getpass.getuser())["orm"] is True


def test_a_store_from_a_newer_release_is_still_refused(cli: Cli) -> None:
    """The quick path leaves every other schema to Store.open, and its refusal."""
    cli.ok("init", "--name", "Admin")
    conn = sqlite3.connect(cli.db)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    refused = cli("queue", "--format", "json")
    assert refused.returncode == 2 and "newer" in refused.stderr and refused.stdout == ""


@pytest.mark.backend
def test_a_quick_read_that_fails_falls_back_to_the_full_way(
    demo: Cli,
    at: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from panel_tui.cli import main

    argv = ["--db", str(demo.db), "queue", "--format", "json", "--at", at]
    assert main(argv) == 0
    expected = capsys.readouterr().out

    # The run's backend's quick reader fails as its driver fails.
    if backends.on_postgres():
        import psycopg

        from panel_tui.store.read import psycopg_queue as reader

        failure: Exception = psycopg.OperationalError("unable to open database file")
    else:
        from panel_tui.store.read import sqlite3_queue as reader

        failure = sqlite3.OperationalError("unable to open database file")

    def unreadable(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(reader, "reading", unreadable)
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out == expected and json.loads(expected)["total"] > 10
    assert captured.err == ""
    # The fallback is logged, naming why; tests/conftest.py fails any other test that
    # takes it (this one took it on purpose).
    logged = [r.getMessage() for r in caplog.get_records("call") if r.name == "panel_tui.quickread"]
    why = "OperationalError: unable to open database file"
    assert logged == [f"quick read fell back to the ORM: {why}"]
    caplog.clear()


@pytest.mark.backend
def test_json_is_compact_unless_an_indent_is_asked(demo: Cli, at: str) -> None:
    """One line by default (the C encoder's speed); --indent N is the same data, indented."""
    compact = demo.ok("queue", "--format", "json", "--at", at)
    indented = demo.ok("queue", "--format", "json", "--at", at, "--indent", "2")
    assert compact.count("\n") == 1 and ", " not in compact.split('"disputes"')[0]
    assert indented.count("\n") > 10 and '\n  "disputes": [' in indented
    assert json.loads(compact) == json.loads(indented) and json.loads(compact)["total"] > 10
    # Compact rows are written field by field (queue_shapes.queue_json_text): the bytes
    # are json.dumps's own, keys sorted, non-ASCII escaped, as scripts have compared them.
    data = json.loads(indented)
    assert compact == json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n"


@pytest.mark.backend
def test_limit_stops_the_one_pass_read(demo: Cli, at: str) -> None:
    every = json.loads(demo.ok("queue", "--format", "json", "--at", at))["disputes"]
    first = json.loads(demo.ok("queue", "--format", "json", "--at", at, "--limit", "4"))
    assert first["total"] == 4 and first["disputes"] == every[:4]
