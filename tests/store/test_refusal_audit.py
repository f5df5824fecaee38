"""Every refusal by a rule is audited the same way: the action, the rule that refused,
the reason, and what was asked (the values given and the version the asker had read)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from panel_tui.rules.errors import RightsError, TransitionError


def _refusal(world) -> dict:
    event = world.last_event()
    assert event["action"] == "refused"
    return event["after"]


@pytest.mark.backend
def test_a_refused_decision_records_what_was_asked(world) -> None:
    ref = world.open()
    version = world.dispute(ref)["version"]
    review = world.review()
    world.refused(
        RightsError,
        lambda: world.ledger("frontline").record_decision(
            ref,
            "assigned",
            "MCO holds the contract for this.",
            review,
            receiving_agency="MCO",
            expected_version=version,
        ),
    )
    after = _refusal(world)
    assert after["action"] == "record_decision"
    assert after["rule"].startswith("rights.")
    assert after["asked"] == {
        "outcome": "assigned",
        "rationale": "MCO holds the contract for this.",
        "review_date": review.isoformat(),
        "receiving_agency": "MCO",
        "final": False,
        "expected_version": version,
    }


@pytest.mark.backend
def test_a_refused_escalation_records_its_note(world) -> None:
    ref = world.open()
    world.ledger("duty_lead").withdraw(ref, "Resolved between the agencies by phone.")
    world.refused(
        TransitionError,
        lambda: world.ledger("supervisor").escalate(
            ref, "moving up", impact="the person waits without agreed support"
        ),
    )
    after = _refusal(world)
    assert (after["action"], after["asked"]) == (
        "escalate",
        {"note": "moving up", "impact": "the person waits without agreed support"},
    )


def test_an_escalation_without_the_impact_on_the_person_is_refused_by_the_store(world) -> None:
    ref = world.open()
    for impact in (None, "", "   "):
        err = world.refused(
            TransitionError,
            lambda impact=impact: world.ledger("supervisor").escalate(ref, "up", impact=impact),
            match="impact on the person",
        )
        assert err.exit_code == 1
        after = _refusal(world)
        assert (after["action"], after["rule"]) == ("escalate", "lifecycle.impact")
        assert after["asked"] == {"note": "up"}
    assert world.dispute(ref)["current_stage"] == 0


@pytest.mark.backend
def test_a_package_outside_the_policy_limits_is_a_rule_refusal_naming_the_rule(world) -> None:
    ref = world.open()
    ends = world.now + timedelta(days=30)
    err = world.refused(
        TransitionError,
        lambda: world.ledger("supervisor").start_provisional(
            ref, "duty_lead", "Daily welfare call.", ends_at=ends
        ),
        match="7–14 days",
    )
    assert err.exit_code == 1
    after = _refusal(world)
    assert after["rule"] == "policy.provisional_length"
    assert after["asked"]["ends_at"] == ends.isoformat()


@pytest.mark.backend
def test_leaving_nobody_to_administer_is_a_rule_refusal_naming_the_rule(world) -> None:
    admin = world.admin()
    logins = [r["login"] for r in world.sql("SELECT login FROM person WHERE roles LIKE '%admin%'")]
    for login in logins[1:]:
        admin.deactivate(login, "left")
    world.refused(TransitionError, lambda: admin.deactivate(logins[0], "left the service"))
    after = _refusal(world)
    assert after["rule"] == "rights.keep_administrator"
    assert after["asked"] == {"login": logins[0], "reason": "left the service"}
    assert json.loads(world.events()[-1]["after"]) == after
