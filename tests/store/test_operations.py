"""Every ledger operation through the real store: its effect, its event, its refusals.

A refusal must raise the right DomainError, leave every table as it was, and
append exactly one "refused" event when a rule refused (rights, state, stale
version) and none for bad input or an unknown record (``World.refused``).
The dispute in most tests is high risk, opened at T0: its windows are
24 h (frontline), 24 h (supervisor), 48 h (panel), 48 h (final authority).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from panel_tui.rules.enums import Stage
from panel_tui.rules.errors import (
    InvalidInputError,
    NotFoundError,
    RightsError,
    StaleWriteError,
    TransitionError,
)
from panel_tui.rules.fields import TEXT_FIELDS
from panel_tui.store.read.orm_detail import dispute_detail

# Written once for both backends: the PostgreSQL run of .ci/run runs them there too.
pytestmark = pytest.mark.backend

H = timedelta(hours=1)


def detail(world, ref):
    return dispute_detail(world.store, ref, world.now)


def closed(world) -> str:
    ref = world.open()
    world.decided(ref)
    world.ledger("mco_duty_lead").confirm_acceptance(ref, "intake visit booked", world.now.date())
    return ref


def withdrawn(world) -> str:
    ref = world.open()
    world.ledger("duty_lead").withdraw(ref, "person moved out of area")
    return ref


ENDED = [closed, withdrawn]


# --- open -------------------------------------------------------------------------------


def test_open_writes_the_dispute_its_parties_evidence_stage_and_one_event(world) -> None:
    ref = world.ledger("duty_lead").open_dispute(
        world.form(responding_agencies=["mco", "hou"]), at=world.T0
    )
    assert ref == "D-2026-0001"
    row = world.dispute(ref)
    assert row["status"] == "open" and row["current_stage"] == 0 and row["version"] == 1
    assert row["current_due_at"].startswith("2026-03-03 09:00")  # T0 + 24 h (high, frontline)
    assert row["agencies_label"] == "CBH→MCO,HOU"
    parties = world.sql(
        "SELECT a.code, p.party FROM disputeagency p JOIN agency a ON a.id = p.agency_id "
        "WHERE p.dispute_id = ? ORDER BY a.code",
        row["id"],
    )
    assert [tuple(p) for p in parties] == [
        ("CBH", "raising"),
        ("HOU", "responding"),
        ("MCO", "responding"),
    ]
    assert len(world.sql("SELECT * FROM evidenceitem WHERE dispute_id = ?", row["id"])) == 4
    stages = world.sql("SELECT stage, left_at FROM stagerecord WHERE dispute_id = ?", row["id"])
    assert [tuple(s) for s in stages] == [(0, None)]
    event = world.last_event()
    assert (event["actor"], event["action"], event["dispute_ref"]) == ("duty_lead", "open", ref)
    assert event["after"]["person_ref"] == "P-1001" and event["stage"] == 0


def test_references_count_up_per_year(world) -> None:
    assert [world.open() for _ in range(3)] == ["D-2026-0001", "D-2026-0002", "D-2026-0003"]
    next_year = datetime(2027, 1, 1, 0, 30, tzinfo=world.T0.tzinfo)
    assert world.ledger("duty_lead").open_dispute(world.form(), at=next_year) == "D-2027-0001"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"problem_statement": "too short"}, "problem_statement"),
        ({"person_ref": "Jane Doe"}, "person_ref"),
        ({"risk": "severe"}, "risk"),
        ({"responding_agencies": ["CBH"]}, "responding_agencies"),
        ({"interim_risk_actions": ""}, "interim_risk_actions"),
        ({"evidence": {}}, "evidence.contact_history"),
    ],
)
def test_open_refuses_an_invalid_form_and_writes_nothing(world, changes, field) -> None:
    err = world.refused(InvalidInputError, lambda: world.open(**changes), match=f"field '{field}'")
    assert err.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"raising_agency": "XYZ"}, "raising_agency"),
        ({"responding_agencies": ["MCO", "NOPE"]}, "responding_agencies"),
    ],
)
def test_open_refuses_an_unknown_agency_and_writes_nothing(world, changes, field) -> None:
    err = world.refused(InvalidInputError, lambda: world.open(**changes), match="unknown agency")
    assert err.field == field
    assert world.sql("SELECT * FROM dispute") == []


def test_open_by_someone_without_the_right_is_refused_and_logged(world) -> None:
    err = world.refused(
        RightsError,
        lambda: world.open("oversight"),
        match="may not open a dispute",
        actor="oversight",
    )
    assert "oversight" in err.message


def test_an_unknown_login_is_not_found_and_nothing_is_logged(world) -> None:
    world.refused(NotFoundError, lambda: world.open("mallory"), match="mallory is not a user")


# --- edit form --------------------------------------------------------------------------


def test_edit_form_changes_only_what_changed_and_bumps_the_version(world) -> None:
    ref = world.open()
    version = world.ledger("frontline").edit_form(
        ref,
        {
            "problem_statement": "A new and clearer problem statement",
            "rule_conflict": "criterion 4.2 read differently",
        },
    )
    row = world.dispute(ref)
    assert version == row["version"] == 2
    assert row["problem_statement"] == "A new and clearer problem statement"
    event = world.last_event()
    assert event["action"] == "edit_form"
    assert set(event["after"]) == {"problem_statement"}  # rule_conflict did not change
    assert event["before"]["problem_statement"].startswith("Discharge stalled")


def test_the_detail_shows_every_text_of_the_form_as_written(world) -> None:
    # The detail copies the texts by rules/fields.py's TEXT_FIELDS: each must come back
    # as its own field, none swapped with another or left out.
    texts = {name: f"{name} of this dispute, in words" for name in TEXT_FIELDS}
    ref = world.ledger("duty_lead").open_dispute(world.form(**texts))
    det = detail(world, ref)
    assert {name: getattr(det, name) for name in TEXT_FIELDS} == texts


@pytest.mark.parametrize(
    ("changes", "field", "match"),
    [
        ({"person_ref": "P-2"}, "person_ref", "cannot be edited"),
        ({"problem_statement": "short"}, "problem_statement", "too short"),
        ({"proposed_pathway": "ACT team"}, "proposed_pathway", "nothing changed"),
    ],
)
def test_edit_form_refuses_bad_changes_silently(world, changes, field, match) -> None:
    ref = world.open()
    err = world.refused(
        InvalidInputError, lambda: world.ledger("frontline").edit_form(ref, changes), match=match
    )
    assert err.field == field


@pytest.mark.parametrize("ended", ENDED)
def test_edit_form_on_an_ended_dispute_is_a_transition_refusal(world, ended) -> None:
    ref = ended(world)
    world.refused(
        TransitionError,
        lambda: world.ledger("frontline").edit_form(ref, {"rule_conflict": "a new conflict"}),
        match=f"Cannot edit the form of {ref}",
        ref=ref,
    )


# --- evidence ---------------------------------------------------------------------------


def test_record_evidence_updates_the_item_and_the_version(world) -> None:
    ref = world.open()
    world.ledger("frontline").record_evidence(ref, "risk_screen", False, "screen booked Friday")
    det = detail(world, ref)
    item = next(e for e in det.evidence if e.key == "risk_screen")
    assert (item.present, item.note, item.updated_by) == (
        False,
        "screen booked Friday",
        "Frontline",
    )
    assert det.version == 2
    event = world.last_event()
    assert event["action"] == "record_evidence"
    assert event["before"] == {"risk_screen": {"present": True, "note": ""}}
    assert event["after"] == {"risk_screen": {"present": False, "note": "screen booked Friday"}}


@pytest.mark.parametrize(
    ("key", "present", "note", "field"),
    [("bloods", True, "", "key"), ("risk_screen", False, "  ", "note")],
)
def test_record_evidence_refuses_bad_input(world, key, present, note, field) -> None:
    ref = world.open()
    err = world.refused(
        InvalidInputError,
        lambda: world.ledger("frontline").record_evidence(ref, key, present, note),
    )
    assert err.field == field


def test_record_evidence_on_an_unknown_dispute_is_not_found(world) -> None:
    world.refused(
        NotFoundError,
        lambda: world.ledger("frontline").record_evidence("D-2026-9999", "risk_screen", True),
        match="no dispute D-2026-9999",
    )


def test_record_evidence_on_a_withdrawn_dispute_is_refused(world) -> None:
    ref = withdrawn(world)
    world.refused(
        TransitionError,
        lambda: world.ledger("frontline").record_evidence(ref, "risk_screen", True),
        match="it is withdrawn",
        ref=ref,
    )


# --- escalate ---------------------------------------------------------------------------


def test_escalate_moves_up_one_stage_with_a_fresh_clock(world) -> None:
    ref = world.open()
    at = world.T0 + 5 * H
    assert (
        world.ledger("frontline").escalate(
            ref, "call booked", at=at, impact="the person waits without agreed support"
        )
        is Stage.SUPERVISOR
    )
    det = dispute_detail(world.store, ref, at)
    assert det.stage == 1 and det.version == 2
    assert det.stages[0].left_at == at and det.stages[0].clock.state.value == "met"
    assert det.stages[1].entered_at == at and det.stages[1].due_at == at + 24 * H
    assert det.stages[1].note == "call booked" and det.stages[1].breach_reason is None
    event = world.last_event()
    assert event["action"] == "escalate" and event["stage"] == 0
    assert event["before"]["stage"] == 0 and event["before"]["clock"] == "on_track"
    assert event["after"]["stage"] == 1 and event["after"]["note"] == "call booked"


def test_escalating_a_breached_stage_needs_a_breach_reason(world) -> None:
    ref = world.open()
    due = world.T0 + 24 * H
    world.now = due  # at the due time the window is used up: breached
    # A rule, not malformed input: exit 1, and audited as a refusal naming the rule.
    err = world.refused(
        TransitionError,
        lambda: world.ledger("frontline").escalate(
            ref, "moving on", at=due, impact="the person waits without agreed support"
        ),
        match="breached",
    )
    assert err.rule == "lifecycle.breach_reason"
    world.ledger("frontline").escalate(
        ref,
        "moving on",
        "MCO supervisor on leave",
        at=due,
        impact="the person waits without agreed support",
    )
    det = dispute_detail(world.store, ref, due)
    assert det.stages[0].clock.state.value == "breached"
    assert det.stages[0].breach_reason == "MCO supervisor on leave"
    assert world.last_event()["before"]["clock"] == "breached"


def test_escalating_just_before_the_due_time_needs_no_reason(world) -> None:
    ref = world.open()
    just_before = world.T0 + 24 * H - timedelta(microseconds=1)
    assert (
        world.ledger("frontline").escalate(
            ref, at=just_before, impact="the person waits without agreed support"
        )
        is Stage.SUPERVISOR
    )


def test_escalation_to_commissioner_liaison_needs_a_trigger(world) -> None:
    ref = world.open()
    world.to_stage(ref, 3)  # all at T0: stage 3 due T0 + 48 h
    early = world.T0 + 47 * H
    world.now = early
    world.refused(
        TransitionError,
        lambda: world.ledger("supervisor").escalate(
            ref, at=early, impact="the person waits without agreed support"
        ),
        match="no liaison trigger",
        ref=ref,
    )
    late = world.T0 + 48 * H  # stage 3 breached: the trigger
    assert (
        world.ledger("supervisor").escalate(
            ref,
            "to the commissioner",
            "authority away",
            at=late,
            impact="the person waits without agreed support",
        )
        is Stage.COMMISSIONER_LIAISON
    )
    row = world.dispute(ref)
    assert row["current_stage"] == 4 and row["current_due_at"] is None


def test_liaison_is_also_triggered_by_a_dispute_open_past_the_limit(world) -> None:
    ref = world.open(risk="low")  # low: stage 3 has a 120 h window
    sup = world.ledger("supervisor")
    sup.escalate(ref, at=world.T0 + H, impact="the person waits without agreed support")
    sup.escalate(ref, at=world.T0 + 2 * H, impact="the person waits without agreed support")
    sup.escalate(
        ref,
        "final authority",
        "panel could not meet",
        at=world.T0 + 13 * 24 * H,
        impact="the person waits without agreed support",
    )
    over = world.T0 + timedelta(days=14, seconds=1)  # stage 3 is due at day 18
    assert (
        sup.escalate(
            ref, "open too long", at=over, impact="the person waits without agreed support"
        )
        is Stage.COMMISSIONER_LIAISON
    )


def test_the_top_of_the_ladder_cannot_be_escalated(world) -> None:
    ref = world.open()
    world.to_stage(ref, 3)
    world.now = world.T0 + 48 * H
    world.ledger("supervisor").escalate(
        ref, breach_reason="authority away", impact="the person waits without agreed support"
    )
    world.refused(
        TransitionError,
        lambda: world.ledger("supervisor").escalate(
            ref, "further", impact="the person waits without agreed support"
        ),
        match="top of the ladder",
        ref=ref,
    )


@pytest.mark.parametrize("ended", ENDED)
def test_an_ended_dispute_cannot_be_escalated(world, ended) -> None:
    ref = ended(world)
    world.refused(
        TransitionError,
        lambda: world.ledger("supervisor").escalate(
            ref, impact="the person waits without agreed support"
        ),
        ref=ref,
    )


def test_escalating_after_a_decision_reopens_it_and_keeps_when_the_stage_ended(world) -> None:
    ref = world.open()
    decided_at = world.T0 + 2 * H
    world.now = decided_at
    world.decided(ref)
    world.now = world.T0 + 30 * H  # after the stage's due time: receiving team refused
    world.ledger("supervisor").escalate(
        ref, "receiving team refused the decision", impact="the person waits without agreed support"
    )
    det = detail(world, ref)
    assert det.status == "open" and det.stage == 1
    # The frontline stage ended when it was decided, within its window.
    assert det.stages[0].left_at == decided_at
    assert det.stages[0].clock.state.value == "met"


def test_escalation_past_a_package_deadline_marks_the_package_escalated(world) -> None:
    ref = world.open()
    world.ledger("duty_lead").start_provisional(ref, "frontline", "welfare check", days=7)
    world.now = world.T0 + timedelta(days=7)
    world.ledger("duty_lead").escalate(
        ref,
        "package ran out",
        "nobody took it on",
        impact="the person waits without agreed support",
    )
    assert detail(world, ref).packages[0].status == "escalated"


# --- interim cover ----------------------------------------------------------------------


def test_assign_cover_replaces_the_active_cover(world) -> None:
    ref = world.open()
    duty = world.ledger("duty_lead")
    duty.assign_cover(ref, "cbh", "daily welfare call")
    duty.assign_cover(ref, "HOU", "temporary room", review_at=world.T0 + 72 * H)
    det = detail(world, ref)
    assert [(c.provider, c.active) for c in det.covers] == [("HOU", True), ("CBH", False)]
    assert det.active_cover.review_at == world.T0 + 72 * H
    assert det.version == 3
    event = world.last_event()
    assert event["action"] == "assign_cover" and event["after"]["provider"] == "HOU"


@pytest.mark.parametrize(
    ("provider", "level", "review", "field"),
    [
        ("XYZ", "daily call", None, "provider_agency"),
        ("CBH", "  ", None, "support_level"),
        ("CBH", "daily call", -H, "review_at"),
    ],
)
def test_assign_cover_refuses_bad_input(world, provider, level, review, field) -> None:
    ref = world.open()
    review_at = world.now + review if review is not None else None
    err = world.refused(
        InvalidInputError,
        lambda: world.ledger("duty_lead").assign_cover(ref, provider, level, review_at=review_at),
    )
    assert err.field == field


def test_assign_cover_refuses_a_naive_review_time(world) -> None:
    ref = world.open()
    err = world.refused(
        InvalidInputError,
        lambda: world.ledger("duty_lead").assign_cover(
            ref, "CBH", "daily call", review_at=datetime(2026, 3, 9, 9, 0)
        ),
        match="time zone",
    )
    assert err.field == "review_at"


@pytest.mark.parametrize("ended", ENDED)
def test_assign_cover_on_an_ended_dispute_is_refused(world, ended) -> None:
    ref = ended(world)
    world.refused(
        TransitionError,
        lambda: world.ledger("duty_lead").assign_cover(ref, "CBH", "daily call"),
        match="Cannot assign interim cover",
    )


# --- provisional packages ---------------------------------------------------------------


@pytest.mark.parametrize("days", [7, 10, 14])
def test_start_provisional_within_the_policy(world, days) -> None:
    ref = world.open()
    world.ledger("duty_lead").start_provisional(
        ref, "frontline", "welfare check; med rec", days=days
    )
    package = detail(world, ref).active_package
    assert package.ends_at - package.starts_at == timedelta(days=days)
    assert package.coordinator == "Frontline" and package.authorised_by == "Duty Lead"
    event = world.last_event()
    assert event["action"] == "start_provisional" and event["after"]["coordinator"] == "frontline"


def test_start_provisional_defaults_to_the_longest_package(world) -> None:
    ref = world.open()
    world.ledger("duty_lead").start_provisional(ref, "frontline", "welfare check")
    package = detail(world, ref).active_package
    assert package.ends_at == world.now + timedelta(days=14)


def test_start_provisional_with_an_explicit_end(world) -> None:
    ref = world.open()
    end = (world.now + timedelta(days=9)).astimezone(ZoneInfo("America/New_York"))
    world.ledger("duty_lead").start_provisional(ref, "frontline", "welfare check", ends_at=end)
    assert detail(world, ref).active_package.ends_at == end


@pytest.mark.parametrize("days", [0, 6, 15])
def test_start_provisional_outside_7_to_14_days_is_refused(world, days) -> None:
    ref = world.open()
    err = world.refused(
        TransitionError,
        lambda: world.ledger("duty_lead").start_provisional(ref, "frontline", "check", days=days),
        match="lasts 7–14 days",
    )
    assert err.rule == "policy.provisional_length"


def test_start_provisional_needs_a_known_coordinator_and_actions(world) -> None:
    ref = world.open()
    duty = world.ledger("duty_lead")
    err = world.refused(
        InvalidInputError, lambda: duty.start_provisional(ref, "nobody", "check", days=7)
    )
    assert err.field == "coordinator"
    err = world.refused(InvalidInputError, lambda: duty.start_provisional(ref, "frontline", ""))
    assert err.field == "actions"


def test_only_one_active_package_at_a_time(world) -> None:
    ref = world.open()
    duty = world.ledger("duty_lead")
    duty.start_provisional(ref, "frontline", "welfare check", days=7)
    world.refused(
        TransitionError,
        lambda: duty.start_provisional(ref, "frontline", "another", days=7),
        match="already has an active provisional package",
        ref=ref,
    )


@pytest.mark.parametrize("ended", ENDED)
def test_start_provisional_on_an_ended_dispute_is_refused(world, ended) -> None:
    ref = ended(world)
    world.refused(
        TransitionError,
        lambda: world.ledger("duty_lead").start_provisional(ref, "frontline", "check", days=7),
    )


# --- contact log ------------------------------------------------------------------------


def test_log_contact_needs_an_active_package(world) -> None:
    ref = world.open()
    world.refused(
        TransitionError,
        lambda: world.ledger("frontline").log_contact(ref, "phone", "reached"),
        match="no active provisional package",
        ref=ref,
    )


def test_log_contact_appends_to_the_package(world) -> None:
    ref = world.open()
    world.ledger("duty_lead").start_provisional(ref, "frontline", "welfare check", days=7)
    front = world.ledger("frontline")
    front.log_contact(ref, "phone", "no_answer", at=world.T0 + H)
    front.log_contact(ref, "visit", "reached", "well, meds reconciled", at=world.T0 + 3 * H)
    contacts = detail(world, ref).active_package.contacts
    assert [(c.method, c.outcome, c.note) for c in contacts] == [
        ("phone", "no_answer", ""),
        ("visit", "reached", "well, meds reconciled"),
    ]
    assert world.last_event()["after"]["outcome"] == "reached"


@pytest.mark.parametrize(
    ("method", "outcome", "field"), [("pigeon", "reached", "method"), ("phone", "ok", "outcome")]
)
def test_log_contact_refuses_unknown_methods_and_outcomes(world, method, outcome, field) -> None:
    ref = world.open()
    world.ledger("duty_lead").start_provisional(ref, "frontline", "welfare check", days=7)
    err = world.refused(
        InvalidInputError, lambda: world.ledger("frontline").log_contact(ref, method, outcome)
    )
    assert err.field == field


# --- decisions --------------------------------------------------------------------------


def test_a_panel_decision_decides_and_stops_the_clock(world) -> None:
    ref = world.open()
    world.to_stage(ref, 2)
    world.ledger("panel_chair").record_decision(
        ref,
        "assigned",
        "MCO holds the contract",
        world.review(),
        receiving_agency="mco",
        pathway="ACT",
    )
    det = detail(world, ref)
    assert det.status == "decided" and det.clock.state.value == "none"
    assert world.dispute(ref)["current_due_at"] is None
    assert det.stages[2].left_at == world.now
    (decision,) = det.decisions
    assert (decision.kind, decision.outcome, decision.receiving_agency) == (
        "decision",
        "assigned",
        "MCO",
    )
    assert (decision.decided_by_login, decision.capacity, decision.stage) == (
        "panel_chair",
        "panel_chair",
        2,
    )
    event = world.last_event()
    assert event["action"] == "record_decision"
    assert event["before"] == {"status": "open", "review_due_on": None}
    assert event["after"]["status"] == "decided"


def test_a_supervisor_can_decide_at_the_frontline_stage(world) -> None:
    ref = world.open()
    world.decided(ref)
    assert detail(world, ref).decisions[0].stage == 0


def test_no_agreement_leaves_the_dispute_open_with_its_clock_running(world) -> None:
    ref = world.open()
    world.to_stage(ref, 2)
    due = world.dispute(ref)["current_due_at"]
    world.ledger("panel_chair").record_decision(
        ref, "no_agreement", "Panel split on criterion 4.2", world.review()
    )
    row = world.dispute(ref)
    assert row["status"] == "open" and row["current_due_at"] == due
    assert detail(world, ref).decisions[0].outcome == "no_agreement"


def test_a_panel_decision_at_the_final_authority_stage_is_refused(world) -> None:
    ref = world.open()
    world.to_stage(ref, 3)
    world.refused(
        TransitionError,
        lambda: world.ledger("panel_chair").record_decision(
            ref, "assigned", "MCO holds the contract", world.review(), receiving_agency="MCO"
        ),
        match="only the named authority",
        ref=ref,
    )


def test_a_decided_dispute_cannot_be_decided_again(world) -> None:
    ref = world.open()
    world.decided(ref)
    world.refused(
        TransitionError,
        lambda: world.decided(ref),
        match="it is decided",
        ref=ref,
    )


@pytest.mark.parametrize(
    ("outcome", "rationale", "review_days", "agency", "field"),
    [
        ("maybe", "MCO holds the contract", 30, "MCO", "outcome"),
        ("assigned", "MCO holds the contract", 30, None, "receiving_agency"),
        ("assigned", "because", 30, "MCO", "rationale"),
        ("assigned", "MCO holds the contract", -1, "MCO", "review_date"),
        ("assigned", "MCO holds the contract", 30, "XYZ", "receiving_agency"),
    ],
)
def test_record_decision_refuses_bad_content(
    world, outcome, rationale, review_days, agency, field
) -> None:
    ref = world.open()
    err = world.refused(
        InvalidInputError,
        lambda: world.ledger("supervisor").record_decision(
            ref, outcome, rationale, world.review(review_days), receiving_agency=agency
        ),
    )
    assert err.field == field


# --- final determination ----------------------------------------------------------------

AUTHORITY = {
    "eligibility": "program_manager",
    "funding": "clinical_lead",
    "safeguarding": "program_manager",
    "capacity": "integration_lead",
}
AUTHORITY_ROLES = ("program_manager", "clinical_lead", "integration_lead")


@pytest.mark.parametrize("dispute_type", sorted(AUTHORITY))
@pytest.mark.parametrize("role", AUTHORITY_ROLES)
def test_only_the_named_authority_makes_the_final_determination(world, dispute_type, role) -> None:
    ref = world.open(dispute_type=dispute_type)
    world.to_stage(ref, 3)

    def determine():
        return world.ledger(role).record_decision(
            ref,
            "joint",
            "Joint plan: MCO funds, CBH delivers",
            world.review(),
            receiving_agency="MCO",
            final=True,
        )

    if role == AUTHORITY[dispute_type]:
        determine()
        (decision,) = detail(world, ref).decisions
        assert (decision.kind, decision.capacity, decision.stage) == ("final", role, 3)
        assert world.dispute(ref)["status"] == "decided"
        assert world.last_event()["action"] == "final_determination"
    else:
        err = world.refused(RightsError, determine, actor=role, ref=ref)
        assert f"names the {AUTHORITY[dispute_type]} as its final authority" in err.message


def test_final_determination_before_the_final_stage_is_refused(world) -> None:
    ref = world.open()
    world.to_stage(ref, 2)
    world.refused(
        TransitionError,
        lambda: world.ledger("clinical_lead").record_decision(
            ref,
            "assigned",
            "MCO holds the contract",
            world.review(),
            receiving_agency="MCO",
            final=True,
        ),
        match="Escalate it to the final authority first",
    )


def test_final_determination_at_commissioner_liaison(world) -> None:
    ref = world.open()
    world.to_stage(ref, 3)
    world.now = world.T0 + 48 * H
    world.ledger("supervisor").escalate(
        ref, breach_reason="authority on leave", impact="the person waits without agreed support"
    )
    world.ledger("clinical_lead").record_decision(
        ref,
        "assigned",
        "MCO holds the contract",
        world.review(),
        receiving_agency="MCO",
        final=True,
    )
    assert detail(world, ref).decisions[0].stage == 4


def test_a_final_determination_must_decide(world) -> None:
    ref = world.open()
    world.to_stage(ref, 3)
    err = world.refused(
        InvalidInputError,
        lambda: world.ledger("clinical_lead").record_decision(
            ref, "no_agreement", "We could not agree", world.review(), final=True
        ),
    )
    assert err.field == "outcome"


def test_the_capacity_of_a_final_determination_is_the_named_authority(world) -> None:
    world.admin().add_person("multi", "Multi Hat", ["program_manager", "clinical_lead"])
    ref = world.open()  # funding: the clinical lead decides
    world.to_stage(ref, 3)
    world.ledger("multi").record_decision(
        ref,
        "assigned",
        "MCO holds the contract",
        world.review(),
        receiving_agency="MCO",
        final=True,
    )
    assert detail(world, ref).decisions[0].capacity == "clinical_lead"


# --- acceptance -------------------------------------------------------------------------


def test_confirm_acceptance_closes_and_ends_cover_and_packages(world) -> None:
    ref = world.open()
    duty = world.ledger("duty_lead")
    duty.assign_cover(ref, "CBH", "daily call")
    duty.start_provisional(ref, "frontline", "welfare check", days=7)
    world.advance(hours=3)
    world.decided(ref)
    world.advance(hours=1)
    intake = world.ledger("mco_duty_lead")  # the receiving agency's team
    intake.confirm_acceptance(ref, "intake visit Monday with ACT", world.now.date())
    det = detail(world, ref)
    assert det.status == "closed" and det.resolved_at == world.now
    assert det.acceptance.start_plan == "intake visit Monday with ACT"
    assert det.packages[0].status == "converted"
    assert det.active_cover is None
    event = world.last_event()
    assert event["action"] == "confirm_acceptance"
    assert event["after"]["status"] == "closed" and event["after"]["packages_converted"]


def test_acceptance_needs_a_decision(world) -> None:
    ref = world.open()
    world.refused(
        TransitionError,
        lambda: world.ledger("mco_duty_lead").confirm_acceptance(
            ref, "intake on Monday", world.now.date()
        ),
        match="no decision awaiting acceptance",
        ref=ref,
    )


def test_no_agreement_is_not_a_decision_to_accept(world) -> None:
    ref = world.open()
    world.ledger("supervisor").record_decision(
        ref, "no_agreement", "Could not agree at all", world.review()
    )
    world.refused(
        TransitionError,
        lambda: world.ledger("mco_duty_lead").confirm_acceptance(
            ref, "intake on Monday", world.now.date()
        ),
    )


def test_acceptance_refuses_a_short_plan_or_a_start_before_the_decision(world) -> None:
    ref = world.open()
    world.decided(ref)
    duty = world.ledger("mco_duty_lead")
    err = world.refused(
        InvalidInputError, lambda: duty.confirm_acceptance(ref, "soon", world.now.date())
    )
    assert err.field == "start_plan"
    yesterday = world.now.date() - timedelta(days=1)
    err = world.refused(
        InvalidInputError, lambda: duty.confirm_acceptance(ref, "intake on Monday", yesterday)
    )
    assert err.field == "start_date"


def test_a_closed_dispute_cannot_be_accepted_again(world) -> None:
    ref = closed(world)
    world.refused(
        TransitionError,
        lambda: world.ledger("mco_duty_lead").confirm_acceptance(
            ref, "intake on Monday", world.now.date()
        ),
        match="it is closed",
    )


# --- withdraw ---------------------------------------------------------------------------


def test_withdraw_records_the_reason_and_stops_everything(world) -> None:
    ref = world.open()
    duty = world.ledger("duty_lead")
    duty.assign_cover(ref, "CBH", "daily call")
    duty.start_provisional(ref, "frontline", "welfare check", days=7)
    world.advance(hours=2)
    duty.withdraw(ref, "person moved out of area")
    det = detail(world, ref)
    assert det.status == "withdrawn" and det.withdrawn_reason == "person moved out of area"
    assert det.resolved_at == world.now and det.stages[0].left_at == world.now
    assert world.dispute(ref)["current_due_at"] is None
    assert det.packages[0].status == "ended" and det.active_cover is None
    event = world.last_event()
    assert event["action"] == "withdraw"
    assert event["before"] == {"status": "open", "stage": 0}
    assert event["after"] == {"status": "withdrawn", "reason": "person moved out of area"}


def test_withdraw_needs_a_reason(world) -> None:
    ref = world.open()
    err = world.refused(InvalidInputError, lambda: world.ledger("duty_lead").withdraw(ref, "no"))
    assert err.field == "reason"


@pytest.mark.parametrize("ended", ENDED)
def test_an_ended_dispute_cannot_be_withdrawn(world, ended) -> None:
    ref = ended(world)
    world.refused(
        TransitionError,
        lambda: world.ledger("duty_lead").withdraw(ref, "changed our minds"),
        match="Cannot withdraw",
        ref=ref,
    )


def test_a_decided_dispute_can_still_be_withdrawn(world) -> None:
    ref = world.open()
    world.decided(ref)
    world.ledger("duty_lead").withdraw(ref, "person declined the service")
    assert world.dispute(ref)["status"] == "withdrawn"


# --- plan holder and notes --------------------------------------------------------------


def test_assign_plan_holder_hands_over_the_period(world) -> None:
    ref = world.open()
    duty = world.ledger("duty_lead")
    duty.assign_plan_holder(ref, "frontline")
    world.advance(hours=4)
    duty.assign_plan_holder(ref, "supervisor")
    det = detail(world, ref)
    assert det.plan_holder_login == "supervisor" and det.version == 3
    spans = world.sql(
        "SELECT p.login, a.until_at FROM planholderassignment a JOIN person p "
        "ON p.id = a.person_id ORDER BY a.id"
    )
    assert [s["login"] for s in spans] == ["frontline", "supervisor"]
    assert spans[0]["until_at"] is not None and spans[1]["until_at"] is None
    assert world.last_event()["after"] == {
        "plan_holder": "supervisor",
        "period_ends": None,
        "next_sync_due": None,
    }


def test_assign_plan_holder_refuses_unknown_people_and_ended_disputes(world) -> None:
    ref = world.open()
    err = world.refused(
        InvalidInputError, lambda: world.ledger("duty_lead").assign_plan_holder(ref, "ghost")
    )
    assert err.field == "plan_holder"
    gone = withdrawn(world)
    world.refused(
        TransitionError, lambda: world.ledger("duty_lead").assign_plan_holder(gone, "frontline")
    )


@pytest.mark.parametrize("ended", ENDED)
def test_notes_are_taken_on_ended_disputes(world, ended) -> None:
    ref = ended(world)
    version = world.dispute(ref)["version"]
    world.ledger("clinical_lead").add_note(ref, "Reviewed at audit: fine")
    det = detail(world, ref)
    assert [(n.by, n.text) for n in det.notes] == [("Clinical Lead", "Reviewed at audit: fine")]
    assert det.version == version  # a note adds; it does not make other views stale
    assert world.last_event()["action"] == "add_note"


def test_an_empty_note_is_refused(world) -> None:
    ref = world.open()
    err = world.refused(InvalidInputError, lambda: world.ledger("frontline").add_note(ref, "  "))
    assert err.field == "text"


def test_a_note_on_an_unknown_dispute_is_not_found(world) -> None:
    world.refused(NotFoundError, lambda: world.ledger("frontline").add_note("D-1999-0001", "hi"))


# --- stale versions on every versioned operation ----------------------------------------


@pytest.mark.parametrize(
    "op",
    [
        lambda w, r, v: w.ledger("frontline").edit_form(
            r, {"rule_conflict": "another reading"}, expected_version=v
        ),
        lambda w, r, v: w.ledger("frontline").record_evidence(
            r, "risk_screen", True, expected_version=v
        ),
        lambda w, r, v: w.ledger("frontline").escalate(
            r, expected_version=v, impact="the person waits without agreed support"
        ),
        lambda w, r, v: w.ledger("duty_lead").assign_cover(r, "CBH", "call", expected_version=v),
        lambda w, r, v: w.ledger("duty_lead").start_provisional(
            r, "frontline", "check", days=7, expected_version=v
        ),
        lambda w, r, v: w.ledger("supervisor").record_decision(
            r,
            "assigned",
            "MCO holds the contract",
            w.review(),
            receiving_agency="MCO",
            expected_version=v,
        ),
        lambda w, r, v: w.ledger("duty_lead").withdraw(r, "moved away", expected_version=v),
        lambda w, r, v: w.ledger("duty_lead").assign_plan_holder(
            r, "frontline", expected_version=v
        ),
    ],
    ids=[
        "edit_form",
        "record_evidence",
        "escalate",
        "assign_cover",
        "start_provisional",
        "record_decision",
        "withdraw",
        "assign_plan_holder",
    ],
)
def test_every_versioned_operation_refuses_a_stale_version(world, op) -> None:
    ref = world.open()
    world.advance(minutes=5)
    world.ledger("supervisor").record_evidence(ref, "service_plan", False, "plan expired")
    err = world.refused(StaleWriteError, lambda: op(world, ref, 1), ref=ref)
    assert err.changed_by == "supervisor" and err.current_version == 2
    op(world, ref, 2)  # with the current version it goes through


def test_a_naive_time_is_refused_rather_than_read_as_local_time(world) -> None:
    err = world.refused(
        InvalidInputError,
        lambda: world.ledger("duty_lead").open_dispute(world.form(), at=datetime(2026, 3, 2, 9, 0)),
        match="time zone",
    )
    assert err.field == "at"


def test_a_refusal_is_recorded_at_the_operations_time(world) -> None:
    ref = world.open()
    at = world.T0 + timedelta(hours=5, microseconds=250)
    with pytest.raises(RightsError):
        world.ledger("oversight").escalate(
            ref, at=at, impact="the person waits without agreed support"
        )
    event = world.last_event()
    assert event["action"] == "refused" and event["at"] == "2026-03-02 14:00:00.000250"
