"""PostgreSQL beside SQLite in the same run: a throwaway cluster, demo stores in it.

``cluster()`` starts a cluster with ``.ci/pg-cluster`` (loopback, a random port
and password, as an unprivileged user when run as root) with ``fsync`` on, so a
commit waits for the disk as SQLite's ``synchronous=FULL`` does, and always
stops it. Or ``--pg-url`` names a server already running (a superuser's URL).
Each size's store is built in a database of its own with the same demo builder,
seed and instant as the SQLite store, so both queues hold the same disputes.
Writes go to a copy (``CREATE DATABASE … TEMPLATE``), dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.common import NOW, ROOT, SEED


def is_url(db: object) -> bool:
    return "://" in str(db)


@contextmanager
def cluster() -> Iterator[str]:
    """A throwaway cluster's superuser URL; the cluster is stopped and removed afterwards."""
    directory = tempfile.mkdtemp(prefix="panel-tui-bench-pg.")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = str(ROOT / ".ci" / "pg-cluster")
    env = {**os.environ, "PG_CLUSTER_FSYNC": "on"}
    try:
        started = subprocess.run(
            [script, "start", directory, str(port)], env=env, capture_output=True, text=True
        )
        if started.returncode != 0:
            raise RuntimeError(f"the PostgreSQL cluster did not start:\n{started.stderr[-2000:]}")
        yield started.stdout.strip()
    finally:
        subprocess.run([script, "stop", directory], capture_output=True)


def _admin(admin_url: str, database: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(url_of(admin_url, database), autocommit=True)


def url_of(admin_url: str, database: str) -> str:
    """The superuser's URL pointed at ``database`` (libpq's form, which the CLI accepts)."""
    from sqlalchemy.engine import make_url

    url = make_url(admin_url).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def database_of(url: str) -> str:
    from sqlalchemy.engine import make_url

    return str(make_url(url).database)


def ensure_store(admin_url: str, size: int, digest: str, say: Callable[[str], None]) -> str:
    """The demo store of ``size`` disputes on the server, built now if it is not there."""
    name = f"bench_{size}_s{SEED}_{digest}"
    with _admin(admin_url) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        partial = f"{name}_partial"
        if found is None:
            conn.execute(f"DROP DATABASE IF EXISTS {partial} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {partial}")
    url = url_of(admin_url, name)
    if found is not None:
        return url
    from panel_tui.store.demo import build_demo

    say(f"building a {size:,}-dispute store (seed {SEED}) on PostgreSQL, database {name}")
    started = time.perf_counter()
    build_demo(url_of(admin_url, partial), disputes=size, seed=SEED, now=NOW).close()
    with _admin(admin_url) as conn:
        conn.execute(f"ALTER DATABASE {partial} RENAME TO {name}")
    say(f"  built in {time.perf_counter() - started:.1f} s")
    return url


def work_copy(store_url: str, tag: str) -> str:
    """A throwaway copy of a store's database, for a benchmark that writes."""
    name = f"{database_of(store_url)}_{tag}"
    with _admin(store_url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {database_of(store_url)}")
    return url_of(store_url, name)


def discard(url: str) -> None:
    with _admin(url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database_of(url)} WITH (FORCE)")


def write_targets(url: str) -> list[str]:
    """Refs of open disputes below the final-authority stage (as ``stores.write_targets``)."""
    import psycopg

    with psycopg.connect(url, options="-c search_path=panel_tui") as conn:
        rows = conn.execute(
            "SELECT ref FROM dispute WHERE status = 'open' AND current_stage <= 2 ORDER BY id"
        ).fetchall()
    return [ref for (ref,) in rows]


def raw_table(url: str) -> None:
    """The raw writers' table in the scratch database, made before they start together."""
    with _admin(url, database_of(url)) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS raw_commit (id serial PRIMARY KEY, v text)")
