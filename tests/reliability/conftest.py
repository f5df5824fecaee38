"""Fixtures of the reliability suite: real store files in temp dirs, and the worker script."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

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
