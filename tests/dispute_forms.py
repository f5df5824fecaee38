"""A complete, valid dispute form for store and reliability tests (one definition)."""

from __future__ import annotations

from typing import Any

from panel_tui.rules.enums import EvidenceKey


def valid_form(**changes: Any) -> dict[str, Any]:
    """A form the ledger accepts; ``changes`` override fields."""
    data: dict[str, Any] = dict(
        person_ref="P-1001",
        dispute_type="funding",
        risk="high",
        raising_agency="CBH",
        responding_agencies=["MCO"],
        consent_basis="consent on file",
        problem_statement="Discharge stalled: each agency says the other funds step-down.",
        proposed_pathway="ACT team",
        rule_conflict="criterion 4.2 read differently",
        evidence_summary="two admissions in 60 days",
        interim_risk_actions="daily welfare call by CBH",
        requested_decision="who funds the step-down bed",
        evidence={k.value: {"present": True, "note": ""} for k in EvidenceKey},
    )
    data.update(changes)
    return data
