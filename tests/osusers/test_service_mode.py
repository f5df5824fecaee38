"""Service-account mode with real OS users and real sudo: only the account opens the store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from osusers.oskit import SIDE_FILES, Host, mode_of

from panel_tui.store.sqlite_driver import sqlite

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(host: Host) -> dict[str, str]:
    account = host.add_user("svc", system=True)
    people = {
        "account": account,
        "alice": host.add_user("alice"),
        "bob": host.add_user("bob"),
        # In the account's own group: the group is no way in.
        "mallory": host.add_user("mallory", account),
    }
    store = host.srv / "svc" / "panel.db"
    made = host.panel(
        None,
        "init",
        "--db",
        str(store),
        "--service-account",
        account,
        "--command",
        host.install.command,
        "--admin",
        people["alice"],
        "--install",
    )
    assert made.returncode == 0, made.stdout + made.stderr
    people["store"] = str(store)
    assert host.panel(people["alice"], "agencies", "add", "CBH", "County").returncode == 0
    added = host.panel(people["alice"], "users", "add", people["bob"], "--roles", "duty_lead")
    assert added.returncode == 0, added.stderr
    return people


def rows(store: str, query: str) -> list[tuple]:
    conn = sqlite.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def test_init_gives_the_store_to_the_account_and_installs_the_checked_rule(host, site) -> None:
    store = Path(site["store"])
    assert mode_of(store.parent)[:2] == (0o700, site["account"])
    assert mode_of(store)[:2] == (0o600, site["account"])
    rule = (host.sudoers / "panel-tui").read_text()
    assert f"ALL ALL=({site['account']}) NOPASSWD: {host.install.command}\n" in rule
    assert mode_of(host.sudoers / "panel-tui")[0] == 0o440


def test_users_act_as_themselves_through_sudo_with_no_environment(host, site) -> None:
    queue = host.panel(site["bob"], "queue", "--format", "json")
    assert queue.returncode == 0, queue.stderr
    assert json.loads(queue.stdout)["total"] == 0
    actors = [r[0] for r in rows(site["store"], "SELECT actor FROM event ORDER BY id")]
    assert actors == [site["alice"]] * 3  # init, the agency, bob — each by alice


def test_nobody_but_the_account_can_open_the_file(host, site) -> None:
    for login in (site["bob"], site["mallory"]):
        direct = host.as_user(
            login,
            host.install.python,
            "-c",
            "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('SELECT 1 FROM person')",
            site["store"],
        )
        assert direct.returncode != 0 and "unable to open database file" in direct.stderr


def test_the_getuid_patch_cannot_reach_the_store(host, site) -> None:
    """A user's own Python claims to be the account, run by alice: it still cannot open it."""
    before = rows(site["store"], "SELECT count(*) FROM agency")
    forged = (
        "import os, pwd, sys\n"
        f"os.getuid = lambda: pwd.getpwnam({site['account']!r}).pw_uid\n"
        f"os.environ['SUDO_UID'] = str(pwd.getpwnam({site['alice']!r}).pw_uid)\n"
        "from panel_tui.cli import main\n"
        "sys.exit(main(['agencies', 'add', 'EVIL', 'Forged']))\n"
    )
    attack = host.as_user(site["mallory"], host.install.python, "-c", forged)
    assert attack.returncode == 2, attack.stdout + attack.stderr
    assert "unable to open" in attack.stderr or "Permission denied" in attack.stderr
    assert rows(site["store"], "SELECT count(*) FROM agency") == before


@pytest.mark.parametrize(
    "args",
    [
        ("--as", "ALICE", "agencies", "add", "EVIL", "Evil"),
        ("agencies", "add", "EVIL", "Evil", "--as", "ALICE"),
        ("--db", "/tmp/elsewhere.db", "agencies", "add", "EVIL", "Evil"),
        ("--db=/tmp/elsewhere.db", "queue"),
    ],
)
def test_as_and_db_are_refused_under_sudo(host, site, args) -> None:
    args = tuple(a.replace("ALICE", site["alice"]) for a in args)
    sudo = ("sudo", "-n", "-u", site["account"], host.install.command)
    refused = host.as_user(site["bob"], *sudo, *args)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "refused here" in refused.stderr
    assert rows(site["store"], "SELECT count(*) FROM agency WHERE code = 'EVIL'") == [(0,)]


