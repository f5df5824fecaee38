"""Reading ``sudo -l -U LOGIN``: which rules and defaults reach the account past the program.

The listings are sudo's own output (sudo 1.9 on Debian) for the rules named in each
test; tests/osusers checks the same through real sudo and doctor.
"""

from __future__ import annotations

from panel_tui.store.sudo_reach import reach_of

COMMAND = "/opt/panel-tui/bin/panel-tui"
HEAD = """Matching Defaults entries for mia on vm:
    env_reset, mail_badpass,
    secure_path=/usr/local/sbin\\:/usr/local/bin\\:/usr/sbin\\:/usr/bin\\:/sbin\\:/bin,
    use_pty{extra}

Runas and Command-specific defaults for mia:
    Defaults!/opt/panel-tui/bin/panel-tui env_keep+="COLORTERM NO_COLOR"
{specific}
User mia may run the following commands on vm:
    (panel) NOPASSWD: /opt/panel-tui/bin/panel-tui
"""


def listing(rules: str = "", extra: str = "", specific: str = "") -> str:
    return HEAD.format(extra=extra, specific=specific) + rules


def test_the_drop_in_alone_reaches_nothing_else() -> None:
    reach = reach_of("mia", listing(), "panel", COMMAND)
    assert reach.commands == () and reach.environment == () and not reach.admin


def test_another_program_as_the_account_is_named() -> None:
    rules = "    (panel) NOPASSWD: /usr/bin/sqlite3, /bin/cat\n    (panel, root) /usr/bin/id\n"
    reach = reach_of("mia", listing(rules), "panel", COMMAND)
    assert reach.commands == ("/usr/bin/sqlite3", "/bin/cat", "/usr/bin/id")


def test_anything_as_anyone_but_root_is_named_and_root_equivalence_is_an_administrator() -> None:
    assert reach_of("mia", listing("    (panel) ALL\n"), "panel", COMMAND).commands == ("ALL",)
    assert reach_of(
        "mia", listing("    (ALL : ALL) NOPASSWD: /bin/sh\n"), "panel", COMMAND
    ).commands
    admin = reach_of("mia", listing("    (ALL : ALL) ALL\n"), "panel", COMMAND)
    assert admin.admin  # may run anything as root: an administrator, not a reach


def test_rules_for_another_account_do_not_count() -> None:
    reach = reach_of("mia", listing("    (backup) NOPASSWD: /usr/bin/rsync\n"), "panel", COMMAND)
    assert reach.commands == ()


def test_an_environment_that_steers_python_is_named() -> None:
    kept = reach_of("mia", listing(extra=", env_keep+=PYTHONPATH"), "panel", COMMAND)
    assert kept.environment == ("env_keep PYTHONPATH",)
    quoted = listing(
        specific='    Defaults!/opt/panel-tui/bin/panel-tui env_keep+="LD_PRELOAD TERM"\n'
    )
    assert reach_of("mia", quoted, "panel", COMMAND).environment == ("env_keep LD_PRELOAD",)
    unreset = listing(specific="    Defaults!/opt/panel-tui/bin/panel-tui !env_reset\n")
    assert reach_of("mia", unreset, "panel", COMMAND).environment == ("!env_reset",)
    setenv = reach_of(
        "mia", listing("    (panel) SETENV: /opt/panel-tui/bin/panel-tui\n"), "panel", COMMAND
    )
    assert setenv.environment == (f"SETENV on {COMMAND}",)


def test_defaults_for_another_program_or_account_do_not_count() -> None:
    other = listing(specific='    Defaults!/usr/bin/foo env_keep+="PYTHONPATH"\n')
    assert reach_of("mia", other, "panel", COMMAND).environment == ()
    runas = listing(specific='    Defaults>backup env_keep+="PYTHONPATH"\n')
    assert reach_of("mia", runas, "panel", COMMAND).environment == ()
    kept_display = reach_of("mia", listing(), "panel", COMMAND)  # COLORTERM NO_COLOR: harmless
    assert kept_display.environment == ()


def test_a_login_sudo_allows_nothing_reaches_nothing() -> None:
    reach = reach_of("mia", "User mia is not allowed to run sudo on vm.\n", "panel", COMMAND)
    assert reach.commands == () and reach.environment == ()
