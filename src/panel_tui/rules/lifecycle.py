"""Which operations a dispute's current state allows. Pure: no I/O.

Each ``check_*`` raises TransitionError saying what was refused and why.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from panel_tui.rules.clocks import utc
from panel_tui.rules.enums import ClockState, Outcome, Stage, Status
from panel_tui.rules.errors import InvalidInputError, TransitionError
from panel_tui.rules.limits import bounded_text
from panel_tui.rules.policy import Policy

Choice = TypeVar("Choice", bound=StrEnum)


def check_live(ref: str, status: Status, what: str) -> None:
    if not Status(status).is_live:
        raise TransitionError(
            f"Cannot {what} {ref}: it is {Status(status).value}.",
            hint="Closed and withdrawn disputes only take notes.",
        )


def check_escalate_state(ref: str, status: Status, stage: Stage) -> None:
    """Whether the dispute can move up at all: live, and below the top of the ladder."""
    check_live(ref, status, "escalate")
    if Stage(stage) is Stage.COMMISSIONER_LIAISON:
        raise TransitionError(
            f"Cannot escalate {ref}: it is already at commissioner liaison, the top of the ladder."
        )


def check_escalate(
    ref: str,
    status: Status,
    stage: Stage,
    clock: ClockState,
    breach_reason: str | None,
    liaison: bool,
) -> Stage:
    """The stage an escalation moves to. Breached stages need a breach reason.

    Once commissioner liaison is triggered (the final-authority stage breached, or
    the dispute open past the policy's limit) an escalation goes to liaison from
    whatever rung the dispute is on: the trigger says the ladder has taken too long.
    """
    check_escalate_state(ref, status, stage)
    stage = Stage(stage)
    # Coerce: the store may pass the clock state as its stored text.
    if ClockState(clock) is ClockState.BREACHED and not (breach_reason or "").strip():
        raise TransitionError(
            f"Cannot escalate {ref}: its {stage.label} stage is breached, and a breached "
            "stage is escalated with the reason it breached.",
            hint="Give --breach-reason (in the app: the reason field).",
            rule="lifecycle.breach_reason",
        )
    if liaison:
        return Stage.COMMISSIONER_LIAISON
    target = Stage(stage + 1)
    if target is Stage.COMMISSIONER_LIAISON:
        raise TransitionError(
            f"Cannot escalate {ref} to commissioner liaison: no liaison trigger has been met.",
            hint="Liaison is for a breached final-authority stage or a dispute open past the "
            "policy's limit.",
        )
    return target


def refuse_without_impact(ref: str) -> None:
    """Every escalation logs the impact on the person ([Leadership], example 3)."""
    raise TransitionError(
        f"Cannot escalate {ref} without the impact on the person: every escalation logs "
        "what the delay so far has meant for them.",
        hint="Give --impact (in the app: the impact field): missed support, risk, a crisis.",
        rule="lifecycle.impact",
    )


def check_decision(ref: str, status: Status, stage: Stage, *, final: bool) -> None:
    """Panel (or supervisor-level) decisions at stages 0–2; final determination at 3–4."""
    stage = Stage(stage)
    if Status(status) is not Status.OPEN:
        raise TransitionError(
            f"Cannot record a decision on {ref}: it is {Status(status).value}.",
            hint="A decided dispute awaits acceptance; escalate it if the receiving team refuses.",
        )
    if final and stage < Stage.FINAL_AUTHORITY:
        raise TransitionError(
            f"Cannot make a final determination on {ref} at the {stage.label} stage.",
            hint="Escalate it to the final authority first.",
        )
    if not final and stage >= Stage.FINAL_AUTHORITY:
        raise TransitionError(
            f"{ref} is at the {stage.label} stage: only the named authority's final "
            "determination can decide it now."
        )


def check_receiving(outcome: Outcome, receiving_agency: str | None) -> None:
    """Every outcome but no agreement names an agency: the one that takes the person on, or
    for not upheld the one whose arrangement stands."""
    if Outcome(outcome).resolves and not (receiving_agency or "").strip():
        raise InvalidInputError(
            "name the agency whose arrangement stands (the receiving agency)"
            if Outcome(outcome) is Outcome.NOT_UPHELD
            else "name the receiving agency that will take the person on",
            field="receiving_agency",
        )


def check_decision_content(
    outcome: Outcome, receiving_agency: str | None, rationale: str, review: date, today: date
) -> None:
    check_receiving(outcome, receiving_agency)
    if len(rationale.strip()) < 10:
        raise InvalidInputError("give the rationale in at least 10 characters", field="rationale")
    if review < today:
        raise InvalidInputError(
            f"review date {review.isoformat()} is in the past", field="review_date"
        )


def check_acceptance(ref: str, status: Status, decision: object | None) -> None:
    """Acceptance needs a decision awaiting it (``decision``: its outcome, or None)."""
    if Status(status) is not Status.DECIDED or decision is None:
        raise TransitionError(
            f"Cannot confirm acceptance of {ref}: it has no decision awaiting acceptance "
            f"(it is {Status(status).value})."
        )


def expired_package_error(ref: str, what: str) -> TransitionError:
    """The refusal of anything but the next step on a package past its hard deadline."""
    return TransitionError(
        f"Cannot {what}: the provisional package of {ref} has expired, and its next step is due.",
        hint="Record the funded pathway the person moved to (`pathway`), or escalate with "
        "evidence.",
        rule="provisional.expired",
    )


def check_provisional(
    policy: Policy,
    ref: str,
    status: Status,
    start: datetime,
    end: datetime,
    has_active: bool,
    expired: bool = False,
) -> None:
    check_live(ref, status, "start a provisional package on")
    if expired:
        # A package is not extended by starting another: at the deadline the person
        # moves to a funded pathway or the dispute escalates [Disputes].
        raise expired_package_error(ref, "start another provisional package")
    if has_active:
        raise TransitionError(
            f"{ref} already has an active provisional package.",
            hint="Log contacts against it, or end it before starting another.",
        )
    # Between instants: Python subtracts two times in the same zone on the wall
    # clock, so across a DST change the length would depend on how they were written.
    length = utc(end) - utc(start)
    low = timedelta(days=policy.provisional.min_days)
    high = timedelta(days=policy.provisional.max_days)
    if not low <= length <= high:  # the policy's rule, not a typing mistake: audited
        raise TransitionError(
            f"a provisional package lasts {policy.provisional.min_days}–"
            f"{policy.provisional.max_days} days; this one lasts {length.days} days",
            hint="Choose an end date inside the policy's limits ([provisional] in the policy).",
            rule="policy.provisional_length",
        )


def require_text(value: str | None, field: str, what: str, minimum: int = 3) -> str:
    text = bounded_text(value, field)
    if len(text) < minimum:
        raise InvalidInputError(f"{what} is required (at least {minimum} characters)", field=field)
    return text


def one_of(kind: type[Choice], value: str, field: str) -> Choice:
    """``value`` as a member of the closed vocabulary ``kind``, or an error listing them all."""
    try:
        return kind(value)
    except ValueError:
        options = ", ".join(member.value for member in kind)
        raise InvalidInputError(f"must be one of: {options}", field=field) from None
