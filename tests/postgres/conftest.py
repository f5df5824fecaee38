"""PostgreSQL-only tests: every one runs on the real server of the test run (tests/backends.py).

Marked ``postgres`` by their directory (tests/conftest.py), so the README's
``uv run pytest`` leaves them out and ``.ci/run`` runs them against the cluster it starts.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import backends
import pytest
from backends import cli_env
from cli_helpers import Cli


@pytest.fixture
def pg_cli(pg_database: str, tmp_path: Path) -> Cli:
    """The command line on a new, empty PostgreSQL database (no store yet)."""
    return Cli(backends.database_url(pg_database), cli_env(tmp_path))  # type: ignore[arg-type]


@pytest.fixture
def roles(tmp_path: Path):
    """An owner role owning a new database, and an app role; both dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    owner, app = f"owner_{tag}", f"app_{tag}"
    with backends.admin_connection() as conn:
        conn.execute(f"CREATE ROLE {owner} LOGIN PASSWORD 'owner-pw'")
        conn.execute(f"CREATE ROLE {app} LOGIN PASSWORD 'app-pw'")
    name = backends.create_database(owner=owner)
    env = cli_env(tmp_path)
    owner_cli = Cli(backends.database_url(name, user=owner), {**env, "PGPASSWORD": "owner-pw"})
    app_cli = Cli(backends.database_url(name, user=app), {**env, "PGPASSWORD": "app-pw"})
    yield owner_cli, app_cli, name, owner, app
    backends.drop_database(name)
    with backends.admin_connection() as conn:
        conn.execute(f"DROP ROLE IF EXISTS {app}")
        conn.execute(f"DROP ROLE IF EXISTS {owner}")
