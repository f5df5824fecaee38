"""The commissioner liaison's queue on the command line: section, filter, JSON key, --mine,
the report's count. Time moves with time-machine, so every write happens at its own
moment and the audit chain stays whole (no clock pushed back by hand)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from cli_helpers import Cli, escalate, open_dispute


def refs(result: dict) -> list[str]:
    return [d["ref"] for d in result["disputes"]]


@pytest.mark.backend
def test_the_liaison_finds_its_work(team: Cli) -> None:
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        team.ok("users", "add", "liaison", "--name", "Ruth", "--roles", "commissioner_liaison")
        old = open_dispute(team, risk="low", person_ref="P-0001")
        clock.shift(timedelta(days=10))
        young = open_dispute(team, risk="low", person_ref="P-0002")
        assert team.json("queue", "--section", "liaison")["total"] == 0
        assert [d["liaison"] for d in team.json("queue")["disputes"]] == [False, False]

        # Fifteen days on, the first has been open past the policy's 14 days.
        clock.shift(timedelta(days=5, hours=1))
        assert refs(team.json("queue", "--section", "liaison")) == [old]
        assert refs(team.json("queue", "--liaison")) == [old]
        flags = {d["ref"]: d["liaison"] for d in team.json("queue")["disputes"]}
        assert flags == {old: True, young: False}
        assert "! liaison" in team.ok("queue", "--section", "liaison")
        csv_rows = csv.DictReader(io.StringIO(team.ok("queue", "--format", "csv")))
        assert {row["ref"]: row["liaison"] for row in csv_rows} == {old: "yes", young: "no"}
        # Nothing is the liaison's own yet: the dispute is still at the frontline.
        assert team.json("--as", "liaison", "queue", "--mine")["total"] == 0

        # Escalating it now goes to liaison (stage 4), and it is the liaison's.
        escalate(team, "duty", old, breach_reason="no agreement in 15 days")
        assert team.json("show", old)["stage"] == 4
        mine = team.json("--as", "liaison", "queue", "--mine")
        assert refs(mine) == [old] and mine["disputes"][0]["liaison"] is True
        assert refs(team.json("--as", "liaison", "queue", "--section", "mine")) == [old]
        # Other people's "mine" is unchanged: the duty lead opened both.
        assert sorted(refs(team.json("--as", "duty", "queue", "--mine"))) == sorted([old, young])
        assert team.json("--as", "chair", "queue", "--mine")["total"] == 0
        # --liaison narrows any filter; the young one comes in when its 14 days pass.
        assert refs(team.json("queue", "--liaison", "--stage", "0")) == []
        clock.shift(timedelta(days=10))  # the young one: 15 days and an hour open
        assert sorted(refs(team.json("queue", "--section", "liaison"))) == sorted([old, young])

        report = team.json("report", "--days", "60")
        assert report["liaison"] == {"referred": 1, "waiting": 1}
        assert "referred to commissioner liaison: 1" in team.ok("report", "--format", "md")
        team.ok("--as", "duty", "withdraw", old, "--reason", "moved out of the county")
        assert team.json("report", "--days", "60")["liaison"] == {"referred": 1, "waiting": 0}
        assert refs(team.json("queue", "--section", "liaison")) == [young]
        assert team.json("--as", "liaison", "queue", "--mine")["total"] == 0


@pytest.mark.backend
def test_a_breached_final_authority_stage_triggers_liaison(team: Cli) -> None:
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        ref = open_dispute(team, risk="critical")
        for _ in range(3):  # frontline → supervisor → panel → final authority, in time
            escalate(team, "sup", ref)
        assert team.json("show", ref)["stage"] == 3
        assert refs(team.json("queue", "--section", "liaison")) == []
        clock.shift(timedelta(hours=25))  # the final authority's 24 h window has passed
        result = team.json("queue", "--section", "liaison")
        assert refs(result) == [ref] and result["disputes"][0]["liaison"] is True
        assert team.json("show", ref)["liaison_triggered"] is True
