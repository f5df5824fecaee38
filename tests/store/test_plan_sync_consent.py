"""The plan holder's period and case synchronisations, consent's scope, and the impact on the
person at escalation: what the store writes, what it refuses, what the detail says."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from panel_tui.rules.errors import InvalidInputError, RightsError, TransitionError
from panel_tui.store.read import orm_detail

pytestmark = pytest.mark.backend  # the ledger's rules: on PostgreSQL too (tests/backends.py)


def detail(world, ref: str):  # noqa: ANN201
    return orm_detail.dispute_detail(world.store, ref, world.now)


def test_a_plan_holder_has_a_period_and_a_next_sync(world) -> None:  # noqa: ANN001
    ref = world.open()
    ends, sync = world.now + timedelta(days=28), world.now + timedelta(days=7)
    world.ledger("duty_lead").assign_plan_holder(ref, "frontline", period_ends=ends, next_sync=sync)
    (row,) = world.sql("SELECT * FROM planholderassignment")
    assert row["period_ends"].startswith(ends.strftime("%Y-%m-%d %H:%M"))
    assert row["next_sync_due"].startswith(sync.strftime("%Y-%m-%d %H:%M"))
    event = world.last_event()
    assert event["action"] == "assign_plan_holder"
    assert event["after"]["plan_holder"] == "frontline"
    assert event["after"]["period_ends"].startswith(ends.strftime("%Y-%m-%dT%H:%M"))
    plan = detail(world, ref).plan
    assert plan is not None and plan.holder_login == "frontline"
    assert plan.next_sync_due == sync and not plan.sync_overdue
    world.advance(days=7, minutes=1)
    assert detail(world, ref).plan.sync_overdue  # "sync due"
    world.refused(
        InvalidInputError,
        lambda: world.ledger("duty_lead").assign_plan_holder(
            ref, "frontline", next_sync=world.now - timedelta(hours=1)
        ),
    )


def test_a_synchronisation_is_recorded_and_sets_the_next(world) -> None:  # noqa: ANN001
    ref = world.open()
    world.ledger("duty_lead").assign_plan_holder(
        ref, "frontline", next_sync=world.now + timedelta(days=2)
    )
    world.advance(days=3)
    assert detail(world, ref).plan.sync_overdue
    nxt = world.now + timedelta(days=7)
    world.ledger("frontline").record_sync(
        ref,
        "medication",
        "frontline (CBH), MCO care manager, GP practice nurse",
        "blister packs from Friday; pharmacy to call if missed",
        held_at=world.now - timedelta(hours=2),
        next_due=nxt,
    )
    (row,) = world.sql("SELECT * FROM casesync")
    assert row["trigger"] == "medication" and row["participants"].startswith("frontline (CBH)")
    event = world.last_event()
    assert event["action"] == "record_sync"
    assert event["after"]["outcome"] == "blister packs from Friday; pharmacy to call if missed"
    assert event["after"]["participants"] == row["participants"]
    d = detail(world, ref)
    assert [s.trigger for s in d.syncs] == ["medication"]
    assert d.plan.next_sync_due == nxt and not d.plan.sync_overdue


def test_a_synchronisation_needs_a_plan_holder_and_the_right(world) -> None:  # noqa: ANN001
    ref = world.open()
    world.refused(
        TransitionError,
        lambda: world.ledger("frontline").record_sync(ref, "housing", "CBH, HOU", "tenancy kept"),
        match="no plan holder",
        ref=ref,
    )
    world.ledger("duty_lead").assign_plan_holder(ref, "frontline")
    world.refused(
        RightsError,
        lambda: world.ledger("oversight").record_sync(ref, "housing", "CBH, HOU", "tenancy kept"),
        actor="oversight",
    )
    refused = json.loads(world.sql("SELECT after FROM event ORDER BY id DESC LIMIT 1")[0][0])
    assert refused["rule"] == "rights.role" and refused["action"] == "record_sync"
    for bad in (
        lambda: world.ledger("frontline").record_sync(ref, "weather", "CBH", "tenancy kept"),
        lambda: world.ledger("frontline").record_sync(ref, "housing", "", "tenancy kept"),
        lambda: world.ledger("frontline").record_sync(ref, "housing", "CBH", ""),
        lambda: world.ledger("frontline").record_sync(
            ref, "housing", "CBH", "tenancy kept", held_at=world.now + timedelta(hours=1)
        ),
    ):
        world.refused(InvalidInputError, bad)


def test_consent_has_a_scope(world) -> None:  # noqa: ANN001
    ref = world.open()
    assert detail(world, ref).consent is None
    review = world.review(days=90)
    world.ledger("frontline").record_consent(ref, ["mco", "CBH"], "care coordination", review)
    (row,) = world.sql("SELECT * FROM consentscope")
    assert row["agencies"] == "CBH MCO" and row["purpose"] == "care coordination"
    assert world.last_event()["after"] == {
        "agencies": ["CBH", "MCO"],
        "purpose": "care coordination",
        "review_date": review.isoformat(),
    }
    consent = detail(world, ref).consent
    assert consent.agencies == ("CBH", "MCO") and not consent.review_due
    world.advance(days=91)
    assert detail(world, ref).consent.review_due
    for bad in (
        lambda: world.ledger("frontline").record_consent(ref, ["NOPE"], "care", review),
        lambda: world.ledger("frontline").record_consent(ref, [], "care coordination", review),
        lambda: world.ledger("frontline").record_consent(ref, ["CBH"], "", review),
        lambda: world.ledger("frontline").record_consent(
            ref, ["CBH"], "care coordination", world.review(days=0)
        ),
    ):
        world.refused(InvalidInputError, bad)
    world.refused(
        RightsError,
        lambda: world.ledger("oversight").record_consent(ref, ["CBH"], "audit", world.review()),
    )


def test_an_escalation_records_the_impact_on_the_person(world) -> None:  # noqa: ANN001
    ref = world.open()
    world.ledger("supervisor").escalate(ref, "call booked", impact="two missed welfare calls")
    (record,) = world.sql("SELECT impact FROM stagerecord WHERE stage = 1")
    assert record["impact"] == "two missed welfare calls"
    assert world.last_event()["after"]["impact"] == "two missed welfare calls"
    assert detail(world, ref).stages[1].impact == "two missed welfare calls"
    # Given, it must say something: two letters are bad input, nothing written.
    world.refused(
        InvalidInputError, lambda: world.ledger("supervisor").escalate(ref, "up", impact="ok")
    )
    # Not given at all: the store's rule refuses it (test_refusal_audit.py).
    world.refused(TransitionError, lambda: world.ledger("supervisor").escalate(ref, "up"))


@pytest.mark.parametrize("login", ["frontline", "duty_lead", "supervisor"])
def test_the_policy_names_who_records_a_synchronisation(world, login: str) -> None:
    ref = world.open()
    world.ledger("duty_lead").assign_plan_holder(ref, "frontline")
    world.ledger(login).record_sync(ref, "incident", "CBH crisis team", "safety plan refreshed")
    assert world.sql("SELECT count(*) FROM casesync")[0][0] == 1
