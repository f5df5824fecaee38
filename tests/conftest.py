"""Shared test settings: keep every test away from the user's real store and config."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("PANEL_TUI_CONFIG", str(home / "config" / "panel-tui.toml"))
    monkeypatch.delenv("PANEL_TUI_DB", raising=False)
    yield
