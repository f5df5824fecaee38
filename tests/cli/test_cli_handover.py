"""`panel-tui handover`: the shift-start view as a Markdown note or JSON."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from cli_helpers import Cli, form

from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger
from panel_tui.store.sqlite_driver import sqlite as sqlite3


def open_back(cli: Cli, hours: float, login: str = "duty", **changes: object) -> str:
    """A dispute opened ``hours`` ago, through the ledger (the command line opens at now)."""
    store = Store.open(str(cli.db))
    try:
        when = datetime.now(UTC) - timedelta(hours=hours)
        return Ledger(store, login, clock=lambda: when).open_dispute(form(**changes))
    finally:
        store.close()


@pytest.mark.backend
def test_handover_lists_what_changed_and_mark_seen_empties_it(team: Cli) -> None:
    breached = open_back(team, 30, risk="high")  # frontline window 24 h: breached 6 h ago
    warned = open_back(team, 20, risk="high")  # warning since 2 h ago
    note = team.ok("--as", "duty", "handover")
    # Never marked: the last day, said as such (it read "since the last 24 hours").
    assert note.startswith("# Handover: what changed in the last 24 hours (since 20")
    assert note.splitlines()[0].endswith("; none marked seen)")
    assert "## Breached (1)" in note and f"**{breached}**" in note
    assert "## Newly at warning (1)" in note and f"**{warned}**" in note
    assert "## Opened (1)" in note  # only the one opened within the last day
    data = json.loads(team.ok("--as", "duty", "handover", "--format", "json", "--mark-seen"))
    assert data["since_last_seen"] is False and data["for"] == "duty"
    assert data["counts"]["breached"] == 1 and data["counts"]["opened"] == 1
    assert {(c["kind"], c["ref"]) for c in data["changes"]} >= {
        ("breached", breached),
        ("warning", warned),
        ("opened", warned),
    }
    again = json.loads(team.ok("--as", "duty", "handover", "--format", "json"))
    assert again["since_last_seen"] is True and again["since_event"] == data["head_event"]
    assert again["changes"] == []
    seen = team.ok("--as", "duty", "handover")
    assert seen.startswith("# Handover: what changed since you last looked (20") and (
        "Nothing changed." in seen
    )
    # The supervisor has not looked: the same changes are still new to them.
    assert (
        json.loads(team.ok("--as", "sup", "handover", "--format", "json"))["counts"]
        == (data["counts"])
    )


@pytest.mark.backend
def test_since_a_time_uses_the_date_grammar(team: Cli) -> None:
    old = open_back(team, 10)
    new = open_back(team, 1)
    data = json.loads(team.ok("--as", "duty", "handover", "--since=-5h", "--format", "json"))
    refs = {c["ref"] for c in data["changes"] if c["kind"] == "opened"}
    assert refs == {new} and old not in refs
    heading = team.ok("--as", "duty", "handover", "--since=-5h").splitlines()[0]
    assert re.fullmatch(r"# Handover: what changed since 20\d\d-\d\d-\d\d \d\d:\d\d UTC", heading)


def test_bad_since_and_hostile_text(team: Cli) -> None:
    bad = team("--as", "duty", "handover", "--since", "last tuesday")
    assert bad.returncode == 2 and "--since" in bad.stderr and bad.stdout == ""
    future = team("--as", "duty", "handover", "--since", "+2h")
    assert future.returncode == 2 and "before now" in future.stderr
    both = team("--as", "duty", "handover", "--mark-seen", "--at=-1h")
    assert both.returncode == 2 and "leave out --at" in both.stderr
    conn = sqlite3.connect(team.db)
    try:  # nothing was written by the refusals
        assert conn.execute("SELECT count(*) FROM seenmark").fetchone() == (0,)
    finally:
        conn.close()
    # Markdown shows a login as typed, never as markup.
    team.ok("users", "add", "x_[y](z)", "--name", "X", "--roles", "frontline", "--agency", "CBH")
    open_back(team, 1, login="x_[y](z)")
    note = team.ok("--as", "duty", "handover")
    assert "by x\\_\\[y\\](z)" in note  # brackets escaped: no link


def test_handover_notes_syncs_recorded_as_the_view_lists_them(team: Cli) -> None:
    ref = open_back(team, 1)
    team.ok("--as", "duty", "holder", ref, "front")
    team.ok("--as", "duty", "handover", "--mark-seen")
    team.ok(
        "--as", "front", "sync", ref, "--trigger", "medication", "--with", "GP nurse",
        "--outcome", "blister packs from Friday",
    )  # fmt: skip
    note = team.ok("--as", "duty", "handover")
    assert "## Case syncs recorded (1)" in note
    assert "by front: medication: blister packs from Friday" in note
    data = json.loads(team.ok("--as", "duty", "handover", "--format", "json"))
    assert data["counts"]["synced"] == 1 and data["changes"][0]["kind"] == "synced"
