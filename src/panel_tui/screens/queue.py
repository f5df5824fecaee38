"""The queue (home): open disputes by urgency, in sections on number keys, filterable.

Breached first (longest overdue first), then soonest due, unless sorted by a
column (``o`` steps through the columns and back to urgency, ``O`` reverses).
The rows come from ``QueueView``, which fetches only the window on screen.
Habits from k9s and gh-dash: ``y`` copies the reference (OSC 52), ``b`` goes to
the next breached dispute, a bell and a notice when a row on screen breaches,
"row x of y", ``space`` marks disputes for one note on all of them (each a
separate write the store checks), ``x``/``X`` export the view (CSV/JSON).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from panel_tui.messages import IdentityChanged
from panel_tui.rules.enums import Action, DisputeType, Risk, Stage
from panel_tui.rules.limits import SHORT_MAX
from panel_tui.rules.text import visible
from panel_tui.rules.wording import counted
from panel_tui.screens.base import AppScreen, retrying
from panel_tui.store.read.interrupt import Interrupt
from panel_tui.store.read.queue_models import (
    COUNT_CAP,
    SECTION_LABELS,
    SORT_KEYS,
    QueueFilter,
    Section,
)
from panel_tui.widgets import queue_view
from panel_tui.widgets.filter_input import FilterInput
from panel_tui.widgets.footer import KeysFooter
from panel_tui.widgets.queue_view import PAGE, QueueView

#: How long typing into the filter must pause, while a read is under way, to start the next.
TYPING_PAUSE = 0.06
#: Seconds the cursor rests on a row before its dispute is read ahead: a person looks at
#: the row before Enter; keys held down (j j j) read nothing until they stop.
REST = 0.2
#: The same after a move of the cursor: longer than a held key's repeat (25-30 a second),
#: shorter than a person's next key, so the dispute is read before a quick Enter.
MOVED_REST = 0.05

SECTIONS = list(Section)
#: The section tabs' labels: the sections' own, the two long ones shortened to fit.
SHORT_LABELS = {
    **SECTION_LABELS,
    Section.PROVISIONAL_EXPIRING: "Prov. expiring",
    Section.PROVISIONAL_EXPIRED: "Prov. expired",
}


#: The quick filters: key, the QueueFilter field it steps through, label (``queue.by_LABEL``).
QUICK_FILTERS = (
    ("t", "types", "Type"),
    ("r", "risks", "Risk"),
    ("a", "agencies", "Agency"),
    ("s", "stages", "Stage"),
)


def section_key(n: int) -> str:
    """The number key of the n-th section (from 1): the tenth is on 0, as on a keyboard."""
    return str(n % 10)


def _cycle(options: list[Any], current: tuple[Any, ...]) -> tuple[Any, ...]:
    """Quick filters step through: all → each option → all."""
    if not current:
        return (options[0],)
    index = options.index(current[0]) + 1
    return () if index >= len(options) else (options[index],)


class QueueScreen(AppScreen):
    """The live queue."""

    # Textual focuses the first focusable widget as the screen is composed: that was the
    # filter box (hidden only in on_mount), whose blur and the view's focus then restyled
    # both after the first frame, and the view was drawn again whole (about 4 ms of the
    # first paint, and the cursor's colour changed between the two frames).
    AUTO_FOCUS = "#queue"

    BINDINGS = [
        *(
            Binding(
                section_key(n),
                f"section({n - 1})",
                SHORT_LABELS[s],
                show=False,
                id=f"queue.section_{n}",
            )
            for n, s in enumerate(SECTIONS, start=1)
        ),
        Binding("slash", "filter", "Filter", id="queue.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="queue.clear_filter"),
        *(
            Binding(key, f"quick('{name}')", label, show=False, id=f"queue.by_{label.lower()}")
            for key, name, label in QUICK_FILTERS
        ),
        Binding("l", "liaison", "Liaison only", show=False, id="queue.liaison"),
        Binding("n", "new_dispute", "New", id="queue.new"),
        Binding("P", "panel", "Panel", id="queue.panel"),
        Binding("D", "dashboard", "Dashboard", id="queue.dashboard"),
        Binding("w", "what_changed", "What changed", show=False, id="queue.what_changed"),
        Binding("o", "sort", "Sort", show=False, id="queue.sort"),
        Binding("O", "reverse", "Reverse sort", show=False, id="queue.sort_reverse"),
        Binding("y", "yank_ref", "Copy ref", show=False, id="queue.copy_ref"),
        Binding("b", "next_breached", "Next breached", show=False, id="queue.next_breached"),
        Binding("N", "note_marked", "Note on marked", show=False, id="queue.note_marked"),
        Binding("U", "unmark", "Unmark all", show=False, id="queue.unmark"),
        Binding("x", "export('csv')", "Export CSV", show=False, id="queue.export_csv"),
        Binding("X", "export('json')", "Export JSON", show=False, id="queue.export_json"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._chosen = self.panel.settings.start_view is not None  # no policy view after
        self.filter = QueueFilter(section=self._start_section())
        self._agencies: list[str] = []
        self._search_refused = ""  # why the typed search is not applied (too long)
        self._shown: dict[str, str] = {}  # what each line around the rows shows now
        self._typing: Timer | None = None
        self._resting: Timer | None = None  # until the cursor's dispute is read ahead
        self._labelling: Timer | None = None  # until the tabs and status say a slow read
        self._row = (0, 0)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="sections")
        # The filter box is mounted by its first "/" (action_filter), not here: one
        # widget fewer to style and lay out before the first paint, for a box most
        # openings of the queue never show.
        yield Static(id="status")
        yield Static(id="columns")
        yield QueueView(id="queue")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.view.on_change = self._view_changed
        # The tabs and status before the first layout: at 80-100 columns the tabs take two
        # lines, and drawn later (with the first page) were not laid out until a next key.
        self._show_labels()
        self._apply(keep_cursor=False)
        if self.panel.store_is_open:  # else once it is (on_identity_changed)
            self._load_agencies()
        self.query_one(QueueView).focus()

    def on_identity_changed(self, message: IdentityChanged) -> None:
        if not self._agencies:
            self._load_agencies()
        if not self._chosen:  # the policy's start view for this person's roles
            self._chosen = True
            view = self.panel.policy.start_view.for_roles(self.panel.roles)
            section = self._section_named(view) if view else None
            if section is not None and section is not self.filter.section:
                self.show_section(section)

    def _start_section(self) -> Section:
        """The section the user's config names, else the policy's for the person's roles
        (once the store is open: see on_identity_changed), else All open."""
        name = self.panel.settings.start_view
        if name is None and self.panel.store_is_open:
            self._chosen = True
            name = self.panel.policy.start_view.for_roles(self.panel.roles)
        return (self._section_named(name) if name else None) or Section.ALL_OPEN

    def _section_named(self, name: str) -> Section | None:
        try:
            return Section(name)
        except ValueError:
            self.app.call_later(
                self.notify,
                f"There is no queue section {name!r} to start on "
                f"(one of: {', '.join(s.value for s in Section)}); showing All open.",
                severity="warning",
                timeout=10,
            )
            return None

    @work(thread=True, group="queue-agencies", exit_on_error=False)
    def _load_agencies(self) -> None:
        from panel_tui.store.read import orm_queries

        codes = [
            a.code for a in retrying(self.panel, lambda: orm_queries.agencies(self.panel.store))
        ]
        self.app.call_from_thread(setattr, self, "_agencies", codes)

    @property
    def view(self) -> QueueView:
        return self.query_one(QueueView)

    # --- the source of rows ---------------------------------------------------------
    def _effective(self) -> QueueFilter:
        mine = self.panel.login if self.filter.section is Section.MINE else None
        return replace(self.filter, mine=mine)

    def _apply(self, *, keep_cursor: bool) -> None:
        f, app = self._effective(), self.panel

        # Both run in thread workers, where waiting for the store to open is harmless.
        def fetch(  # noqa: ANN202
            offset: int,
            limit: int,
            total_limit: int | None,
            interrupt: Interrupt | None,
            total: int | None = None,
        ):
            quick = app.quick_page(f, offset, limit, total_limit, interrupt, total)
            if quick is not None:
                return quick
            from panel_tui.store.read import orm_queries

            return retrying(
                app,
                lambda: orm_queries.queue_page(
                    app.store,
                    f,
                    app.now(),
                    offset=offset,
                    limit=limit,
                    total_limit=total_limit,
                    interrupt=interrupt,
                ),
            )

        def locate(dispute_id: int) -> int | None:
            from panel_tui.store.read import orm_queries

            return retrying(
                app, lambda: orm_queries.queue_position(app.store, f, app.now(), dispute_id)
            )

        # At start-up the first page is read from the file at once (see app.py); after
        # that in a worker, where a newer key can stop it.
        first = None if keep_cursor or app.store_is_open else app.quick_page(f, 0, PAGE, COUNT_CAP)
        self.view.set_source(fetch, locate, keep_cursor=keep_cursor, first=first)
        if self.view.loaded:  # its first page is here already
            self._show_labels()
        elif self._labelling is None:
            # The tabs and the status line change with the rows, in their frame
            # (on_queue_view_loaded): changed at once, they took a frame of their own,
            # and Textual draws the rows' frame only the next time (~17 ms later; a
            # section switch or filter key cost two frames). A slow read says so when
            # the view draws its "…" rows.
            self._labelling = self.set_timer(queue_view.LOADING_AFTER, self._show_labels)

    def _show_labels(self) -> None:
        if self._labelling is not None:
            self._labelling.stop()
            self._labelling = None
        self._show_sections()
        self._show_status()

    def refresh_data(self) -> None:
        if self.filter.section is Section.MINE:
            self._apply(keep_cursor=True)  # the login may have changed
        else:
            self.view.reload()

    # --- what is shown around the rows ---------------------------------------------------
    def _update(self, selector: str, content: Text | str) -> None:
        """Update a line only when its text changed. The lines are one row high whatever
        they say (app.tcss), so a new text repaints the line without laying out the
        screen: a filter keystroke was laid out three times, once for the status."""
        key = content.markup if isinstance(content, Text) else content
        if self._shown.get(selector) != key:
            self._shown[selector] = key
            self.query_one(selector, Static).update(content, layout=False)

    def _show_sections(self) -> None:
        """Every section on its key, on as many lines as the width needs (two at 80
        columns): a section is never cut, nor split between lines."""
        width = max(1, self.app.size.width - 2)  # the bar's padding
        text = Text(no_wrap=True)
        used = 0
        for n, section in enumerate(SECTIONS, start=1):
            label = f" {SHORT_LABELS[section]}"
            needs = len(section_key(n)) + len(label)
            if used and used + 1 + needs > width:
                text.append("\n")
                used = 0
            elif used:
                text.append(" ")
                used += 1
            style = "reverse bold" if section is self.filter.section else ""
            text.append(section_key(n), style="bold")
            text.append(label, style=style)
            used += needs
        self._update("#sections", text)

    def on_resize(self) -> None:
        self._show_sections()

    def _counted(self) -> str:
        """The count as the status line says it: "1 dispute", "1000+ disputes", "… disputes"."""
        view = self.view
        if not view.loaded or view.total_capped:
            return f"{view.total_label if view.loaded else '…'} disputes"
        return counted(view.total, "dispute")

    def _show_status(self) -> None:
        f = self.filter
        parts = [self._counted(), f.section.label]
        for name, values in (("type", f.types), ("risk", f.risks), ("agency", f.agencies)):
            if values:
                parts.append(f"{name}={values[0]}")
        if f.stages:
            parts.append(f"stage={f.stages[0]}")
        if f.liaison:
            parts.append("liaison")
        if f.text:
            parts.append(f"/{f.text}")
        if f.sort:
            parts.append(f"by {f.sort} {'▼' if f.descending else '▲'}")
        index, total = self._row
        if total:  # "of 999+" while the exact count is still coming
            parts.append(f"row {index + 1} of {self.view.total_label}")
        if self.view.marked:
            parts.append(f"{len(self.view.marked)} marked")
        if self._search_refused:
            parts.append(self._search_refused)
        # Typed text (the search) is shown as it is, never read as markup.
        self._update("#status", Text(visible(" · ".join(parts), multiline=False)))

    def _view_changed(self) -> None:
        """The view's rows, cursor or length changed: the lines about them change in the
        same frame (QueueView.on_change)."""
        self._row = (self.view.cursor, self.view.total)
        if self.view.loaded:
            self._show_labels()
            box = self._filter_box()
            if box is not None:
                box.release()  # the typed text is drawn with its rows

    def on_queue_view_loaded(self, message: QueueView.Loaded) -> None:
        self._rest()

    def on_queue_view_moved(self, message: QueueView.Moved) -> None:
        self._rest(MOVED_REST)

    def on_screen_resume(self) -> None:
        self._rest()  # back from a dispute: the cursor rests where it was

    def _rest(self, wait: float = REST) -> None:
        """Read ahead the dispute under the cursor once it rests ``wait`` s (Enter then only
        shows it: PanelApp.prepare_dispute); each move or new page starts the wait again."""
        if self._resting is not None:
            self._resting.stop()
        self._resting = self.set_timer(wait, self._rested)

    def _rested(self) -> None:
        self._resting = None
        row = self.view.cursor_row
        if row is not None and self.is_current:
            self.panel.prepare_dispute(row.ref)

    def on_queue_view_marked(self, message: QueueView.Marked) -> None:
        self._show_status()

    def on_queue_view_breached(self, message: QueueView.Breached) -> None:
        """A row on screen breached while watched: the bell, and which."""
        self.app.bell()
        refs = ", ".join(message.refs[:5]) + (" …" if len(message.refs) > 5 else "")
        self.notify(f"Breached now: {refs}", severity="warning", timeout=10)

    def on_queue_view_layout(self, message: QueueView.Layout) -> None:
        self._update("#columns", Text(message.header, style="bold"))

    def on_queue_view_opened(self, message: QueueView.Opened) -> None:
        self.panel.open_dispute(message.row.ref)

    # --- sections and filters ------------------------------------------------------------
    def action_section(self, index: int) -> None:
        self.filter = replace(self.filter, section=SECTIONS[index])
        self._apply(keep_cursor=False)

    def show_section(self, section: Section) -> None:
        self.action_section(SECTIONS.index(section))

    def _filter_box(self) -> FilterInput | None:
        """The filter box, once a "/" has mounted it."""
        boxes = self.query_children("#filter")
        return boxes.first(FilterInput) if boxes else None

    async def action_filter(self) -> None:
        box = self._filter_box()
        if box is None:
            box = FilterInput(
                placeholder="filter: ref, person, agency, form text", id="filter", compact=True
            )
            await self.mount(box, before="#status")
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self._filter_box()  # None until a "/": then only quick filters were set
        had = bool(box is not None and box.value) or any(
            (
                self.filter.types,
                self.filter.risks,
                self.filter.agencies,
                self.filter.stages,
                self.filter.liaison,
            )
        )
        if box is not None:
            box.value = ""
            box.display = False
        self.filter = QueueFilter(section=self.filter.section)
        self.view.focus()
        if had:
            self._apply(keep_cursor=True)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if len(text) > SHORT_MAX:  # the store refuses it, as the CLI's queue --text does
            refusal = (
                f"✖ search too long: at most {SHORT_MAX} characters (this has {len(text):,}); "
                "not applied"
            )
            if refusal != self._search_refused:
                self._search_refused = refusal
                self.notify(refusal, severity="error", timeout=6)
            event.input.add_class("-invalid")
            self._show_status()
            if isinstance(event.input, FilterInput):
                event.input.release()  # no rows to wait for
            return
        self._search_refused = ""
        event.input.remove_class("-invalid")
        self.filter = replace(self.filter, text=text)
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        if self.view.loaded:
            self._apply(keep_cursor=False)  # an idle queue answers the key at once
        else:
            # Still reading for the last key: stop that read now and start this one
            # when the typing pauses, so fast typing on a big store reads once.
            self.view.cancel()
            self._typing = self.set_timer(TYPING_PAUSE, self._typed)

    def _typed(self) -> None:
        self._typing = None
        self._apply(keep_cursor=False)

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self.view.focus()

    def action_quick(self, name: str) -> None:
        choices: dict[str, list[Any]] = {
            "types": [t.value for t in DisputeType],
            "risks": [r.value for r in Risk],
            "agencies": self._agencies,
            "stages": [int(s) for s in Stage],
        }
        options = choices[name]
        if not options:
            return
        step: dict[str, Any] = {name: _cycle(options, getattr(self.filter, name))}
        self.filter = replace(self.filter, **step)
        self._apply(keep_cursor=True)

    def action_liaison(self) -> None:
        """Only the disputes at commissioner liaison or with its trigger met, in any section."""
        self.filter = replace(self.filter, liaison=not self.filter.liaison)
        self._apply(keep_cursor=True)

    # --- sorting and moving ----------------------------------------------------------------
    def action_sort(self) -> None:
        """Urgency → each column in turn → urgency."""
        keys = [None, *SORT_KEYS]
        following = keys[(keys.index(self.filter.sort) + 1) % len(keys)]
        self._sorted(following, False)

    def action_reverse(self) -> None:
        self._sorted(self.filter.sort or "clock", not self.filter.descending)

    def _sorted(self, key: str | None, descending: bool) -> None:
        self.filter = replace(self.filter, sort=key, descending=descending)
        self.view.show_sort(key, descending)
        self._apply(keep_cursor=True)

    def action_yank_ref(self) -> None:
        row = self.view.cursor_row
        if row is not None:
            self.app.copy_to_clipboard(row.ref)
            self.notify(f"Copied {row.ref}.", timeout=2)

    @work(thread=True, exclusive=True, group="queue-next-breached", exit_on_error=False)
    def action_next_breached(self) -> None:
        from panel_tui.store.read import orm_queries

        app, f, after = self.panel, self._effective(), self.view.cursor
        found = retrying(app, lambda: orm_queries.next_breached(app.store, f, app.now(), after))
        if found is None:
            self.app.call_from_thread(self.notify, "Nothing breached in this view.", timeout=3)
        else:
            self.app.call_from_thread(self.view.go_to, found)

    # --- marked disputes: one note on several -------------------------------------------
    def action_note_marked(self) -> None:
        from panel_tui.screens.marked import note_on_marked

        marked = dict(self.view.marked)
        if not marked:
            self.notify("Mark disputes first (space on each), then N adds one note to all.")
            return
        note_on_marked(self, marked, self._noted)

    def _noted(self, result: object) -> None:
        from panel_tui.screens.marked import MarkedResult, summary

        if not isinstance(result, MarkedResult):
            return  # cancelled
        written = set(result.written)
        for dispute_id, ref in list(self.view.marked.items()):
            if ref in written:
                del self.view.marked[dispute_id]  # the refused stay marked, to try again
        self.view.post_message(QueueView.Marked(len(self.view.marked)))
        self.view.refresh()
        text, refused = summary(result)
        self.notify(text, severity="warning" if refused else "information", timeout=10)

    def action_unmark(self) -> None:
        self.view.clear_marks()

    # --- export ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="queue-export", exit_on_error=False)
    def action_export(self, kind: str) -> None:
        from panel_tui.config import exports_dir
        from panel_tui.screens.export import write_export
        from panel_tui.store.read import orm_queries

        app, f = self.panel, self._effective()
        at = app.now()
        # The whole view in one pass (every_row), its clocks at one instant.
        rows = retrying(app, lambda: orm_queries.every_row(app.store, f, at))
        try:
            target = write_export(exports_dir(), f, rows, at, kind)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Could not write the export: {exc}", severity="error"
            )
            return
        self.app.call_from_thread(
            self.notify, f"Exported {counted(len(rows), 'dispute')} to {target}", timeout=10
        )

    # --- elsewhere -------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_dispute":
            return self.may(Action.OPEN)
        if action == "note_marked":
            return self.may(Action.ADD_NOTE)
        return True

    def action_new_dispute(self) -> None:
        from panel_tui.screens.form import DisputeFormScreen

        self.app.push_screen(DisputeFormScreen(), self._opened)

    def _opened(self, ref: str | None) -> None:
        if ref:
            self.notify(f"Opened {ref}.")
            self.filter = QueueFilter(section=Section.ALL_OPEN)
            box = self._filter_box()
            if box is not None:
                box.value = ""
            self._apply(keep_cursor=False)
            self._select_ref(ref)

    def _select_ref(self, ref: str) -> None:
        self.run_worker(lambda: self._lookup(ref), thread=True, group="select", exit_on_error=False)

    def _lookup(self, ref: str) -> None:
        from panel_tui.store.read import orm_detail

        detail = orm_detail.dispute_detail(self.panel.store, ref, self.panel.now())
        self.app.call_from_thread(self.view.select_id, detail.id)

    def action_panel(self) -> None:
        from panel_tui.screens.panel import PanelScreen

        self.app.push_screen(PanelScreen())

    def action_what_changed(self) -> None:
        """Shift start on demand: what changed since you last looked."""
        self.panel.show_shift_start()

    def action_dashboard(self) -> None:
        from panel_tui.screens.dashboard import DashboardScreen

        self.app.push_screen(DashboardScreen())
