"""Shared test settings: isolation from the user's real store and config; the slow suites.

The reliability suite and the benchmark harness are marked ``slow`` by their
directory: ``uv run pytest`` leaves them out (pyproject's addopts) and
``.ci/run`` runs them with ``-m "slow or hypothesis"``. Hypothesis loads the
"dev" profile unless ``--hypothesis-profile`` names another (tests/profiles.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import backends
import profiles  # noqa: F401  (registers the Hypothesis profiles)
import pytest
from hypothesis import settings

settings.load_profile("dev")  # before pytest_configure, which loads --hypothesis-profile

# Machines like CI's set PYTHONDONTWRITEBYTECODE: then every xdist worker and every
# `python -m panel_tui` a test starts compiles panel_tui again (0.2-1 s of CPU each).
# The tests let Python cache bytecode in the clone (__pycache__ is git-ignored); the
# workers and subprocesses inherit this environment.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

SLOW_DIRS = ("reliability", "benchmarks")
TESTS = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow = [TESTS / name for name in SLOW_DIRS]
    for item in items:
        if any(item.path.is_relative_to(d) for d in slow):
            item.add_marker(pytest.mark.slow)
        if item.path.is_relative_to(TESTS / "postgres"):
            item.add_marker(pytest.mark.postgres)  # needs the run's server (tests/backends.py)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a PostgreSQL run, the controller (or a run without xdist) drops the demo
    templates the workers built (tests/demo_cache.py), once every worker is done."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if backends.on_postgres() and not hasattr(session.config, "workerinput") and factory:
        import demo_cache

        demo_cache.drop_pg_templates(factory.getbasetemp())


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which open() makes 0644 files: what a private file must beat."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A new, empty database on the test run's PostgreSQL server (tests marked postgres)."""
    with backends.fresh_database() as name:
        yield name


@pytest.fixture
def new_store_target(tmp_path: Path) -> Iterator[str]:
    """Where a new store goes on the run's backend: a SQLite file, or an empty database."""
    if backends.on_postgres():
        with backends.fresh_database() as name:
            yield backends.database_url(name)
    else:
        yield str(tmp_path / "new-store.db")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    # The host's site config (/etc/xdg/panel-tui) must not choose the tests' store.
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "site"))
    monkeypatch.setenv("PANEL_TUI_CONFIG", str(home / "config" / "panel-tui.toml"))
    monkeypatch.delenv("PANEL_TUI_DB", raising=False)
    yield


@pytest.fixture(autouse=True)
def _quick_read_never_falls_back(caplog: pytest.LogCaptureFixture):
    """On a current store the quick sqlite3 read must never need the ORM's fallback."""
    yield
    fell = [r.getMessage() for r in caplog.get_records("call") if r.name == "panel_tui.quickread"]
    assert not fell, f"the quick read fell back to the ORM: {fell}"
