"""The dispute actions: which right each needs, and the modal that takes its input.

Each builder returns a ``FormModal`` whose submit calls one ``Ledger``
operation with ``expected_version`` read at submit time, so a reload after a
stale write is picked up without retyping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from panel_tui.rules import lifecycle
from panel_tui.rules.enums import (
    CONTACT_METHODS,
    Action,
    ClockState,
    ContactOutcome,
    EvidenceKey,
    Outcome,
    ReviewTrigger,
    Risk,
)
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.lifecycle import require_text
from panel_tui.rules.limits import bounded_text
from panel_tui.rules.text import visible
from panel_tui.rules.when import parse_date
from panel_tui.screens.modals import Check, Field, FormModal
from panel_tui.store.ledger import Ledger
from panel_tui.store.read.dispute_models import DisputeDetail
from panel_tui.store.read.people_models import AgencyView, PersonView

OUTCOME_LABELS = {
    Outcome.ASSIGNED: "assigned: one agency takes it on",
    Outcome.JOINT: "joint: agencies share under a joint plan",
    Outcome.NOT_UPHELD: "not upheld: current arrangement stands",
    Outcome.NO_AGREEMENT: "no agreement: escalate",
}
REVIEW_AFTER = timedelta(days=28)


@dataclass(frozen=True)
class ActionSpec:
    key: str
    name: str  # the screen's action name
    right: Action
    label: str


ACTIONS = (
    ActionSpec("e", "escalate", Action.ESCALATE, "Escalate"),
    ActionSpec("c", "cover", Action.ASSIGN_COVER, "Cover"),
    ActionSpec("v", "provisional", Action.AUTHORISE_PROVISIONAL, "Provisional"),
    ActionSpec("t", "contact", Action.LOG_CONTACT, "Contact"),
    ActionSpec("d", "decide", Action.RECORD_DECISION, "Decide"),
    ActionSpec("f", "final", Action.FINAL_DETERMINATION, "Final"),
    ActionSpec("a", "accept", Action.CONFIRM_ACCEPTANCE, "Accept"),
    ActionSpec("w", "withdraw", Action.WITHDRAW, "Withdraw"),
    ActionSpec("h", "holder", Action.ASSIGN_PLAN_HOLDER, "Holder"),
    ActionSpec("x", "evidence", Action.RECORD_EVIDENCE, "Evidence"),
    ActionSpec("E", "edit", Action.EDIT_FORM, "Edit form"),
    ActionSpec("n", "note", Action.ADD_NOTE, "Note"),
    ActionSpec("p", "pathway", Action.RECORD_PATHWAY, "Pathway"),
    ActionSpec("g", "trigger", Action.REVIEW_TRIGGER, "Trigger"),
    ActionSpec("r", "review", Action.RECORD_REVIEW, "Review"),
    ActionSpec("k", "rerate", Action.RERATE_RISK, "Re-rate"),
    ActionSpec("s", "sync", Action.RECORD_SYNC, "Sync"),
    # Consent's scope is part of the form: the form's editors record it (ledger/plan.py).
    ActionSpec("C", "consent", Action.EDIT_FORM, "Consent"),
)


def _agency_options(agencies: list[AgencyView]) -> list[tuple[str, str]]:
    return [(visible(f"{a.code} {a.name}", multiline=False), a.code) for a in agencies]


def _people_options(people: list[PersonView]) -> list[tuple[str, str]]:
    return [
        (visible(f"{p.display_name} ({p.login})", multiline=False), p.login)
        for p in people
        if p.active
    ]


@dataclass
class Builder:
    """Builds the modal for an action on one dispute."""

    ledger: Ledger
    d: DisputeDetail  # the dispute as the user saw it when the action began
    agencies: list[AgencyView]
    people: list[PersonView]
    today: date
    reload: Callable[[Builder], None]  # rereads the dispute and calls ``reloaded``

    def __post_init__(self) -> None:
        # The version the user saw: a change by someone else since is a stale write.
        self.version = self.d.version
        self._open: tuple[str, FormModal] | None = None  # the action's dialog on screen

    def open(self, name: str) -> FormModal:
        """The dialog for action ``name``; a reload describes it again (``reloaded``)."""
        modal = getattr(self, name)()
        self._open = (name, modal)
        return modal

    def reloaded(self, detail: DisputeDetail) -> None:
        """The dispute as it is now: the open dialog shows it, and saves against it."""
        self.d, self.version = detail, detail.version
        if self._open is not None:
            name, modal = self._open
            modal.call_later(modal.refit, getattr(self, name)())

    def reload_failed(self, error: Exception) -> None:
        if self._open is not None:
            self._open[1].show_error(error)

    def _modal(
        self,
        title: str,
        fields: list[Field],
        submit,  # noqa: ANN001
        intro: str = "",
        checks: Sequence[Check] = (),
    ) -> FormModal:
        # Every text is bounded as the store bounds it; then the action's own checks.
        bounded = [_bounded(f.name) for f in fields if not f.options]
        return FormModal(
            title,
            fields,
            submit,
            intro=intro,
            reload=lambda: self.reload(self),
            checks=[*bounded, *checks],
        )

    def _v(self) -> int:
        return self.version

    def escalate(self) -> FormModal:
        d = self.d
        fields = [
            Field(
                "note", "Escalation note", placeholder="what happens at the next rung", long=True
            ),
            Field(
                "impact",
                "Impact on the person so far (required)",
                placeholder="missed support, risk, a crisis contact",
                long=True,
            ),
        ]
        intro = f"{d.ref}: from stage {d.stage} to stage {d.stage + 1}."
        if d.clock.state is ClockState.BREACHED:
            fields.insert(
                0, Field("breach_reason", "Why did this stage breach? (required)", long=True)
            )
            intro += " ✖ This stage is BREACHED: a breach reason is required."
        return self._modal(
            f"Escalate {d.ref}",
            fields,
            lambda v: self.ledger.escalate(
                d.ref,
                v["note"],
                v.get("breach_reason", ""),
                impact=v["impact"],
                expected_version=self._v(),
            ),
            intro,
            [
                *([_breach_reason_given] if d.clock.state is ClockState.BREACHED else []),
                _text("impact", "The impact on the person", 5),  # the store's check (ladder.py)
            ],
        )

    def cover(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Interim cover for {d.ref}",
            [
                Field(
                    "provider_agency", "Interim provider", options=_agency_options(self.agencies)
                ),
                Field(
                    "support_level", "Minimum support level", placeholder="e.g. daily welfare call"
                ),
            ],
            lambda v: self.ledger.assign_cover(
                d.ref, v["provider_agency"], v["support_level"], expected_version=self._v()
            ),
            "Service first: who provides what now, while who pays is decided.",
            [
                _chosen("provider_agency", "the agency that provides the cover"),
                _text("support_level", "The minimum support level"),
            ],
        )

    def provisional(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Provisional support package for {d.ref}",
            [
                Field("coordinator", "Named coordinator", options=_people_options(self.people)),
                Field(
                    "actions",
                    "Actions",
                    placeholder="welfare check; med reconciliation; …",
                    long=True,
                ),
                Field("days", "Length in days (7–14)", "14", aliases=("end",)),
            ],
            lambda v: self.ledger.start_provisional(
                d.ref,
                v["coordinator"],
                v["actions"],
                days=_int(v["days"], "days"),
                expected_version=self._v(),
            ),
            checks=[
                _chosen("coordinator", "the package's named coordinator"),
                _text("actions", "The package's actions"),
                lambda v: _int(v["days"], "days"),
            ],
        )

    def contact(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Contact attempt on {d.ref}",
            [
                Field("method", "Method", "phone", options=[(m, m) for m in CONTACT_METHODS]),
                Field(  # no default: "reached" when nobody was reached is worse than asking
                    "outcome",
                    "Outcome",
                    options=[(o.value.replace("_", " "), o.value) for o in ContactOutcome],
                ),
                Field("note", "Note", long=True),
            ],
            lambda v: self.ledger.log_contact(
                d.ref, v["method"], v["outcome"], v["note"], expected_version=self._v()
            ),
            checks=[
                _chosen("method", "how the contact was attempted"),
                _chosen("outcome", "what came of the attempt"),
            ],
        )

    def decide(self, *, final: bool = False) -> FormModal:
        d = self.d
        outcomes = [
            (label, o.value)
            for o, label in OUTCOME_LABELS.items()
            if not (final and o is Outcome.NO_AGREEMENT)
        ]
        return self._modal(
            f"{'Final determination' if final else 'Decision'} on {d.ref}",
            [
                Field("outcome", "Outcome", Outcome.ASSIGNED.value, options=outcomes),
                Field(  # chosen, never pre-filled: it names who takes the person on
                    "receiving_agency",
                    "Receiving agency (assigned or joint)",
                    options=_agency_options(self.agencies),
                ),
                Field("pathway", "Pathway / program", d.proposed_pathway),
                Field("rationale", "Rationale", placeholder="why, in a sentence or two", long=True),
                Field("review_date", "Review date", (self.today + REVIEW_AFTER).isoformat()),
            ],
            lambda v: self.ledger.record_decision(
                d.ref,
                v["outcome"],
                v["rationale"],
                parse_date(v["review_date"], "review_date"),
                receiving_agency=v["receiving_agency"] or None,
                pathway=v["pathway"],
                final=final,
                expected_version=self._v(),
            ),
            checks=[
                _chosen("outcome", "the outcome"),
                self._receiving_named,
                _text("rationale", "The rationale", 10),
                self._review_ahead,
            ],
        )

    @staticmethod
    def _receiving_named(v: dict[str, str]) -> None:
        if v["outcome"] in {o.value for o in Outcome}:  # else _chosen says choose one
            lifecycle.check_receiving(Outcome(v["outcome"]), v["receiving_agency"])

    def _review_ahead(self, v: dict[str, str]) -> None:
        review = parse_date(v["review_date"], "review_date", today=self.today)
        if review < self.today:
            raise InvalidInputError(
                f"review date {review.isoformat()} is in the past", field="review_date"
            )

    def final(self) -> FormModal:
        return self.decide(final=True)

    def accept(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Confirm acceptance of {d.ref}",
            [
                Field("start_plan", "Start plan", placeholder="who starts what, when", long=True),
                Field("start_date", "Start date", self.today.isoformat()),
            ],
            lambda v: self.ledger.confirm_acceptance(
                d.ref,
                v["start_plan"],
                parse_date(v["start_date"], "start_date"),
                expected_version=self._v(),
            ),
            "The receiving team confirms it takes the person on. This closes the dispute.",
            [_text("start_plan", "The start plan", 10), _date("start_date")],
        )

    def withdraw(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Withdraw {d.ref}",
            [Field("reason", "Reason", long=True)],
            lambda v: self.ledger.withdraw(d.ref, v["reason"], expected_version=self._v()),
            checks=[_text("reason", "A reason for withdrawing", 5)],
        )

    def holder(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Plan holder for {d.ref}",
            [
                Field(
                    "login",
                    "Plan holder",
                    d.plan_holder_login or "",
                    options=_people_options(self.people),
                    aliases=("plan_holder",),
                )
            ],
            lambda v: self.ledger.assign_plan_holder(d.ref, v["login"], expected_version=self._v()),
            checks=[_chosen("login", "the plan holder")],
        )

    def evidence(self) -> FormModal:
        d = self.d
        missing = next((e.key for e in d.evidence if not e.present), EvidenceKey.CONTACT_HISTORY)
        return self._modal(
            f"Evidence on {d.ref}",
            [
                Field(
                    "key", "Item", str(missing), options=[(k.label, k.value) for k in EvidenceKey]
                ),
                Field("present", "Present?", "yes", options=[("yes", "yes"), ("no", "no")]),
                Field("note", "Note (required when absent)"),
            ],
            lambda v: self.ledger.record_evidence(
                d.ref, v["key"], v["present"] == "yes", v["note"], expected_version=self._v()
            ),
            checks=[_absent_noted],
        )

    def note(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Note on {d.ref}",
            [Field("text", "Note", long=True)],
            lambda v: self.ledger.add_note(d.ref, v["text"]),
            checks=[_text("text", "The note", 1)],
        )

    def pathway(self) -> FormModal:
        d = self.d
        package = d.active_package
        intro = "The person moves into a funded pathway: the provisional package converts to it."
        if package is not None and package.expired:
            intro = "✖ The package has EXPIRED: record the funded pathway, or escalate (e)."
        return self._modal(
            f"Funded pathway for {d.ref}",
            [Field("pathway", "Funded pathway", d.proposed_pathway)],
            lambda v: self.ledger.record_pathway(d.ref, v["pathway"], expected_version=self._v()),
            intro,
        )

    def trigger(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Review trigger on {d.ref}",
            [
                Field(  # no default: which trigger it was is the point of recording it
                    "trigger",
                    "What happened",
                    options=[(t.label, t.value) for t in ReviewTrigger],
                ),
                Field("note", "Note", placeholder="what happened, when", long=True),
            ],
            lambda v: self.ledger.review_trigger(
                d.ref, v["trigger"], v["note"], expected_version=self._v()
            ),
            "The review comes forward (the policy says by how many days).",
        )

    def review(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Review of {d.ref}",
            [
                Field("note", "What the review found", long=True),
                Field(
                    "next",
                    "Next review date (empty: none)",
                    (self.today + REVIEW_AFTER).isoformat(),
                ),
            ],
            lambda v: self.ledger.record_review(
                d.ref,
                v["note"],
                parse_date(v["next"], "next") if v["next"].strip() else None,
                expected_version=self._v(),
            ),
        )

    def rerate(self) -> FormModal:
        d = self.d
        return self._modal(
            f"Re-rate the risk of {d.ref}",
            [
                Field(
                    "risk",
                    "New risk",
                    options=[(r.value, r.value) for r in Risk if r.value != d.risk],
                ),
                Field("note", "Why", long=True),
            ],
            lambda v: self.ledger.rerate_risk(
                d.ref, v["risk"], v["note"], expected_version=self._v()
            ),
            f"Now {d.risk}. The current stage's clock tightens from now if the new window "
            "ends sooner; it never moves later.",
        )

    def sync(self) -> FormModal:
        from panel_tui.screens.plan_dialogs import sync_dialog

        return sync_dialog(self)

    def consent(self) -> FormModal:
        from panel_tui.screens.plan_dialogs import consent_dialog

        return consent_dialog(self)


def _int(text: str, field: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInputError("a whole number", field=field) from None


def _chosen(name: str, what: str) -> Check:
    def check(v: dict[str, str]) -> None:
        if not v[name].strip():
            raise InvalidInputError(f"choose {what}", field=name)

    return check


def _text(name: str, what: str, minimum: int = 3) -> Check:
    return lambda v: require_text(v[name], name, what, minimum)


def _bounded(name: str) -> Check:
    return lambda v: bounded_text(v[name], name)


def _date(name: str) -> Check:
    return lambda v: parse_date(v[name], name)


def _breach_reason_given(v: dict[str, str]) -> None:
    if not v["breach_reason"].strip():  # the store's rule (lifecycle.check_escalate)
        raise InvalidInputError(
            "this stage is breached: a breached stage is escalated with the reason it breached",
            field="breach_reason",
        )


def _absent_noted(v: dict[str, str]) -> None:
    if v["present"] == "no" and not v["note"].strip():
        raise InvalidInputError(
            "an absent item needs a note saying why and when it will be available", field="note"
        )
