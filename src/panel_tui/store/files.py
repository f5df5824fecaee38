"""A store's file, with the standard library alone: where it is and whether it is safe there.

No SQLAlchemy here. The app's first paint reads the store before the ORM is
imported (``store/read/quick_queue.py``), and it must choose the same file and
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
    """--db wins, then $PANEL_TUI_DB, then the site config's store, then the user default.

    Through the service account (sudo) only the site config counts: ``--db``
    and $PANEL_TUI_DB were refused before any command ran (``service.py``).
    """
    from panel_tui.service import service_context
    from panel_tui.site import load_site_config

    context = service_context()
    if context is not None:
        return str(context.site.store)
    chosen = db or os.environ.get(ENV_DB)
    if chosen:
        return chosen
    site = load_site_config()
    return str(site.store) if site is not None else str(default_store_path())


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


#: Files SQLite keeps beside a store.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def side_files(path: Path) -> list[Path]:
    """The store and the files SQLite keeps beside it, those that exist."""
    return [p for p in (path, *(Path(f"{path}{s}") for s in SIDE_SUFFIXES)) if p.exists()]


def unwritable_file(path: Path) -> Path | None:
    """The file (or directory) that makes the store read-only for this process, if any.

    SQLite needs to write the store, its -wal and -shm, and to create them in
    the directory; its "readonly database" error names none of them.
    """
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return path.parent
    for candidate in side_files(path):
        if not os.access(candidate, os.R_OK | os.W_OK):
            return candidate
    return None


def describe_file(path: Path) -> str:
    """``/srv/panel/panel.db-wal -rw-r--r-- alice:alice`` (the owner and group by name)."""
    import grp
    import pwd
    import stat

    info = path.stat()
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    return f"{path} {stat.filemode(info.st_mode)} {owner}:{group}"


def read_only_message(path: Path | None) -> str:
    """Why a write was refused as read-only, naming the file at fault when one is."""
    blocked = unwritable_file(path) if path is not None else None
    if blocked is None:
        return "the store is read-only for you: nothing was saved. Check the file's permissions."
    return (
        f"the store is read-only for you: nothing was saved. You cannot write "
        f"{describe_file(blocked)}; `panel-tui doctor` names the fix."
    )
