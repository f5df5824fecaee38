"""Demo stores built once per test run and copied for each test that writes or reads one.

A 3,000-dispute demo costs about 12 s of CPU to build, and several test files ask for
the same one. The first test to ask builds it under a lock in the run's shared
temporary folder (pytest-xdist's workers share the parent of their own folders, so
whichever worker comes first builds and the others wait and copy); each test then
opens its own copy, so no test sees another's writes. What the build reported as it
went is kept beside it (``demo_progress``).

On a PostgreSQL run (tests/backends.py) ``demo_store`` does the same with a database:
built once per run under the same lock, named in a file beside the SQLite demos, copied
per test with CREATE DATABASE … TEMPLATE, and dropped when the run ends (tests/conftest.py).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import backends
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


@contextmanager
def demo_store(
    tmp_path_factory: pytest.TempPathFactory,
    folder: Path,
    *,
    disputes: int,
    seed: int,
    now: datetime,
) -> Iterator[Store]:
    """This test's own copy of the demo on the run's backend, open (closed after): a file
    in ``folder``, or a database copied from the run's template (dropped after)."""
    if not backends.on_postgres():
        store = open_demo_copy(
            tmp_path_factory, folder / "demo.db", disputes=disputes, seed=seed, now=now
        )
        try:
            yield store
        finally:
            store.close()
        return
    template = _pg_template(tmp_path_factory, disputes, seed, now)
    with backends.fresh_database(template=template) as name:
        store = Store.open(backends.database_url(name))
        try:
            yield store
        finally:
            store.close()


def _pg_template(
    tmp_path_factory: pytest.TempPathFactory, disputes: int, seed: int, now: datetime
) -> str:
    """The run's template database of this demo, built by whichever worker asks first."""
    named = _cached(tmp_path_factory, disputes, seed, now).with_suffix(".pgdb")
    with named.with_name(named.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not named.exists():
            name = backends.create_database()
            build_demo(backends.database_url(name), disputes=disputes, seed=seed, now=now).close()
            named.write_text(name, encoding="utf-8")
        return named.read_text(encoding="utf-8")


def drop_pg_templates(basetemp: Path) -> None:
    """Drop the template databases this run built (at its end, from the controller)."""
    for named in (basetemp / "demo-cache").glob("*.pgdb"):
        backends.drop_database(named.read_text(encoding="utf-8"))
