"""Lifecycle checks: which operations a dispute's current state allows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from panel_tui.rules.enums import ClockState, Outcome, Stage, Status
from panel_tui.rules.errors import InvalidInputError, TransitionError
from panel_tui.rules.lifecycle import (
    check_acceptance,
    check_decision,
    check_decision_content,
    check_escalate,
    check_live,
    check_provisional,
    require_text,
)
from panel_tui.rules.policy import default_policy, default_policy_text, parse_policy

REF = "D-2026-0042"
LIVE = [Status.OPEN, Status.DECIDED]
ENDED = [Status.CLOSED, Status.WITHDRAWN]
NOT_BREACHED = [ClockState.ON_TRACK, ClockState.WARNING, ClockState.MET, ClockState.NONE]


# --- check_live ------------------------------------------------------------------


@pytest.mark.parametrize("status", LIVE)
def test_live_statuses_pass(status: Status) -> None:
    check_live(REF, status, "assign cover on")
    check_live(REF, status.value, "assign cover on")  # type: ignore[arg-type]


@pytest.mark.parametrize("status", ENDED)
def test_ended_statuses_are_refused(status: Status) -> None:
    with pytest.raises(TransitionError) as info:
        check_live(REF, status, "assign cover on")
    assert str(info.value).startswith(f"Cannot assign cover on {REF}: it is {status.value}.")
    assert info.value.hint


# --- check_escalate --------------------------------------------------------------


@pytest.mark.parametrize("status", LIVE)
@pytest.mark.parametrize("clock", NOT_BREACHED)
@pytest.mark.parametrize("stage", [Stage.FRONTLINE, Stage.SUPERVISOR, Stage.PANEL])
def test_escalate_moves_up_one_rung(stage: Stage, clock: ClockState, status: Status) -> None:
    target = check_escalate(REF, status, stage, clock, "", liaison=False)
    assert target is Stage(stage + 1)


def test_escalate_accepts_plain_values() -> None:
    assert check_escalate(REF, "open", 1, "on_track", "", False) is Stage.PANEL  # type: ignore[arg-type]


@pytest.mark.parametrize("stage", [Stage.FRONTLINE, Stage.SUPERVISOR, Stage.PANEL])
@pytest.mark.parametrize("reason", [None, "", "   ", "\n\t"])
def test_escalate_from_breached_needs_a_reason(stage: Stage, reason: str | None) -> None:
    # A rule (exit 1, audited), not malformed input: the reason is what the rule asks for.
    with pytest.raises(TransitionError) as info:
        check_escalate(REF, Status.OPEN, stage, ClockState.BREACHED, reason, liaison=False)
    assert info.value.rule == "lifecycle.breach_reason"
    assert info.value.exit_code == 1
    assert stage.label in str(info.value) and REF in str(info.value)


@pytest.mark.parametrize("stage", [Stage.FRONTLINE, Stage.SUPERVISOR, Stage.PANEL])
def test_escalate_with_liaison_triggered_goes_to_liaison(stage: Stage) -> None:
    # Open past the policy's limit: the ladder has taken too long, whatever the rung.
    target = check_escalate(REF, Status.OPEN, stage, ClockState.ON_TRACK, "", liaison=True)
    assert target is Stage.COMMISSIONER_LIAISON


def test_escalate_from_breached_with_a_reason_moves_on() -> None:
    target = check_escalate(
        REF, Status.OPEN, Stage.PANEL, ClockState.BREACHED, "panel slot cancelled", False
    )
    assert target is Stage.FINAL_AUTHORITY


def test_breached_clock_given_as_text_still_needs_a_reason() -> None:
    # The store may hand over the clock state as stored text.
    with pytest.raises(TransitionError) as info:
        check_escalate(REF, Status.OPEN, Stage.FRONTLINE, "breached", "", False)  # type: ignore[arg-type]
    assert info.value.rule == "lifecycle.breach_reason"


def test_escalate_to_liaison_needs_a_trigger() -> None:
    with pytest.raises(TransitionError) as info:
        check_escalate(REF, Status.OPEN, Stage.FINAL_AUTHORITY, ClockState.WARNING, "", False)
    assert "no liaison trigger" in str(info.value)
    assert info.value.hint and "policy" in info.value.hint


def test_escalate_to_liaison_with_a_trigger() -> None:
    assert (
        check_escalate(REF, Status.OPEN, Stage.FINAL_AUTHORITY, ClockState.WARNING, "", True)
        is Stage.COMMISSIONER_LIAISON
    )
    assert (
        check_escalate(
            REF, Status.OPEN, Stage.FINAL_AUTHORITY, ClockState.BREACHED, "authority on leave", True
        )
        is Stage.COMMISSIONER_LIAISON
    )


def test_breached_final_stage_without_reason_asks_for_the_reason_first() -> None:
    with pytest.raises(TransitionError) as info:
        check_escalate(REF, Status.OPEN, Stage.FINAL_AUTHORITY, ClockState.BREACHED, "", True)
    assert info.value.rule == "lifecycle.breach_reason"


@pytest.mark.parametrize("liaison", [False, True])
@pytest.mark.parametrize("clock", list(ClockState))
def test_escalate_from_liaison_is_refused(clock: ClockState, liaison: bool) -> None:
    with pytest.raises(TransitionError, match="top of the ladder"):
        check_escalate(REF, Status.OPEN, Stage.COMMISSIONER_LIAISON, clock, "reason", liaison)


@pytest.mark.parametrize("status", ENDED)
def test_escalate_an_ended_dispute_is_refused(status: Status) -> None:
    with pytest.raises(TransitionError, match=f"Cannot escalate {REF}: it is {status.value}"):
        check_escalate(REF, status, Stage.FRONTLINE, ClockState.ON_TRACK, "", False)


# --- check_decision --------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.FRONTLINE, Stage.SUPERVISOR, Stage.PANEL])
def test_panel_decision_at_stages_0_to_2(stage: Stage) -> None:
    check_decision(REF, Status.OPEN, stage, final=False)


@pytest.mark.parametrize("stage", [Stage.FINAL_AUTHORITY, Stage.COMMISSIONER_LIAISON])
def test_panel_decision_at_stage_3_or_4_is_refused(stage: Stage) -> None:
    with pytest.raises(TransitionError, match="only the named authority"):
        check_decision(REF, Status.OPEN, stage, final=False)


@pytest.mark.parametrize("stage", [Stage.FINAL_AUTHORITY, Stage.COMMISSIONER_LIAISON])
def test_final_determination_at_stage_3_or_4(stage: Stage) -> None:
    check_decision(REF, Status.OPEN, stage, final=True)
    check_decision(REF, "open", int(stage), final=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("stage", [Stage.FRONTLINE, Stage.SUPERVISOR, Stage.PANEL])
def test_final_determination_below_stage_3_is_refused(stage: Stage) -> None:
    with pytest.raises(TransitionError) as info:
        check_decision(REF, Status.OPEN, stage, final=True)
    assert f"at the {stage.label} stage" in str(info.value)
    assert info.value.hint == "Escalate it to the final authority first."


@pytest.mark.parametrize("final", [False, True])
@pytest.mark.parametrize("status", [Status.DECIDED, Status.CLOSED, Status.WITHDRAWN])
def test_decision_on_a_dispute_that_is_not_open_is_refused(status: Status, final: bool) -> None:
    stage = Stage.FINAL_AUTHORITY if final else Stage.PANEL
    with pytest.raises(TransitionError, match=f"it is {status.value}"):
        check_decision(REF, status, stage, final=final)


# --- check_decision_content ------------------------------------------------------

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("outcome", [o for o in Outcome if o.resolves])
def test_decision_content_happy_path(outcome: Outcome) -> None:
    check_decision_content(outcome, "MCO", "Criterion 4.2 covers housing.", TODAY, TODAY)
    check_decision_content(outcome, "MCO", "Criterion 4.2 covers housing.", date(2026, 4, 1), TODAY)


@pytest.mark.parametrize("outcome", [o for o in Outcome if o.resolves])
@pytest.mark.parametrize("agency", [None, "", "   "])
def test_resolving_outcome_needs_a_receiving_agency(outcome: Outcome, agency: str | None) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_decision_content(outcome, agency, "Criterion 4.2 covers housing.", TODAY, TODAY)
    assert info.value.field == "receiving_agency"
    # Not upheld: the agency named is the one whose arrangement stands, not a new one.
    says = "whose arrangement stands" if outcome is Outcome.NOT_UPHELD else "take the person on"
    assert says in str(info.value)


def test_no_agreement_needs_no_receiving_agency() -> None:
    check_decision_content(Outcome.NO_AGREEMENT, None, "Panel split two against two.", TODAY, TODAY)


@pytest.mark.parametrize("rationale", ["", "too short", "   123456789   "])
def test_rationale_needs_ten_characters(rationale: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_decision_content(Outcome.ASSIGNED, "MCO", rationale, TODAY, TODAY)
    assert info.value.field == "rationale"


def test_rationale_of_exactly_ten_characters_is_enough() -> None:
    check_decision_content(Outcome.ASSIGNED, "MCO", "  1234567890  ", TODAY, TODAY)


def test_review_date_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidInputError) as info:
        check_decision_content(
            Outcome.ASSIGNED, "MCO", "Criterion 4.2 covers it.", date(2026, 3, 1), TODAY
        )
    assert info.value.field == "review_date"
    assert "2026-03-01" in str(info.value)


# --- check_acceptance ------------------------------------------------------------


@pytest.mark.parametrize("outcome", list(Outcome))
def test_acceptance_of_a_decided_dispute(outcome: Outcome) -> None:
    check_acceptance(REF, Status.DECIDED, outcome)


def test_acceptance_without_a_decision_is_refused() -> None:
    with pytest.raises(TransitionError, match="no decision awaiting acceptance"):
        check_acceptance(REF, Status.DECIDED, None)


@pytest.mark.parametrize("status", [Status.OPEN, Status.CLOSED, Status.WITHDRAWN])
@pytest.mark.parametrize("outcome", [None, Outcome.ASSIGNED])
def test_acceptance_in_other_statuses_is_refused(status: Status, outcome: Outcome | None) -> None:
    with pytest.raises(TransitionError, match=rf"\(it is {status.value}\)"):
        check_acceptance(REF, status, outcome)


# --- check_provisional -----------------------------------------------------------

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
US = timedelta(microseconds=1)


@pytest.mark.parametrize(
    "length", [7 * DAY, 7 * DAY + US, 10 * DAY, 14 * DAY - US, 14 * DAY], ids=str
)
@pytest.mark.parametrize("status", LIVE)
def test_provisional_of_7_to_14_days(length: timedelta, status: Status) -> None:
    check_provisional(default_policy(), REF, status, START, START + length, has_active=False)


@pytest.mark.parametrize(
    "length", [-DAY, timedelta(0), DAY, 7 * DAY - US, 14 * DAY + US, 15 * DAY], ids=str
)
def test_provisional_outside_7_to_14_days_is_refused(length: timedelta) -> None:
    with pytest.raises(TransitionError) as info:
        check_provisional(default_policy(), REF, Status.OPEN, START, START + length, False)
    assert info.value.rule == "policy.provisional_length"
    assert "7–14 days" in str(info.value)


def test_provisional_follows_the_policy_limits() -> None:
    text = default_policy_text().replace("min_days = 7", "min_days = 2")
    text = text.replace("max_days = 14", "max_days = 3")
    policy = parse_policy(text)
    check_provisional(policy, REF, Status.OPEN, START, START + 2 * DAY, False)
    with pytest.raises(TransitionError, match="2–3 days"):
        check_provisional(policy, REF, Status.OPEN, START, START + 7 * DAY, False)


def test_second_active_package_is_refused() -> None:
    with pytest.raises(TransitionError, match="already has an active provisional package"):
        check_provisional(default_policy(), REF, Status.OPEN, START, START + 7 * DAY, True)


@pytest.mark.parametrize("status", ENDED)
def test_provisional_on_an_ended_dispute_is_refused(status: Status) -> None:
    with pytest.raises(TransitionError, match=f"it is {status.value}"):
        check_provisional(default_policy(), REF, status, START, START + 7 * DAY, False)


def test_provisional_length_is_measured_between_instants() -> None:
    # The same instants written in different zones are the same length.
    la = ZoneInfo("America/Los_Angeles")
    check_provisional(
        default_policy(), REF, Status.OPEN, START.astimezone(la), START + 14 * DAY, False
    )
    with pytest.raises(TransitionError):
        check_provisional(
            default_policy(), REF, Status.OPEN, START.astimezone(la), START + 14 * DAY + US, False
        )


# --- require_text ----------------------------------------------------------------


def test_require_text_strips_and_returns() -> None:
    assert require_text("  start Monday  ", "start_plan", "a start plan") == "start Monday"
    assert require_text("abc", "start_plan", "a start plan") == "abc"


@pytest.mark.parametrize("value", [None, "", "  ", "ab", " ab "])
def test_require_text_refuses_short_text(value: str | None) -> None:
    with pytest.raises(InvalidInputError) as info:
        require_text(value, "start_plan", "a start plan")
    assert info.value.field == "start_plan"
    assert "a start plan is required (at least 3 characters)" in str(info.value)


def test_require_text_minimum_is_configurable() -> None:
    assert require_text("abcdefghij", "withdraw_reason", "a reason", minimum=10) == "abcdefghij"
    with pytest.raises(InvalidInputError, match="at least 10 characters"):
        require_text("abcdefghi", "withdraw_reason", "a reason", minimum=10)


def test_provisional_length_across_dst_is_real_time_in_any_zone() -> None:
    # 2026-03-08: Los Angeles springs forward. Seven wall-clock days from Monday
    # 09:00 PST to Monday 09:00 PDT are only 6 days 23 hours.
    la = ZoneInfo("America/Los_Angeles")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=la)
    wall_week = datetime(2026, 3, 9, 9, 0, tzinfo=la)
    for end in (wall_week, wall_week.astimezone(UTC)):
        with pytest.raises(TransitionError, match="7–14 days"):
            check_provisional(default_policy(), REF, Status.OPEN, start, end, False)
    real_week = datetime(2026, 3, 9, 10, 0, tzinfo=la)
    for end in (real_week, real_week.astimezone(UTC)):
        check_provisional(default_policy(), REF, Status.OPEN, start, end, False)


def test_provisional_refuses_naive_times() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(ValueError, match="naive"):
        check_provisional(default_policy(), REF, Status.OPEN, naive, naive + 7 * DAY, False)
