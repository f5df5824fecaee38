"""report, export, import, backup and doctor through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Cli, escalate, open_dispute

from panel_tui.store.sqlite_driver import DRIVER
from panel_tui.store.sqlite_driver import sqlite as sqlite3


def _events(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM event").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.backend
def test_report_formats(team: Cli) -> None:
    open_dispute(team)
    open_dispute(team, dispute_type="eligibility", person_ref="P-0042")
    data = team.json("report", "--days", "7")
    assert json.dumps(data)  # stable JSON
    text = json.dumps(data)
    assert "funding" in text and "eligibility" in text
    md = team.ok("report", "--days", "7", "--format", "md")
    assert md.lstrip().startswith("#")
    csv_text = team.ok("report", "--days", "7", "--format", "csv")
    assert csv_text.splitlines()[0].count(",") >= 2
    bad = team("report", "--from", "2026-12-01", "--to", "2026-11-01")
    assert bad.returncode == 2 and "before it ends" in bad.stderr


def test_export_then_import_into_a_fresh_store(team: Cli, tmp_path: Path) -> None:
    ref = open_dispute(team)
    escalate(team, "duty", ref, note="supervisors")
    team.ok("--as", "duty", "note", ref, "called", "MCO")
    export = tmp_path / "export.json"
    team.ok("export", "--output", str(export))
    doc = json.loads(export.read_text())
    assert [d["ref"] for d in doc["disputes"]] == [ref]

    fresh = Cli(tmp_path / "fresh.db", team.env)
    fresh.ok("init", "--kind", "test")  # its policy allows --as: a test store
    policy = tmp_path / "policy.toml"
    assert policy.exists()  # written by the team fixture
    fresh.ok("policy", "set", str(policy))
    result = json.loads(fresh.ok("import", str(export), "--format", "json"))
    assert result["imported"] == 1
    new_ref = result["refs"][ref]
    shown = fresh.json("show", new_ref)
    assert shown["stage"] == 1
    assert shown["notes"][0]["text"] == "called MCO"
    assert "intact" in fresh.ok("audit", "verify")

    said = Cli(tmp_path / "said.db", team.env)  # the same import, told in words
    said.ok("init", "--kind", "test")
    said.ok("policy", "set", str(policy))
    assert "imported 1 dispute into" in said.ok("import", str(export))


def test_import_bad_row_names_it_and_writes_nothing(team: Cli, tmp_path: Path) -> None:
    ref = open_dispute(team)
    export = tmp_path / "export.json"
    team.ok("export", "--output", str(export))
    doc = json.loads(export.read_text())
    good = doc["disputes"][0]
    broken = json.loads(json.dumps(good))
    broken["risk"] = "apocalyptic"
    doc["disputes"] = [good, broken]
    export.write_text(json.dumps(doc))
    before = _events(team.db)
    result = team("import", str(export))
    assert result.returncode == 2
    assert "row 2" in result.stderr and "risk" in result.stderr
    assert _events(team.db) == before
    assert team.json("queue")["total"] == 1 and ref
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{nope")
    result = team("import", str(garbage))
    assert result.returncode == 2 and "not valid JSON" in result.stderr


def test_backup_and_doctor(team: Cli, tmp_path: Path) -> None:
    ref = open_dispute(team)
    out = team.ok("backup", str(tmp_path / "copy.db"))
    assert "backed up to" in out
    copy = Cli(tmp_path / "copy.db", team.env)
    assert [d["ref"] for d in copy.json("queue")["disputes"]] == [ref]
    refused = team("backup", str(tmp_path / "copy.db"))
    assert refused.returncode == 2 and "already exists" in refused.stderr

    report = json.loads(team.ok("doctor", "--format", "json"))
    found = {f["name"]: f for f in report["findings"]}
    assert found["journal mode"]["value"] == "wal"
    assert found["integrity"]["ok"] and found["audit chain"]["ok"]
    assert found["SQLite library"]["value"] == f"{sqlite3.sqlite_version} via {DRIVER}"

    conn = sqlite3.connect(team.db)
    conn.execute("DROP TRIGGER event_no_delete")
    conn.execute("DELETE FROM event WHERE id = 3")
    conn.commit()
    conn.close()
    result = team("doctor")
    assert result.returncode == 1
    assert "FAIL audit chain" in result.stdout and "event 3" in result.stdout


def test_demo_builds_and_never_replaces_a_real_store(team: Cli, tmp_path: Path) -> None:
    demo = Cli(tmp_path / "demo.db", team.env)
    result = demo("demo", "--no-ui")
    assert result.returncode == 0, result.stderr
    queue = demo.json("queue")
    assert queue["total"] > 20
    states = {d["clock"]["state"] for d in queue["disputes"]}
    assert {"on_track", "warning", "breached"} <= states
    assert demo.json("--as", "chair", "queue", "--section", "at_panel")["total"] >= 1
    again = demo("demo", "--no-ui")  # no terminal to ask at: refused, the store kept
    assert again.returncode == 2 and "--rebuild" in again.stderr
    assert demo.json("queue")["total"] == queue["total"]
    assert demo("demo", "--no-ui", "--rebuild", "--disputes", "5").returncode == 0
    assert demo.json("queue")["total"] <= 5

    before = team.db.read_bytes()
    refused = team("demo", "--no-ui")
    assert refused.returncode == 2
    assert "not a demo store" in refused.stderr
    assert team.db.read_bytes() == before
