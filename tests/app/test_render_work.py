"""Textual's work per key, cut down (issue 13) without losing what the screens show.

The dispute screen is built before the first Enter; the detail's short sections
and its footer's keys are drawn before the push, long sections below the fold
after its first frame, never showing the dispute before; typing in the queue's
filter asks for no layout of the screen from the box or the status line. Each
test checks what a user sees or can do.
"""

from __future__ import annotations

from helpers import burst, chars, queue_ready, screen_text, settled, wait_for, wait_text
from storefix import NOW
from textual.widget import Widget
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from panel_tui.screens import detail as detail_screen
from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.modals import FormModal
from panel_tui.store.read import orm_detail
from panel_tui.widgets.stage_ladder import PENDING, DetailSection

TALL = (100, 70)  # every section of a demo dispute on screen
BELOW = ("protection", "decisions", "notes", "history")


def _prebuilt(app) -> bool:  # noqa: ANN001
    """Built ahead, off the stack, and filled with the row the queue's cursor rests on."""
    screen = app._detail
    return (
        isinstance(screen, DisputeScreen)
        and screen.is_mounted
        and screen not in app.screen_stack
        and screen.detail is not None
    )


async def test_the_dispute_screen_is_built_before_the_first_enter_and_its_keys_work(
    make_app,
) -> None:
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        await wait_for(pilot, lambda: _prebuilt(app))
        built = app._detail
        assert app.screen is queue  # built off the stack: the queue stays in front
        assert "…" not in screen_text(app).splitlines()[1]

        # Enter and n arrive together: the note is for the dispute the first Enter opened.
        await burst(pilot, ["enter", "n"])
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        assert built.detail is not None and built.detail.ref == "D-2026-0001"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is built)
        await wait_text(pilot, "D-2026-0001 person P-1001")


def _visible_keys(screen: DisputeScreen) -> list[str]:
    return [str(key.description) for key in screen.query(FooterKey) if key.display]


async def test_a_short_dispute_is_pushed_whole_with_its_own_keys(make_app) -> None:
    """Sections below the fold with few rows, and the footer's keys, are drawn before the
    push: its first frame shows the whole dispute and its keys, with nothing to redraw."""
    app = make_app("duty")
    async with app.run_test(size=TALL) as pilot:
        queue = await queue_ready(pilot)
        await wait_for(pilot, lambda: _prebuilt(app))
        screen = app._detail
        assert isinstance(screen, DisputeScreen)
        # Built ahead: every key it may offer is mounted, hidden (an Enter before then
        # shows the keys the first dispute offers after its first frame, as before).
        await wait_for(pilot, lambda: len(screen.query(FooterKey)) > len(_visible_keys(screen)))
        at_push: list[tuple[dict[str, object], list[str]]] = []
        push = app.push_screen

        def seen(pushed, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            if pushed is screen:
                sections = {
                    name: screen.query_one(f"#{name}", DetailSection).content for name in BELOW
                }
                at_push.append((sections, _visible_keys(screen)))
            return push(pushed, *args, **kwargs)

        app.push_screen = seen
        # Withdraw is offered on the live dispute, not on the withdrawn one: the footer
        # changes its keys between the two (in place, with the keys mounted the first time).
        for ref, withdraw in (
            ("D-2026-0002", True),
            ("D-2026-0007", False),
            ("D-2026-0002", True),
        ):
            app.open_dispute(ref)
            await wait_text(pilot, f"{ref} person")
            await settled(pilot)
            sections, keys = at_push[-1]
            for name, content in sections.items():
                assert content != PENDING
                assert content is screen.query_one(f"#{name}", DetailSection).content
            assert keys == _visible_keys(screen)  # nothing redrawn after the first frame
            assert ("Withdraw" in keys) is withdraw
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is queue)


