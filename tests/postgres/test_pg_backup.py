"""backup of a PostgreSQL store drives pg_dump: an owner-only archive that pg_restore
brings back as the same store (same head, guards and sequences), the password never on
pg_dump's command line; refusals are one line, exit 2, nothing written."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import backends
from backends import cli_env
from cli_helpers import Cli

from panel_tui.store.pg_backup import libpq_target, tool


def _head(cli: Cli) -> str:
    verified = json.loads(cli.ok("audit", "verify", "--format", "json"))
    assert verified["ok"], verified
    return verified["head"]


def test_a_backup_restores_as_the_same_store(pg_cli: Cli, tmp_path: Path) -> None:
    pg_cli.ok("init", "--kind", "test")
    for code in ("CBH", "MCO"):
        pg_cli.ok("agencies", "add", code, f"Agency {code}")
    head = _head(pg_cli)
    out = pg_cli.ok("backup", f"{tmp_path}/backups/")
    dumps = list((tmp_path / "backups").iterdir())
    assert len(dumps) == 1 and str(dumps[0]) in out
    assert stat.S_IMODE(dumps[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
    with backends.fresh_database() as restored:
        url = backends.database_url(restored)
        target, env = libpq_target(url)
        subprocess.run([tool("pg_restore"), "-d", target, str(dumps[0])], env=env, check=True)
        again = Cli(url, cli_env(tmp_path))  # type: ignore[arg-type]
        assert _head(again) == head
        doctor = json.loads(again("doctor", "--format", "json").stdout)["findings"]
        assert {f["name"]: f["ok"] for f in doctor}["guards"] is True
        again.ok("agencies", "add", "HSG", "Housing")  # the sequences came back too
        assert int(_head(again).split(":")[0]) == int(head.split(":")[0]) + 1


def test_the_password_travels_in_the_environment_not_the_command_line() -> None:
    target, env = libpq_target("postgresql+psycopg://owner:s3cret@db.example:5433/panel")
    assert target == "postgresql://owner@db.example:5433/panel"
    assert env["PGPASSWORD"] == "s3cret"


def test_refusals_are_one_line_and_write_nothing(pg_cli: Cli, tmp_path: Path) -> None:
    pg_cli.ok("init")
    taken = tmp_path / "taken.dump"
    taken.write_text("someone's file")
    for args, says in (
        ((), "needs DEST"),
        (("-",), "is a file"),
        ((str(taken),), "already exists"),
        ((str(tmp_path / "no" / "such" / "dir" / "x.dump"),), "cannot write a backup"),
    ):
        result = pg_cli("backup", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
    assert taken.read_text() == "someone's file"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".dump", ".partial")) == [
        "taken.dump"
    ]
