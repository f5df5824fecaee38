"""Demo stores built once per test run and copied for each test that writes or reads one.

A 3,000-dispute demo costs about 12 s of CPU to build, and several test files ask for
the same one. The first test to ask builds it under a lock in the run's shared
temporary folder (pytest-xdist's workers share the parent of their own folders, so
whichever worker comes first builds and the others wait and copy); each test then
opens its own copy, so no test sees another's writes. What the build reported as it
went is kept beside it (``demo_progress``).
"""

from __future__ import annotations

import fcntl
import json
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


def _cached(
    tmp_path_factory: pytest.TempPathFactory, disputes: int, seed: int, now: datetime
) -> Path:
    folder = _shared_folder(tmp_path_factory) / "demo-cache"
    folder.mkdir(exist_ok=True)
    return folder / f"demo-{disputes}-{seed}-{now:%Y%m%dT%H%M%S}.db"


def demo_copy(
    tmp_path_factory: pytest.TempPathFactory,
    dest: Path,
    *,
    disputes: int,
    seed: int,
    now: datetime,
) -> Path:
    """A copy at ``dest`` of the demo built from these arguments (built once per run)."""
    built = _cached(tmp_path_factory, disputes, seed, now)
    with built.with_name(built.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; the others wait, then copy
        if not built.exists():
            partial = built.with_suffix(".building")
            partial.unlink(missing_ok=True)
            messages: list[str] = []
            build_demo(
                str(partial), disputes=disputes, seed=seed, now=now, progress=messages.append
            ).close()
            _progress_file(built).write_text(json.dumps(messages), encoding="utf-8")
            # Closing the last connection merges the WAL: the store is one file.
            assert not Path(f"{partial}-wal").exists()
            partial.rename(built)
    shutil.copyfile(built, dest)
    return dest


def _progress_file(built: Path) -> Path:
    return built.with_name(built.name + ".progress.json")


def demo_progress(
    tmp_path_factory: pytest.TempPathFactory, *, disputes: int, seed: int, now: datetime
) -> list[str]:
    """What the build of that demo reported as it went (after ``demo_copy`` built it)."""
    built = _cached(tmp_path_factory, disputes, seed, now)
    return json.loads(_progress_file(built).read_text(encoding="utf-8"))


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
