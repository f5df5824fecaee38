"""Fixtures: a temp store reached only through the real command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import Cli

from panel_tui.rules.policy import default_policy_text


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    env = dict(os.environ)
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        NO_COLOR="1",
        COLUMNS="200",
    )
    env.pop("PANEL_TUI_DB", None)
    return Cli(tmp_path / "store.db", env)


@pytest.fixture
def team(cli: Cli, tmp_path: Path) -> Cli:
    """An initialised test store that allows --as, with agencies and one person per role."""
    cli.ok("init", "--name", "Test Admin")
    policy = tmp_path / "policy.toml"
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
    return cli
