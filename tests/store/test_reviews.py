"""Issue 12 §2 and §3 through the real store: packages that expire and demand their next
step, reviews that come due, review triggers, and risk re-rated with the clocks following.

The dispute in most tests is high risk, opened at T0 (09:00 UTC; TZ is the host's):
its frontline window is 24 h, critical's 4 h.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from panel_tui.rules.errors import InvalidInputError, RightsError, TransitionError
from panel_tui.rules.reviews import local_date
from panel_tui.store.read import orm_queries
from panel_tui.store.read.orm_detail import dispute_detail
from panel_tui.store.read.queue_models import QueueFilter, Section

H = timedelta(hours=1)
D = timedelta(days=1)


def detail(world, ref):
    return dispute_detail(world.store, ref, world.now)


def listed(world, f: QueueFilter, at=None) -> list[str]:
    page = orm_queries.queue_page(world.store, f, at or world.now, limit=500)
    return [r.ref for r in page.rows]


def row(world, ref):
    page = orm_queries.queue_page(world.store, QueueFilter(text=ref), world.now, limit=5)
    (found,) = [r for r in page.rows if r.ref == ref]
    return found


def with_package(world, days: int = 7) -> str:
    ref = world.open()
    world.ledger("duty_lead").start_provisional(ref, "frontline", "welfare check", days=days)
    return ref


EXPIRING = QueueFilter(section=Section.PROVISIONAL_EXPIRING)
EXPIRED = QueueFilter(section=Section.PROVISIONAL_EXPIRED)
REVIEWS = QueueFilter(section=Section.REVIEWS_DUE)


# --- §2: a provisional package expires visibly, and demands its next step ----------------
@pytest.mark.backend
def test_a_package_moves_from_expiring_to_expired_at_its_deadline(world) -> None:
    ref = with_package(world)
    end = world.T0 + 7 * D
    world.now = end - 47 * H
    assert ref in listed(world, EXPIRING) and ref not in listed(world, EXPIRED)
    assert row(world, ref).provisional_expired is False
    assert detail(world, ref).packages[0].status == "active"
    assert detail(world, ref).next_step is None

    world.now = end + H
    assert ref not in listed(world, EXPIRING)
    assert ref in listed(world, EXPIRED)
    assert row(world, ref).provisional_expired is True
    d = detail(world, ref)
    assert d.packages[0].status == "expired" and d.packages[0].expired
    assert "funded pathway" in d.next_step and "escalate" in d.next_step
    # Nothing is stored for the passing of time: the stored status is still active.
    assert world.sql("SELECT status FROM provisionalpackage")[0]["status"] == "active"


@pytest.mark.backend
def test_an_expired_package_takes_no_more_contacts_and_no_second_package(world) -> None:
    ref = with_package(world)
    world.now = world.T0 + 7 * D + H
    err = world.refused(
        TransitionError,
        lambda: world.ledger("frontline").log_contact(ref, "phone", "reached"),
        match="has expired",
        ref=ref,
    )
    assert err.rule == "provisional.expired"
    assert world.last_event()["after"]["rule"] == "provisional.expired"
    world.refused(
        TransitionError,
        lambda: world.ledger("duty_lead").start_provisional(ref, "frontline", "again", days=7),
        match="has expired",
    )
    # The app offers neither: the detail's facts say so.
    facts = detail(world, ref).facts()
    assert facts.active_package and facts.package_expired


@pytest.mark.backend
def test_a_funded_pathway_is_the_next_step(world) -> None:
    ref = with_package(world)
    world.now = world.T0 + 7 * D + 2 * H
    package = world.ledger("supervisor").record_pathway(ref, "MCO intensive case management")
    stored = world.sql("SELECT * FROM provisionalpackage WHERE id = ?", package)[0]
    assert stored["status"] == "converted"
    assert stored["pathway"] == "MCO intensive case management"
    assert stored["closed_at"] is not None
    event = world.last_event()
    assert event["action"] == "record_pathway"
    assert event["after"]["pathway"] == "MCO intensive case management"
    assert event["after"]["expired"] is True and event["after"]["status"] == "converted"
    assert ref not in listed(world, EXPIRED)
    d = detail(world, ref)
    assert d.packages[0].status == "converted" and d.packages[0].pathway.startswith("MCO")
    assert d.next_step is None


@pytest.mark.backend
def test_escalating_is_the_other_next_step(world) -> None:
    ref = with_package(world)
    world.now = world.T0 + 7 * D + 2 * H  # the frontline clock breached long ago
    world.ledger("supervisor").escalate(
        ref,
        "package over",
        breach_reason="no agreement",
        impact="the person waits without agreed support",
    )
    assert world.last_event()["after"]["package_escalated"] is not None
    assert world.sql("SELECT status FROM provisionalpackage")[0]["status"] == "escalated"
    assert ref not in listed(world, EXPIRED)
    assert detail(world, ref).next_step is None


@pytest.mark.backend
def test_a_pathway_needs_a_package_and_the_right(world) -> None:
    ref = world.open()
    world.refused(
        TransitionError,
        lambda: world.ledger("supervisor").record_pathway(ref, "MCO ICM"),
        match="no provisional package",
    )
    ref = with_package(world)
    world.refused(
        RightsError, lambda: world.ledger("frontline").record_pathway(ref, "MCO ICM"), ref=ref
    )
    world.refused(InvalidInputError, lambda: world.ledger("supervisor").record_pathway(ref, " "))


# --- §3: reviews come due ------------------------------------------------------------------
@pytest.mark.backend
def test_a_decisions_review_date_comes_due_and_stays_due_after_closing(world) -> None:
    ref = world.open()
    review = world.review(10)
    world.ledger("supervisor").record_decision(
        ref, "assigned", "MCO has the contract", review, receiving_agency="MCO"
    )
    assert world.dispute(ref)["review_due_on"] == review.isoformat()
    assert world.last_event()["after"]["review_due_on"] == review.isoformat()
    world.ledger("mco_duty_lead").confirm_acceptance(ref, "intake visit booked", world.now.date())
    assert ref not in listed(world, REVIEWS)
    world.now += 11 * D
    assert ref in listed(world, REVIEWS)  # closed, and its decision still reviewed
    assert ref in listed(world, QueueFilter(reviews_due=True))
    assert ref not in listed(world, QueueFilter())  # All open stays live disputes only
    assert detail(world, ref).review_due is True
    # A review took place: the next one is set, and it is no longer due.
    world.ledger("panel_chair").record_review(ref, "engaged and stable", world.review(30))
    assert ref not in listed(world, REVIEWS)
    assert world.last_event()["before"]["review_due_on"] == review.isoformat()
    notes = [n["text"] for n in world.sql("SELECT text FROM note")]
    assert "Review: engaged and stable" in notes


@pytest.mark.backend
def test_cover_with_a_review_brings_the_review_forward(world) -> None:
    ref = world.open()
    world.ledger("duty_lead").assign_cover(ref, "CBH", "daily call", review_at=world.now + 2 * D)
    expected = local_date(world.now + 2 * D)
    assert world.dispute(ref)["review_due_on"] == expected.isoformat()
    # A later decision's review does not push the cover's sooner one back.
    world.ledger("supervisor").record_decision(
        ref, "assigned", "MCO has the contract", world.review(30), receiving_agency="MCO"
    )
    assert world.dispute(ref)["review_due_on"] == expected.isoformat()


@pytest.mark.backend
@pytest.mark.parametrize(
    ("trigger", "days"), [("critical_incident", 0), ("risk_raised", 1), ("services_refused", 3)]
)
def test_a_trigger_brings_the_review_forward_by_the_policys_days(world, trigger, days) -> None:
    ref = world.open()
    world.decided(ref)  # review in 30 days
    due = world.ledger("frontline").review_trigger(ref, trigger, "what happened today")
    assert due == local_date(world.now) + days * D
    assert world.dispute(ref)["review_due_on"] == due.isoformat()
    event = world.last_event()
    assert event["action"] == "review_trigger"
    assert event["after"] == {
        "trigger": trigger,
        "note": "what happened today",
        "review_due_on": due.isoformat(),
        "next_sync_due": None,  # no plan holder to convene one
    }
    assert (ref in listed(world, REVIEWS)) is (days == 0)
    world.now += days * D
    assert ref in listed(world, REVIEWS)


@pytest.mark.backend
@pytest.mark.parametrize("trigger", ["critical_incident", "risk_raised", "services_refused"])
def test_a_trigger_makes_the_plan_holders_synchronisation_due_now(world, trigger) -> None:
    # Higher-risk changes trigger a case conference [Integration]; where risks change,
    # responsibilities are re-confirmed [Coordination].
    ref = world.open()
    world.ledger("duty_lead").assign_plan_holder(ref, "frontline", next_sync=world.now + 7 * D)
    world.advance(hours=2)
    world.ledger("frontline").review_trigger(ref, trigger, "what happened today")
    assert world.last_event()["after"]["next_sync_due"] == world.now.isoformat()
    plan = detail(world, ref).plan
    assert plan is not None and plan.sync_overdue and plan.next_sync_due == world.now
    # The synchronisation the plan holder convenes clears it.
    world.advance(hours=1)
    world.ledger("frontline").record_sync(
        ref, "incident", "CBH, MCO", "daily calls agreed", next_due=world.now + 3 * D
    )
    assert not detail(world, ref).plan.sync_overdue


@pytest.mark.backend
def test_a_synchronisation_already_overdue_stays_as_it_was(world) -> None:
    ref = world.open()
    world.ledger("duty_lead").assign_plan_holder(ref, "frontline", next_sync=world.now + H)
    world.advance(hours=3)
    world.ledger("frontline").review_trigger(ref, "services_refused", "door not opened")
    assert detail(world, ref).plan.next_sync_due == world.T0 + H  # never later, nor moved


@pytest.mark.backend
def test_raising_the_risk_convenes_a_synchronisation_lowering_it_does_not(world) -> None:
    ref = world.open()  # high
    world.ledger("duty_lead").assign_plan_holder(ref, "frontline", next_sync=world.now + 7 * D)
    world.advance(hours=1)
    world.ledger("supervisor").rerate_risk(ref, "medium", "settled overnight")
    assert not detail(world, ref).plan.sync_overdue
    assert world.last_event()["after"]["next_sync_due"] is None
    world.advance(hours=1)
    world.ledger("supervisor").rerate_risk(ref, "critical", "second crisis call")
    assert detail(world, ref).plan.sync_overdue
    assert world.last_event()["after"]["next_sync_due"] == world.now.isoformat()


@pytest.mark.backend
def test_a_trigger_never_puts_a_sooner_review_back(world) -> None:
    ref = world.open()
    world.ledger("frontline").review_trigger(ref, "critical_incident", "fall at home")
    world.ledger("frontline").review_trigger(ref, "services_refused", "door not opened")
    assert world.dispute(ref)["review_due_on"] == local_date(world.now).isoformat()


@pytest.mark.backend
def test_triggers_and_reviews_are_refused_on_a_withdrawn_dispute(world) -> None:
    ref = world.open()
    world.ledger("duty_lead").withdraw(ref, "resolved between teams")
    world.refused(
        TransitionError,
        lambda: world.ledger("frontline").review_trigger(ref, "risk_raised", "new crisis"),
        match="withdrawn",
    )
    other = world.open()
    world.refused(
        InvalidInputError,
        lambda: world.ledger("frontline").review_trigger(other, "bad_trigger", "x y z"),
    )


@pytest.mark.backend
def test_the_next_review_must_be_after_today(world) -> None:
    ref = world.open()
    world.refused(
        InvalidInputError,
        lambda: world.ledger("supervisor").record_review(ref, "looked at it", world.now.date()),
    )


# --- §3: risk re-rated, the clocks following ---------------------------------------------
@pytest.mark.backend
def test_raising_the_risk_tightens_the_current_stage_from_that_moment(world) -> None:
    ref = world.open()  # high: due at T0 + 24 h
    world.now = world.T0 + 2 * H
    world.ledger("supervisor").rerate_risk(ref, "critical", "second crisis call")
    stored = world.dispute(ref)
    assert stored["risk"] == "critical"
    due = world.T0 + 6 * H  # the re-rating time plus critical's 4 h frontline window
    assert detail(world, ref).clock.due == due
    assert detail(world, ref).stages[0].due_at == due
    event = world.last_event()
    assert event["action"] == "rerate_risk"
    assert event["before"]["risk"] == "high" and event["after"]["risk"] == "critical"
    assert event["after"]["review_trigger"] == "risk_raised"
    # Raising the risk is a review trigger: due by tomorrow (the policy's 1 day).
    assert stored["review_due_on"] == (local_date(world.now) + D).isoformat()
    # Later stages use the new risk's windows.
    world.ledger("supervisor").escalate(ref, "up", impact="the person waits without agreed support")
    assert detail(world, ref).clock.due == world.now + 24 * H  # critical stage 1: 24 h


@pytest.mark.backend
def test_lowering_the_risk_never_moves_a_clock_later(world) -> None:
    ref = world.open()  # high: due at T0 + 24 h
    world.now = world.T0 + 30 * H  # breached
    world.ledger("duty_lead").rerate_risk(ref, "low", "stable in supported housing")
    assert detail(world, ref).clock.due == world.T0 + 24 * H
    assert detail(world, ref).clock.state.value == "breached"
    assert world.dispute(ref)["review_due_on"] is None  # lowering is no trigger


@pytest.mark.backend
def test_rerating_is_refused_to_other_roles_and_for_the_same_risk(world) -> None:
    ref = world.open()
    err = world.refused(
        RightsError,
        lambda: world.ledger("frontline").rerate_risk(ref, "critical", "worse"),
        actor="frontline",
        ref=ref,
    )
    assert "re-rate the risk" in err.message
    world.refused(
        InvalidInputError,
        lambda: world.ledger("supervisor").rerate_risk(ref, "high", "the same again"),
        match="already high",
    )
    world.ledger("duty_lead").withdraw(ref, "resolved between teams")
    world.refused(
        TransitionError, lambda: world.ledger("supervisor").rerate_risk(ref, "low", "now fine")
    )


# --- the report and the dashboard count them ----------------------------------------------
@pytest.mark.backend
def test_the_report_counts_expired_packages_and_reviews(world) -> None:
    from panel_tui.store.read.report import oversight_report, report_json

    expired = with_package(world)
    running = with_package(world, days=14)
    world.ledger("frontline").review_trigger(running, "critical_incident", "fall at home")
    world.ledger("supervisor").rerate_risk(running, "critical", "fell twice")
    world.now = world.T0 + 8 * D
    report = oversight_report(world.store, world.T0 - D, world.now, world.now)
    assert (report.provisional.expired, report.provisional.active) == (1, 1)
    assert report.reviews.due == 1 and report.reviews.triggers == 1
    assert report.reviews.rerated == 1 and report.reviews.reviewed == 0
    data = report_json(report)
    assert data["provisional"]["expired"] == 1 and data["reviews"]["due"] == 1
    world.ledger("supervisor").record_pathway(expired, "MCO ICM")
    after = oversight_report(world.store, world.T0 - D, world.now, world.now)
    assert (after.provisional.expired, after.provisional.converted) == (0, 1)
