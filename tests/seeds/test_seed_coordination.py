"""[Coordination] "Everyone is involved, but no one is fully in control": its three
operational examples, walked through the command line."""

from __future__ import annotations

import json

from cli_helpers import form


def test_example_1_a_coordinator_who_owns_the_plan_not_just_attends(walk) -> None:  # noqa: ANN001
    ref = walk.open(dispute_type="capacity", risk="medium", responding_agencies=["HOU", "MCO"])
    # A designated coordinator from the point of entry, for a period, with meetings at
    # defined intervals.
    walk.as_("cbh_duty", "holder", ref, "cbh_front", "--period", "14d", "--next-sync", "+7d")
    walk.later(days=2)
    walk.as_(
        "cbh_front", "sync", ref, "--trigger", "scheduled",
        "--with", "CBH clinician, MCO case manager, HOU provider, peer support",
        "--outcome", "one plan: HOU tenancy visit (HOU), meds (MCO), daily call (CBH)",
        "--next", "+7d",
    )  # fmt: skip
    (sync,) = walk.show(ref)["syncs"]
    assert "HOU provider" in sync["participants"] and "(HOU)" in sync["outcome"]
    # Where risks change, responsibilities are re-confirmed, not assumed: the risk
    # raised makes a synchronisation due at once.
    walk.later(days=3)
    walk.as_("cbh_duty", "rerate", ref, "--risk", "high", "--note", "missed two tenancy visits")
    assert walk.show(ref)["plan"]["sync_overdue"] is True
    walk.as_("cbh_front", "sync", ref, "--trigger", "missed_visits", "--with", "CBH, HOU, MCO",
             "--outcome", "HOU visit moved; CBH confirms owner", "--next", "+7d")  # fmt: skip
    assert walk.show(ref)["plan"]["sync_overdue"] is False
    # The holding period ends: nobody may assume the plan is still held.
    # (Found by this walk: an ended period showed nothing.)
    walk.later(days=10)
    plan = walk.show(ref)["plan"]
    assert plan["period_over"] is True and plan["sync_overdue"] is True
    assert "! HOLDING PERIOD ENDED" in walk.cli.ok("show", ref)
    # The duty lead re-confirms ownership, here with the MCO case manager.
    walk.as_("cbh_duty", "holder", ref, "mco_front", "--period", "28d", "--next-sync", "+2d")
    plan = walk.show(ref)["plan"]
    assert (plan["holder_login"], plan["period_over"], plan["sync_overdue"]) == (
        "mco_front", False, False
    )  # fmt: skip
    assert walk.queue("--mine", login="mco_front") == [ref]
    holders = [e["after"]["plan_holder"] for e in walk.show(ref)["events"]
               if e["action"] == "assign_plan_holder"]  # fmt: skip
    assert holders == ["cbh_front", "mco_front"]
    walk.verify()


def test_example_2_one_referral_routed_once_and_confirmed(walk) -> None:  # noqa: ANN001
    ref = walk.open(dispute_type="eligibility", risk="high", responding_agencies=["HOU"],
                    proposed_pathway="HOU tenancy sustainment")  # fmt: skip
    # Triage decides once and routes the person to the assigned service.
    walk.as_("cbh_sup", "decide", ref, "--outcome", "assigned", "--receiving", "HOU",
             "--pathway", "HOU tenancy sustainment",
             "--rationale", "the need is housing; HOU criteria met", "--review", "+14")  # fmt: skip
    # The pathway cannot proceed until the referral is accepted by the service routed to.
    assert walk.show(ref)["status"] == "decided" and walk.queue() == [ref]
    wrong = walk.refused("mco_front", "accept", ref, "--start-plan", "MCO will see them")
    assert wrong.returncode == 1 and "HOU" in wrong.stderr
    # Meanwhile a bridge package, with every contact attempt logged.
    walk.as_("cbh_duty", "provisional", ref, "--coordinator", "cbh_front",
             "--actions", "welfare check; tenancy officer liaison", "--days", "7")  # fmt: skip
    walk.as_("cbh_front", "contact", ref, "--method", "phone", "--outcome", "reached",
             "--note", "told which service will contact them, and when")  # fmt: skip
    walk.later(hours=20)
    walk.as_("hou_front", "accept", ref, "--start-plan", "HOU officer contacts within 48 h",
             "--start", "+1")  # fmt: skip
    shown = walk.show(ref)
    assert shown["status"] == "closed" and shown["acceptance"]["start_plan"].startswith("HOU")
    assert shown["packages"][0]["status"] == "converted"
    # Triaged once: bringing the same referral in again does not restart it.
    exported = walk.cli.ok("export")
    imported = walk.cli("import", "-", "--format", "json", stdin=exported)
    assert imported.returncode == 0, imported.stderr
    result = json.loads(imported.stdout)
    assert (result["imported"], result["skipped"]) == (0, {ref: ref})
    assert walk.queue("--section", "closed") == [ref]
    walk.verify()


