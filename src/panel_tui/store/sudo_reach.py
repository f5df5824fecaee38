"""doctor, service mode: what sudo lets each user do as the account, asked of sudo itself.

The drop-in ``init`` installs allows one program. But the boundary is whatever
the host's whole sudoers says: another rule that lets users run anything else
as the account (``(panel) ALL``, ``(panel) /usr/bin/sqlite3``) lets them open
the store directly, and an environment sudo keeps for Python (``env_keep +=
PYTHONPATH``, ``!env_reset``, ``SETENV``) lets them run their own code as the
account before panel-tui's first line. Neither shows in our drop-in, so this
asks ``sudo -l -U LOGIN`` (root only) for every login that can log in, and names
each rule or default that reaches past the program.

Administrators whom sudo lets run anything as root are skipped: they can do
anything anyway (docs/SECURITY.md, "Remains").
"""

from __future__ import annotations

import pwd
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

#: Shells that cannot log in: their accounts need no checking.
NO_LOGIN = ("nologin", "false", "sync", "shutdown", "halt")
#: Variables that make Python (or the loader under it) run someone else's code.
STEERING_PREFIXES = ("PYTHON", "LD_")
_TAG = re.compile(r"^(?:[A-Z_]+:\s*)+")


@dataclass(frozen=True)
class Reach:
    """What sudo allows one login beyond the program (empty: nothing)."""

    login: str
    commands: tuple[str, ...] = ()
    environment: tuple[str, ...] = ()
    admin: bool = False


def _sections(listing: str) -> tuple[list[str], list[str]]:
    """(the Defaults lines, the rules) of ``sudo -l -U`` output, wrapped lines joined."""
    defaults: list[str] = []
    rules: list[str] = []
    current: list[str] | None = None
    for line in listing.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            current = rules if "may run the following commands" in line else defaults
            continue
        if current is None:
            continue
        text = line.strip()
        if current is rules and not text.startswith("(") and current:
            current[-1] += " " + text  # a long rule wrapped onto the next line
        elif current is defaults and current and not line.startswith("    Defaults"):
            current[-1] += " " + text
        else:
            current.append(text)
    return defaults, rules


def _split_rule(rule: str) -> tuple[list[str], list[str], list[str]]:
    """(run-as users, tags, commands) of one listed rule: ``(panel) NOPASSWD: /bin/x, /bin/y``."""
    match = re.match(r"^\(([^)]*)\)\s*(.*)$", rule)
    if match is None:
        return [], [], []
    users = [u.strip() for u in match.group(1).split(":")[0].split(",")]
    rest = match.group(2)
    tags_found = _TAG.match(rest)
    tags = re.findall(r"[A-Z_]+", tags_found.group(0)) if tags_found else []
    commands = [c.strip() for c in _TAG.sub("", rest).split(",") if c.strip()]
    return users, tags, commands


def reach_of(login: str, listing: str, account: str, command: str) -> Reach:
    """What ``listing`` (``sudo -l -U login``) allows ``login`` as ``account`` past ``command``."""
    defaults, rules = _sections(listing)
    extra: list[str] = []
    environment: list[str] = []
    for rule in rules:
        users, tags, commands = _split_rule(rule)
        if ("ALL" in users or "root" in users) and "ALL" in commands:
            return Reach(login, admin=True)
        if account not in users and "ALL" not in users:
            continue
        extra += [c for c in commands if c != command]
        if "SETENV" in tags and command in commands:
            environment.append(f"SETENV on {command}")
    for entry in defaults:
        scope, _, body = entry.partition(" ") if entry.startswith("Defaults") else ("", "", entry)
        if scope.startswith("Defaults!") and scope[9:] not in (command, "ALL"):
            continue  # defaults for another program
        if scope.startswith("Defaults>") and scope[9:] not in (account, "ALL"):
            continue  # defaults for running as someone else
        environment += _steering(body)
    return Reach(login, tuple(dict.fromkeys(extra)), tuple(dict.fromkeys(environment)))


def _steering(body: str) -> list[str]:
    """The defaults in ``body`` that let a user's environment reach the program."""
    found = []
    if re.search(r"(?<![\w!])!env_reset\b", body):
        found.append("!env_reset")
    if re.search(r"(?<![\w!])setenv\b", body):
        found.append("setenv")
    for match in re.finditer(r'env_keep\s*\+?=\s*(?:"([^"]*)"|([^,\s]+))', body):
        kept = (match.group(1) or match.group(2) or "").split()
        found += [f"env_keep {v}" for v in kept if v.startswith(STEERING_PREFIXES)]
    return found


def login_users(account: str) -> list[str]:
    """Everyone who can log in, but root and the account."""
    return sorted(
        {
            e.pw_name
            for e in pwd.getpwall()
            if e.pw_uid != 0 and e.pw_name != account and not e.pw_shell.endswith(NO_LOGIN)
        }
    )


def _listing(login: str) -> str | None:
    try:
        done = subprocess.run(
            ["sudo", "-n", "-l", "-U", login],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else ""  # 1: nothing allowed (or gone)


def sudo_reach(account: str, command: str) -> tuple[int, list[Reach]] | None:
    """(logins checked, those sudo lets past the program); None if sudo cannot be asked."""
    logins = login_users(account)
    with ThreadPoolExecutor(max_workers=8) as pool:
        listings = list(pool.map(_listing, logins))
    if any(listing is None for listing in listings):
        return None
    found = [
        reach_of(login, text or "", account, command)
        for login, text in zip(logins, listings, strict=True)
    ]
    return len(logins), [r for r in found if not r.admin and (r.commands or r.environment)]
