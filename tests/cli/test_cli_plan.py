"""Plan holder's period, case synchronisations, consent's scope and the impact on the person,
through the command line: recorded, shown by ``show``, exported."""

from __future__ import annotations

import json

import pytest
from cli_helpers import Cli, open_dispute

pytestmark = pytest.mark.backend  # on PostgreSQL too (tests/backends.py)


def test_plan_sync_consent_and_impact(team: Cli) -> None:
    ref = open_dispute(team)
    team.ok("--as", "duty", "holder", ref, "front", "--period", "28d", "--next-sync", "+2d")
    shown = team.ok("show", ref)
    assert "Consent: no scope recorded" in shown and "next sync" in shown
    assert "SYNC DUE" not in shown
    assert "! SYNC DUE" in team.ok("show", ref, "--at", "+3d")
    detail = team.json("show", ref, "--at", "+3d")
    assert detail["plan"]["holder_login"] == "front" and detail["plan"]["sync_overdue"] is True

    team.ok(
        "--as", "front", "sync", ref, "--trigger", "housing",
        "--with", "Front (CBH), MCO care manager", "--outcome", "tenancy officer to visit Monday",
        "--next", "+7d",
    )  # fmt: skip
    detail = team.json("show", ref, "--at", "+3d")
    assert detail["plan"]["sync_overdue"] is False
    assert [s["trigger"] for s in detail["syncs"]] == ["housing"]
    assert "tenancy officer to visit Monday" in team.ok("show", ref)

    team.ok(
        "--as", "front", "consent", ref, "--agencies", "cbh,MCO", "--agencies", "HSG",
        "--purpose", "care coordination", "--review", "+90",
    )  # fmt: skip
    shown = team.ok("show", ref)
    first = shown.index("Consent:")
    assert shown.index("Problem:") > first  # consent comes before what may be shared
    assert "Consent: CBH, HSG, MCO for care coordination" in shown

    # Without the impact the store refuses it: a rule, exit 1, audited.
    missing = team("--as", "duty", "escalate", ref, "--note", "up")
    assert missing.returncode == 1 and "impact on the person" in missing.stderr
    blank = team("--as", "duty", "escalate", ref, "--impact", " ")
    assert blank.returncode == 1 and "--impact" in blank.stderr
    short = team("--as", "duty", "escalate", ref, "--impact", "ok")
    assert short.returncode == 2 and "impact" in short.stderr
    assert team.json("show", ref)["stage"] == 0  # nothing written
    team.ok("--as", "duty", "escalate", ref, "--impact", "missed two welfare calls")
    detail = team.json("show", ref)
    assert detail["stages"][1]["impact"] == "missed two welfare calls"
    assert "impact on the person: missed two welfare calls" in team.ok("show", ref)

    other = open_dispute(team, person_ref="P-0099")
    result = team("export")
    assert result.returncode == 0
    assert "consent: 1 of 2 disputes have a scope recorded" in result.stderr
    assert f"no scope recorded: {other}" in result.stderr
    record = next(d for d in json.loads(result.stdout)["disputes"] if d["ref"] == ref)
    assert record["consent_scopes"][-1]["agencies"] == ["CBH", "HSG", "MCO"]
    assert record["syncs"][0]["outcome"] == "tenancy officer to visit Monday"
    assert record["stages"][1]["impact"] == "missed two welfare calls"
    assert record["plan_holders"][0]["next_sync_due"] is not None


def test_policy_show_says_the_impact_and_sync_rules_in_words(team: Cli) -> None:
    out = " ".join(team.ok("policy", "show", "--default").split())
    assert "Every escalation records the impact on the person" in out
    assert "without it the escalation is refused" in out
    assert (
        "A case synchronisation is recorded only while the dispute has a plan holder "
        "(duty_lead, frontline, supervisor)." in out
    )
    assert "the risk raised, makes the plan holder's next synchronisation due at once" in out


def test_an_ended_holding_period_asks_for_the_plan_holder_to_be_reconfirmed(team: Cli) -> None:
    # Where risks change, responsibilities are re-confirmed rather than assumed
    # [Coordination]: a period that has ended says so until someone holds the plan again.
    ref = open_dispute(team)
    team.ok("--as", "duty", "holder", ref, "front", "--period", "7d")
    assert team.json("show", ref, "--at", "+6d")["plan"]["period_over"] is False
    assert "HOLDING PERIOD ENDED" not in team.ok("show", ref, "--at", "+6d")
    assert team.json("show", ref, "--at", "+8d")["plan"]["period_over"] is True
    assert "! HOLDING PERIOD ENDED" in team.ok("show", ref, "--at", "+8d")
    # Held with no end, or the dispute over: nothing to re-confirm.
    team.ok("--as", "duty", "holder", ref, "front")
    assert team.json("show", ref, "--at", "+30d")["plan"]["period_over"] is False
    team.ok("--as", "duty", "holder", ref, "sup", "--period", "2d")
    team.ok("--as", "duty", "withdraw", ref, "--reason", "resolved between the teams")
    plan = team.json("show", ref, "--at", "+3d")["plan"]
    assert (plan["holder_login"], plan["period_over"]) == ("sup", False)