def test_example_3_consent_and_lawful_sharing_from_the_point_of_entry(walk) -> None:  # noqa: ANN001
    # The process cannot proceed without documented consent or a lawful basis.
    no_basis = walk.cli("--as", "cbh_duty", "open", "--json", "-",
                        stdin=json.dumps(form(consent_basis="")))  # fmt: skip
    assert no_basis.returncode == 2 and walk.queue() == []
    ref = walk.open(consent_basis="consent signed at intake 2026-11-01")
    # The scope: consent status, participating agencies, purpose, review date.
    assert walk.refused("cbh_duty", "consent", ref, "--agencies", "CBH,MCO", "--purpose",
                        "care coordination", "--review", "-1").returncode == 2  # fmt: skip
    assert walk.refused("chair", "consent", ref, "--agencies", "CBH,MCO", "--purpose",
                        "care coordination", "--review", "+90").returncode == 1  # fmt: skip
    walk.as_("cbh_front", "consent", ref, "--agencies", "CBH,MCO", "--purpose",
             "care coordination and shared risk summary", "--review", "+90")  # fmt: skip
    consent = walk.show(ref)["consent"]
    assert (consent["agencies"], consent["review_due"]) == (["CBH", "MCO"], False)
    lines = walk.cli.ok("show", ref).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(("Consent:", "Problem:")))
    assert lines[first].startswith("Consent: CBH, MCO for care")  # before anything else
    # A safeguarding concern: sharing widens proportionately, on a recorded basis.
    safeguarding = walk.open(person_ref="P-0900", dispute_type="safeguarding",
                             consent_basis="lawful basis: safeguarding duty")  # fmt: skip
    walk.as_("cbh_duty", "consent", safeguarding, "--agencies", "CBH,APS", "--purpose",
             "safeguarding enquiry only", "--review", "+30")  # fmt: skip
    shown = walk.show(safeguarding)
    assert shown["consent_basis"].startswith("lawful basis") and shown["consent"]["agencies"] == [
        "APS", "CBH"
    ]  # fmt: skip
    # Reviewed by its date: the scope comes due, and an export says so before sharing.
    walk.later(days=31)
    assert walk.show(safeguarding)["consent"]["review_due"] is True
    assert f"review due: {safeguarding}" in walk.cli("export").stderr
    walk.as_("cbh_duty", "consent", safeguarding, "--agencies", "APS", "--purpose",
             "safeguarding enquiry only", "--review", "+30")  # fmt: skip
    assert walk.show(safeguarding)["consent"]["agencies"] == ["APS"]
    assert "review due" not in walk.cli("export").stderr
    # Once the dispute is over the scope is not changed any more.
    walk.as_("cbh_duty", "withdraw", ref, "--reason", "agencies agreed the plan directly")
    assert walk.refused("cbh_duty", "consent", ref, "--agencies", "CBH", "--purpose",
                        "care coordination", "--review", "+30").returncode == 1  # fmt: skip
    walk.verify()
