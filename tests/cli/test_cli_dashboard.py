"""The dispute dashboard [Under pressure]: every queue row says when the dispute was
opened and resolved and whether interim cover was applied, also once it is closed and
its cover has ended; and the panel chair assigns interim cover with the decision."""

from __future__ import annotations

import csv
import io

import pytest
from cli_helpers import Cli, open_dispute


@pytest.mark.backend
def test_rows_keep_opened_resolved_and_cover_applied(team: Cli) -> None:
    covered = open_dispute(team, person_ref="P-0001")
    bare = open_dispute(team, person_ref="P-0002")
    team.ok("--as", "duty", "cover", covered, "--provider", "CBH", "--level", "daily call")
    rows = {d["ref"]: d for d in team.json("queue")["disputes"]}
    assert (rows[covered]["cover"], rows[covered]["cover_applied"]) == ("CBH", True)
    assert (rows[bare]["cover"], rows[bare]["cover_applied"]) == (None, False)
    assert rows[covered]["opened_at"] is not None and rows[covered]["resolved_at"] is None

    team.ok("--as", "sup", "decide", covered, "--outcome", "assigned", "--receiving", "MCO",
            "--rationale", "MCO criteria are met", "--review", "+30")  # fmt: skip
    team.ok("--as", "intake", "accept", covered, "--start-plan", "MCO intake visit Monday")
    (row,) = team.json("queue", "--section", "closed")["disputes"]
    # The cover ended with the dispute; that it was applied stays on the row.
    assert (row["ref"], row["cover"], row["cover_applied"]) == (covered, None, True)
    assert row["resolved_at"] >= row["opened_at"]
    closed_csv = team.ok("queue", "--section", "closed", "--format", "csv")
    (line,) = csv.DictReader(io.StringIO(closed_csv))
    assert (line["cover"], line["cover_applied"]) == ("", "yes")
    assert line["resolved_at"] == row["resolved_at"]


def test_the_panel_chair_assigns_interim_cover(team: Cli) -> None:
    ref = open_dispute(team)
    team.ok("--as", "chair", "cover", ref, "--provider", "CBH", "--level", "outreach twice a week")
    detail = team.json("show", ref)
    assert [(c["provider"], c["active"], c["assigned_by"]) for c in detail["covers"]] == [
        ("CBH", True, "Chair")
    ]
    refused = team("--as", "pm", "cover", ref, "--provider", "CBH", "--level", "daily call")
    assert refused.returncode == 1 and "may not assign interim cover" in refused.stderr


@pytest.mark.backend
def test_the_report_counts_the_weekly_exceptions(team: Cli) -> None:
    # [Leadership]: executives review missing information and unclear responsibility.
    present = {k: {"present": True} for k in ("contact_history", "risk_screen",
                                               "service_plan", "engagement_attempts")}  # fmt: skip
    lacking = open_dispute(team, person_ref="P-0001")  # the form's service plan is absent
    held = open_dispute(team, person_ref="P-0002", evidence=present)
    gone = open_dispute(team, person_ref="P-0003")
    team.ok("--as", "duty", "holder", held, "front")
    team.ok("--as", "duty", "withdraw", gone, "--reason", "resolved between the teams")

    def exceptions() -> dict:
        return team.json("report", "--days", "7", "--at", "+1m")["exceptions"]

    assert exceptions() == {"missing_evidence": 1, "no_plan_holder": 1}
    table = team.ok("report", "--days", "7", "--at", "+1m", "--format", "md")
    assert "minimum information missing: 1; no plan holder named: 1" in table
    team.ok("--as", "front", "evidence", lacking, "service_plan", "--present")
    team.ok("--as", "duty", "holder", lacking, "front")
    assert exceptions() == {"missing_evidence": 0, "no_plan_holder": 0}
