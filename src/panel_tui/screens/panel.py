"""Panel mode: the chair steps through today's agenda and records each decision live.

Keys, with no mouse: n/p step; 1–4 choose the outcome and put the cursor in
the rationale; ctrl+s records and moves on to the next undecided item. So a
decision is the outcome key, the rationale, ctrl+s. The rationale wraps and
grows to a few lines: enter starts a new line, keys typed there are text (a
"1" is a digit, not an outcome), escape leaves it. An item already with the
final authority (stage 3) is decided the same way by its named authority,
when they sit on the panel: ctrl+s then records their final determination. Receiving agency, pathway
and review date start from sensible defaults (first responding agency, the
proposed pathway, four weeks) and tab reaches them. J/K reorder, + adds a
dispute by reference, - takes a hand-picked one off, S shows the summary.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from panel_tui.messages import IdentityChanged
from panel_tui.rules.clocks import clock_plain
from panel_tui.rules.enums import Action, Outcome, Stage
from panel_tui.rules.errors import DomainError, InvalidInputError
from panel_tui.rules.text import visible
from panel_tui.rules.when import parse_date
from panel_tui.screens.actions import OUTCOME_LABELS, REVIEW_AFTER
from panel_tui.screens.base import AppScreen, retrying
from panel_tui.screens.detail import receiving_text
from panel_tui.screens.modals import field_message
from panel_tui.store.ledger.agenda import PanelAgenda
from panel_tui.store.read import orm_detail, orm_queries
from panel_tui.store.read.agenda import AgendaEntry, agenda
from panel_tui.store.read.dispute_models import DisputeDetail
from panel_tui.widgets.choices import plain_options

OUTCOMES = list(Outcome)


def _decision_row(label: str, field: Widget, *, long: bool = False) -> Horizontal:
    """One field of the decision under the agenda item: its label, then the field."""
    field.add_class("panel-decision")
    return Horizontal(
        Static(label, classes="panel-label"),
        field,
        classes="form-row -long" if long else "form-row",
    )


class PanelScreen(AppScreen):
    """Today's panel."""

    BINDINGS = [
        Binding("n", "step(1)", "Next", id="panel.next"),
        Binding("p", "step(-1)", "Prev", id="panel.prev"),
        *(
            Binding(str(i), f"outcome({i - 1})", o.value, show=False, id=f"panel.outcome_{i}")
            for i, o in enumerate(OUTCOMES, start=1)
        ),
        Binding("ctrl+s", "record", "Record", id="panel.record", priority=True),
        Binding("J", "move(1)", "Down", show=False, id="panel.move_down"),
        Binding("K", "move(-1)", "Up", show=False, id="panel.move_up"),
        Binding("plus", "add", "Add", id="panel.add"),
        Binding("minus", "remove", "Remove", show=False, id="panel.remove"),
        Binding("S", "summary", "Summary", id="panel.summary"),
        Binding("escape", "back", "Back", id="panel.back"),
    ]

    def __init__(self, panel_date: date | None = None) -> None:
        super().__init__()
        self.panel_date = panel_date
        self.entries: list[AgendaEntry] = []
        self.index = 0
        self.outcome = Outcome.ASSIGNED
        self.detail: DisputeDetail | None = None
        #: Rationales typed and not recorded, by reference, for the items stepped away from:
        #: n, p or the agenda's arrows used to clear them without a word.
        self.typed: dict[str, str] = {}
        #: A decision was recorded: the next agenda read moves on to the next open item.
        #: Kept here, not only passed to that read: the store's change notice reads the
        #: agenda too, and that read replaced (exclusive worker) the one that moved on.
        self._advance = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="panel-status")
        with Horizontal(id="panel-body"):
            yield OptionList(id="agenda")
            with Vertical(id="panel-item"):
                yield VerticalScroll(Static(id="panel-case"), id="panel-case-scroll")
                yield Static(id="panel-outcome")
                yield _decision_row(
                    "Receiving",
                    Select([], id="p-receiving", prompt="agency…", compact=True),
                )
                yield _decision_row("Pathway", Input(id="p-pathway", compact=True))
                yield _decision_row(
                    "Rationale",
                    TextArea(id="p-rationale", placeholder="why (10+ characters)", compact=True),
                    long=True,
                )
                yield _decision_row("Review", Input(id="p-review", compact=True))
                yield Static(id="panel-error")
        yield Footer()

    def on_mount(self) -> None:
        self.panel_date = self.panel_date or self.now().astimezone().date()
        self.query_one("#panel-error").display = False
        self._show_outcome()
        # Keys typed right after P ("2" and a rationale) belong to the first item: they
        # wait until it is shown, or its arrival reset them and the letters met the agenda.
        self.panel.hold("panel")
        self.load()
        self.query_one("#agenda").focus()

    # --- loading -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="panel-agenda", exit_on_error=False)
    def load(self) -> None:
        app = self.panel
        assert self.panel_date is not None
        day = self.panel_date
        try:
            entries = retrying(app, lambda: agenda(app.store, day, app.now()))
            codes = retrying(app, lambda: orm_queries.agencies(app.store))
        except BaseException:
            self.app.call_from_thread(app.release, "panel")  # no item coming: keys go on
            raise
        self.app.call_from_thread(self._loaded, entries, [(a.code, a.code) for a in codes])

    def refresh_data(self) -> None:
        self.load()

    def on_identity_changed(self, message: IdentityChanged) -> None:
        """Another user (switch user): what they may do decides which fields take typing.

        The fields are set for the new user at once, and keys typed meanwhile wait for the
        agenda read again: they met fields still disabled for the last user, and the
        letters of a rationale the agenda (J reordered it, n stepped on)."""
        self.panel.hold("panel")
        self._show_status()  # (then AppScreen's handler reads the agenda again)

    def on_unmount(self) -> None:
        self.panel.release("panel")  # nothing here is coming any more

    def _loaded(self, entries: list[AgendaEntry], agencies: list) -> None:
        current = self.entries[self.index].ref if self.entries else None
        self.entries = entries
        if agencies != getattr(self, "_agency_options", None):
            receiving = self.query_one("#p-receiving", Select)
            keep = receiving.value
            receiving.set_options(plain_options(agencies))
            self._agency_options = agencies
            if keep is not Select.NULL and (keep, keep) in agencies:
                receiving.value = keep
        refs = [e.ref for e in entries]
        self.index = refs.index(current) if current in refs else min(self.index, len(refs) - 1)
        self.index = max(0, self.index)
        if self._advance:
            self._advance = False
            later = [i for i, e in enumerate(entries) if not e.decided and i > self.index]
            sooner = [i for i, e in enumerate(entries) if not e.decided]
            self.index = (later or sooner or [self.index])[0]
        agenda_list = self.query_one("#agenda", OptionList)
        agenda_list.clear_options()
        agenda_list.add_options(Option(self._label(e), id=e.ref) for e in entries)
        if entries:
            agenda_list.highlighted = self.index
        self._show_status()
        self._load_item()

    @staticmethod
    def _label(e: AgendaEntry) -> Text:
        mark = "✓" if e.decided else ("+" if e.picked else "·")
        text = Text(visible(f"{mark} {e.ref} {e.risk}", multiline=False), no_wrap=True)
        if e.decided:
            text.stylize("dim")
        return text

    def _show_status(self) -> None:
        done = sum(1 for e in self.entries if e.decided)
        where = f"item {self.index + 1} of {len(self.entries)}" if self.entries else "agenda empty"
        refusal = self._view_only()
        how = f"view only: {refusal}" if refusal else "1–4 outcome, ctrl+s record"
        self.query_one("#panel-status", Static).update(
            Text(f"Panel {self.panel_date} · {where} · {done} decided · {how}")
        )
        # Someone who may not record this item cannot type a decision that would be lost.
        for field in self.query(".panel-decision"):
            field.disabled = refusal is not None

    def _view_only(self) -> str | None:
        """Who records the current item, when it is not the acting person (None: they may).

        The store refuses the write anyway; this says so before anything is typed."""
        if self.detail is None or self.may(self._record_action(), self.detail.dispute_type):
            return None
        who = ", ".join(sorted(self.panel.policy.roles_for(self._record_action()))) or "nobody"
        what = "a final determination" if self._final() else "the decision"
        return f"{what} is recorded by {who}"

    def _record_action(self) -> Action:
        return Action.FINAL_DETERMINATION if self._final() else Action.RECORD_DECISION

    def _load_item(self) -> None:
        if not self.entries:
            self.panel.release("panel")
            self.query_one("#panel-case", Static).update(
                "Nothing at the panel stage today. + adds a dispute by reference."
            )
            return
        ref = self.entries[self.index].ref
        if self.detail is None or self.detail.ref != ref:
            # Keys typed now ("2" and a rationale after n) belong to the item coming: they
            # wait until it is shown, or its arrival reset what they chose.
            self.panel.hold("panel")
        self._fetch_detail(ref)

    @work(thread=True, exclusive=True, group="panel-item", exit_on_error=False)
    def _fetch_detail(self, ref: str) -> None:
        app = self.panel
        try:
            detail = retrying(app, lambda: orm_detail.dispute_detail(app.store, ref, app.now()))
        except BaseException:
            self.app.call_from_thread(app.release, "panel")
            raise
        self.app.call_from_thread(self._show_item, detail)

    def _show_item(self, d: DisputeDetail) -> None:
        try:
            self._fill_item(d)
        finally:
            self.panel.release("panel")

    def _fill_item(self, d: DisputeDetail) -> None:
        changed = self.detail is None or self.detail.ref != d.ref
        if changed and self.detail is not None:
            self._keep_typed(self.detail.ref)
        self.detail = d
        entry = self.entries[self.index] if self.entries else None
        text = Text()
        # Stored text shows its control characters escaped (rules/text.py).
        text.append(visible(f"{d.ref} "), style="bold")
        text.append(visible(f"{d.dispute_type} · {d.risk.upper()} · {d.raising_agency}→"))
        text.append(visible(f"{','.join(d.responding_agencies)} · {clock_plain(d.clock)}") + "\n")
        for label, value in (
            ("Problem", d.problem_statement),
            ("Rule conflict", d.rule_conflict),
            ("Requested", d.requested_decision),
            ("Evidence", d.evidence_summary),
            ("Interim", d.interim_risk_actions),
        ):
            text.append(f"{label}: ", style="dim")
            text.append(f"{visible(value)}\n")
        if entry and entry.decisions:
            x = entry.decisions[-1]
            text.append(
                visible(
                    f"✓ decided: {x.outcome}{receiving_text(x.outcome, x.receiving_agency)} "
                    f"by {x.decided_by}"
                )
                + "\n",
                style="bold green",
            )
        self.query_one("#panel-case", Static).update(text)
        if changed:  # keep what the chair typed when the same item refreshes
            self.query_one("#p-receiving", Select).value = _known_receiving(d) or Select.NULL
            self.query_one("#p-pathway", Input).value = d.proposed_pathway
            self.query_one("#p-rationale", TextArea).text = self.typed.pop(d.ref, "")
            review = self.now().astimezone().date() + REVIEW_AFTER
            self.query_one("#p-review", Input).value = review.isoformat()
            self.outcome = Outcome.ASSIGNED
            self._show_outcome()
            self._error("")
            self.refresh_bindings()  # who may record depends on the item's stage
        self._show_status()

    # --- stepping and choosing ---------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#agenda")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != self.index:
            self.index = event.option_index
            self._show_status()
            self._load_item()

    def action_step(self, delta: int) -> None:
        if not self.entries:
            return
        target = max(0, min(len(self.entries) - 1, self.index + delta))
        if target == self.index:
            return
        # Shown here, not by the highlight's message: _highlighted finds the index already
        # moved and did nothing, so n and p moved the highlight but not the item shown, and
        # ctrl+s then recorded nothing (the item shown was not the one highlighted).
        self.index = target
        self.query_one("#agenda", OptionList).highlighted = target
        self._show_status()
        self._load_item()

    def action_outcome(self, index: int) -> None:
        refusal = self._view_only()
        if refusal:
            self.notify(f"Not chosen: {refusal}.", severity="warning")
            return
        self.outcome = OUTCOMES[index]
        # No agreement: nobody receives the person. (Not upheld names the agency whose
        # arrangement stands, in the same field.)
        if not self.outcome.resolves:
            self.query_one("#p-receiving", Select).value = Select.NULL
        self._show_outcome()
        self.query_one("#p-rationale", TextArea).focus()

    def _final(self) -> bool:
        """The current item is with the final authority: only a final determination decides it."""
        return self.detail is not None and self.detail.stage >= Stage.FINAL_AUTHORITY

    def _show_outcome(self) -> None:
        text = Text("Outcome ", style="dim")
        if self._final():
            text = Text("Final determination · ", style="bold")
        for i, o in enumerate(OUTCOMES, start=1):
            label = OUTCOME_LABELS[o].split(":")[0]
            # The chosen one in brackets as well as reversed: never by styling alone.
            chosen = o is self.outcome
            text.append(f"{i}", style="bold")
            shown = f" [{label}]" if chosen else f" {label}"
            text.append(shown, style="reverse bold" if chosen else "")
            text.append(" ")
        self.query_one("#panel-outcome", Static).update(text)

    def _error(self, message: str) -> None:
        box = self.query_one("#panel-error", Static)
        box.update(Text(visible(message)))  # errors quote what was typed: never markup
        box.display = bool(message)

    # --- recording -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "outcome":
            return True  # a view-only user is told why (action_outcome), not met by silence
        if action == "record" and self.detail is not None:
            return self.may(self._record_action(), self.detail.dispute_type)
        if action in ("record", "move", "add", "remove"):
            return self.may(Action.RECORD_DECISION)
        return True

    def action_record(self) -> None:
        if not self.entries or self.detail is None:
            return
        entry = self.entries[self.index]
        if entry.ref != self.detail.ref:
            return
        receiving = self.query_one("#p-receiving", Select).value
        values = dict(
            outcome=self.outcome.value,
            receiving=None if receiving is Select.NULL else str(receiving),
            pathway=self.query_one("#p-pathway", Input).value,
            rationale=self.query_one("#p-rationale", TextArea).text,
            review=self.query_one("#p-review", Input).value,
            final=self._final(),
        )
        self._record(entry.ref, self.detail.version, values)

    @work(thread=True, exclusive=True, group="panel-record", exit_on_error=False)
    def _record(self, ref: str, version: int, v: dict) -> None:
        app = self.panel
        ledger = app.ledger()
        try:
            review = parse_date(v["review"], "review_date")
            retrying(
                app,
                lambda: ledger.record_decision(
                    ref,
                    v["outcome"],
                    v["rationale"],
                    review,
                    receiving_agency=v["receiving"],
                    pathway=v["pathway"],
                    final=v["final"],
                    expected_version=version,
                ),
            )
        except InvalidInputError as exc:
            self.app.call_from_thread(self._error, f"✖ {exc.field}: {field_message(exc)}")
            return
        except DomainError as exc:
            self.app.call_from_thread(self._error, f"✖ {exc}")
            return
        self.app.call_from_thread(self._recorded, ref, v["final"])

    def _keep_typed(self, ref: str) -> None:
        """Keep what was typed in the rationale for ``ref``, which is leaving the screen."""
        text = self.query_one("#p-rationale", TextArea).text
        if text.strip():
            self.typed[ref] = text

    def _recorded(self, ref: str, final: bool = False) -> None:
        self.typed.pop(ref, None)
        self.notify(f"Recorded the {'final determination' if final else 'decision'} on {ref}.")
        self.query_one("#agenda").focus()
        self.detail = None
        self._advance = True
        self.load()

    # --- the agenda itself -----------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        if self.entries:
            order = [e.id for e in self.entries]
            ref = self.entries[self.index].ref
            self._agenda_call(lambda a, day: a.move(day, ref, delta, order))
            self.index = max(0, min(len(order) - 1, self.index + delta))

    def action_add(self) -> None:
        from panel_tui.screens.modals import AskModal

        def chosen(ref: str | None) -> None:
            if ref:
                self._agenda_call(lambda a, day: a.add(day, ref.upper()))

        self.app.push_screen(AskModal("Add to today's agenda", "D-2026-0042"), chosen)

    def action_remove(self) -> None:
        if self.entries:
            ref = self.entries[self.index].ref
            self._agenda_call(lambda a, day: a.remove(day, ref))

    @work(thread=True, group="panel-agenda-write", exit_on_error=False)
    def _agenda_call(self, call) -> None:  # noqa: ANN001
        app = self.panel
        assert self.panel_date is not None
        agenda_writer = PanelAgenda(app.store, app.login, clock=app.now)
        try:
            retrying(app, lambda: call(agenda_writer, self.panel_date))
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.load)

    def action_summary(self) -> None:
        from panel_tui.screens.minutes import MinutesScreen

        assert self.panel_date is not None
        self.app.push_screen(MinutesScreen(self.panel_date, self.entries))

    def unsaved(self) -> str | None:
        """What would be lost by leaving now (None: nothing typed)."""
        refs = [ref for ref, text in self.typed.items() if text.strip()]
        text = self.query_one("#p-rationale", TextArea).text.strip()
        if text and self.detail is not None and self.detail.ref not in refs:
            refs.insert(0, self.detail.ref)
        if not refs:
            return None
        return f"the rationale typed for {', '.join(refs)} (not recorded)"

    def action_back(self) -> None:
        if isinstance(self.focused, Input | Select | TextArea):
            self.query_one("#agenda").focus()
            return
        lost = self.unsaved()
        if lost is None:
            self.app.pop_screen()
            return
        from panel_tui.screens.modals import ConfirmModal

        def answered(leave: bool | None) -> None:
            if leave and self.app.screen is self:
                self.app.pop_screen()

        self.app.push_screen(ConfirmModal("Leave panel mode?", f"You lose {lost}."), answered)


def _known_receiving(d: DisputeDetail) -> str | None:
    """The receiving agency where it is known, never a guess: the one an earlier decision on
    this dispute named (the panel re-deciding after the receiving team did not accept)."""
    for x in reversed(d.decisions):
        if x.receiving_agency:
            return x.receiving_agency
    return None
