"""[Integration] "System Integration That Works: Governance, Accountability, and Real
Multi-Agency Practice": its three operational examples, walked through the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from panel_tui.rules.policy import default_policy_text


def _refused_rules(walk: Any, ref: str) -> list[str]:
    return [e["after"]["rule"] for e in walk.show(ref)["events"] if e["action"] == "refused"]


def _hours_between(earlier: str, later: str) -> float:
    delta = datetime.fromisoformat(later) - datetime.fromisoformat(earlier)
    return delta.total_seconds() / 3600


def test_example_1_care_planning_with_defined_decision_rights(walk) -> None:  # noqa: ANN001
    ref = walk.open(dispute_type="capacity", risk="medium", responding_agencies=["HOU"])
    # Cannot proceed without a named coordinator: no synchronisation without one.
    no_holder = walk.refused("cbh_front", "sync", ref, "--trigger", "scheduled",
                             "--with", "CBH, HOU", "--outcome", "plan agreed")  # fmt: skip
    assert no_holder.returncode == 1 and "plan holder" in no_holder.stderr
    # Step 1: a care coordinator is assigned, and the assignment is recorded.
    walk.as_("cbh_duty", "holder", ref, "cbh_front", "--period", "90d", "--next-sync", "+7d")
    plan = walk.show(ref)["plan"]
    assert plan["holder_login"] == "cbh_front" and plan["period_ends"] is not None
    assert walk.queue("--mine", login="cbh_front") == [ref]
    # Step 3: routine changes within the coordinator's authority are recorded; a
    # decision outside it is refused, and the refusal is on the record too.
    walk.as_("cbh_front", "evidence", ref, "service_plan", "--present",
             "--note", "joint plan agreed with HOU")  # fmt: skip
    outside = walk.refused("cbh_front", "decide", ref, "--outcome", "assigned",
                           "--receiving", "HOU", "--rationale", "HOU has capacity now",
                           "--review", "+30")  # fmt: skip
    assert outside.returncode == 1
    assert _refused_rules(walk, ref) == ["plan.holder_convenes", "rights.role"]
    # Step 4: a higher-risk change triggers a multi-agency case conference, with who
    # attended and what was decided documented.
    walk.later(hours=6)
    walk.as_("cbh_duty", "rerate", ref, "--risk", "high", "--note", "eviction notice served")
    shown = walk.show(ref)
    assert shown["risk"] == "high" and shown["review_due_on"] is not None
    # (Found by this walk: a risk raised left the next synchronisation a week away.)
    assert shown["plan"]["sync_overdue"] is True and "! SYNC DUE" in walk.cli.ok("show", ref)
    walk.as_(
        "cbh_front", "sync", ref, "--trigger", "housing",
        "--with", "cbh_front (CBH), hou_front (HOU), MCO care manager",
        "--outcome", "HOU to pause the eviction; CBH daily contact", "--next", "+7d",
    )  # fmt: skip
    (sync,) = walk.show(ref)["syncs"]
    assert sync["trigger"] == "housing" and "hou_front (HOU)" in sync["participants"]
    assert walk.show(ref)["plan"]["sync_overdue"] is False
    # Step 2 and 5: the planning cycle's scheduled reviews; each review sets the next.
    walk.later(days=1)
    assert walk.queue("--reviews-due") == [ref]  # the risk raised brought it forward
    walk.as_("cbh_sup", "review", ref, "--note", "plan holding; eviction paused", "--next", "+30")
    assert walk.queue("--reviews-due") == []
    walk.later(days=30)
    assert walk.queue("--reviews-due") == [ref]
    actions = walk.actions(ref)
    assert [a for a in actions if a != "refused"] == [
        "open", "assign_plan_holder", "record_evidence", "rerate_risk", "record_sync",
        "record_review",
    ]  # fmt: skip
    walk.verify()


def test_example_2_a_joint_escalation_pathway_by_risk_level(walk) -> None:  # noqa: ANN001
    # Step 1: the framework's risk levels and response times are the policy's windows.
    assert "medium = [48, 48, 72, 72]" in walk.cli.ok("policy", "show")
    ref = walk.open(dispute_type="funding", risk="medium", responding_agencies=["MCO"])
    # Step 2: frontline staff see the early warning and escalate on the threshold.
    walk.later(hours=35)
    assert walk.show(ref)["clock"]["state"] == "on_track"
    walk.later(hours=2)
    assert walk.show(ref)["clock"]["state"] == "warning"  # 75 % of 48 h
    assert walk.queue("--due-within", "12h") == [ref]
    walk.as_("cbh_front", "escalate", ref, "--impact", "medication not collected twice",
             "--note", "supervisors: agree who funds the depot clinic")  # fmt: skip
    stage1 = walk.show(ref)["stages"][1]
    assert _hours_between(stage1["entered_at"], stage1["due_at"]) == 48
    # Step 3: an emerging risk prompts a huddle within a defined timeframe.
    walk.as_("cbh_duty", "holder", ref, "cbh_front", "--next-sync", "+4h")
    walk.later(hours=3)
    walk.as_("cbh_front", "sync", ref, "--trigger", "medication",
             "--with", "cbh_front (CBH), mco_front (MCO)",
             "--outcome", "MCO pharmacist to call today", "--next", "+2d")  # fmt: skip
    # Step 4: an acute risk: a critical incident brings the review to today, the risk
    # is re-rated and the clock tightens at once, interim support is decided.
    walk.later(hours=1)
    walk.as_("cbh_front", "trigger", ref, "--trigger", "critical_incident",
             "--note", "ED attendance after an overdose")  # fmt: skip
    assert walk.queue("--reviews-due") == [ref]
    assert walk.show(ref)["plan"]["sync_overdue"] is True  # the huddle is due again now
    walk.as_("cbh_duty", "rerate", ref, "--risk", "critical", "--note", "overdose, ED attendance")
    shown = walk.show(ref)
    assert shown["risk"] == "critical"
    assert shown["clock"]["seconds_to_breach"] == 24 * 3600  # critical: 24 h from now
    walk.as_("cbh_duty", "cover", ref, "--provider", "CBH", "--level",
             "crisis team visit twice daily", "--review", "+1d")  # fmt: skip
    # Lowering the risk afterwards does not give the time back.
    walk.later(hours=2)
    walk.as_("cbh_sup", "rerate", ref, "--risk", "low", "--note", "stable after admission")
    assert walk.show(ref)["clock"]["seconds_to_breach"] == 22 * 3600
    # Step 5: outcomes are monitored and reviewed: every escalation within its time.
    walk.as_("cbh_sup", "review", ref, "--note", "crisis plan refreshed; stable", "--next", "+14")
    walk.as_("mco_sup", "escalate", ref, "--impact", "depot clinic still unfunded")
    stages = walk.show(ref)["stages"]
    assert [s["clock"]["state"] for s in stages[:2]] == ["met", "met"]
    walk.later(minutes=1)
    report = walk.cli.json("report", "--days", "30")
    assert [s["breached"] for s in report["breaches_by_stage"][:3]] == [0, 0, 0]
    # The critical incident is a trigger; each re-rating is counted as one.
    assert (report["reviews"]["triggers"], report["reviews"]["rerated"]) == (1, 2)
    walk.verify()


def test_example_3_a_working_agreement_with_response_times(walk, tmp_path) -> None:  # noqa: ANN001
    # Step 1: the agreement's response times are written into the policy by the
    # administrator; nobody else may change them.
    agreement = tmp_path / "agreement.toml"
    agreement.write_text(
        default_policy_text()
        .replace("low = [72, 72, 120, 120]", "low = [72, 72, 240, 240]")
        .replace("allow_override = false", "allow_override = true")  # a test store
    )
    assert walk.refused("cbh_sup", "policy", "set", str(agreement)).returncode == 1
    walk.cli.ok("policy", "set", str(agreement))
    assert "low = [72, 72, 240, 240]" in walk.cli.ok("policy", "show")
    ref = walk.open(dispute_type="eligibility", risk="low", responding_agencies=["HOU"])
    walk.as_("cbh_duty", "holder", ref, "cbh_front", "--next-sync", "+7d")
    # Step 3: attendance at case meetings is recorded with each meeting ...
    walk.later(days=2)
    walk.as_("cbh_front", "sync", ref, "--trigger", "scheduled", "--with", "CBH, MCO",
             "--outcome", "HOU did not attend; invite again", "--next", "+2d")  # fmt: skip
    assert "HOU did not attend" in walk.show(ref)["syncs"][0]["outcome"]
    # Step 4: the dispute is escalated consistently, each rung within its time.
    walk.later(hours=22)
    walk.as_("cbh_duty", "escalate", ref, "--impact", "tenancy at risk; no housing visit")
    walk.later(days=2, hours=22)
    walk.as_("cbh_sup", "escalate", ref, "--impact", "rent arrears growing")
    assert walk.queue("--section", "at_panel") == [ref]
    # ... and a missed meeting is seen: the synchronisation falls due.
    assert walk.show(ref)["plan"]["sync_overdue"] is True
    walk.as_("cbh_front", "sync", ref, "--trigger", "scheduled", "--with", "CBH, HOU, MCO",
             "--outcome", "all attended; panel date agreed", "--next", "+7d")  # fmt: skip
    # Open past the agreement's limit (14 days), still inside the panel's window: the
    # liaison trigger is met and the next escalation goes straight to liaison.
    walk.later(days=8, hours=5)
    shown = walk.show(ref)
    assert shown["stage"] == 2 and shown["clock"]["state"] != "breached"
    assert shown["liaison_triggered"] and walk.queue("--liaison") == [ref]
    walk.as_("chair", "escalate", ref, "--impact", "two weeks without a housing decision")
    shown = walk.show(ref)
    assert shown["stage"] == 4 and shown["stages"][3]["entered_at"] is None
    assert walk.queue("--mine", login="liaison") == [ref]
    # Step 5: compliance is monitored: no rung breached, one referral to liaison.
    walk.later(minutes=1)
    report = walk.cli.json("report", "--days", "30")
    assert sum(s["breached"] for s in report["breaches_by_stage"]) == 0
    assert report["liaison"] == {"referred": 1, "waiting": 1}
    walk.verify()
