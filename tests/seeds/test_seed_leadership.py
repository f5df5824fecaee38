"""[Leadership] the article on executive leadership of multi-agency strategy in U.S.
community-based care: its three operational examples, walked through the command line."""

from __future__ import annotations

from typing import Any


def _add_agency(walk: Any, code: str, name: str, *people: tuple[str, str]) -> None:
    walk.cli.ok("agencies", "add", code, name)
    for login, role in people:
        walk.cli.ok("users", "add", login, "--name", login, "--roles", role, "--agency", code)


def _refusals(walk: Any, ref: str) -> list[dict[str, Any]]:
    return [e["after"] for e in walk.show(ref)["events"] if e["action"] == "refused"]


def test_example_1_a_hospital_interface_for_unsafe_discharge(walk) -> None:  # noqa: ANN001
    _add_agency(walk, "HOSP", "General Hospital discharge team", ("hosp_dc", "frontline"))
    # The discharge coordinator raises an unsafe discharge plan on the shared route,
    # the minimum information marked: the medication list is missing.
    evidence = {
        "contact_history": {"present": True},
        "risk_screen": {"present": True},
        "service_plan": {"present": False, "note": "medication reconciliation not sent"},
        "engagement_attempts": {"present": True},
    }
    ref = walk.open("hosp_dc", dispute_type="capacity", risk="critical",
                    raising_agency="HOSP", responding_agencies=["CBH"],
                    evidence=evidence)  # fmt: skip
    shown = walk.show(ref)
    assert (shown["raising_agency"], shown["responding_agencies"]) == ("HOSP", ["CBH"])
    missing = [e["key"] for e in shown["evidence"] if not e["present"]]
    assert missing == ["service_plan"]
    # The coordinator confirms receipt of the required information when it comes.
    walk.later(hours=2)
    walk.as_("hosp_dc", "evidence", ref, "service_plan", "--present",
             "--note", "medication list received 11:00")  # fmt: skip
    assert all(e["present"] for e in walk.show(ref)["evidence"])
    # Same-day response (critical: 4 h) is missed: the exception is visible at once.
    walk.later(hours=3)
    assert walk.queue("--breached") == [ref]
    walk.as_("cbh_duty", "escalate", ref, "--breach-reason", "late discharge notice",
             "--impact", "discharged without follow-up booked")  # fmt: skip
    walk.as_("cbh_sup", "decide", ref, "--outcome", "assigned", "--receiving", "CBH",
             "--rationale", "CBH community team takes follow-up", "--review", "+7")  # fmt: skip
    walk.as_("cbh_front", "accept", ref, "--start-plan", "home visit within 48 h of discharge")
    # The same failure recurs for the same person the next week.
    walk.later(days=6)
    again = walk.open("hosp_dc", dispute_type="capacity", risk="high",
                      raising_agency="HOSP", responding_agencies=["CBH"])  # fmt: skip
    # Executives review the week's exceptions and escalate the recurring failure.
    walk.later(hours=1)
    weekly = walk.cli.json("report", "--days", "7")
    assert weekly["by_agency_pair"] == [{"raising": "HOSP", "responding": "CBH", "count": 2}]
    assert weekly["breaches_by_stage"][0]["breached"] == 1
    assert weekly["repeat_disputes"]["top"] == [{"person_ref": "P-0042", "disputes": 2}]
    # (Found by this walk: the report had no count of missing information or of
    # disputes nobody holds; the second referral lacks both.)
    assert weekly["exceptions"] == {"missing_evidence": 1, "no_plan_holder": 1}
    assert walk.queue("--agency", "HOSP") == [again]
    walk.verify()


