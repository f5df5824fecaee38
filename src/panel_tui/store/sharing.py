"""Setting a shared store's files up: group mode and service-account mode.

*Group mode*: the directory is setgid and group-only (2770), the store 0660.
SQLite creates ``-wal``, ``-shm`` and journals with the store's permission
bits (it ``fchmod``s them, whatever the umask) and the creating process's
owner; the setgid directory gives them the group. So every member can open
every file, whoever touched the store first. Every member can also edit the
raw file: the group is trusted.

*Service-account mode*: the directory (0700) and the store (0600) belong to
the account; nobody else can open them. Users reach the store through
``sudo -u ACCOUNT`` and the one program the drop-in below allows.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from panel_tui.rules.errors import InvalidInputError, StoreError
from panel_tui.site import GROUP, SERVICE
from panel_tui.store.files import side_files

GROUP_DIR_MODE = 0o2770
GROUP_FILE_MODE = 0o660
SERVICE_DIR_MODE = 0o700
SERVICE_FILE_MODE = 0o600
SUDOERS_FILE = Path("/etc/sudoers.d/panel-tui")


@dataclass(frozen=True)
class Ownership:
    """Who a shared store's files belong to, and their modes."""

    mode: str  # GROUP or SERVICE
    uid: int  # -1: leave the owner as it is (group mode)
    gid: int
    dir_mode: int
    file_mode: int


def group_ownership(group: str) -> Ownership:
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        raise InvalidInputError(
            f"no group {group} on this host; create it first: groupadd {group}", field="--group"
        ) from None
    return Ownership(GROUP, -1, gid, GROUP_DIR_MODE, GROUP_FILE_MODE)


def service_ownership(account: str) -> Ownership:
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        raise InvalidInputError(
            f"no account {account} on this host; create it first: useradd --system --user-group "
            f"--create-home --home-dir /var/lib/{account} --shell /usr/sbin/nologin {account}",
            field="--service-account",
        ) from None
    if entry.pw_uid == 0:
        raise InvalidInputError(
            "the service account must not be root: create one that owns only the store",
            field="--service-account",
        )
    if os.geteuid() != 0:
        raise InvalidInputError(
            "a service-account store is set up by root (it gives the files to the account): "
            "run init with sudo",
            field="--service-account",
        )
    return Ownership(SERVICE, entry.pw_uid, entry.pw_gid, SERVICE_DIR_MODE, SERVICE_FILE_MODE)


def prepare_directory(path: Path, owner: Ownership) -> None:
    """Make the store's directory with the owner and mode of the sharing mode."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    try:
        os.chown(directory, owner.uid, owner.gid)
        os.chmod(directory, owner.dir_mode)
    except PermissionError as exc:
        raise StoreError(
            f"cannot give {directory} to the store's owners ({exc.strerror}): run init as root, "
            "or as a member of the group on a directory you own"
        ) from None


def create_empty_store(path: Path, owner: Ownership) -> None:
    """The store file, made empty with its final owner and mode before SQLite opens it.

    SQLite then gives every file it creates beside it the same mode (and, run
    as root, the same owner), so nothing is ever briefly readable by others.
    """
    if path.exists():
        raise StoreError(f"{path} already exists; init makes a new store")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, owner.file_mode)
    try:
        os.fchmod(fd, owner.file_mode)  # the umask narrowed the mode os.open gave
        os.fchown(fd, owner.uid, owner.gid)
    finally:
        os.close(fd)


def settle_files(path: Path, owner: Ownership) -> None:
    """The store and whatever SQLite left beside it: the owner and mode they must have."""
    for candidate in side_files(path):
        os.chown(candidate, owner.uid, owner.gid)
        os.chmod(candidate, owner.file_mode)


def command_path(given: str | None) -> Path:
    """The absolute path sudo will run: ``--command``, else the panel-tui running now."""
    import shutil
    import sys

    if given:
        chosen = Path(given)
    else:
        found = Path(sys.argv[0]) if Path(sys.argv[0]).name == "panel-tui" else None
        found = found or (Path(p) if (p := shutil.which("panel-tui")) else None)
        if found is None:
            raise InvalidInputError(
                "cannot tell where panel-tui is installed: give --command /path/to/panel-tui",
                field="--command",
            )
        chosen = found
    chosen = chosen.absolute().resolve()  # sudo matches the real path
    if not chosen.is_file() or chosen.name != "panel-tui":
        raise InvalidInputError(
            f"{chosen} is not a panel-tui program: sudo will run only that", field="--command"
        )
    return chosen


def sudoers_rule(account: str, command: Path | str) -> str:
    """The sudoers drop-in: anyone may run exactly this program as the account, nothing else."""
    return (
        "# panel-tui (written by `panel-tui init`): every user may run this one program as\n"
        f"# {account}, which alone can open the shared store. Its arguments are checked by the\n"
        "# program itself; the environment is reset by sudo except display variables.\n"
        f'Defaults!{command} env_keep += "COLORTERM NO_COLOR"\n'
        f"ALL ALL=({account}) NOPASSWD: {command}\n"
    )


def install_sudoers(text: str, target: Path = SUDOERS_FILE) -> None:
    """Write the drop-in after ``visudo -cf`` accepts it (0440 root), or change nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".panel-tui-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o440)
        checked = subprocess.run(
            ["visudo", "-cf", temporary], capture_output=True, text=True, check=False
        )
        if checked.returncode != 0:
            raise StoreError(
                f"visudo refused the sudoers rule, nothing installed: {checked.stdout.strip()} "
                f"{checked.stderr.strip()}"
            )
        os.replace(temporary, target)
    except FileNotFoundError:
        raise StoreError("visudo was not found: install sudo (apt-get install sudo)") from None
    finally:
        Path(temporary).unlink(missing_ok=True)


def writable_by_others(path: Path) -> Path | None:
    """The first of ``path`` and its parent directories that someone but root could change."""
    for candidate in (path, *path.parents):
        try:
            info = candidate.lstat() if candidate == path else candidate.stat()
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):  # a link's own mode means nothing; where it points does
            if info.st_uid != 0:
                return candidate
            continue
        sticky = bool(info.st_mode & stat.S_ISVTX)  # /tmp: others cannot replace root's entries
        group_writes = info.st_mode & stat.S_IWGRP and info.st_gid != 0
        if info.st_uid != 0 or (group_writes or info.st_mode & stat.S_IWOTH) and not sticky:
            return candidate
    if path.is_symlink():
        return writable_by_others(path.resolve())
    return None


def interpreter(command: Path) -> Path | None:
    """The interpreter a script's ``#!`` line names (a venv's console script: its python)."""
    try:
        with command.open("rb") as handle:
            first = handle.readline(4096)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode("utf-8", "replace").split()
    return Path(words[0]) if words else None


def mode_name(mode: str | None) -> str:
    return {GROUP: "group mode", SERVICE: "service-account mode"}.get(mode or "", "private")
