"""The help overlay: every key of the screen with its binding id, and the keymap hint as text."""

from __future__ import annotations

from helpers import queue_ready, wait_for

from panel_tui.screens.help import HelpScreen


async def test_help_lists_every_key_with_its_id_and_the_keymap_table_literally(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        await queue_ready(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {what: (keys, binding_id) for keys, what, binding_id in app.screen.rows()}
        assert rows["Down"] == ("↓ j", "queue.down")
        assert rows["Up"] == ("↑ k", "queue.up")
        assert rows["First"] == ("home g", "queue.first")
        assert rows["Last"] == ("end G", "queue.last")
        assert rows["Quit"] == ("q ^q", "app.quit")  # the footer's q first, as the footer says
        assert rows["Filter"] == ("/", "queue.filter")
        hint = str(app.screen.query("Static").last().render())
        assert "under [keymap]," in hint
