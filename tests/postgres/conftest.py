"""PostgreSQL-only tests: every one runs on the real server of the test run (tests/backends.py).

Marked ``postgres`` by their directory (tests/conftest.py), so the README's
``uv run pytest`` leaves them out and ``.ci/run`` runs them against the cluster it starts.
"""

from __future__ import annotations

from pathlib import Path

import backends
import pytest
from backends import cli_env
from cli_helpers import Cli


@pytest.fixture
def pg_cli(pg_database: str, tmp_path: Path) -> Cli:
    """The command line on a new, empty PostgreSQL database (no store yet)."""
    return Cli(backends.database_url(pg_database), cli_env(tmp_path))  # type: ignore[arg-type]
