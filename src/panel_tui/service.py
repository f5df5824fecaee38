"""Service-account mode: reaching the shared store through sudo, and who is acting there.

In service mode (site config ``mode = "service"``) the store and its directory
belong to an account (``panel``) and nobody else can open them, so a user's
own process — whatever it patches in itself — cannot touch the file. A user's
``panel-tui`` re-executes itself as ``sudo -n -u panel COMMAND ARGS...``: sudo
is the host's ordinary, logged privilege boundary, it clears the environment,
and it tells the program who invoked it (``SUDO_UID``), which nothing the user
controls can change once the real uid is the service account's.

Under sudo only the store's active people get in (the sudoers rule lets every
login run the program), and only the site config counts: ``--db``, ``--as``,
``PANEL_TUI_DB``, ``PANEL_TUI_CONFIG``, ``PANEL_TUI_EXPORTS`` and every file
path argument are refused, so the account never reads or writes a file on the
user's behalf. Files travel through stdin and stdout instead, opened by the
user's shell.

Standard library only (and the SQLite driver, for the one read that checks who
is asking): this runs before anything else in every command.
"""

from __future__ import annotations

import os
import pwd
import sys
from collections.abc import Sequence
from typing import NamedTuple

from panel_tui.rules.errors import InvalidInputError
from panel_tui.site import SiteConfig, load_site_config

#: What a user's environment could use to steer the service account; refused under sudo.
STEERING_ENV = ("PANEL_TUI_DB", "PANEL_TUI_CONFIG", "PANEL_TUI_EXPORTS")
#: Options that choose the store or the identity (and argparse's abbreviations of them).
OPTIONS = ("--db", "--as")


class ServiceContext(NamedTuple):
    """This process is the service account, run through sudo by ``login``."""

    site: SiteConfig
    login: str
    uid: int


def service_context() -> ServiceContext | None:
    """Non-None only when the real uid is the site's service account and sudo ran us.

    SUDO_UID is believed only then: a user's own process cannot have the
    account's real uid, and a process that does (sudo's child) got its
    environment from sudo, not from the user.
    """
    sudo_uid = os.environ.get("SUDO_UID")
    if sudo_uid is None:
        return None
    site = load_site_config()
    if site is None or not site.service or not site.account:
        return None
    try:
        account = pwd.getpwnam(site.account)
    except KeyError:
        return None
    if os.getuid() != account.pw_uid:
        return None
    try:
        invoker = pwd.getpwuid(int(sudo_uid))
    except (KeyError, ValueError):
        return None
    return ServiceContext(site=site, login=invoker.pw_name, uid=invoker.pw_uid)


def refuse_steering(argv: Sequence[str], context: ServiceContext) -> None:
    """Under sudo: refuse every way a user could choose the store, the identity or a file."""
    for name in STEERING_ENV:
        if os.environ.get(name):
            raise InvalidInputError(
                f"{name} is refused here: you reach the store of {context.site.source} through "
                "its service account, and only that file decides which store it is",
                field=name,
            )
    for token in argv:
        option = token.split("=", 1)[0]
        if any(option == name or (len(option) > 2 and name.startswith(option)) for name in OPTIONS):
            raise InvalidInputError(
                f"{option} is refused here: through the service account the store is "
                f"{context.site.store} and you act as your own login, {context.login}",
                field=option,
            )


def refuse_strangers(context: ServiceContext) -> None:
    """Under sudo: only the store's active people reach it, to read as much as to write.

    The sudoers rule lets every login on the host run the program (sudoers cannot
    know who the store's people are), so the store decides: a login it does not
    hold, or one deactivated, is refused before any command reads anything.
    A store that cannot be read is left to the command, which says why.
    """
    from panel_tui.rules.errors import RightsError
    from panel_tui.store.sqlite_driver import sqlite

    try:
        conn = sqlite.connect(f"file:{context.site.store}?mode=ro", uri=True, timeout=10)
        try:
            row = conn.execute(
                "SELECT active FROM person WHERE login = ?", (context.login,)
            ).fetchone()
        finally:
            conn.close()
    except sqlite.Error:
        return
    if row is None:
        raise RightsError(
            f"{context.login} is not a user of this store ({context.site.store}).",
            hint=f"Ask an administrator to add you: panel-tui users add {context.login} "
            "--roles ROLE",
            rule="identity.member",
        )
    if not row[0]:
        raise RightsError(
            f"{context.login} was deactivated in this store and may no longer open it.",
            hint=f"An administrator can reactivate you: panel-tui users reactivate {context.login}",
            rule="identity.member",
        )


def refuse_path(value: str | None, field: str, *, output: bool = False) -> None:
    """Under sudo, a file is given as '-' (stdin/stdout), never as a path the account opens."""
    if value is None or value == "-" or service_context() is None:
        return
    hint = (
        "write to stdout and let your shell create the file, e.g. `> FILE` (use umask 077)"
        if output
        else "give it on stdin instead, e.g. `- < FILE`"
    )
    raise InvalidInputError(
        f"a file path is refused here: the store's service account would open {value} for you. "
        + hint,
        field=field,
    )


def _account_uid(site: SiteConfig) -> int | None:
    try:
        return pwd.getpwnam(site.account or "").pw_uid
    except KeyError:
        return None


def _runs_as_the_user(argv: Sequence[str]) -> bool:
    """Commands that never touch the shared store run as the user: no sudo for them.

    ``--db`` (or $PANEL_TUI_DB) names a store of the user's own; ``demo`` builds
    one; ``policy check`` reads a file. Anything else goes through sudo.
    """
    if os.environ.get("PANEL_TUI_DB"):
        return True
    if any(t == "--db" or t.startswith("--db=") for t in argv):
        return True
    words = [t for t in argv if not t.startswith("-")]
    return words[:1] == ["demo"] or words[:2] == ["policy", "check"]


def sudo_command(site: SiteConfig, argv: Sequence[str]) -> list[str]:
    """``sudo -n -u ACCOUNT COMMAND ARGS...``: non-interactive, the argv and nothing else."""
    return ["sudo", "-n", "-u", site.account or "", site.command or "", *argv]


def reexec_through_sudo(argv: Sequence[str]) -> None:
    """In a user's process on a service-mode host: become ``sudo -u ACCOUNT panel-tui ARGS``.

    Returns (runs here) on a host without service mode, for root, for the account
    itself (so for a process already under sudo), and for commands that do not
    touch the shared store.
    """
    site = load_site_config()
    if site is None or not site.service:
        return
    uid = os.getuid()
    if uid == 0 or uid == _account_uid(site) or _runs_as_the_user(argv):
        return
    command = sudo_command(site, argv)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        raise InvalidInputError(
            f"this host's store is kept by the service account {site.account} and is reached "
            f"through sudo, which could not be run ({exc.strerror}). Ask an administrator to "
            "install sudo and the rule `panel-tui init --print-sudoers` prints.",
            field="sudo",
        ) from None
