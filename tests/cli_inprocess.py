"""The command line run in this process through ``main(argv)``, and a team store to run it on.

Fast enough to run hundreds of times in one test (the fuzz test, the input tests);
the subprocess tests elsewhere keep the real exit codes and import hygiene honest.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from panel_tui.cli import main
from panel_tui.rules.policy import default_policy_text
from panel_tui.store.sqlite_driver import sqlite as sqlite3

AGENCIES = (("CBH", "County Behavioral Health"), ("MCO", "Managed Care"), ("HSG", "Housing"))
PEOPLE = (
    ("duty", "duty_lead"),
    ("front", "frontline"),
    ("sup", "supervisor"),
    ("chair", "panel_chair"),
    ("pm", "program_manager"),
    ("imp", "supervisor,clinical_lead"),  # replays a CSV log: opens, escalates, decides
)


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(db: Path | None, *argv: str, stdin: str = "") -> Run:
    """``panel-tui [--db DB] ARGV...`` with ``stdin``; its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    full = [*(("--db", str(db)) if db else ()), *argv]
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(full)
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdin = saved
    return Run(code, out.getvalue(), err.getvalue())


def ok(db: Path, *argv: str, stdin: str = "") -> str:
    result = run(db, *argv, stdin=stdin)
    assert result.code == 0, f"{argv}: exit {result.code}\n{result.out}\n{result.err}"
    return result.out


def build_team_store(db: Path, disputes: list[dict[str, object]]) -> list[str]:
    """A store allowing --as, with agencies, one person per role, and these disputes opened."""
    ok(db, "init", "--name", "Test Admin", "--kind", "test")  # --as needs a test store
    policy = db.with_suffix(".policy.toml")
    policy.write_text(
        default_policy_text().replace("allow_override = false", "allow_override = true")
    )
    ok(db, "policy", "set", str(policy))
    for code, name in AGENCIES:
        ok(db, "agencies", "add", code, name)
    for login, role in PEOPLE:
        ok(db, "users", "add", login, "--roles", role, "--agency", "CBH")
    return [
        json.loads(
            ok(db, "--as", "duty", "open", "--json", "-", "--format", "json", stdin=json.dumps(d))
        )["ref"]
        for d in disputes
    ]


def copy_store(source: Path, dest: Path) -> Path:
    """A consistent copy of a store (its WAL included), through SQLite's backup API."""
    dest.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(dest)) as dst,
    ):
        src.backup(dst)
    return dest


def fingerprint(db: Path) -> dict[str, tuple[int, str]]:
    """Every table's row count and content hash: what "nothing was written" is checked by."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                # the live text index's own storage (its rows are in live_text itself)
                "AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow')"
            )
        ]
        result = {}
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result
