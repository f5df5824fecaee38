"""doctor's checks of a shared store's files, and which file stops a write.

Each finding names the file, what is wrong with it and the command that fixes
it, for the sharing mode the site config declares for this store (group or
service account); a store the site config does not name is checked as a
private one.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

from panel_tui.site import GROUP, SERVICE, SiteConfig
from panel_tui.store import sharing
from panel_tui.store.files import side_files, unwritable_file
from panel_tui.store.maintenance import Finding


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _describe(path: Path, info: os.stat_result) -> str:
    return (
        f"{path} {stat.filemode(info.st_mode)} {_owner(info.st_uid)}:{_group(info.st_gid)} "
        f"({oct(stat.S_IMODE(info.st_mode))})"
    )


def _group_findings(path: Path, group: str) -> Iterator[Finding]:
    directory = path.parent
    info = directory.stat()
    bits = stat.S_IMODE(info.st_mode)
    ok = _group(info.st_gid) == group and bits == sharing.GROUP_DIR_MODE
    yield Finding(
        "directory",
        _describe(directory, info),
        ok,
        ""
        if ok
        else f"fix: chgrp {group} {directory} && chmod 2770 {directory} (setgid, so "
        "every file SQLite creates there gets the group; nothing for others)",
    )
    for file in side_files(path):
        info = file.stat()
        ok = _group(info.st_gid) == group and stat.S_IMODE(info.st_mode) == sharing.GROUP_FILE_MODE
        yield Finding(
            f"permissions {file.name}",
            _describe(file, info),
            ok,
            "" if ok else f"fix: chgrp {group} {file} && chmod 660 {file}",
        )


def _service_findings(path: Path, site: SiteConfig) -> Iterator[Finding]:
    account = site.account or ""
    directory = path.parent
    info = directory.stat()
    ok = _owner(info.st_uid) == account and stat.S_IMODE(info.st_mode) == sharing.SERVICE_DIR_MODE
    yield Finding(
        "directory",
        _describe(directory, info),
        ok,
        "" if ok else f"fix: chown {account}: {directory} && chmod 700 {directory}",
    )
    for file in side_files(path):
        info = file.stat()
        ok = _owner(info.st_uid) == account and (
            stat.S_IMODE(info.st_mode) == sharing.SERVICE_FILE_MODE
        )
        yield Finding(
            f"permissions {file.name}",
            _describe(file, info),
            ok,
            "" if ok else f"fix: chown {account}: {file} && chmod 600 {file}",
        )
    yield from _command_findings(Path(site.command or ""))
    yield _sudoers_finding(site)
    yield _sudo_reach_finding(site)


def _command_findings(command: Path) -> Iterator[Finding]:
    """What sudo runs as the account must be changeable by root alone."""
    for name, target in (("command", command), ("interpreter", sharing.interpreter(command))):
        if target is None:
            continue
        weak = sharing.writable_by_others(target)
        yield Finding(
            f"sudo {name}",
            str(target),
            weak is None and target.exists(),
            ""
            if weak is None and target.exists()
            else f"{weak or target} can be changed by someone other than root, who could then "
            "run anything as the service account: install panel-tui where only root writes "
            "(e.g. a venv in /opt/panel-tui owned by root)",
        )


def _sudoers_finding(site: SiteConfig) -> Finding:
    from panel_tui.service import service_context

    expected = sharing.sudoers_rule(site.account or "", site.command or "")
    rule = sharing.SUDOERS_FILE
    if service_context() is not None:
        return Finding("sudoers rule", "in use: this doctor reached the store through it")
    if os.geteuid() != 0:
        return Finding(
            "sudoers rule", f"{rule} not checked (run doctor as root)", ok=False, serious=False
        )
    fix = (
        f"fix: write {rule} (mode 0440) with exactly\n{expected}"
        "(or run `panel-tui init ... --install` on a new store), then check it: visudo -cf "
        f"{rule}"
    )
    try:
        text = rule.read_text(encoding="utf-8")
        info = rule.stat()
    except OSError as exc:
        return Finding("sudoers rule", f"{rule}: {exc.strerror}", False, fix)
    if text != expected:
        return Finding("sudoers rule", f"{rule} differs from what this store needs", False, fix)
    if info.st_uid != 0 or stat.S_IMODE(info.st_mode) != 0o440:
        return Finding(
            "sudoers rule",
            _describe(rule, info),
            False,
            f"fix: chown root: {rule} && chmod 440 {rule}",
        )
    try:
        checked = subprocess.run(
            ["visudo", "-cf", str(rule)], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return Finding("sudoers rule", "visudo not found", False, "install sudo")
    if checked.returncode != 0:
        return Finding("sudoers rule", checked.stdout.strip() or checked.stderr.strip(), False, fix)
    return Finding("sudoers rule", f"{rule}: allows {site.command} as {site.account}, only that")


def _sudo_reach_finding(site: SiteConfig) -> Finding:
    """Every other sudoers rule and default: none may reach the account past the program."""
    from panel_tui.service import service_context
    from panel_tui.store.sudo_reach import sudo_reach

    name = "sudo reach"
    if service_context() is not None or os.geteuid() != 0:
        return Finding(name, "not checked (run doctor as root)", ok=False, serious=False)
    account, command = site.account or "", site.command or ""
    asked = sudo_reach(account, command)
    if asked is None:
        return Finding(name, "sudo -l could not be run", False, "install sudo")
    checked, reaching = asked
    if not reaching:
        return Finding(
            name,
            f"{checked} logins checked: none may run anything but {command} as {account}, "
            "and sudo resets the environment it gets",
        )
    problems: dict[str, list[str]] = {}
    for r in reaching:
        if r.commands:
            problems.setdefault(f"may run {', '.join(r.commands)} as {account}", []).append(r.login)
        if r.environment:
            problems.setdefault(f"sudo keeps {', '.join(r.environment)}", []).append(r.login)
    lines = [
        f"{', '.join(who[:4])}{f' and {len(who) - 4} more' if len(who) > 4 else ''}: {what}"
        for what, who in problems.items()
    ]
    return Finding(
        name,
        "; ".join(lines),
        False,
        "fix: remove those rules and defaults from the sudoers (`sudo -l -U LOGIN` lists them): "
        f"another program run as {account} can open the store directly, and a kept PYTHON* "
        f"or LD_* variable (or !env_reset, setenv, SETENV) runs the user's own code as {account}",
    )


def _private_findings(path: Path) -> Iterator[Finding]:
    for file in side_files(path):
        info = file.stat()
        world = bool(info.st_mode & (stat.S_IWOTH | stat.S_IROTH))
        yield Finding(
            f"permissions {file.name}",
            _describe(file, info),
            not world,
            f"others can read or write it: chmod o-rwx {file}; to share a store, set it up "
            "with init --group or --service-account (README, Where the store is)"
            if world
            else "",
        )


def sharing_findings(path: Path, site: SiteConfig | None) -> list[Finding]:
    """The checks for the mode the site config gives ``path`` (private if it names another)."""
    shared = site is not None and site.mode and site.store.resolve() == path.resolve()
    mode = site.mode if shared and site else None
    source = f" ({site.source})" if mode and site else ""
    found = [Finding("sharing", sharing.mode_name(mode) + source)]
    if mode == GROUP and site and site.group:
        found += _group_findings(path, site.group)
    elif mode == SERVICE and site:
        found += _service_findings(path, site)
    else:
        found += _private_findings(path)
    blocked = unwritable_file(path)
    found.append(
        Finding(
            "writable by you",
            "yes" if blocked is None else f"no: {blocked}",
            blocked is None,
            "" if blocked is None else f"SQLite needs to write {blocked}; see the findings above",
            serious=False,
        )
    )
    return found
