"""Demo stores built once per test run and copied for each test that writes or reads one.

A 3,000-dispute demo costs about 12 s of CPU to build, and several test files ask for
the same one. The first test to ask builds it under a lock in the run's shared
temporary folder (pytest-xdist's workers share the parent of their own folders, so
whichever worker comes first builds and the others wait and copy); each test then
opens its own copy, so no test sees another's writes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from panel_tui.store.db import Store
from panel_tui.store.demo import build_demo


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's folder that every xdist worker sees; without xdist, this run's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def demo_copy(
    tmp_path_factory: pytest.TempPathFactory,
    dest: Path,
    *,
    disputes: int,
    seed: int,
    now: datetime,
) -> Path:
    """A copy at ``dest`` of the demo built from these arguments (built once per run)."""
    folder = _shared_folder(tmp_path_factory) / "demo-cache"
    folder.mkdir(exist_ok=True)
    built = folder / f"demo-{disputes}-{seed}-{now:%Y%m%dT%H%M%S}.db"
    with (folder / f"{built.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; the others wait, then copy
        if not built.exists():
            partial = built.with_suffix(".building")
            partial.unlink(missing_ok=True)
            build_demo(str(partial), disputes=disputes, seed=seed, now=now).close()
            # Closing the last connection merges the WAL: the store is one file.
            assert not Path(f"{partial}-wal").exists()
            partial.rename(built)
    shutil.copyfile(built, dest)
    return dest


def open_demo_copy(
    tmp_path_factory: pytest.TempPathFactory,
    dest: Path,
    *,
    disputes: int,
    seed: int,
    now: datetime,
) -> Store:
    """``demo_copy``, opened."""
    return Store.open(str(demo_copy(tmp_path_factory, dest, disputes=disputes, seed=seed, now=now)))
