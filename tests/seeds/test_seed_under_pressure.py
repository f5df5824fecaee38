"""[Under pressure] "Making Multi-Agency Partnerships Work Under Pressure": its three
operational examples, walked through the command line."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from cli_helpers import form


def _refusals(walk: Any, ref: str) -> list[tuple[str, str]]:
    """(action, rule) of each refusal the audit trail holds for ``ref``."""
    return [
        (e["after"]["action"], e["after"]["rule"])
        for e in walk.show(ref)["events"]
        if e["action"] == "refused"
    ]


def test_example_1_interface_rules_for_an_eligibility_and_acceptance_dispute(walk) -> None:  # noqa: ANN001
    # The interface rules say what minimum evidence a referral needs: a form without
    # its problem statement is bad input, and nothing is written.
    incomplete = json.dumps(form(problem_statement=""))
    bad = walk.cli("--as", "cbh_duty", "open", "--json", "-", stdin=incomplete)
    assert bad.returncode == 2 and "problem" in bad.stderr and walk.queue() == []
    ref = walk.open(
        dispute_type="eligibility", risk="medium", responding_agencies=["MCO"],
        rule_conflict="Criterion 4.2: recent admission",
    )  # fmt: skip
    # Reviewed within a defined timeframe by the joint operational panel: the
    # supervisors' call, then the panel slot, each before its window ends.
    walk.later(hours=20)
    walk.as_("cbh_duty", "escalate", ref, "--impact", "no outreach since referral")
    walk.later(hours=20)
    walk.as_("cbh_sup", "escalate", ref, "--impact", "two missed outreach visits")
    shown = walk.show(ref)
    assert shown["stage"] == 2 and [s["breach_reason"] for s in shown["stages"][:2]] == [None] * 2
    assert walk.queue("--section", "at_panel") == [ref]
    # Who adjudicates is written down: at the panel a supervisor does not decide.
    no = walk.refused("cbh_sup", "decide", ref, "--outcome", "assigned", "--receiving", "MCO",
                      "--rationale", "MCO criteria are met here", "--review", "+7")  # fmt: skip
    assert no.returncode == 1
    assert _refusals(walk, ref) == [("record_decision", "rights.rung")]
    # The panel records its decision with a rationale and a short follow-up review ...
    walk.as_(
        "chair", "decide", ref, "--outcome", "assigned", "--receiving", "MCO",
        "--pathway", "MCO intensive case management",
        "--rationale", "admission in May meets criterion 4.2 as the county reads it",
        "--review", "+7",
    )  # fmt: skip
    decision = walk.show(ref)["decisions"][-1]
    assert (decision["capacity"], decision["stage"], decision["review_date"] is not None) == (
        "panel_chair", 2, True
    )  # fmt: skip
    # ... and assigns interim coverage until the receiving team takes the person on.
    walk.as_("chair", "cover", ref, "--provider", "CBH", "--level", "outreach twice a week")
    assert walk.show(ref)["covers"][0]["active"] is True
    # The receiving team (MCO), and only it, confirms acceptance: the dispute closes.
    assert walk.refused("cbh_duty", "accept", ref, "--start-plan",
                        "CBH keeps outreach going").returncode == 1  # fmt: skip
    walk.as_("mco_sup", "accept", ref, "--start-plan", "MCO ICM first visit on Monday")
    assert walk.show(ref)["status"] == "closed"
    # The follow-up review comes due a week later, closed or not, until it is recorded.
    walk.later(days=6)
    assert walk.queue("--reviews-due") == []
    walk.later(days=1)
    assert walk.queue("--reviews-due") == [ref]
    walk.as_("chair", "review", ref, "--note", "engaged with ICM; two visits held", "--no-next")
    assert walk.queue("--reviews-due") == [] and walk.show(ref)["review_due_on"] is None
    # Decisions are logged so that a rule conflict that comes back is seen as a theme.
    walk.open(person_ref="P-0777", dispute_type="eligibility",
              rule_conflict="criterion 4.2:  Recent admission")  # fmt: skip
    walk.later(minutes=1)  # a report's period ends before its end time: [from, to)
    themes = walk.cli.json("report", "--days", "30")["recurring_themes"]
    assert themes == [{"rule_conflict": "criterion 4.2: recent admission", "count": 2}]
    walk.verify()


def test_example_2_service_first_cover_while_the_dispute_climbs_on_its_clock(walk) -> None:  # noqa: ANN001
    ref = walk.open(dispute_type="funding", risk="high", responding_agencies=["MCO"])
    # Service first: the designated interim provider delivers a defined minimum now.
    walk.as_("cbh_duty", "cover", ref, "--provider", "CBH", "--level",
             "daily outreach visit and medication prompt", "--review", "+3d")  # fmt: skip
    cover = walk.show(ref)["covers"][0]
    assert (cover["provider"], cover["active"]) == ("CBH", True)
    # Operational leads within 24 hours (high risk): warning first, then a breach.
    walk.later(hours=18)
    assert walk.show(ref)["clock"]["state"] == "warning"
    walk.later(hours=7)
    assert walk.queue("--breached") == [ref]  # a performance exception until closed
    walk.as_("cbh_duty", "escalate", ref, "--breach-reason", "MCO funding lead unavailable",
             "--impact", "outreach only from interim cover")  # fmt: skip
    walk.later(hours=20)
    walk.as_("mco_sup", "escalate", ref, "--impact", "support package still unfunded")
    walk.later(hours=40)
    walk.as_("chair", "decide", ref, "--outcome", "no_agreement", "--review", "+7",
             "--rationale", "funding rule 7 read two ways; senior decision needed")  # fmt: skip
    walk.as_("chair", "escalate", ref, "--impact", "week four of interim cover")
    # Senior leaders (funding: the clinical lead) within 48 hours: they do not decide.
    assert walk.show(ref)["stage"] == 3
    walk.later(hours=47)
    assert not walk.show(ref)["liaison_triggered"]
    assert walk.queue("--section", "liaison") == []
    walk.later(hours=2)
    # Threshold breached: commissioner liaison is triggered, and the liaison sees it.
    shown = walk.show(ref)
    assert shown["liaison_triggered"] and shown["clock"]["state"] == "breached"
    assert walk.queue("--section", "liaison") == [ref] == walk.queue("--liaison")
    # Only the rung's people escalate from the final authority's stage.
    assert walk.refused("cbh_front", "escalate", ref, "--breach-reason", "overdue",
                        "--impact", "cover stretched").returncode == 1  # fmt: skip
    walk.as_("clin", "escalate", ref, "--breach-reason", "no capacity to fund the package",
             "--impact", "interim cover carrying a high-risk person for a week")  # fmt: skip
    shown = walk.show(ref)
    assert shown["stage"] == 4 and shown["stages"][3]["breach_reason"].startswith("no capacity")
    assert walk.queue("--mine", login="liaison") == [ref]
    report = walk.cli.json("report", "--days", "30")
    assert report["liaison"] == {"referred": 1, "waiting": 1}
    assert {s["stage"]: s["breached"] for s in report["breaches_by_stage"]} == {
        0: 1, 1: 0, 2: 0, 3: 1, 4: 0
    }  # fmt: skip
    assert report["interim_cover"]["with_cover"] == 1
    # At liaison the named authority still determines; the receiving team accepts.
    walk.as_("clin", "decide", ref, "--final", "--outcome", "assigned", "--receiving", "MCO",
             "--rationale", "MCO funds the package from today", "--review", "+14")  # fmt: skip
    walk.as_("mco_front", "accept", ref, "--start-plan", "MCO package starts tomorrow 09:00")
    assert walk.queue("--breached") == [] and walk.show(ref)["status"] == "closed"
    walk.verify()


def test_example_3_a_dispute_dashboard_for_monthly_governance(walk) -> None:  # noqa: ANN001
    # Three disputes at three interface points, one with interim cover.
    a = walk.open(dispute_type="eligibility", risk="high", responding_agencies=["MCO"])
    b = walk.open(person_ref="P-0100", dispute_type="capacity", risk="medium",
                  responding_agencies=["HOU"])  # fmt: skip
    c = walk.open(person_ref="P-0200", dispute_type="safeguarding", risk="low",
                  responding_agencies=["MCO", "APS"])  # fmt: skip
    walk.as_("cbh_duty", "cover", a, "--provider", "CBH", "--level", "daily welfare call")
    walk.as_("cbh_duty", "provisional", a, "--coordinator", "cbh_front", "--actions",
             "welfare check; medication reconciliation", "--days", "7")  # fmt: skip
    walk.as_("cbh_front", "contact", a, "--method", "visit", "--outcome", "reached",
             "--note", "safe; medication taken")  # fmt: skip
    walk.later(hours=2)
    walk.as_("cbh_sup", "decide", a, "--outcome", "assigned", "--receiving", "MCO",
             "--rationale", "teams agreed MCO ACT on the call", "--review", "+30")  # fmt: skip
    walk.as_("mco_sup", "accept", a, "--start-plan", "ACT takes over visits from tomorrow")
    walk.as_("cbh_duty", "withdraw", c, "--reason", "APS resolved the concern directly")
    # The dashboard: type, opened, cover yes/no, stage and resolution of each dispute.
    # (Found by this walk: the queue had no opened or resolved date, and a closed
    # dispute's ended cover read as no cover at all.)
    closed = {r["ref"]: r for r in walk.cli.json("queue", "--section", "closed")["disputes"]}
    dashboard = {
        ref: (r["type"], r["opened_at"] is not None, r["cover_applied"], r["stage"],
              r["resolved_at"] is not None)
        for ref, r in closed.items()
    }  # fmt: skip
    assert dashboard == {a: ("eligibility", True, True, 0, True),
                         c: ("safeguarding", True, False, 0, True)}  # fmt: skip
    assert closed[a]["cover"] is None  # the cover ended with the dispute; it was applied
    (open_row,) = walk.cli.json("queue")["disputes"]
    assert (open_row["ref"], open_row["cover_applied"], open_row["resolved_at"]) == (b, False, None)
    closed_csv = walk.cli.ok("queue", "--section", "closed", "--format", "csv")
    table = csv.DictReader(io.StringIO(closed_csv))
    assert {r["ref"]: r["cover_applied"] for r in table} == {a: "yes", c: "no"}
    # Monthly governance: which interface points and agencies, how fast, how covered.
    report = walk.cli.json("report", "--days", "30")
    assert report["by_type"] == {"eligibility": 1, "capacity": 1, "safeguarding": 1}
    pairs = {(p["raising"], p["responding"]): p["count"] for p in report["by_agency_pair"]}
    assert pairs == {("CBH", "MCO"): 2, ("CBH", "HOU"): 1, ("CBH", "APS"): 1}
    assert report["interim_cover"] == {"disputes": 3, "with_cover": 1, "rate": 0.3333}
    assert report["time_to_acceptance"]["count"] == 1
    assert report["provisional"]["converted"] == 1
    # A sample of resolved disputes is audited: each with the contacts that show the
    # person was engaged safely while the dispute ran.
    sample = {d["ref"]: d for d in report["audit_sample"]["disputes"]}
    assert set(sample) == {a, c}
    contacts = sample[a]["packages"][0]["contacts"]
    assert [(x["outcome"], x["note"]) for x in contacts] == [("reached", "safe; medication taken")]
    assert "confirm_acceptance" in [e["action"] for e in sample[a]["events"]]
    walk.verify()
