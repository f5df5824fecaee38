"""One dispute in full: form, evidence, every rung of the ladder, cover, package, decisions,
acceptance, notes and the event history. Actions on keys, shown only where the
decision-rights map allows the current user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from panel_tui.messages import StoreChanged
from panel_tui.rules import lifecycle
from panel_tui.rules.clocks import format_duration
from panel_tui.rules.enums import Outcome, Stage, Status
from panel_tui.rules.errors import TransitionError
from panel_tui.rules.fields import TEXT_FIELDS
from panel_tui.rules.text import visible
from panel_tui.screens.actions import ACTIONS, Builder
from panel_tui.screens.base import retrying
from panel_tui.screens.form import SHORT
from panel_tui.screens.kept import KeptScreen
from panel_tui.store.read import orm_detail, orm_queries
from panel_tui.store.read.dispute_models import DisputeDetail
from panel_tui.widgets.clock_badge import ClockBadge, local_time
from panel_tui.widgets.evidence import EvidenceChecklist
from panel_tui.widgets.footer import KeysFooter
from panel_tui.widgets.labelled_rows import LabelledRows
from panel_tui.widgets.stage_ladder import DetailSection, RenderedOnce, StageLadder

SPECS = {spec.name: spec for spec in ACTIONS}


def receiving_text(outcome: str, agency: str | None) -> str:
    """ " → MCO" where an agency takes the person on; nothing for not upheld / no agreement."""
    taking = outcome in (Outcome.ASSIGNED.value, Outcome.JOINT.value)
    return f" → {agency}" if taking and agency else ""


def possible(name: str, d: DisputeDetail) -> bool:
    """Whether action ``name`` can succeed on ``d`` as it stands (rules/lifecycle's checks)."""
    status = Status(d.status)
    try:
        if name == "accept":
            last = Outcome(d.decisions[-1].outcome) if d.decisions else None
            lifecycle.check_acceptance(d.ref, status, last)
        elif name in ("decide", "final"):
            lifecycle.check_decision(d.ref, status, Stage(d.stage), final=name == "final")
        elif name == "sync" and d.plan is None:
            return False  # the plan holder convenes it: none assigned, none to record
    except TransitionError:
        return False
    return True


def _section(title: str) -> Static:
    return Static(title, classes="section-title")


Rows = tuple[tuple[str, str], ...]


def _lines(rows: Rows) -> LabelledRows:
    """Label and value, a row each (the look of ``labelled_table``, drawn faster)."""
    return LabelledRows(rows)


def _table(rows: Rows) -> RenderedOnce:
    return RenderedOnce(_lines(rows))


def _table_or_none(rows: Rows) -> RenderedOnce | str:
    return _table(rows) if rows else "none"


#: Rows past which a section below the fold is drawn after the first frame of an open.
#: Drawing it later costs two more layouts and repaints of the screen (about 35 ms of
#: CPU at 120×40 on a loaded machine); measuring a table with Rich costs about 0.3 ms
#: a row. So a demo dispute's sections (up to 24 rows) are drawn with the first frame,
#: and only a long history or long notes wait for the next.
LONG_SECTION = 60

#: Seconds after a dispute is filled in and laid out ahead before it is drawn ahead
#: (settle_ahead: any layout its widgets asked for meanwhile first), so that a key
#: typed then waits for one of the two, not both.
DRAW_AFTER = 0.03

#: What a dispute read ahead was read for: its ref, the user, the store's data version.
AheadKey = tuple[str, str, int]


class DisputeScreen(KeptScreen):
    """The dispute detail."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back"),
        # Help second, not after the actions as the app's own binding falls: at 80
        # columns the footer ends after five or six actions, and help lists them all.
        Binding("f1,question_mark", "app.help", "Help", id="detail.help"),
        *(
            Binding(spec.key, f"act('{spec.name}')", spec.label, id=f"detail.{spec.name}")
            for spec in ACTIONS
        ),
        Binding("R", "reload", "Reload", show=False, id="detail.reload"),
    ]

    def __init__(self, ref: str = "") -> None:
        """``ref``: the dispute to show; none for a screen built ahead, filled by ``reopen``."""
        super().__init__()
        self.ref = ref
        self._built_ahead = not ref
        self.detail: DisputeDetail | None = None
        self._rights: tuple[object, ...] | None = None  # what the footer's keys were drawn for
        self._opener: Screen | None = None  # the screen the user opened this dispute from
        self._offer_basis: tuple[object, ...] = ()  # what the answers in _offers stand on
        self._offers: dict[str, bool] = {}  # check_action's answers, by action
        self._opening = False  # an open's read is under way (reopen until it is shown)
        self._ahead: AheadKey | None = None  # the dispute filled in ahead, while current
        self._ahead_reads = 0  # one more per read ahead and per reason to drop one
        self._reading: tuple[str, int] | None = None  # the read ahead under way: ref, count
        self._wanted: tuple[str, int] | None = None  # that read, to be shown when it arrives

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="detail"):
            yield DetailSection(id="summary")
            yield ClockBadge(id="badge")
            for title, body in (
                ("Ladder", StageLadder(id="ladder")),
                ("Form", DetailSection(id="form")),
                ("Evidence", EvidenceChecklist(id="evidence")),
                ("Interim cover · provisional package", DetailSection(id="protection")),
                ("Plan holder · consent · impact on the person", DetailSection(id="plan")),
                ("Decisions · acceptance", DetailSection(id="decisions")),
                ("Notes", DetailSection(id="notes")),
                ("History", DetailSection(id="history")),
            ):
                yield _section(title)
                yield body
        yield KeysFooter()

    def on_mount(self) -> None:
        if self._built_ahead:  # PanelApp._prebuild_detail: reopen() reads the dispute
            if not self.ref:
                self.call_later(self._build_ahead)
            # else reopen() came before this mount: a second read here would cancel its
            # read (one worker group) before it started, and the screen was never pushed.
            return
        self.query_one("#summary", DetailSection).update(f"{self.ref} …loading")
        # A key typed right after Enter (n for a note) is for this dispute: it waits
        # until the dispute is in the screen, or it would find nothing to act on.
        self.panel.hold("dispute")
        self.load(held=True)

    async def _build_ahead(self) -> None:
        """Mount every key this screen may offer (hidden) and lay it out, off the stack;
        then read ahead the row the queue's cursor rests on (else warm the read up on
        the store's first dispute: orm_detail.warm_up)."""
        resting = self.panel.resting_on
        if resting is None:
            self._warm_up()
        if not self.ref:  # else a dispute came first: its keys are mounted as usual
            # The screen's own bindings as the keymap binds them (Textual's binding chain).
            bindings = [b for node, keys in self._binding_chain if node is self for _, b in keys]
            await self.query_one(KeysFooter).mount_ahead(bindings)
        if not self.is_current:  # pushed meanwhile: its push lays it out
            self.lay_out_ahead()
            resting = self.panel.resting_on
            if resting is not None:
                self.prepare(resting)

    @work(thread=True, group="detail-warm", exit_on_error=False)
    def _warm_up(self) -> None:
        # A failure here is the next open's to report: that read fails the same way.
        orm_detail.warm_up(self.panel.store, self.panel.now())

    def reopen(self, ref: str) -> None:
        """Fill this screen, kept by the app, with another dispute; the app pushes it when filled.

        Mounting a new screen per dispute took about 0.1 s of Textual's time,
        and showing "…loading" first cost a second full render. So the screen
        is refilled while it is off the stack and pushed once the dispute is
        in it (see PanelApp.open_dispute): the queue stays until then, and
        nothing of the previous dispute is ever shown under the new reference.
        When ``ref`` was filled in ahead (``prepare``) and nothing changed since,
        it is pushed at once; when its read ahead is under way, it is pushed when
        that read arrives (``_fill_ahead``), not read a second time.
        """
        self._opener = self.app.screen
        self._wanted = None
        if self._ahead is not None and self._ahead == self._ahead_key(ref) and self.ref == ref:
            self._ahead = None  # shown now: on the stack, the broadcasts keep it current
            self.app.push_screen(self)
            return
        if self._reading == (ref, self._ahead_reads):
            # The cursor had just come to rest on it: its read is halfway done.
            self._wanted = self._reading
            self._opening = True
            self.panel.hold("dispute")  # keys typed meanwhile belong on this screen
            return
        self._read_for_open(ref)

    def _read_for_open(self, ref: str) -> None:
        self._drop_ahead()
        self.ref = ref
        self.detail = None
        self._opening = True
        self.panel.hold("dispute")  # keys typed meanwhile belong on this screen
        self.load(push=True)

    # --- read ahead ---------------------------------------------------------------------
    def prepare(self, ref: str) -> None:
        """Fill this screen with ``ref`` off the stack and lay it out, so that Enter on it
        only pushes it (the queue asks for the row its cursor rests on).

        Opening a dispute read it in a thread, then laid out and drew the whole screen
        on the key: some 30-40 ms of CPU, most of an open. What was filled in ahead is
        pushed only while it is current: read for this user at the store's data version
        of the moment of Enter (a commit since, here or elsewhere, makes Enter read it
        again), and no clock tick or change of user since (``refresh_data``)."""
        if self._opening or self in self.app.screen_stack or not self.is_mounted:
            return
        if self._ahead is not None and self.ref == ref and self._ahead == self._ahead_key(ref):
            return  # already in it, still current
        self._drop_ahead()
        self._reading = (ref, self._ahead_reads)
        self._read_ahead(ref, self._ahead_reads)

    @property
    def ahead_ref(self) -> str | None:
        """The dispute filled in ahead and not dropped since (what Enter on it would push)."""
        return self._ahead[0] if self._ahead is not None else None

    def _ahead_key(self, ref: str) -> AheadKey:
        return (ref, self.panel.login, self.panel.store.data_version())

    def _drop_ahead(self) -> None:
        """What was filled in ahead (or is being read) may be stale: never push it as it is."""
        self._ahead = None
        self._ahead_reads += 1

    @work(thread=True, exclusive=True, group="detail-ahead", exit_on_error=False)
    def _read_ahead(self, ref: str, reads: int) -> None:
        app = self.panel
        key = self._ahead_key(ref)  # before the read: a commit meanwhile makes it stale
        try:
            detail = orm_detail.dispute_detail(app.store, ref, app.now())
        except BaseException:
            self.app.call_from_thread(self._read_ahead_failed, ref, reads)
            raise
        self.app.call_from_thread(self._fill_ahead, key, detail, reads)

    def _read_ahead_failed(self, ref: str, reads: int) -> None:
        if self._reading == (ref, reads):
            self._reading = None
        if self._wanted == (ref, reads):  # Enter waits for it: read again, as an open
            self._wanted = None
            self._read_for_open(ref)  # (whose failure, if it fails again, is told)

    def _fill_ahead(self, key: AheadKey, detail: DisputeDetail, reads: int) -> None:
        ref = key[0]
        if self._reading == (ref, reads):
            self._reading = None
        if self._wanted == (ref, reads):  # Enter came while it was read: show it now
            self._wanted = None
            if reads == self._ahead_reads and key == self._ahead_key(ref):
                self.ref, self.detail = ref, None  # another dispute: not "just changed"
                self._loaded(ref, detail, None, push=True, held=True)
            else:  # a tick, another user or a commit since: read again, as an open
                self._read_for_open(ref)
            return
        if reads != self._ahead_reads or self._opening or self in self.app.screen_stack:
            return  # dropped meanwhile, or an open of its own is under way
        if key != self._ahead_key(key[0]):
            return  # changed while it was read: the next rest of the cursor reads it again
        self.ref = key[0]
        self.detail = None  # another dispute: not "just changed"
        self.query_one("#detail", VerticalScroll).scroll_home(animate=False, immediate=True)
        self.show(detail)  # every section now: nobody waits for it
        self.query_one(KeysFooter).redraw_now()
        self._ahead = key
        # Laid out now (an Enter from here on only pushes it), drawn ahead a little later
        # (after what the widgets ask for meanwhile: a key in between waits less).
        self.lay_out_ahead(draw=False)
        wanted = partial(self._still_ahead, reads)
        self.set_timer(DRAW_AFTER, partial(self.settle_ahead, wanted))

    def _still_ahead(self, reads: int) -> bool:
        return reads == self._ahead_reads and self._ahead is not None

    # --- loading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load(self, then: Builder | None = None, *, push: bool = False, held: bool = False) -> None:
        """Read the dispute and show it; ``push``: then push this screen. ``held``
        (implied by ``push``): the keys wait on the "dispute" hold until it is shown."""
        app, ref = self.panel, self.ref
        held = held or push
        try:
            detail = retrying(app, lambda: orm_detail.dispute_detail(app.store, ref, app.now()))
        except BaseException:
            if held:  # no dispute to show: the keys held for it go on
                self.app.call_from_thread(app.release, "dispute")
            if push:
                self.app.call_from_thread(self._opened)
            raise
        self.app.call_from_thread(self._loaded, ref, detail, then, push, held)

    def _opened(self) -> None:
        self._opening = False

    def _loaded(
        self, ref: str, detail: DisputeDetail, then: Builder | None, push: bool, held: bool = False
    ) -> None:
        if not self.is_mounted:  # built ahead and still mounting: its queue runs this after
            self.call_later(self._loaded, ref, detail, then, push, held)
            return
        try:
            self._show_loaded(ref, detail, then, push)
        finally:
            if push:
                self._opened()
            if held:  # shown (or not wanted any more): the keys held for it go on
                self.panel.release("dispute")

    def _show_loaded(
        self, ref: str, detail: DisputeDetail, then: Builder | None, push: bool
    ) -> None:
        if ref != self.ref:
            return  # a late answer for the dispute shown before
        if push:
            if self in self.app.screen_stack or self.app.screen is not self._opener:
                return  # the user went elsewhere meanwhile
            self.query_one("#detail", VerticalScroll).scroll_home(animate=False, immediate=True)
        self.show(detail, then, opening=push)
        if push:
            # Laid out here, off the stack and once: the push then only draws it (pushed
            # to be laid out, it was laid out and drawn twice, and drawn once more).
            self.lay_out_ahead(draw=False)
            self.app.push_screen(self)

    def on_store_changed(self, message: StoreChanged) -> None:
        if self not in self.app.screen_stack:
            # Off the stack, what was read ahead stays: Enter pushes it only if the store's
            # data version is still the one it was read at (the poll's first broadcast, with
            # nothing changed, made every session read its first dispute twice).
            return
        self.refresh_data()

    def refresh_data(self) -> None:
        if self not in self.app.screen_stack:
            # Off the stack (PanelApp._broadcast tells it too): a clock tick or another user
            # makes what was read ahead stale; the queue reads ahead again once it reread.
            self._drop_ahead()
            return
        self.load()

    def show(
        self, detail: DisputeDetail, then: Builder | None = None, *, opening: bool = False
    ) -> None:
        """Fill the sections from ``detail``. ``opening``: the screen is about to be pushed,
        so a long section below the fold (cover and package, plan, decisions, notes,
        history: more than ``LONG_SECTION`` rows) is drawn after its first frame, and the
        footer's keys are drawn now (the first frame shows this dispute's)."""
        before = self.detail
        if before is not None and detail.version != before.version and detail.events:
            last = detail.events[-1]
            if last.actor != self.panel.login:
                self.notify(f"{detail.ref} was just changed by {last.actor} ({last.action}).")
        self.detail = detail
        if then is not None:
            then.reloaded(detail)
        d = detail
        head = Text()
        # Stored text shows its control characters escaped (rules/text.py).
        head.append(visible(f"{d.ref} "), style="bold")
        head.append(visible(f"person {d.person_ref} · {d.dispute_type} · {d.risk.upper()} risk · "))
        head.append(visible(f"{d.raising_agency}→{','.join(d.responding_agencies)} · {d.status}"))
        head.append(visible(f"\nstage {d.stage} · plan holder {d.plan_holder or 'none'}"))
        head.append(visible(f" · opened {local_time(d.opened_at)} by {d.opened_by}"))
        if d.stalled.total_seconds() > 0:
            head.append(f"\n▲ stalled {format_duration(d.stalled)}", style="bold yellow")
        if d.liaison_triggered:
            head.append("  ✖ COMMISSIONER LIAISON TRIGGERED", style="bold red")
        if d.next_step:
            head.append(f"\n✖ NEXT STEP DUE: {d.next_step}", style="bold red")
        if d.review_due_on:
            due = d.review_due_on.isoformat()
            if d.review_due:
                head.append(f"\n▲ REVIEW DUE {due}", style="bold yellow")
            else:
                head.append(f"\nnext review {due}")
        if d.plan is not None and d.plan.sync_overdue:
            head.append("  ✖ SYNC DUE", style="bold red")
        if d.plan is not None and d.plan.period_over:
            head.append("\n✖ HOLDING PERIOD ENDED: re-confirm the plan holder", style="bold red")
        if d.withdrawn_reason:
            head.append(visible(f"\nwithdrawn: {d.withdrawn_reason}"))
        # Each section is redrawn only when what it shows changed (DetailSection.show_source).
        self.query_one("#summary", DetailSection).show_source(head)
        self.query_one(ClockBadge).show(d.clock)
        self.query_one(StageLadder).show(d.stages, d.stage)
        form = tuple((SHORT[name], getattr(d, name)) for name in TEXT_FIELDS)
        self.query_one("#form", DetailSection).show_source(form, _table)
        self.query_one(EvidenceChecklist).show(d.evidence)

        def below(section: str, rows: Rows, render: Callable[[Any], RenderableType]) -> None:
            widget = self.query_one(f"#{section}", DetailSection)
            if opening and len(rows) > LONG_SECTION:
                widget.show_after_refresh(rows, render)
            else:
                widget.show_source(rows, render)

        below("protection", self._protection(d), _table)
        below("plan", self._plan(d), _table)
        below("decisions", self._decisions(d), _table)
        notes = tuple((f"{local_time(n.at)} {n.by}", n.text) for n in d.notes)
        below("notes", notes, _table_or_none)
        history = tuple(
            (
                f"{local_time(e.at)} {e.who}",
                f"{e.action}" + (f" (stage {e.stage})" if e.stage is not None else ""),
            )
            for e in d.events
        )
        below("history", history, _table)
        rights = (d.facts(), self.panel.roles, self.panel.person, self.panel.policy)
        if rights != self._rights:  # the footer recomposes its keys on every refresh
            self._rights = rights
            self.refresh_bindings()
        if opening:  # the keys of this dispute on the first frame, laid out with it
            self.query_one(KeysFooter).redraw_now()

    @staticmethod
    def _plan(d: DisputeDetail) -> Rows:
        """Consent's scope first (what may be shared), then the plan and its syncs, then
        the impact on the person given at each escalation."""
        rows = []
        c = d.consent
        rows.append(
            (
                "consent",
                f"{', '.join(c.agencies)} for {c.purpose} · review {c.review_date.isoformat()}"
                + (" ✖ REVIEW DUE" if c.review_due else ""),
            )
            if c
            else ("consent", f"no scope recorded · basis: {d.consent_basis}")
        )
        p = d.plan
        if p is not None:
            text = f"{p.holder} since {local_time(p.since)}"
            if p.period_ends:
                text += f" until {local_time(p.period_ends)}"
            if p.next_sync_due:
                text += f" · next sync {local_time(p.next_sync_due)}"
            if p.sync_overdue:
                text += " ✖ SYNC DUE"
            if p.period_over:
                text += " ✖ PERIOD ENDED"
            rows.append(("plan", text))
        for x in d.syncs:
            rows.append(
                (
                    f"sync {local_time(x.held_at)}",
                    f"{x.trigger} · with {x.participants}: {x.outcome}",
                )
            )
        for st in d.stages:
            if st.impact:
                rows.append((f"impact S{st.stage}", st.impact))
        return tuple(rows)

    @staticmethod
    def _protection(d: DisputeDetail) -> Rows:
        rows = []
        cover = d.active_cover
        rows.append(
            (
                "cover",
                f"{cover.provider} {cover.support_level} (since {local_time(cover.starts_at)})",
            )
            if cover
            else (
                "cover",
                "✖ none" if d.risk in ("high", "critical") and d.status == "open" else "none",
            )
        )
        for p in d.packages:
            status = f"✖ {p.status.upper()}" if p.expired else p.status
            funded = f" · funded pathway {p.pathway}" if p.pathway else ""
            rows.append(
                (
                    "package",
                    f"{status}: {p.actions} · coordinator {p.coordinator} · "
                    f"{'ended' if p.expired else 'ends'} {local_time(p.ends_at)}{funded}",
                )
            )
            for c in p.contacts:
                rows.append(
                    ("  contact", f"{local_time(c.at)} {c.method} {c.outcome} {c.note} ({c.by})")
                )
        return tuple(rows)

    @staticmethod
    def _decisions(d: DisputeDetail) -> Rows:
        rows = [
            (
                f"{local_time(x.decided_at)}",
                f"{x.kind} at stage {x.stage}: {x.outcome}"
                f"{receiving_text(x.outcome, x.receiving_agency)} "
                f"{x.pathway} · {x.rationale} · by {x.decided_by} ({x.capacity}) · "
                f"review {x.review_date.isoformat()}",
            )
            for x in d.decisions
        ]
        if d.acceptance:
            a = d.acceptance
            rows.append(("accepted", f"{a.accepted_by}: {a.start_plan} (start {a.start_date})"))
        return tuple(rows or [("", "none yet")])

    # --- actions ---------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "act":
            return True
        spec = SPECS[str(parameters[0])]
        if self.detail is None:
            # Not read yet (or being refilled with another dispute): nothing is offered
            # until what it may do is known; keys typed meanwhile wait for it (keyorder).
            return False
        # Textual asks for every key each time it reads the screen's bindings (the footer,
        # a key pressed): the answers stand until the dispute, the user or the policy is
        # another object (a new read, a switch of user, a policy reloaded).
        basis = (self.detail, self.panel.login, self.panel.person, self.panel.policy)
        if len(basis) != len(self._offer_basis) or any(
            a is not b for a, b in zip(basis, self._offer_basis, strict=True)
        ):
            self._offer_basis, self._offers = basis, {}
        offered = self._offers.get(spec.name)
        if offered is None:
            # Offer only what can succeed now, by the same rules the store checks:
            # rights.may (this rung, this status, this agency), then what the dialog needs.
            offered = self.may(spec.right, facts=self.detail.facts()) and possible(
                spec.name, self.detail
            )
            self._offers[spec.name] = offered
        return offered

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def action_act(self, name: str) -> None:
        if self.detail is None:
            return
        if name == "edit":
            from panel_tui.screens.form import DisputeFormScreen

            self.app.push_screen(DisputeFormScreen(self.detail))
            return
        self.panel.hold("dialog")  # what is typed next belongs in the dialog
        self._open_modal(name, self.detail)

    @work(thread=True, group="detail-action", exit_on_error=False)
    def _open_modal(self, name: str, detail: DisputeDetail) -> None:
        app = self.panel
        try:
            agencies = retrying(app, lambda: orm_queries.agencies(app.store))
            people = retrying(app, lambda: orm_queries.people(app.store))
            builder = Builder(
                app.ledger(),
                detail,
                agencies,
                people,
                app.now().astimezone().date(),
                self._reload_into,
            )
            modal = builder.open(name)
            self.app.call_from_thread(self.app.push_screen, modal, self._done)
        finally:
            self.app.call_from_thread(app.release, "dialog")

    def _reload_into(self, builder: Builder) -> None:
        self._load_for(builder)

    @work(thread=True, group="detail-reload", exit_on_error=False)
    def _load_for(self, builder: Builder) -> None:
        """Reread the dispute for an open dialog (not cancelled by the live refresh's loads)."""
        app, ref = self.panel, self.ref
        try:
            detail = retrying(app, lambda: orm_detail.dispute_detail(app.store, ref, app.now()))
        except Exception as exc:  # the dialog says it and stays usable
            self.app.call_from_thread(builder.reload_failed, exc)
            return
        self.app.call_from_thread(self._loaded, ref, detail, builder, False)

    def _done(self, result: object) -> None:
        if result is not None:
            self.notify("Saved.")
            self.load()
