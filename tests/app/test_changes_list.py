"""The shift-start list at 80×24: many changes, only those on screen drawn; keys move
through all of them; text from the store is shown, never obeyed; lines stay one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import screen_text, wait_for
from rich.cells import cell_len
from textual.app import App, ComposeResult

from panel_tui.store.read.changes import Change
from panel_tui.widgets.changes_list import ChangesList

SIZE = (80, 24)
START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def changes(n: int) -> tuple[Change, ...]:
    return tuple(
        Change("breached" if i < 3 else "opened", f"D-2026-{i:04d}", START - timedelta(minutes=i))
        for i in range(n)
    )


class ListApp(App):
    def __init__(self, items: tuple[Change, ...]) -> None:
        super().__init__()
        self.items = items
        self.opened: list[int] = []

    def compose(self) -> ComposeResult:
        yield ChangesList(id="changes")

    def on_mount(self) -> None:
        listed = self.query_one(ChangesList)
        listed.show(self.items)
        listed.focus()

    def on_changes_list_selected(self, message: ChangesList.Selected) -> None:
        self.opened.append(message.index)


def lines(app: App) -> list[str]:
    return screen_text(app).splitlines()


async def test_keys_walk_every_change_and_only_those_on_screen_are_drawn() -> None:
    app = ListApp(changes(500))
    async with app.run_test(size=SIZE) as pilot:
        listed = app.query_one(ChangesList)
        await wait_for(pilot, lambda: "D-2026-0000" in screen_text(app))
        assert listed.row_count == 500
        assert lines(app)[0].split()[:2] == ["BREACHED", "D-2026-0000"]
        assert "D-2026-0024" not in screen_text(app)  # below the fold: not drawn
        await pilot.press("pagedown")
        assert listed.cursor_row == 23  # a screen less one line
        await pilot.press("end")
        await wait_for(pilot, lambda: "D-2026-0499" in screen_text(app))
        assert listed.cursor_row == 499
        assert lines(app)[-1].split()[1] == "D-2026-0499"
        await pilot.press("home", "down", "down")
        await wait_for(pilot, lambda: "D-2026-0000" in screen_text(app))
        assert listed.cursor_row == 2
        await pilot.click(ChangesList, offset=(5, 4), times=2)
        await wait_for(pilot, lambda: app.opened == [4])
        assert listed.cursor_row == 4


async def test_hostile_text_is_shown_not_obeyed_and_wide_text_keeps_the_columns() -> None:
    hostile = Change("opened", "D-\x1b[2J-\u202e", START, 1, "duty\x07", "to\nstage 2")
    wide = Change("opened", "D-2026-0002", START, 1, "名前名前名前名前", "決定" * 40)
    app = ListApp((hostile, wide))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "D-2026-0002" in screen_text(app))
        first, second = lines(app)[:2]
        assert "\\x1b[2J" in first and "\\u202e" in first and "\\x07" in first
        assert "to\\x0astage 2" in first  # one line, the newline shown
        assert "\x1b" not in screen_text(app)
        # The wide names are cut to their column; the line is still 80 cells.
        assert len(lines(app)) == SIZE[1]
        assert second.index("D-2026-0002") == first.index("D-\\x1b")
        assert "名前名前 …" in second  # cut to its 10 cells (a wide character is not split)
        assert cell_len(second[: second.index("決定")]) == cell_len(first[: first.index("to\\x0a")])