@pytest.mark.parametrize("variable", ["PANEL_TUI_DB", "PANEL_TUI_CONFIG", "PANEL_TUI_EXPORTS"])
def test_steering_variables_are_refused_under_the_account(host, site, variable) -> None:
    """sudo drops them; a rule that kept them (env_keep) still cannot steer the account."""
    through_sudo = host.as_user(
        site["bob"],
        "sudo", "-n", "-u", site["account"], f"{variable}=/tmp/x", host.install.command, "queue",
    )  # fmt: skip
    assert through_sudo.returncode != 0 and "not allowed to set" in through_sudo.stderr
    kept = host.as_user(
        site["account"],
        "env", f"SUDO_UID={host.uid(site['bob'])}", f"{variable}=/tmp/x",
        host.install.command, "queue",
    )  # fmt: skip
    assert kept.returncode == 2 and f"{variable} is refused here" in kept.stderr


def test_a_user_s_own_db_runs_as_the_user_and_cannot_reach_the_shared_file(host, site) -> None:
    for how in (("--db", site["store"]), ()):
        env = {} if how else {"PANEL_TUI_DB": site["store"]}
        mine = host.panel(site["bob"], *how, "agencies", "add", "EVIL", "Evil", env=env)
        assert mine.returncode == 2 and "Permission denied" in mine.stderr, mine.stderr
    assert rows(site["store"], "SELECT count(*) FROM agency WHERE code = 'EVIL'") == [(0,)]


def test_files_reach_the_user_only_through_stdin_and_stdout(host, site, tmp_path) -> None:
    out = Path("/tmp") / f"{host.prefix}-export.json"
    refused = host.panel(site["bob"], "export", "-o", str(out))
    assert refused.returncode == 2 and "a file path is refused here" in refused.stderr
    assert not out.exists()
    for args in (("import", site["store"]), ("policy", "set", site["store"])):
        reading = host.panel(site["alice"], *args)
        assert reading.returncode == 2 and "a file path is refused here" in reading.stderr
    exported = host.panel(site["bob"], "export")
    assert exported.returncode == 0 and "disputes" in json.loads(exported.stdout)
    minutes = host.panel(site["bob"], "minutes", "today")  # the app may not save them here
    assert minutes.returncode == 0 and minutes.stdout.startswith("# Panel minutes, "), minutes
    policy = host.panel(site["alice"], "policy", "show").stdout
    installed = host.panel(site["alice"], "policy", "set", "-", stdin=policy)
    assert installed.returncode == 0, installed.stderr


def test_backup_streams_a_checked_copy_to_stdout(host, site, tmp_path) -> None:
    mine = host.work / "bob-home"
    mine.mkdir()
    os.chown(mine, host.uid(site["bob"]), -1)
    copy = mine / "copy.db"
    streamed = host.as_user(
        site["bob"], "sh", "-c", f'umask 077; "$0" backup - > {copy}', host.install.command
    )
    assert streamed.returncode == 0, streamed.stderr
    assert rows(str(copy), "PRAGMA integrity_check") == [("ok",)]
    assert rows(str(copy), "SELECT login FROM person ORDER BY id")[0] == (site["alice"],)


def test_files_sqlite_creates_belong_to_the_account_under_umask_022(host, site) -> None:
    made = host.as_user(site["account"], host.install.python, "-c", SIDE_FILES, site["store"])
    assert made.returncode == 0, made.stderr
    for suffix, (mode, uid, _gid) in json.loads(made.stdout).items():
        assert (mode, uid) == (0o600, host.uid(site["account"])), suffix
    assert mode_of(Path(site["store"]))[:2] == (0o600, site["account"])


