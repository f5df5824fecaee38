"""Shared store fixtures: a real SQLite store in a temp dir, agencies, one person per role.

The base store (schema, agencies, people) is built once per session and copied
per test, so each test gets its own file without paying for migrations again.
Everything happens at explicit instants: ``world.now`` is the ledger's clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import backends
import pytest
from role_store import build_role_store
from worlds import World, world_copy

from panel_tui.store.db import Store


@pytest.fixture(scope="session")
def base_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "base.db"
    build_role_store(path)
    return path


@pytest.fixture(scope="session")
def base_store_database() -> Iterator[str]:
    """On a PostgreSQL run: the base store as a template database, copied per test."""
    name = backends.create_database()
    build_role_store(backends.database_url(name))  # type: ignore[arg-type]
    yield name
    backends.drop_database(name)


@pytest.fixture
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """The base store, copied for this test: a SQLite file, or on a PostgreSQL run a
    database made from the template (tests marked ``backend`` run on both)."""
    if backends.on_postgres():
        source: Path | str = request.getfixturevalue("base_store_database")
    else:
        source = request.getfixturevalue("base_store_file")
    with world_copy(source, tmp_path) as copied:
        yield copied


@pytest.fixture
def store(world: World) -> Store:
    return world.store
