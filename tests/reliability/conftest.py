"""Fixtures of the reliability suite: real store files in temp dirs, and the worker script."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import backends
import pytest
from reliability.relkit import build_store

WORKER = Path(__file__).parent / "worker.py"


@pytest.fixture(scope="session")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Agencies and one person per role, built once; tests copy it."""
    path = tmp_path_factory.mktemp("relbase") / "base.db"
    build_store(path)
    return path


@pytest.fixture
def store_path(base_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    shutil.copyfile(base_store, path)
    shutil.copymode(base_store, path)  # private, as panel-tui made it (doctor checks)
    return path


@pytest.fixture(scope="session")
def base_store_database() -> Iterator[str]:
    """On a PostgreSQL run: the base store as a template database, copied per test."""
    with backends.fresh_database() as name:
        build_store(backends.database_url(name))  # type: ignore[arg-type]
        yield name


@pytest.fixture
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The base store for one test on the run's backend (tests marked ``backend`` run on
    both): a copy of the file, or on a PostgreSQL run a database made from the template."""
    if backends.on_postgres():
        template = request.getfixturevalue("base_store_database")
        with backends.fresh_database(template=template) as name:
            yield backends.database_url(name)
        return
    yield str(request.getfixturevalue("store_path"))


@pytest.fixture
def spawn_worker() -> Callable[..., subprocess.Popen[bytes]]:
    """Start ``worker.py`` in its own process (its own engine, its own locks)."""
    started: list[subprocess.Popen[bytes]] = []

    def spawn(*args: object, stderr: object = subprocess.PIPE) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), *map(str, args)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        started.append(proc)
        return proc

    yield spawn
    for proc in started:  # only the processes this test started
        if proc.poll() is None:
            proc.kill()
            proc.wait()
