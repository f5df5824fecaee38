"""The command line end to end, in subprocesses, on a temp store."""

from __future__ import annotations

import json

import pytest
from cli_helpers import IMPACT, Cli, escalate, open_dispute

from panel_tui.store.sqlite_driver import sqlite as sqlite3


@pytest.mark.backend
def test_full_lifecycle_to_closure(team: Cli) -> None:
    ref = open_dispute(team)
    assert ref.startswith("D-")

    queue = team.json("queue")
    assert [d["ref"] for d in queue["disputes"]] == [ref]
    assert queue["disputes"][0]["clock"]["state"] == "on_track"

    team.ok("--as", "duty", "cover", ref, "--provider", "CBH", "--level", "daily welfare call")
    team.ok(
        "--as",
        "duty",
        "provisional",
        ref,
        "--coordinator",
        "front",
        "--actions",
        "welfare check; medication reconciliation",
        "--days",
        "10",
    )
    team.ok("--as", "front", "contact", ref, "--method", "phone", "--outcome", "reached")
    escalate(team, "duty", ref, note="supervisors to call")
    escalate(team, "sup", ref, note="to panel")
    team.ok(
        "--as",
        "chair",
        "decide",
        ref,
        "--outcome",
        "assigned",
        "--receiving",
        "MCO",
        "--pathway",
        "ACT team",
        "--rationale",
        "MCO criteria met on two admissions",
        "--review",
        "+30d",
    )
    # The raising agency's worker may not accept for MCO (exit 1, a rule); MCO's may.
    refused = team("--as", "front", "accept", ref, "--start-plan", "ACT intake on Monday")
    assert refused.returncode == 1 and "names MCO as receiving" in refused.stderr
    team.ok("--as", "intake", "accept", ref, "--start-plan", "ACT intake on Monday, shared plan")

    detail = team.json("show", ref)
    assert detail["status"] == "closed"
    assert [s["clock"]["state"] if s["clock"] else None for s in detail["stages"]] == [
        "met",
        "met",
        "met",
        None,
        None,
    ]
    assert detail["stages"][1]["due_at"] is not None
    assert detail["decisions"][0]["decided_by_login"] == "chair"
    assert detail["decisions"][0]["capacity"] == "panel_chair"
    assert detail["acceptance"]["start_plan"].startswith("ACT intake")
    assert detail["packages"][0]["status"] == "converted"
    assert detail["packages"][0]["contacts"][0]["outcome"] == "reached"
    actions = [e["action"] for e in detail["events"]]
    assert actions == [
        "open",
        "assign_cover",
        "start_provisional",
        "log_contact",
        "escalate",
        "escalate",
        "record_decision",
        "refused",
        "confirm_acceptance",
    ]
    refusal = detail["events"][7]["after"]
    refusal = json.loads(refusal) if isinstance(refusal, str) else refusal
    assert refusal["rule"] == "rights.receiving_agency"
    assert team.json("queue")["total"] == 0
    closed = team.json("queue", "--section", "closed")
    assert [d["ref"] for d in closed["disputes"]] == [ref]
    assert "intact" in team.ok("audit", "verify")


@pytest.mark.backend
def test_at_shows_what_will_have_breached(team: Cli) -> None:
    ref = open_dispute(team, risk="critical")  # frontline window: 4 h
    assert team.json("queue", "--breached")["total"] == 0
    later = team.json("queue", "--breached", "--at", "+5h")
    assert [d["ref"] for d in later["disputes"]] == [ref]
    assert later["disputes"][0]["clock"]["label"].startswith("BREACHED 1h")
    warning = team.json("queue", "--at", "+3h30m")
    assert warning["disputes"][0]["clock"]["state"] == "warning"
    assert team.json("queue", "--due-within", "5h")["total"] == 1
    assert team.json("queue", "--due-within", "3h")["total"] == 0


def test_breached_escalation_needs_reason(team: Cli) -> None:
    ref = open_dispute(team, risk="critical")
    db = sqlite3.connect(team.db)
    # Put the frontline clock 5 h in the past, as if the dispute had waited.
    db.execute(
        "UPDATE dispute SET stage_entered_at = datetime(stage_entered_at, '-5 hours'), "
        "current_due_at = datetime(current_due_at, '-5 hours')"
    )
    db.commit()
    db.close()
    refused = team("--as", "duty", "escalate", ref, "--impact", IMPACT)
    assert refused.returncode == 1  # a rule asks for the reason: a refusal, not bad input
    assert "--breach-reason" in refused.stderr and "breached" in refused.stderr
    escalate(team, "duty", ref, breach_reason="MCO lead on leave")
    detail = team.json("show", ref)
    assert detail["stage"] == 1
    assert detail["stages"][0]["breach_reason"] == "MCO lead on leave"


@pytest.mark.backend
def test_filters(team: Cli) -> None:
    a = open_dispute(team, dispute_type="eligibility", risk="low")
    b = open_dispute(team, responding_agencies=["HSG"], person_ref="P-7777")
    assert [d["ref"] for d in team.json("queue", "--type", "eligibility")["disputes"]] == [a]
    assert [d["ref"] for d in team.json("queue", "--agency", "hsg")["disputes"]] == [b]
    assert [d["ref"] for d in team.json("queue", "--risk", "high")["disputes"]] == [b]
    assert [d["ref"] for d in team.json("queue", "--text", "P-7777")["disputes"]] == [b]
    assert team.json("queue", "--stage", "1")["total"] == 0
    # Soonest due first: high (24 h) before low (72 h).
    assert [d["ref"] for d in team.json("queue")["disputes"]] == [b, a]
    mine = team.json("--as", "duty", "queue", "--mine")
    assert mine["total"] == 2
    assert team.json("--as", "chair", "queue", "--mine")["total"] == 0
    csv_out = team.ok("queue", "--format", "csv").splitlines()
    assert csv_out[0].startswith("ref,person_ref,type")
    assert len(csv_out) == 3


@pytest.mark.backend
def test_show_prints_the_notes_and_the_escalation_note(team: Cli) -> None:
    ref = open_dispute(team)
    team.ok("--as", "duty", "note", ref, "Called the MCO lead; back Thursday")
    escalate(team, "duty", ref, note="supervisors to call")
    shown = team.ok("show", ref)
    assert "Notes" in shown
    assert "Called the MCO lead; back Thursday" in shown
    assert "supervisors to call" in shown
