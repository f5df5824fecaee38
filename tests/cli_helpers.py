"""Helpers for command-line tests: run panel-tui in a subprocess; a valid form."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


class Cli:
    """The real command line, run as ``python -m panel_tui --db STORE ...``."""

    def __init__(self, db: Path, env: dict[str, str]) -> None:
        self.db = db
        self.env = env

    def __call__(
        self, *args: str, stdin: str | None = None, db: bool = True
    ) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "panel_tui", *(("--db", str(self.db)) if db else ()), *args]
        return subprocess.run(
            argv, input=stdin, capture_output=True, text=True, env=self.env, timeout=300
        )

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, (
            f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--format", "json"))


def form(**changes: object) -> dict[str, object]:
    """A complete, valid dispute form; ``changes`` override fields."""
    data: dict[str, object] = {
        "person_ref": "P-0042",
        "dispute_type": "funding",
        "risk": "high",
        "raising_agency": "CBH",
        "responding_agencies": ["MCO"],
        "consent_basis": "consent recorded 2026-11-01",
        "problem_statement": "Discharge stalled: MCO and county disagree on who funds ACT.",
        "proposed_pathway": "ACT team",
        "rule_conflict": "ACT eligibility: county reads 'two admissions', MCO reads 'three'",
        "evidence_summary": "Two admissions in 90 days; risk screen amber.",
        "interim_risk_actions": "Daily welfare call by county crisis team.",
        "requested_decision": "Which agency funds ACT from discharge.",
        "evidence": {
            "contact_history": {"present": True},
            "risk_screen": {"present": True},
            "service_plan": {"present": False, "note": "requested from MCO 20 Nov"},
            "engagement_attempts": {"present": True},
        },
    }
    data.update(changes)
    return data
