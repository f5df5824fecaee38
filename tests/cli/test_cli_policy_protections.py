"""policy check / set / init refuse a policy that would switch off a protection."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import Cli

from panel_tui.rules.policy import default_policy_text

OVERRIDE = default_policy_text().replace("allow_override = false", "allow_override = true")
NOBODY = default_policy_text().replace('administer = ["admin"]', "administer = []")


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.backend
def test_check_and_set_refuse_override_on_a_real_store(cli: Cli, tmp_path: Path) -> None:
    policy = _file(tmp_path, "override.toml", OVERRIDE)
    result = cli("policy", "check", policy)  # no store yet: a real one is assumed
    assert result.returncode == 2 and "identity.allow_override" in result.stderr
    cli.ok("init")
    for args in (("policy", "check", policy), ("policy", "set", policy)):
        result = cli(*args)
        assert result.returncode == 2, args
        assert "identity.allow_override" in result.stderr
        assert result.stderr.count("\n") == 1
    assert cli("--as", "someone", "agencies", "add", "XX", "X").returncode == 1  # still refused


def test_a_test_store_may_allow_override(cli: Cli, tmp_path: Path) -> None:
    policy = _file(tmp_path, "override.toml", OVERRIDE)
    cli.ok("init", "--kind", "test")
    assert "policy is valid" in cli.ok("policy", "check", policy)
    cli.ok("policy", "set", policy)


@pytest.mark.backend
def test_check_set_and_init_refuse_a_policy_nobody_can_administer(cli: Cli, tmp_path: Path) -> None:
    policy = _file(tmp_path, "nobody.toml", NOBODY)
    result = cli("policy", "check", policy)
    assert result.returncode == 2 and "rights.administer" in result.stderr
    result = cli("init", "--policy", policy)
    assert result.returncode == 2 and "rights.administer" in result.stderr
    cli.ok("init")
    result = cli("policy", "set", policy)
    assert result.returncode == 2 and "rights.administer" in result.stderr
    cli.ok("agencies", "add", "CBH", "County")  # the administrator still administers


HIDDEN = default_policy_text() + '# the county\u202e reads this backwards\n[note]\nx = "\u202e"\n'


def test_a_policy_holding_control_characters_is_refused_naming_the_line(
    cli: Cli, tmp_path: Path
) -> None:
    """Valid TOML may hold U+202E (or a lone CR): `policy show` would print it raw."""
    cli.ok("init")
    policy = _file(tmp_path, "hidden.toml", HIDDEN)
    line = HIDDEN.count("\n", 0, HIDDEN.index("\u202e")) + 1
    for args in (("policy", "check", policy), ("policy", "set", policy)):
        result = cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "U+202E" in result.stderr and f"line {line}" in result.stderr
        assert "\u202e" not in result.stderr
    assert "\u202e" not in cli.ok("policy", "show")  # nothing was installed
    windows = _file(tmp_path, "crlf.toml", default_policy_text().replace("\n", "\r\n"))
    assert "policy is valid" in cli.ok("policy", "check", windows)  # CRLF line ends are fine


def test_policy_show_escapes_what_a_store_already_holds(cli: Cli) -> None:
    from panel_tui.store.sqlite_driver import sqlite

    cli.ok("init")
    conn = sqlite.connect(cli.db)
    with conn:  # as an older store, or anyone who can write the file, could hold it
        conn.execute(
            "INSERT OR REPLACE INTO setting (key, value) VALUES ('policy', ?)",
            (default_policy_text() + "# \u202e\u2066 (valid TOML)\n",),
        )
    conn.close()
    shown = cli.ok("policy", "show")
    assert "\u202e" not in shown and "\u2066" not in shown
    assert "# \\u202e\\u2066 (valid TOML)" in shown
