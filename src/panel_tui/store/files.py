"""A store's file, with the standard library alone: where it is and whether it is safe there.

No SQLAlchemy here. The app's first paint reads the store before the ORM is
imported (``store/read/sqlite3_queue.py``), and it must choose the same file and
refuse the same places as ``Store.open``, which uses these too.
"""

from __future__ import annotations

import os
from pathlib import Path

from panel_tui.rules.errors import StoreError

ENV_DB = "PANEL_TUI_DB"


def default_store_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("panel-tui", appauthor=False)) / "panel.db"


def chosen_target(db: str | None) -> str:
    """--db wins, then $PANEL_TUI_DB, then the platformdirs default: a path or a URL."""
    return db or os.environ.get(ENV_DB) or str(default_store_path())


def local_file(db: str | None) -> Path | None:
    """The SQLite file the user chose, when they gave a path (not a database URL)."""
    chosen = chosen_target(db)
    if "://" in chosen:
        return None
    return Path(chosen).expanduser().resolve()


#: Filesystems where SQLite's locking cannot be trusted.
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "9p", "fuse.sshfs"}
)


def filesystem_type(path: Path, mounts_text: str) -> str | None:
    """The type of the filesystem holding ``path``, from /proc/mounts text."""
    target = str(path.resolve())
    best, best_type = "", None
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix) or mount_point == "/") and len(
            mount_point
        ) > len(best):
            best, best_type = mount_point, fields[2]
    return best_type


def refuse_network_filesystem(path: Path, mounts_text: str | None = None) -> None:
    """Refuse a store on NFS or SMB: their locks do not keep a shared SQLite file safe."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text()
        except OSError:
            return  # not Linux: nothing to check against
    fs_type = filesystem_type(path.parent if not path.exists() else path, mounts_text)
    if fs_type in NETWORK_FILESYSTEMS:
        raise StoreError(
            f"{path} is on a network filesystem ({fs_type}). SQLite cannot lock a store safely "
            "there and writes from several people could corrupt it. Put the store on a local "
            "disk of the host that users SSH into."
        )
