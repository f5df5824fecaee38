"""Helpers for command-line tests: run panel-tui on one store; a valid form.

``Cli`` runs the real command line through ``panel_tui.cli.main(argv)`` in this
process (about 50 times faster than a new interpreter), with the environment,
stdin, stdout and stderr a subprocess would have. ``Cli(..., subprocess=True)``
(or ``cli.in_subprocess()``) runs ``python -m panel_tui`` instead: keep that
for what only a real process shows (exit codes of the entry point, imports).
"""

from __future__ import annotations

import io
import json
import os
import subprocess as _subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class Cli:
    """The real command line on the store ``db``, run with the environment ``env``."""

    def __init__(self, db: Path, env: dict[str, str], *, subprocess: bool = False) -> None:
        self.db = db
        self.env = env
        self.subprocess = subprocess

    def in_subprocess(self) -> Cli:
        """The same store and environment, run as ``python -m panel_tui``."""
        return Cli(self.db, self.env, subprocess=True)

    def __call__(
        self, *args: str, stdin: str | None = None, db: bool = True
    ) -> _subprocess.CompletedProcess[str]:
        argv = [*(("--db", str(self.db)) if db else ()), *args]
        if self.subprocess:
            return _subprocess.run(
                [sys.executable, "-m", "panel_tui", *argv],
                input=stdin,
                capture_output=True,
                text=True,
                env=self.env,
                timeout=300,
            )
        return run_in_process(argv, self.env, stdin)

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, (
            f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--format", "json"))


def run_in_process(
    argv: list[str], env: dict[str, str], stdin: str | None = None
) -> _subprocess.CompletedProcess[str]:
    """``main(argv)`` as a process would run it: its own environment and streams.

    Exit codes as a process reports them: ``SystemExit`` (argparse's usage
    errors, ``--help``) gives its code; an uncaught exception prints its
    traceback on stderr and gives 1. Every database connection the command
    opened is closed afterwards, so no file handle, lock or unmerged WAL
    outlives the call (commands leave their Store to the process's exit).
    """
    from panel_tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _process_state(env), _streams(stdin or "", out, err), _closing_connections():
        try:
            code: object = main(argv)
        except SystemExit as exc:
            code = exc.code
        except Exception:
            err.write(traceback.format_exc())
            code = 1
    if code is None:
        returncode = 0
    elif isinstance(code, int):
        returncode = code
    else:  # sys.exit("message") prints the message and exits 1
        err.write(f"{code}\n")
        returncode = 1
    return _subprocess.CompletedProcess(
        ["panel-tui", *argv], returncode, out.getvalue(), err.getvalue()
    )


@contextmanager
def _process_state(env: dict[str, str]) -> Iterator[None]:
    """The environment (and the time zone it names), cwd and umask, restored afterwards."""
    saved_env, cwd, umask = dict(os.environ), os.getcwd(), os.umask(0o022)
    os.umask(umask)
    tz_changes = saved_env.get("TZ") != env.get("TZ")
    os.environ.clear()
    os.environ.update(env)
    if tz_changes:
        time.tzset()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        if tz_changes:
            time.tzset()
        os.chdir(cwd)
        os.umask(umask)


@contextmanager
def _streams(stdin: str, out: io.StringIO, err: io.StringIO) -> Iterator[None]:
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


@contextmanager
def _closing_connections() -> Iterator[None]:
    """Close every DB-API connection a pool opened meanwhile (a process exit would)."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    opened: list[Any] = []

    def record(dbapi_connection: Any, _record: Any) -> None:
        opened.append(dbapi_connection)

    event.listen(Pool, "connect", record)
    try:
        yield
    finally:
        event.remove(Pool, "connect", record)
        for connection in opened:
            connection.close()


#: The impact on the person an escalation gives where a test needs one, not a particular one.
IMPACT = "no support while agencies disagree"


def init_test_store(
    cli: Cli, home: Path, admin: str, agencies: tuple[tuple[str, str], ...]
) -> None:
    """A test store (``--as`` needs one) named ``admin``'s, its policy allowing overrides
    (``home``/policy.toml), and ``agencies`` (code, name) added."""
    from panel_tui.rules.policy import default_policy_text

    cli.ok("init", "--name", admin, "--kind", "test")
    policy = home / "policy.toml"
    policy.write_text(
        default_policy_text().replace("allow_override = false", "allow_override = true")
    )
    cli.ok("policy", "set", str(policy))
    for code, name in agencies:
        cli.ok("agencies", "add", code, name)


def open_dispute(cli: Cli, **changes: object) -> str:
    """Open a dispute from a valid form (``changes`` override fields) as "duty"; its ref."""
    out = cli.ok(
        "--as", "duty", "open", "--json", "-", "--format", "json", stdin=json.dumps(form(**changes))
    )
    return json.loads(out)["ref"]


def escalate(
    cli: Cli, login: str, ref: str, *, note: str = "", breach_reason: str = "", impact: str = IMPACT
) -> str:
    """``--as LOGIN escalate REF --impact IMPACT`` (with ``--note``, ``--breach-reason`` if
    given), which must succeed; its output."""
    args = ["--as", login, "escalate", ref, "--impact", impact]
    if note:
        args += ["--note", note]
    if breach_reason:
        args += ["--breach-reason", breach_reason]
    return cli.ok(*args)


def form(**changes: object) -> dict[str, object]:
    """A complete, valid dispute form; ``changes`` override fields."""
    data: dict[str, object] = {
        "person_ref": "P-0042",
        "dispute_type": "funding",
        "risk": "high",
        "raising_agency": "CBH",
        "responding_agencies": ["MCO"],
        "consent_basis": "consent recorded 2026-11-01",
        "problem_statement": "Discharge stalled: MCO and county disagree on who funds ACT.",
        "proposed_pathway": "ACT team",
        "rule_conflict": "ACT eligibility: county reads 'two admissions', MCO reads 'three'",
        "evidence_summary": "Two admissions in 90 days; risk screen amber.",
        "interim_risk_actions": "Daily welfare call by county crisis team.",
        "requested_decision": "Which agency funds ACT from discharge.",
        "evidence": {
            "contact_history": {"present": True},
            "risk_screen": {"present": True},
            "service_plan": {"present": False, "note": "requested from MCO 20 Nov"},
            "engagement_attempts": {"present": True},
        },
    }
    data.update(changes)
    return data
