"""Fixtures for the app's Pilot and snapshot tests: a fixed store, a fixed clock, a temp config.

The fixed store is a SQLite file by default; on a PostgreSQL run (tests/backends.py) the
tests marked ``backend`` get it as a database copied from a template built once per worker.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import backends
import pytest

sys.path.insert(0, str(Path(__file__).parent))  # storefix, helpers

from storefix import NOW, build_store  # noqa: E402

from panel_tui.app import PanelApp  # noqa: E402
from panel_tui.config import Settings  # noqa: E402
from panel_tui.store.db import Store  # noqa: E402

# Clocks are shown in local time: pin the zone so screens and snapshots agree everywhere.
os.environ["TZ"] = "UTC"
time.tzset()


@pytest.fixture(autouse=True)
def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("PANEL_TUI_CONFIG", str(config))
    monkeypatch.setenv("PANEL_TUI_EXPORTS", str(tmp_path / "exports"))
    return config


@pytest.fixture(scope="session")
def built_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixed store, built once per worker (about 40 ledger operations and a migration)."""
    path = tmp_path_factory.mktemp("built") / "s.db"
    build_store(path).close()
    assert not Path(f"{path}-wal").exists()  # one file: closing merged the WAL
    return path


@pytest.fixture(scope="session")
def built_store_database() -> Iterator[str]:
    """On a PostgreSQL run: the fixed store built once per worker, as a template database."""
    with backends.fresh_database() as name:
        build_store(backends.database_url(name)).close()
        yield name


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A copy of the fixed store for this test: a SQLite file where the store would be
    made, or on a PostgreSQL run a database made from the template (dropped after)."""
    if backends.on_postgres():
        template = request.getfixturevalue("built_store_database")
        with backends.fresh_database(template=template) as name:
            built = Store.open(backends.database_url(name))
            yield built
            built.close()
        return
    built_store_file: Path = request.getfixturevalue("built_store_file")
    folder = tmp_path / "store"
    folder.mkdir(mode=0o700)
    path = folder / "s.db"
    shutil.copy(built_store_file, path)  # its mode bits too
    built = Store.open(str(path))
    yield built
    built.close()


@pytest.fixture
def make_app(store: Store) -> Callable[..., PanelApp]:
    def make(login: str = "duty", *, shift_start: bool = False, **kwargs: object) -> PanelApp:
        # The shift-start view (tests/app/test_shift_start.py) would cover the queue the
        # other tests start from: off unless a test asks for it.
        settings = Settings(poll_seconds=0.2, shift_start=shift_start)
        return PanelApp(store, login, demo=True, clock=lambda: NOW, settings=settings, **kwargs)

    return make


@pytest.fixture
def same_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths that read the same in every run: the help overlay names the config file.

    The config file is relative to a private working directory, so every run
    shows ``config/config.toml`` and nothing is written outside the test's folder.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PANEL_TUI_CONFIG", str(Path("config") / "config.toml"))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The refs the detail reads (``orm_detail.dispute_detail``), in order."""
    from panel_tui.store.read import orm_detail

    read: list[str] = []
    real = orm_detail.dispute_detail

    def reading(store, ref, at):  # noqa: ANN001, ANN202
        read.append(ref)
        return real(store, ref, at)

    monkeypatch.setattr(orm_detail, "dispute_detail", reading)
    return read
