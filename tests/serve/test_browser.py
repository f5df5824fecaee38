"""The app in a real browser: headless Chromium (Debian's) drives ``panel-tui serve``.

Playwright launches the system's Chromium (``executable_path``; no browser is
downloaded), opens the URL the server printed, and reads what the served app
sends it over the page's websocket, which is what the browser's terminal draws:
the queue, with the breached dispute marked. Then it types as a person would:
Breached (2), open it (enter), a note (n), the text, save (ctrl+s). The note is
in the store, written by the OS user who started the server. A screenshot is
kept beside the test's files for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from panel_tui.store.db import Store
from panel_tui.store.identity import os_login
from panel_tui.store.read import orm_detail

pytestmark = pytest.mark.slow  # a browser and two app processes: seconds, not milliseconds

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[@-Z\\-_]")
WAIT = 60.0


class Screen:
    """What the served app has sent the browser so far, as text."""

    def __init__(self) -> None:
        self.raw: list[str] = []

    def received(self, payload: str | bytes) -> None:
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        self.raw.append(text)

    @property
    def text(self) -> str:
        return ANSI.sub("", "".join(self.raw))

    def wait_for(self, page, pattern: str) -> re.Match[str]:  # noqa: ANN001
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text)
            if found:
                return found
            page.wait_for_timeout(100)
        raise AssertionError(f"{pattern!r} never reached the browser; it got:\n{self.text[-3000:]}")


def test_the_queue_in_chromium_shows_the_breach_and_records_a_note(served, tmp_path: Path) -> None:
    assert CHROMIUM, "needs Debian's chromium: apt-get install chromium (.ci/run installs it)"
    from playwright.sync_api import sync_playwright

    screen = Screen()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.on("websocket", lambda ws: ws.on("framereceived", screen.received))
            page.goto(served.url)
            breached = screen.wait_for(page, r"(D-\d{4}-0001)\s+safe\s+CRIT\s+S0\s+✖ BREACHED")
            ref = breached.group(1)
            page.locator("#terminal").click()
            page.keyboard.press("2")  # the Breached section
            screen.wait_for(page, r"1 dispute · Breached")
            page.keyboard.press("Enter")
            screen.wait_for(page, rf"{ref} person P-1001")
            page.keyboard.press("n")
            screen.wait_for(page, rf"Note on {ref}")
            page.keyboard.type("called from the browser")
            page.keyboard.press("Control+s")
            deadline = time.monotonic() + WAIT
            notes: list[str] = []
            while time.monotonic() < deadline and "called from the browser" not in notes:
                page.wait_for_timeout(200)
                store = Store.open(str(served.db))
                try:
                    detail = orm_detail.dispute_detail(store, ref, _now())
                finally:
                    store.close()
                notes = [n.text for n in detail.notes]
            page.screenshot(path=str(tmp_path / "served.png"))
        finally:
            browser.close()
    assert "called from the browser" in notes
    last = [e for e in detail.events if e.action == "add_note"][-1]
    assert last.actor == os_login()  # the served app acts as the user who started it


def _now():  # noqa: ANN202
    from datetime import UTC, datetime

    return datetime.now(UTC)