def test_doctor_checks_files_and_the_sudoers_rule(host, site) -> None:
    as_root = host.panel(None, "doctor", "--format", "json")
    found = {f["name"]: f for f in json.loads(as_root.stdout)["findings"]}
    assert as_root.returncode == 0, as_root.stdout
    assert found["sudoers rule"]["ok"] and found["directory"]["ok"]
    assert found["sudo reach"]["ok"], found["sudo reach"]  # the drop-in alone: nothing more
    assert found["SQLite library"]["value"].endswith(("pysqlite3", "sqlite3"))
    through = host.panel(site["bob"], "doctor", "--format", "json")
    bobs = {f["name"]: f for f in json.loads(through.stdout)["findings"]}
    assert bobs["sudoers rule"]["value"].startswith("in use")  # bob came through it
    assert bobs["permissions panel.db"]["ok"]
    rule = host.sudoers / "panel-tui"
    text = rule.read_text()
    rule.chmod(0o640)
    rule.write_text(text.replace("NOPASSWD: ", "NOPASSWD: /bin/sh, "))
    rule.chmod(0o440)
    try:
        broken = host.panel(None, "doctor")
        assert broken.returncode == 1
        assert "sudoers rule" in broken.stdout and "differs" in broken.stdout
        assert f"ALL ALL=({site['account']}) NOPASSWD: {host.install.command}" in broken.stdout
    finally:
        rule.chmod(0o640)
        rule.write_text(text)
        rule.chmod(0o440)


def test_doctor_fails_an_install_others_can_change(host, site) -> None:
    """Whoever can replace the program sudo runs can act as the account."""
    bin_dir = Path(host.install.command).parent
    bin_dir.chmod(0o777)
    try:
        weak = host.panel(None, "doctor")
        assert weak.returncode == 1
        assert f"{bin_dir} can be changed by someone other than root" in weak.stdout
    finally:
        bin_dir.chmod(0o755)


def test_doctor_names_other_sudo_rules_and_defaults_that_reach_the_account(host, site) -> None:
    """The boundary is the whole sudoers: another rule or a kept PYTHONPATH undoes it."""
    extra = host.sudoers / "zz-local"
    extra.write_text(
        f"{site['mallory']} ALL=({site['account']}) NOPASSWD: /bin/cat\n"
        f'Defaults!{host.install.command} env_keep += "PYTHONPATH"\n'
    )
    extra.chmod(0o440)
    try:  # what the rule gives mallory: the raw store, whatever panel-tui checks
        raw = host.as_user(
            site["mallory"],
            "sh",
            "-c",
            f"sudo -n -u {site['account']} /bin/cat {site['store']} | head -c 15",
        )
        assert raw.stdout == "SQLite format 3", raw.stderr
        found = host.panel(None, "doctor")
        assert found.returncode == 1, found.stdout
        line = next(x for x in found.stdout.splitlines() if "sudo reach" in x)
        assert line.startswith("FAIL")
        assert f"{site['mallory']}: may run /bin/cat as {site['account']}" in line
        assert "sudo keeps env_keep PYTHONPATH" in line
        assert "remove those rules and defaults" in found.stdout
    finally:
        extra.unlink()
    assert "ok   sudo reach" in host.panel(None, "doctor").stdout


def test_only_the_store_s_active_people_reach_it_through_sudo(host, site) -> None:
    """The sudoers rule lets every login run the program: the store decides who gets in.

    Without this every account on the host could read (and export) every dispute.
    """
    stranger = host.add_user("stranger")
    for args in (("queue",), ("export",), ("users", "list"), ("show", "D-2026-0001")):
        refused = host.panel(stranger, *args)
        assert refused.returncode == 1, (args, refused.stdout, refused.stderr)
        assert f"{stranger} is not a user of this store" in refused.stderr
        assert refused.stdout == "" and refused.stderr.count("\n") == 1
    leaver = host.add_user("leaver")
    alice = site["alice"]
    assert host.panel(alice, "users", "add", leaver, "--roles", "duty_lead").returncode == 0
    assert host.panel(leaver, "queue").returncode == 0
    gone = host.panel(alice, "users", "deactivate", leaver, "--reason", "left the service")
    assert gone.returncode == 0, gone.stderr
    refused = host.panel(leaver, "export")
    assert refused.returncode == 1 and "deactivated" in refused.stderr and refused.stdout == ""
    assert host.panel(alice, "users", "reactivate", leaver).returncode == 0
    assert host.panel(leaver, "queue").returncode == 0
