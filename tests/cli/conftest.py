"""Fixtures: a temp store reached only through the real command line.

The ``team`` store is built once per session (thirteen commands) and copied
for each test that asks for it, so each test still has its own file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from backends import cli_env
from cli_helpers import Cli

from panel_tui.rules.policy import default_policy_text


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "store.db", cli_env(tmp_path))


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised test store that allows --as, with agencies and one person per role."""
    home = tmp_path_factory.mktemp("team")
    cli = Cli(home / "store.db", cli_env(home))
    cli.ok("init", "--name", "Test Admin", "--kind", "test")  # --as needs a test store
    policy = home / "policy.toml"
    policy.write_text(
        default_policy_text().replace("allow_override = false", "allow_override = true")
    )
    cli.ok("policy", "set", str(policy))
    for code, name in (
        ("CBH", "County Behavioral Health"),
        ("MCO", "Managed Care"),
        ("HSG", "Housing"),
    ):
        cli.ok("agencies", "add", code, name)
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
    # Every connection is closed after each command, so the WAL is merged: one file.
    assert not Path(f"{cli.db}-wal").exists() or Path(f"{cli.db}-wal").stat().st_size == 0
    return cli.db


@pytest.fixture
def team(cli: Cli, team_template: Path) -> Cli:
    """A copy of the team store (see ``team_template``) at ``cli.db``, its policy beside it."""
    shutil.copy(team_template, cli.db)  # with its mode: owner-only, as init made it
    shutil.copyfile(team_template.parent / "policy.toml", cli.db.parent / "policy.toml")
    return cli
