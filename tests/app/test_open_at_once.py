"""Enter on a dispute not read ahead (the cursor had no time to rest on it): read on the
key, laid out once off the stack, then pushed to be drawn (issue 13, "open detail at
once"), with every section laid out for the dispute it shows.

Each test counts the layouts Textual does of the detail (its ``_refresh_layout``) and
checks what the screen shows.
"""

from __future__ import annotations

from helpers import queue_ready, settled, wait_for, wait_text
from storefix import NOW
from textual.containers import VerticalScroll

from panel_tui.screens.detail import DisputeScreen
from panel_tui.store.ledger import Ledger
from panel_tui.widgets.stage_ladder import DetailSection

SIZE = (100, 30)
TALL = (100, 70)  # a demo dispute's detail fits, with no scrollbar


def _count_layouts(screen: DisputeScreen) -> list[bool]:
    """Each layout of ``screen`` from now on: whether it was on screen (True) or off."""
    layouts: list[bool] = []
    real = screen._refresh_layout

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        layouts.append(screen.is_current)
        return real(*args, **kwargs)

    screen._refresh_layout = counting  # type: ignore[method-assign]
    return layouts


def _built(app) -> DisputeScreen | None:  # noqa: ANN001
    screen = app._detail
    return screen if isinstance(screen, DisputeScreen) and screen.detail is not None else None


async def test_a_dispute_read_on_enter_is_laid_out_before_the_push_not_after(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        queue = await queue_ready(pilot)
        await wait_for(pilot, lambda: _built(app) is not None)
        screen = _built(app)
        assert screen is not None
        for ref in ("D-2026-0002", "D-2026-0007", "D-2026-0004"):  # none under the cursor
            layouts = _count_layouts(screen)
            app.open_dispute(ref)
            await wait_text(pilot, f"{ref} person")
            await settled(pilot)
            assert app.screen is screen
            # Laid out before the push (off the stack), and not again once pushed: not
            # for the fill, nor for the sizes the layout gave its sections.
            assert layouts and True not in layouts
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is queue)


async def test_a_scrollbar_that_comes_or_goes_lays_the_sections_out_at_the_new_width(
    make_app, store
) -> None:
    """A dispute taller than the screen after one that fits (or back): the scrollbar
    narrows the sections, and they are laid out at that width before the push."""
    ledger = Ledger(store, "sup", clock=lambda: NOW)
    for n in range(40):  # D-2026-0004's notes run past the foot of the screen
        ledger.add_note("D-2026-0004", f"note {n}")
    app = make_app("duty")
    async with app.run_test(size=TALL) as pilot:
        queue = await queue_ready(pilot)
        await wait_for(pilot, lambda: _built(app) is not None)
        screen = _built(app)
        assert screen is not None
        scroll = screen.query_one("#detail", VerticalScroll)
        at_push: list[tuple[bool, set[int], int]] = []
        push = app.push_screen

        def noting(pushed, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            if pushed is screen:
                widths = {w.size.width for w in screen.query(DetailSection)}
                inside = scroll.scrollable_content_region.width
                at_push.append((scroll.show_vertical_scrollbar, widths, inside))
            return push(pushed, *args, **kwargs)

        app.push_screen = noting  # type: ignore[method-assign]
        seen: set[bool] = set()
        for ref in ("D-2026-0001", "D-2026-0004", "D-2026-0002", "D-2026-0004"):
            app.open_dispute(ref)
            await wait_text(pilot, f"{ref} person")
            await settled(pilot)
            bar, widths, inside = at_push[-1]
            assert widths == {inside}  # every section as wide as the scroll's inside
            # ... and as it stays once drawn (no later layout changed it).
            assert bar == scroll.show_vertical_scrollbar
            assert {w.size.width for w in screen.query(DetailSection)} == widths
            seen.add(bar)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is queue)
        assert seen == {True, False}  # the scrollbar came and went