async def test_long_sections_below_the_fold_follow_the_first_frame_complete(
    make_app, store, monkeypatch
) -> None:
    # Every section with rows counts as long: the demo's disputes have a few rows each.
    monkeypatch.setattr(detail_screen, "LONG_SECTION", 0)
    app = make_app("duty")
    async with app.run_test(size=TALL) as pilot:
        queue = await queue_ready(pilot)
        await wait_for(pilot, lambda: _prebuilt(app))
        screen = app._detail
        assert isinstance(screen, DisputeScreen)
        app.open_dispute("D-2026-0004")
        await wait_text(pilot, "D-2026-0004 person")
        detail = orm_detail.dispute_detail(store, "D-2026-0004", NOW)
        last = detail.events[-1]
        # Everything is drawn: the last event of the history, and no placeholder left.
        await wait_text(pilot, f"{last.action}")
        await wait_for(
            pilot,
            lambda: all(
                screen.query_one(f"#{name}", DetailSection).content != PENDING for name in BELOW
            ),
        )
        first = {name: str(screen.query_one(f"#{name}").render()) for name in BELOW}

        # The next dispute: when the screen is pushed, the sections below the fold hold
        # the placeholder or the new dispute's rows, never the last dispute's.
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is queue)
        at_push: dict[str, object] = {}
        push = app.push_screen

        def seen(pushed, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            if pushed is screen:
                for name in BELOW:
                    at_push[name] = screen.query_one(f"#{name}", DetailSection).content
            return push(pushed, *args, **kwargs)

        app.push_screen = seen
        # Not the row under the queue's cursor (D-2026-0001), which may be read and drawn
        # whole ahead by now (test_read_ahead.py): this one is read on the key.
        app.open_dispute("D-2026-0002")
        await wait_text(pilot, "D-2026-0002 person")
        await wait_for(
            pilot,
            lambda: all(
                screen.query_one(f"#{name}", DetailSection).content != PENDING for name in BELOW
            ),
        )
        assert set(at_push) == set(BELOW)
        for name, content in at_push.items():  # a section whose rows are the same stays
            assert content == PENDING or content is screen.query_one(f"#{name}").content
        assert list(at_push.values()).count(PENDING) >= 2  # history and cover differ
        history = str(screen.query_one("#history").render())
        assert history != first["history"]
        assert "D-2026-0004" not in screen_text(app)


async def test_typing_a_filter_lays_out_nothing_from_the_box_or_the_status_line(
    make_app, monkeypatch
) -> None:
    asked: list[str | None] = []
    refresh = Widget.refresh

    def counting(self, *regions, layout=False, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if layout and (isinstance(self, Input) or self.id in ("status", "sections", "columns")):
            asked.append(self.id)
        return refresh(self, *regions, layout=layout, **kwargs)

    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.focused, Input))
        monkeypatch.setattr(Widget, "refresh", counting)
        await burst(pilot, chars("housingzz"))
        await wait_for(pilot, lambda: queue.filter.text == "housingzz" and queue.view.loaded)
        await wait_text(pilot, "0 disputes")
        assert asked == []

        # The box still scrolls: past its edge, the end of what was typed is on screen.
        long = "averylongfilterthatrunspasttheedgeofthebox" * 2 + "zq"
        await burst(pilot, chars(long))
        await wait_for(pilot, lambda: queue.filter.text == "housingzz" + long)
        await wait_for(
            pilot,
            lambda: any(line.rstrip().endswith("boxzq") for line in screen_text(app).split("\n")),
        )


async def test_the_screen_built_ahead_reads_a_dispute_before_the_first_enter(
    make_app, reads: list[str]
) -> None:
    """The first read of a session builds the ORM's statements (~40 ms of CPU): the
    screen built ahead reads the dispute under the queue's cursor while the queue idles
    (that Enter on it then reads nothing: test_read_ahead.py, where no poll drops it)."""
    read = reads
    app = make_app("duty")
    async with app.run_test(size=(80, 24)) as pilot:
        queue = await queue_ready(pilot)
        await wait_for(pilot, lambda: _prebuilt(app) and "D-2026-0001" in read)
        assert app.screen is queue  # nothing was opened: it waits off the stack
        assert set(read) == {"D-2026-0001"}  # the row under the cursor, not another
        await pilot.press("enter")
        await wait_text(pilot, "D-2026-0001 person P-1001")
