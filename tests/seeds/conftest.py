"""The seed walkthroughs: each source article's worked examples, end to end, through the
command line (in-process ``Cli``), with time moved by time-machine so that every clock,
breach and deadline happens as it would, and every write is on the audit chain."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from backends import cli_env
from cli_helpers import Cli, form, init_test_store

#: (code, name): the agencies of the examples.
AGENCIES = (
    ("CBH", "County Behavioral Health"),
    ("MCO", "Managed Care Organisation"),
    ("HOU", "Housing Services"),
    ("APS", "Adult Protective Services"),
)

#: (login, roles, agency): the people of the examples.
PEOPLE = (
    ("cbh_front", "frontline", "CBH"),
    ("cbh_duty", "duty_lead", "CBH"),
    ("cbh_sup", "supervisor", "CBH"),
    ("mco_front", "frontline", "MCO"),
    ("mco_sup", "supervisor", "MCO"),
    ("chair", "panel_chair", "CBH"),
    ("pm", "program_manager", "CBH"),
    ("clin", "clinical_lead", "MCO"),
    ("liaison", "commissioner_liaison", ""),
    ("hou_front", "frontline", "HOU"),
)


@pytest.fixture(scope="session")
def seed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("seeds")
    cli = Cli(home / "store.db", cli_env(home))
    init_test_store(cli, home, "Admin", AGENCIES)
    for login, role, agency in PEOPLE:
        cli.ok("users", "add", login, "--name", login, "--roles", role, "--agency", agency)
    return cli.db


class Walk:
    """One store, one moving clock, and the command line as each person."""

    def __init__(self, cli: Cli, clock: Any) -> None:
        self.cli = cli
        self.clock = clock

    def later(self, **delta: float) -> None:
        self.clock.shift(timedelta(**delta))

    def as_(self, login: str, *args: str, stdin: str | None = None) -> str:
        return self.cli.ok("--as", login, *args, stdin=stdin)

    def refused(self, login: str, *args: str) -> Any:
        return self.cli("--as", login, *args)

    def open(self, login: str = "cbh_duty", **changes: object) -> str:
        out = self.as_(
            login, "open", "--json", "-", "--format", "json", stdin=json.dumps(form(**changes))
        )
        return json.loads(out)["ref"]

    def show(self, ref: str, *args: str) -> dict[str, Any]:
        return self.cli.json("show", ref, *args)

    def queue(self, *args: str, login: str | None = None) -> list[str]:
        who = ("--as", login) if login else ()
        return [d["ref"] for d in self.cli.json(*who, "queue", *args)["disputes"]]

    def actions(self, ref: str) -> list[str]:
        return [e["action"] for e in self.show(ref)["events"]]

    def verify(self) -> None:
        """The whole walk is on the audit chain: every record rebuilds from the events."""
        result = self.cli("audit", "verify")
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def walk(seed_template: Path, tmp_path: Path) -> Iterator[Walk]:
    cli = Cli(tmp_path / "store.db", cli_env(tmp_path))
    shutil.copy(seed_template, cli.db)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=1), tick=False) as clock:
        yield Walk(cli, clock)