def test_example_2_a_crisis_information_pack_shared_on_an_approved_route(walk) -> None:  # noqa: ANN001
    _add_agency(walk, "CRS", "Crisis and EMS", ("crs_front", "frontline"))
    ref = walk.open(dispute_type="safeguarding", risk="high", responding_agencies=["MCO"])
    # Lawful sharing routes are defined: with whom, for what, until when.
    bad = walk.refused("cbh_duty", "consent", ref, "--agencies", "CBH,XYZ",
                       "--purpose", "crisis information pack", "--review", "+90")  # fmt: skip
    assert bad.returncode == 2 and walk.show(ref)["consent"] is None
    walk.as_("cbh_duty", "consent", ref, "--agencies", "CBH,MCO,CRS",
             "--purpose", "crisis information pack", "--review", "+90")  # fmt: skip
    shown = walk.show(ref)
    assert shown["consent"]["agencies"] == ["CBH", "CRS", "MCO"]
    # Staff see what can be shared before anything else about the person.
    text = walk.cli.ok("show", ref).splitlines()
    consent_line = next(i for i, line in enumerate(text) if line.startswith("Consent:"))
    problem_line = next(i for i, line in enumerate(text) if line.startswith("Problem:"))
    assert consent_line < problem_line and "crisis information pack" in text[consent_line]
    # The pack is kept current through scheduled reviews ...
    walk.as_("cbh_sup", "review", ref, "--note", "crisis pack reviewed: triggers, meds",
             "--next", "+30")  # fmt: skip
    # ... and a crisis brings the review to that day.
    walk.later(days=3)
    walk.as_("crs_front", "trigger", ref, "--trigger", "critical_incident",
             "--note", "EMS call-out; pack shared with the crew on arrival")  # fmt: skip
    assert walk.queue("--reviews-due") == [ref]
    walk.as_("cbh_sup", "review", ref, "--note", "pack updated after the call-out",
             "--next", "+30")  # fmt: skip
    assert walk.queue("--reviews-due") == []
    # Executives audit whether the pack was updated, and when: the trail says so.
    reviews = [e for e in walk.show(ref)["events"] if e["action"] == "record_review"]
    assert [r["after"]["note"] for r in reviews] == [
        "crisis pack reviewed: triggers, meds", "pack updated after the call-out"
    ]  # fmt: skip
    # Before the data leaves, an export names the disputes without a lawful route.
    other = walk.open(person_ref="P-0500", dispute_type="funding", risk="low")
    exported = walk.cli("export")
    assert exported.returncode == 0
    assert "1 of 2 disputes have a scope" in exported.stderr
    assert f"no scope recorded: {other}" in exported.stderr
    # The scope itself comes due for review.
    walk.later(days=88)
    assert walk.show(ref)["consent"]["review_due"] is True
    assert f"review due: {ref}" in walk.cli("export").stderr
    walk.verify()


def test_example_3_an_escalation_ladder_logging_the_impact_on_the_person(walk) -> None:  # noqa: ANN001
    ref = walk.open(dispute_type="funding", risk="high", responding_agencies=["MCO"])
    walk.later(hours=25)
    # Every escalation logs the impact on the person: without it, refused and audited;
    # a few letters are a typing mistake, refused and not recorded.
    no_impact = walk.refused("cbh_duty", "escalate", ref, "--breach-reason", "MCO no reply")
    assert no_impact.returncode == 1 and "impact" in no_impact.stderr
    (refusal,) = _refusals(walk, ref)
    assert (refusal["action"], refusal["rule"]) == ("escalate", "lifecycle.impact")
    assert refusal["asked"]["breach_reason"] == "MCO no reply"
    short = walk.refused("cbh_duty", "escalate", ref, "--breach-reason", "MCO no reply",
                         "--impact", "bad")  # fmt: skip
    assert short.returncode == 2 and len(_refusals(walk, ref)) == 1
    assert walk.show(ref)["stage"] == 0
    # Frontline (same day), manager to manager (24 h), executive (48 h): each step
    # logged with its time, the issue and the impact.
    walk.as_("cbh_duty", "escalate", ref, "--breach-reason", "MCO no reply",
             "--impact", "authorisation delay: no home care for two days")  # fmt: skip
    walk.later(hours=20)
    walk.as_("mco_sup", "escalate", ref, "--impact", "carer breakdown; respite needed")
    walk.later(hours=30)
    walk.as_("chair", "escalate", ref, "--impact", "ED attendance after a fall at home")
    stages = walk.show(ref)["stages"]
    assert [s["impact"] for s in stages[1:4]] == [
        "authorisation delay: no home care for two days",
        "carer breakdown; respite needed",
        "ED attendance after a fall at home",
    ]
    assert all(s["entered_at"] for s in stages[:4]) and stages[0]["breach_reason"]
    table = walk.cli.ok("show", ref)
    assert "impact on the person: carer breakdown; respite needed" in table
    # Formal resolution: the named authority determines; the receiving team accepts.
    walk.as_("clin", "decide", ref, "--final", "--outcome", "assigned", "--receiving", "MCO",
             "--rationale", "MCO authorises home care from today", "--review", "+30")  # fmt: skip
    walk.as_("mco_front", "accept", ref, "--start-plan", "home care restarts tomorrow 08:00")
    # The monthly review of patterns: repeated authorisation delays show as a theme.
    second = walk.open(person_ref="P-0300", dispute_type="funding", risk="medium",
                       responding_agencies=["MCO"])  # fmt: skip
    assert second != ref
    walk.later(minutes=1)
    monthly = walk.cli.json("report", "--days", "30")
    assert monthly["by_type"] == {"funding": 2}
    assert monthly["recurring_themes"][0]["count"] == 2
    assert monthly["breaches_by_stage"][0]["breached"] == 1
    walk.verify()
