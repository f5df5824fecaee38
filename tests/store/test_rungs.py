"""Decision rights by rung and by agency, through the store (rules/rights.py ``may``).

Seed 000: a time-bound ladder with a named authority on every rung, and "the
receiving team confirms acceptance with a start plan".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from panel_tui.rules import rights
from panel_tui.rules.enums import Action, Stage
from panel_tui.rules.errors import RightsError
from panel_tui.rules.policy import (
    default_policy,
    default_policy_text,
    parse_policy,
    policy_warnings,
)
from panel_tui.store.ledger.admin import Admin

H = timedelta(hours=1)


def _decide(world, ref: str, who: str, **kw) -> int:
    return world.ledger(who).record_decision(
        ref, kw.pop("outcome", "assigned"), "MCO holds the contract for ACT", world.review(),
        receiving_agency=kw.pop("receiving", "MCO"), **kw,
    )  # fmt: skip


@pytest.mark.backend
def test_a_supervisor_alone_may_not_record_the_panel_decision(world) -> None:
    ref = world.open()
    world.to_stage(ref, 2)
    err = world.refused(RightsError, lambda: _decide(world, ref, "supervisor"), ref=ref)
    assert "record a decision at the panel stage" in err.message
    assert "panel_chair" in err.message
    assert world.last_event()["after"]["rule"] == rights.RULE_RUNG
    _decide(world, ref, "panel_chair")
    assert world.dispute(ref)["status"] == "decided"
    capacity = world.sql("SELECT capacity FROM decision")[0]["capacity"]
    assert capacity == "panel_chair"


@pytest.mark.backend
def test_a_supervisor_records_the_decision_on_the_supervisor_rung(world) -> None:
    ref = world.open()
    world.to_stage(ref, 1)
    _decide(world, ref, "supervisor")
    assert world.sql("SELECT capacity FROM decision")[0]["capacity"] == "supervisor"


@pytest.mark.backend
def test_the_final_authority_escalates_its_overdue_stage_to_liaison(world) -> None:
    ref = world.open(dispute_type="eligibility", risk="high")
    world.to_stage(ref, 3)
    world.advance(hours=49)  # stage 3 of a high-risk dispute: 48 h
    # The clinical lead is not this eligibility dispute's authority: refused by the rung.
    err = world.refused(
        RightsError,
        lambda: world.ledger("clinical_lead").escalate(
            ref, "to liaison", "authority away", impact="the person waits without agreed support"
        ),
        ref=ref,
    )
    assert "rung 3" in err.message and "program_manager" in err.message
    stage = world.ledger("program_manager").escalate(
        ref, "to liaison", "panel papers late", impact="the person waits without agreed support"
    )
    assert stage is Stage.COMMISSIONER_LIAISON


@pytest.mark.backend
def test_open_fourteen_days_escalates_to_liaison_not_the_next_rung(world) -> None:
    ref = world.open(risk="low")
    world.to_stage(ref, 1)
    world.advance(days=14, hours=1)
    stage = world.ledger("supervisor").escalate(
        ref, "open too long", "nobody took it", impact="the person waits without agreed support"
    )
    assert stage is Stage.COMMISSIONER_LIAISON
    assert world.dispute(ref)["current_stage"] == 4
    assert world.dispute(ref)["current_due_at"] is None  # liaison has no clock


@pytest.mark.backend
def test_only_the_receiving_agency_confirms_acceptance(world) -> None:
    ref = world.open()  # raised by CBH against MCO
    _decide(world, ref, "supervisor")
    for who in ("frontline", "duty_lead", "supervisor", "hou_duty_lead"):  # CBH, CBH, CBH, HOU
        err = world.refused(
            RightsError,
            lambda who=who: world.ledger(who).confirm_acceptance(
                ref, "intake visit on Monday", world.now.date()
            ),
            actor=who,
            ref=ref,
        )
        assert "names MCO as receiving" in err.message
        assert world.last_event()["after"]["rule"] == rights.RULE_RECEIVING_AGENCY
    world.ledger("mco_frontline").confirm_acceptance(ref, "intake visit Monday", world.now.date())
    assert world.dispute(ref)["status"] == "closed"


@pytest.mark.backend
def test_not_upheld_is_confirmed_by_the_agency_whose_arrangement_stands(world) -> None:
    ref = world.open()
    _decide(world, ref, "supervisor", outcome="not_upheld", receiving="CBH")
    world.refused(
        RightsError,
        lambda: world.ledger("mco_duty_lead").confirm_acceptance(
            ref, "MCO takes over on Monday", world.now.date()
        ),
    )
    world.ledger("frontline").confirm_acceptance(ref, "CBH keeps the ACT plan", world.now.date())
    assert world.dispute(ref)["status"] == "closed"


@pytest.mark.backend
def test_a_person_of_no_agency_confirms_nothing(world) -> None:
    Admin(world.store, "admin", clock=lambda: world.now).add_person(
        "floater", "Floater", ["duty_lead"], None
    )
    ref = world.open()
    _decide(world, ref, "supervisor")
    err = world.refused(
        RightsError,
        lambda: world.ledger("floater").confirm_acceptance(
            ref, "intake visit Monday", world.now.date()
        ),
    )
    assert "of no agency" in err.message


# --- may(): the one answer the screens ask ------------------------------------------


def _facts(**kw) -> rights.DisputeFacts:
    base = {"ref": "D-1", "dispute_type": "funding", "status": "open", "stage": 0}
    return rights.DisputeFacts(**(base | kw))


@pytest.mark.parametrize(
    ("roles", "agency", "action", "facts", "rule"),
    [
        (("supervisor",), "CBH", Action.RECORD_DECISION, _facts(stage=2), rights.RULE_RUNG),
        (("panel_chair",), "CBH", Action.RECORD_DECISION, _facts(stage=2), None),
        (("panel_chair",), "CBH", Action.RECORD_DECISION, _facts(stage=3), rights.RULE_STATE),
        (("clinical_lead",), "MCO", Action.ESCALATE, _facts(stage=3), None),
        (("program_manager",), "CBH", Action.ESCALATE, _facts(stage=3), rights.RULE_RUNG),
        (("program_manager",), "CBH", Action.ESCALATE, _facts(stage=4), rights.RULE_STATE),
        (("frontline",), "CBH", Action.ESCALATE, _facts(stage=1), rights.RULE_RUNG),
        (("oversight",), None, Action.ESCALATE, _facts(), rights.RULE_ROLE),
        (("frontline",), "CBH", Action.CONFIRM_ACCEPTANCE,
         _facts(status="decided", receiving_agency="MCO"), rights.RULE_RECEIVING_AGENCY),
        (("frontline",), "mco", Action.CONFIRM_ACCEPTANCE,
         _facts(status="decided", receiving_agency="MCO"), None),
        (("frontline",), "MCO", Action.CONFIRM_ACCEPTANCE, _facts(), rights.RULE_STATE),
        (("frontline",), "CBH", Action.LOG_CONTACT, _facts(), rights.RULE_STATE),
        (("frontline",), "CBH", Action.LOG_CONTACT, _facts(active_package=True), None),
        (("duty_lead",), "CBH", Action.WITHDRAW, _facts(status="closed"), rights.RULE_STATE),
        (("duty_lead",), "CBH", Action.ADD_NOTE, _facts(status="closed"), None),
    ],
)  # fmt: skip
def test_may_answers_with_the_rule(roles, agency, action, facts, rule) -> None:
    verdict = rights.may(default_policy(), rights.Actor("pat", roles, agency), action, facts)
    assert bool(verdict) is (rule is None)
    assert verdict.rule == (rule or "")
    if rule is not None:
        assert verdict.reason and verdict.error().rule == rule


# --- policies written before [rungs] --------------------------------------------------

OLD_RIGHTS = """\
escalate = ["frontline", "duty_lead", "supervisor", "panel_chair"]
record_decision = ["supervisor", "panel_chair"]
"""


def _old_policy_text() -> str:
    text = default_policy_text()
    text = text[: text.index("[rungs.frontline]")]
    return text.replace("[rights]\n", "[rights]\n" + OLD_RIGHTS)


def test_a_policy_without_rungs_still_loads_with_the_default_rungs() -> None:
    policy = parse_policy(_old_policy_text())
    assert policy.rungs == default_policy().rungs
    assert policy.rung_roles(Action.RECORD_DECISION, 2, "funding") == {"panel_chair"}
    assert policy.rung_roles(Action.ESCALATE, 3, "eligibility") == {
        "duty_lead", "supervisor", "program_manager",
    }  # fmt: skip
    warnings = policy_warnings(_old_policy_text())
    assert [w.split(":")[0] for w in warnings] == ["rights.escalate", "rights.record_decision"]
    assert policy_warnings(default_policy_text()) == []


@pytest.mark.backend
def test_an_installed_old_policy_keeps_loading_in_the_store(world) -> None:
    world.admin().set_policy(_old_policy_text())
    ref = world.open()
    world.to_stage(ref, 2)
    world.refused(RightsError, lambda: _decide(world, ref, "supervisor"))
    _decide(world, ref, "panel_chair")


@pytest.mark.backend
def test_a_breach_reason_belongs_to_the_rung_that_breached(world) -> None:
    from panel_tui.store.read import orm_detail

    ref = world.open(risk="high")
    world.advance(hours=25)  # the frontline window of a high-risk dispute is 24 h
    world.ledger("duty_lead").escalate(
        ref,
        "supervisors to call",
        "duty line unstaffed",
        impact="the person waits without agreed support",
    )
    stages = orm_detail.dispute_detail(world.store, ref, world.now).stages
    assert stages[0].breach_reason == "duty line unstaffed"  # stage 0 breached
    assert stages[1].breach_reason is None  # stage 1 has not breached
    assert stages[1].note == "supervisors to call"  # the note is for the rung entered
