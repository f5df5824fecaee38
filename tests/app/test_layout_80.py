"""At 80 columns nothing is cut or covered: the queue's sections and its last column,
the shift-start view's last column, and drop-down lists inside their dialogs.

Each reads the screen as a person sees it (helpers.screen_text), on a real
terminal size, so a layout that runs past the edge fails here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import dispute_shown, queue_ready, screen_text, wait_for, wait_text
from storefix import NOW
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from panel_tui.screens.modals import FormModal
from panel_tui.screens.queue import SECTIONS, SHORT_LABELS, section_key
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.read.queue_columns import fit_name
from panel_tui.widgets.queue_view import QueueView

SIZE = (80, 24)


async def test_every_queue_section_shows_whole_at_80_columns(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        text = screen_text(app)
        for n, section in enumerate(SECTIONS, start=1):
            # Key and label together on one line: nothing cut, nothing split.
            assert f"{section_key(n)} {SHORT_LABELS[section]}" in text, SHORT_LABELS[section]
        await pilot.press("0")  # the last section, chosen, is shown chosen
        await wait_text(pilot, "disputes · Reviews due")


def _many_held(store, *names: str) -> None:  # noqa: ANN001
    """Enough disputes for a scroll bar, each with a plan holder (by default one whose
    name is long), the ``names`` taking turns."""
    from storefix import form

    admin = Admin(store, "root")
    names = names or ("Theodora Castellanos",)
    for n, name in enumerate(names):
        admin.add_person(f"holder{n}", name, ["duty_lead"], "CBH", at=NOW - timedelta(days=30))
    duty = Ledger(store, "duty")
    for n in range(30):
        ref = duty.open_dispute(form(f"P-2{n:03}"), at=NOW - timedelta(hours=1, minutes=n))
        holder = f"holder{n % len(names)}"
        duty.assign_plan_holder(ref, holder, at=NOW - timedelta(minutes=30))


async def test_the_holder_column_is_never_under_the_scroll_bar(make_app, store) -> None:
    _many_held(store)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        view = app.screen.query_one(QueueView)
        await wait_for(pilot, lambda: view.total > view.size.height)  # the bar is shown
        assert view.show_vertical_scrollbar
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if line.lstrip().startswith("Ref "))
        assert "Holder" in header
        held = [line for line in lines if line.lstrip().startswith("D-2026-00")]
        width = next(c.width for c in view._columns if c.key == "holder")
        shown = fit_name("Theodora Castellanos", width)
        rows_with_holder = [line for line in held if shown.rstrip("…") in line]
        assert rows_with_holder, "\n".join(lines)
        bar = view.scrollbar_size_vertical
        for line in rows_with_holder:
            # The holder's text ends before the scroll bar's columns begin.
            end = line.index(shown) + len(shown)
            assert end <= SIZE[0] - bar, line


async def test_the_holder_column_shows_a_first_name_and_initial_whole(make_app, store) -> None:
    """At 80 columns, with the scroll bar, on a Linux console: "Aisha M." was "Aisha ~"
    (the column was 7 wide; the console writes the ellipsis as ~)."""
    _many_held(store, "Aisha Mensah", "Marcus Okafor", "Dr Elena Novak")
    app = make_app("duty", ascii_glyphs=True)
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        view = app.screen.query_one(QueueView)
        await wait_for(pilot, lambda: view.total > view.size.height)  # the bar is shown
        text = screen_text(app)
        for shown in ("Aisha M.", "Marcus O.", "D. Novak"):
            assert f" {shown} " in f"{text} ", text


def test_names_are_shortened_as_a_person_reads_them() -> None:
    assert fit_name("Tom Castillo", 20) == "Tom Castillo"
    assert fit_name("Tom Castillo", 7) == "Tom C."
    assert fit_name("Jordan Lee", 9) == "Jordan L."
    assert fit_name("Jordan Lee", 8) == "J. Lee"
    assert fit_name("Theodora Castellanos", 11) == "Theodora C."
    assert fit_name("Theodora Castellanos", 7) == "Theodo…"
    assert fit_name("-", 7) == "-"


async def test_shift_start_writes_times_short_enough_for_80_columns(make_app) -> None:
    # "ended 2026-12-02 15:57 UTC" ran under the scroll bar at 80 columns.
    app = make_app("duty", shift_start=True)
    async with app.run_test(size=SIZE) as pilot:
        from panel_tui.screens.shift import ShiftStartScreen

        await wait_for(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        await wait_text(pilot, "What changed in the last 24 hours")
        text = screen_text(app)
        assert "due 10 Mar 17:00" in text  # the detail's time as the when column writes it
        assert "2026-03-10 17:00 UTC" not in text


@pytest.mark.parametrize(
    ("login", "ref", "key", "field"),
    [
        ("chair", "D-2026-0004", "d", "receiving_agency"),
        ("chair", "D-2026-0004", "d", "outcome"),
        ("duty", "D-2026-0004", "c", "provider_agency"),
        ("duty", "D-2026-0004", "x", "key"),
        ("duty", "D-2026-0004", "t", "outcome"),
    ],
)
@pytest.mark.parametrize("size", [SIZE, (120, 40)])
async def test_an_open_drop_down_stays_inside_its_dialog(
    make_app, login, ref, key, field, size
) -> None:
    app = make_app(login)
    async with app.run_test(size=size) as pilot:
        await dispute_shown(pilot, ref)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await wait_text(pilot, "ctrl+s save")
        modal = app.screen
        select = modal.query_one(f"#f-{field}", Select)
        select.focus()
        await pilot.pause()
        await pilot.press("enter")
        overlay = select.query_one(SelectOverlay)
        await wait_for(pilot, lambda: overlay.display and overlay.region.height > 0)
        await pilot.pause(0.1)
        box = modal.query_one("VerticalScroll").region.shrink((1, 1, 1, 1))  # inside the border
        assert box.contains_region(overlay.region), (overlay.region, box, screen_text(app))


async def test_the_shift_start_footer_fits_80_columns_on_a_linux_console(make_app) -> None:
    """By hand under TERM=linux, "⏎" is written "enter" and the footer ended "q Q"."""
    app = make_app("duty", shift_start=True, ascii_glyphs=True)
    async with app.run_test(size=SIZE) as pilot:
        from panel_tui.screens.shift import ShiftStartScreen

        await wait_for(pilot, lambda: isinstance(app.screen, ShiftStartScreen))
        await wait_text(pilot, "Mark seen")
        footer = screen_text(app).splitlines()[-1]
        assert "enter Open" in footer and "q Quit" in footer, footer


async def test_the_detail_footer_offers_help_at_80_columns(make_app) -> None:
    """A dispute offers more actions than 80 columns hold; the footer used to end after
    Withdraw, with nothing saying the rest (Decide, Note, Evidence…) were a key away."""
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, "D-2026-0001")
        await wait_text(pilot, "Escalate")
        footer = screen_text(app).splitlines()[-1]
        assert "f1 Help" in footer, footer
        await pilot.press("f1")
        from panel_tui.screens.help import HelpScreen

        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Note" in screen_text(app)


@pytest.mark.parametrize("size", [SIZE, (120, 40)])
async def test_the_queue_keeps_its_columns_while_the_filter_is_open(make_app, size) -> None:
    """The filter's side margins made Textual lay the queue out two cells narrower, so
    its columns changed width as the filter opened (and its snapshot with them, when a
    loaded run laid it out before the filter showed)."""
    app = make_app("duty")
    async with app.run_test(size=size) as pilot:
        await queue_ready(pilot)
        view = app.screen.query_one(QueueView)
        widths = (view.region.width, view.row_width)
        assert widths[0] == size[0]
        await pilot.press("slash", "1", "0", "0", "4")
        await wait_text(pilot, "/1004 · row 1 of 1")
        await pilot.pause()
        assert (view.region.width, view.row_width) == widths
