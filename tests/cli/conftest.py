"""Fixtures: a temp store reached only through the real command line.

The ``team`` store is built once per session (thirteen commands) and copied
for each test that asks for it, so each test still has its own file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import backends
import pytest
from backends import cli_env
from cli_helpers import Cli, init_test_store


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    """The command line on a new store: a SQLite file, or on a PostgreSQL run an empty
    database (its URL is ``cli.db``; tests marked ``backend`` run on both)."""
    if backends.on_postgres():
        with backends.fresh_database() as name:
            yield Cli(backends.database_url(name), cli_env(tmp_path))  # type: ignore[arg-type]
    else:
        yield Cli(tmp_path / "store.db", cli_env(tmp_path))


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """An initialised test store that allows --as, with agencies and one person per role
    (on a PostgreSQL run, a template database: its URL)."""
    home = tmp_path_factory.mktemp("team")
    if backends.on_postgres():
        name = backends.create_database()
        _build_team(Cli(backends.database_url(name), cli_env(home)), home)  # type: ignore[arg-type]
        yield backends.database_url(name)
        backends.drop_database(name)
    else:
        cli = Cli(home / "store.db", cli_env(home))
        _build_team(cli, home)
        # Every connection is closed after each command, so the WAL is merged: one file.
        wal = Path(f"{cli.db}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        yield cli.db


def _build_team(cli: Cli, home: Path) -> None:
    init_test_store(
        cli,
        home,
        "Test Admin",
        (("CBH", "County Behavioral Health"), ("MCO", "Managed Care"), ("HSG", "Housing")),
    )
    for login, role in (
        ("duty", "duty_lead"),
        ("front", "frontline"),
        ("sup", "supervisor"),
        ("chair", "panel_chair"),
        ("pm", "program_manager"),
        ("clin", "clinical_lead"),
        ("integ", "integration_lead"),
        ("watch", "oversight"),
    ):
        cli.ok("users", "add", login, "--name", login.title(), "--roles", role, "--agency", "CBH")
    # The receiving agency's team confirms acceptance: an MCO frontline worker.
    cli.ok("users", "add", "intake", "--name", "Intake", "--roles", "frontline", "--agency", "MCO")


@pytest.fixture
def team(tmp_path: Path, team_template: Path | str) -> Iterator[Cli]:
    """A copy of the team store (see ``team_template``), its policy in the test's directory
    (beside the store's file on SQLite)."""
    if isinstance(team_template, str):
        name = backends.create_database(backends.database_of(team_template))
        cli = Cli(backends.database_url(name), cli_env(tmp_path))  # type: ignore[arg-type]
        try:
            yield cli
        finally:
            backends.drop_database(name)
        return
    cli = Cli(tmp_path / "store.db", cli_env(tmp_path))
    shutil.copy(team_template, cli.db)  # with its mode: owner-only, as init made it
    shutil.copyfile(team_template.parent / "policy.toml", cli.db.parent / "policy.toml")
    yield cli
