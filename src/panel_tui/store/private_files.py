"""Files that hold personal data, created readable by their owner only, whatever the umask.

Backups, exports, the pre-migration copy, drafts, panel minutes and dashboard
exports all carry what people disclosed. Under the usual umask (022) a file
made with ``open(path, "w")`` is readable by every user of the host. Here the
file is created by ``os.open`` with its final mode and that mode is set again
on the open descriptor (``fchmod``: the umask can only take bits away, and a
file that already existed keeps its old mode) before one byte is written, so
there is never a moment when the content is readable by others.

``mode`` is 0600 by default; a store shared by a group passes 0660 (see
``mode_beside``), so a group member can read what another wrote. No other bit
is ever given: nothing here is world-readable. Standard library only (the
app's screens and the quick paths use it without the ORM).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from panel_tui.rules.errors import InvalidInputError

#: Owner read/write: the default for every file holding personal data.
PRIVATE = 0o600
#: Owner and group read/write: for a store shared by a group.
GROUP_SHARED = 0o660
#: Directories made for such files.
PRIVATE_DIR = 0o700

_ALLOWED = 0o660  # never any bit for others, never execute


def _checked(mode: int) -> int:
    if mode & ~_ALLOWED or not mode & stat.S_IRUSR:
        raise ValueError(f"a private file's mode must be within 0660 and readable, not {mode:o}")
    return mode


def mode_beside(store_file: Path | None) -> int:
    """The mode for a copy of ``store_file``: 0600, or 0660 where the store is group-shared."""
    try:
        shared = store_file is not None and bool(store_file.stat().st_mode & stat.S_IRGRP)
    except OSError:
        shared = False
    return GROUP_SHARED if shared else PRIVATE


def private_dir(path: Path, mode: int = PRIVATE_DIR) -> Path:
    """``path`` as a directory; the ones made here get ``mode`` (0700) whatever the umask."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=mode)
        except FileExistsError:
            continue  # made meanwhile by someone else: leave its mode alone
        os.chmod(directory, mode)  # mkdir's mode is filtered by the umask
    return path


@contextmanager
def open_private(
    path: Path, mode: int = PRIVATE, *, exclusive: bool = False, binary: bool = False
) -> Iterator[IO]:
    """Open ``path`` for writing with ``mode`` set before anything is written.

    ``exclusive`` refuses a file that already exists (FileExistsError).
    An existing file is truncated and its mode narrowed to ``mode`` first.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    flags |= getattr(os, "O_NOFOLLOW", 0)  # never write through a planted symlink
    fd = os.open(path, flags, _checked(mode))
    try:
        os.fchmod(fd, mode)
        handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def write_private(path: Path, content: str | bytes, mode: int = PRIVATE) -> Path:
    """Replace ``path`` with ``content`` atomically; the file is ``mode`` from its first byte.

    Written to a temporary file in the same directory (created 0600 by
    ``mkstemp``, then ``mode``) and renamed over ``path``: a reader sees the
    old file or the new one, never half of either.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _checked(mode))
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def reserve_private(path: Path, mode: int = PRIVATE) -> Path:
    """Create ``path`` empty with ``mode`` (refusing one that exists), for a writer that
    opens it by name afterwards, e.g. SQLite's backup (it keeps an existing file's mode)."""
    with open_private(path, mode, exclusive=True, binary=True):
        pass
    return path


def world_readable(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & (stat.S_IROTH | stat.S_IWOTH))
    except OSError:
        return False


def reserve_backup(
    dest: Path,
    file_name: str,
    *,
    as_directory: bool,
    mode: int = PRIVATE,
    not_onto: Path | None = None,
) -> Path:
    """Where a backup is written: ``dest``, or ``dest/file_name`` when ``dest`` is a
    directory (made 0700 first when ``as_directory``, the user having written ``DIR/``).

    ``DEST.partial`` is reserved with ``mode`` (one left by an interrupted backup is
    replaced); the backup is renamed onto ``dest`` only once it is checked. An existing
    ``dest``, the store itself (``not_onto``) or a place that cannot be written is bad
    input, named as DEST.
    """
    dest = dest.expanduser()
    try:
        if as_directory and not dest.exists():
            private_dir(dest)
        if dest.is_dir():
            dest = dest / file_name
        if dest.exists():
            raise InvalidInputError(f"{dest} already exists; choose another name", field="DEST")
        if not_onto is not None and dest.resolve() == not_onto.resolve():
            raise InvalidInputError("the backup cannot overwrite the store itself", field="DEST")
        partial = dest.with_name(dest.name + ".partial")
        partial.unlink(missing_ok=True)
        reserve_private(partial, mode)
    except OSError as exc:  # no such directory, no permission, a file where a directory is
        raise InvalidInputError(
            f"cannot write a backup at {dest}: {exc.strerror or exc}", field="DEST"
        ) from None
    return dest
