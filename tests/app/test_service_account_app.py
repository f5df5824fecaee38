"""The app run through the store's service account (sudo) starts nothing on the user's
terminal as the account, and saves no file as it.

A real sudo run is in tests/osusers; here the process is told it runs under the
account (``service.service_context``), as it would be when sudo started it, and
an editor that leaves a mark shows whether anything was started.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from helpers import note_started, queue_ready, type_text, wait_notice

from panel_tui import service
from panel_tui.service import ServiceContext
from panel_tui.site import SiteConfig


@pytest.fixture
def under_the_account(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    site = SiteConfig(
        source=tmp_path / "config.toml",
        store=tmp_path / "store.db",
        mode="service",
        account="panel",
        command="/opt/panel-tui/bin/panel-tui",
    )
    me = pwd.getpwuid(os.getuid())  # who sudo would name: a real entry of the host
    context = ServiceContext(site=site, login=me.pw_name, uid=me.pw_uid)
    monkeypatch.setattr(service, "service_context", lambda: context)
    mark = tmp_path / "editor-ran"
    editor = tmp_path / "fake-editor"
    editor.write_text(f"#!/bin/sh\ntouch {mark}\n")
    editor.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    return mark


async def test_ctrl_e_starts_no_editor_as_the_account(make_app, under_the_account: Path) -> None:
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        await note_started(pilot)
        await type_text(pilot, "typed here")
        await pilot.press("ctrl+e")
        await wait_notice(pilot, "cannot run through the store's service account")
        assert app.focused.text == "typed here"
    assert not under_the_account.exists()  # vi's :!sh would have been a shell as the account


async def test_a_screenshot_is_refused_as_the_account(
    make_app, under_the_account: Path, tmp_path: Path
) -> None:
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        app.deliver_screenshot()
        await wait_notice(pilot, "refused through the service account")
    assert not (tmp_path / "exports").exists()


async def test_a_clicked_link_starts_no_browser_as_the_account(
    make_app, under_the_account: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url))
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        app.open_url("https://evil.example/x")  # what a link in the minutes' Markdown calls
        await wait_notice(pilot, "not opened through the store's service account")
    assert opened == []
