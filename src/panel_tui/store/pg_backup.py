"""``backup`` of a PostgreSQL store: PostgreSQL's own ``pg_dump``, driven and checked.

``pg_dump --schema=panel_tui --format=custom`` copies the store's schema (its
tables, sequences, triggers, grants and rows) as one consistent snapshot while
others keep writing. The archive is written to ``DEST.partial`` (owner-only from
the start), read back with ``pg_restore --list``, and only then renamed: a failed
dump leaves nothing behind. The password never goes on pg_dump's command line
(``ps`` shows it): a password in the URL is passed in PGPASSWORD, otherwise libpq
reads PGPASSWORD or ``~/.pgpass`` itself. Restore with ``pg_restore -d URL FILE``
as the owner (README: Running a shared PostgreSQL store).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from panel_tui.rules.errors import InvalidInputError, StoreError
from panel_tui.store import postgres
from panel_tui.store.db import Store
from panel_tui.store.private_files import reserve_backup

TIMEOUT_S = 3600


def tool(name: str) -> str:
    """PostgreSQL's client program ``name``: on PATH, else Debian's newest in /usr/lib."""
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if installed:
        return installed[-1]
    raise StoreError(
        f"{name} was not found: install PostgreSQL's client programs (Debian: postgresql-client) "
        "or put them on PATH"
    )


def _version_key(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it, without its password, and the environment that carries it."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    bare = parsed.set(drivername="postgresql")._replace(password=None)
    return bare.render_as_string(hide_password=False), env


def _destination(store: Store, dest: Path | None, as_directory: bool) -> Path:
    if dest is None:
        raise InvalidInputError(
            "a PostgreSQL store's backup needs DEST: a file, or DIR/ for a named one",
            field="DEST",
        )
    database = store.engine.url.database or "store"
    named = f"panel-tui-{database}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.dump"
    dest = reserve_backup(dest, named, as_directory=as_directory)
    return dest


def pg_backup(store: Store, dest: Path | None, *, as_directory: bool = False) -> Path:
    """Dump the store's schema to ``dest`` with pg_dump, check the archive, keep it."""
    dump, restore = tool("pg_dump"), tool("pg_restore")
    dest = _destination(store, dest, as_directory)
    partial = dest.with_name(dest.name + ".partial")
    target, env = libpq_target(store.url)
    try:
        dumped = subprocess.run(
            [dump, f"--schema={postgres.SCHEMA}", "--format=custom", f"--file={partial}", target],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        if dumped.returncode != 0:
            raise StoreError(f"pg_dump failed, nothing kept: {_first_line(dumped.stderr)}")
        listed = subprocess.run(
            [restore, "--list", str(partial)], capture_output=True, text=True, timeout=TIMEOUT_S
        )
        if listed.returncode != 0 or f"TABLE DATA {postgres.SCHEMA} event " not in listed.stdout:
            raise StoreError(
                "the backup does not read back as a dump of the store (pg_restore --list: "
                f"{_first_line(listed.stderr) or 'no event table'}); nothing kept"
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(dest)
    return dest


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0].strip() if lines else "no message"
