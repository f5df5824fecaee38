"""Issue 12 §2 and §3 on the command line: expired packages in `show` and `queue`,
`pathway`, `trigger`, `review`, `rerate`, `queue --reviews-due`, and their refusals."""

from __future__ import annotations

import pytest
from cli_helpers import Cli, open_dispute


def with_package(cli: Cli) -> str:
    ref = open_dispute(cli)
    cli.ok(
        "--as", "duty", "provisional", ref, "--coordinator", "front", "--actions", "welfare check",
        "--days", "7",
    )  # fmt: skip
    return ref


def refs(listing: dict) -> list[str]:
    return [d["ref"] for d in listing["disputes"]]


@pytest.mark.backend
def test_an_expired_package_reads_expired_in_show_and_queue(team: Cli) -> None:
    ref = with_package(team)
    before = team.json("queue", "--section", "provisional_expiring", "--at", "+6d")
    assert refs(before) == [ref]
    assert before["disputes"][0]["provisional_status"] == "active"

    assert team.json("queue", "--section", "provisional_expiring", "--at", "+8d")["total"] == 0
    after = team.json("queue", "--section", "provisional_expired", "--at", "+8d")
    assert refs(after) == [ref]
    assert after["disputes"][0]["provisional_status"] == "expired"

    shown = team.json("show", ref, "--at", "+8d")
    assert shown["packages"][0]["status"] == "expired"
    assert "funded pathway" in shown["next_step"]
    table = team.ok("show", ref, "--at", "+8d")
    assert "Provisional package (EXPIRED)" in table and "NEXT STEP DUE" in table
    assert "EXPIRED" in team.ok("queue", "--at", "+8d")
    assert team.json("show", ref)["next_step"] is None  # today it is still running


@pytest.mark.backend
def test_pathway_takes_it_out_of_the_expired_section(team: Cli) -> None:
    ref = with_package(team)
    out = team.json("--as", "sup", "pathway", ref, "--pathway", "MCO intensive case management")
    assert out["ok"] is True and out["ref"] == ref
    assert team.json("queue", "--section", "provisional_expired", "--at", "+8d")["total"] == 0
    package = team.json("show", ref, "--at", "+8d")["packages"][0]
    assert package["status"] == "converted"
    assert package["pathway"] == "MCO intensive case management"
    # A frontline worker may not: a rule (exit 1), audited; no package left: also a rule.
    refused = team("--as", "front", "pathway", ref, "--pathway", "anything")
    assert refused.returncode == 1 and "record a provisional package's funded" in refused.stderr


@pytest.mark.backend
def test_reviews_come_due_and_triggers_bring_them_forward(team: Cli) -> None:
    ref = open_dispute(team)
    team.ok(
        "--as", "sup", "decide", ref, "--outcome", "assigned", "--receiving", "MCO",
        "--rationale", "MCO criteria met on two admissions", "--review", "+10d",
    )  # fmt: skip
    assert team.json("queue", "--reviews-due")["total"] == 0
    due = team.json("queue", "--reviews-due", "--at", "+11d")
    assert refs(due) == [ref] and due["disputes"][0]["review_due"] is True
    assert refs(team.json("queue", "--section", "reviews_due", "--at", "+11d")) == [ref]

    out = team.json(
        "--as", "front", "trigger", ref, "--trigger", "critical_incident", "--note", "fall at home"
    )
    assert out["review_due_on"] == team.json("queue")["disputes"][0]["review_due_on"]
    assert refs(team.json("queue", "--reviews-due")) == [ref]  # due today
    assert "DUE " in team.ok("queue", "--reviews-due")

    team.ok("--as", "chair", "review", ref, "--note", "safety plan refreshed", "--next", "+14d")
    assert team.json("queue", "--reviews-due")["total"] == 0
    shown = team.json("show", ref)
    notes = [n["text"] for n in shown["notes"]]
    assert "Review trigger (critical incident): fall at home" in notes
    actions = [e["action"] for e in shown["events"]]
    assert actions[-2:] == ["review_trigger", "record_review"]


@pytest.mark.backend
def test_rerate_tightens_the_clock_and_is_refused_to_frontline(team: Cli) -> None:
    ref = open_dispute(team, risk="high")
    due_before = team.json("show", ref)["clock"]["due_at"]
    team.ok("--as", "sup", "rerate", ref, "--risk", "critical", "--note", "second crisis call")
    shown = team.json("show", ref)
    assert shown["risk"] == "critical"
    assert shown["clock"]["due_at"] < due_before  # 4 h from now, not 24 h from opening
    assert shown["review_due_on"] is not None  # raising the risk is a review trigger

    refused = team("--as", "front", "rerate", ref, "--risk", "low", "--note", "fine now")
    assert refused.returncode == 1
    assert "may not re-rate the risk" in refused.stderr
    assert team.json("show", ref)["events"][-1]["action"] == "refused"
    same = team("--as", "sup", "rerate", ref, "--risk", "critical", "--note", "again")
    assert same.returncode == 2 and "already critical" in same.stderr
    assert team("--as", "sup", "rerate", ref, "--risk", "severe", "--note", "x").returncode == 2


@pytest.mark.backend
def test_the_new_commands_explain_themselves(cli: Cli) -> None:
    for command, words in (
        ("pathway", "escalate"),
        ("trigger", "critical_incident"),
        ("review", "--next"),
        ("rerate", "never moves later"),
        ("queue", "--reviews-due"),
    ):
        out = cli.ok(command, "--help")
        assert words in " ".join(out.split()), command


@pytest.mark.backend
def test_policy_show_says_the_review_rules_in_words(cli: Cli) -> None:
    out = " ".join(cli.ok("policy", "show", "--default").split())
    assert "[reviews]" in out and "critical_incident = 0" in out
    assert "risk raised 1, services refused 3, critical incident 0 days" in out
    assert "Re-rate the risk: duty_lead, panel_chair, supervisor." in out
    assert "funded pathway recorded (duty_lead, supervisor)" in out
