"""The dispute form's fields and the dispute-log CSV's columns: names only, no imports
but the enums, so that building the command line's help (which lists them) stays cheap.

``rules/forms.py`` validates the form; ``store/transfer/csv_log.py`` reads the CSV.
"""

from __future__ import annotations

from panel_tui.rules.enums import EvidenceKey

#: Form fields in the order people fill them in, with their labels.
FORM_FIELDS: dict[str, str] = {
    "person_ref": "Person reference (pseudonymous)",
    "dispute_type": "Dispute type",
    "risk": "Risk level",
    "raising_agency": "Raising agency",
    "responding_agencies": "Responding agencies",
    "consent_basis": "Consent or lawful basis for sharing",
    "problem_statement": "Problem statement",
    "proposed_pathway": "Proposed pathway / program",
    "rule_conflict": "Rule conflict",
    "evidence_summary": "Evidence summary",
    "interim_risk_actions": "Interim risk actions",
    "requested_decision": "Requested decision",
}

#: The free-text fields of the form, which `edit --set` may change.
TEXT_FIELDS = (
    "consent_basis",
    "problem_statement",
    "proposed_pathway",
    "rule_conflict",
    "evidence_summary",
    "interim_risk_actions",
    "requested_decision",
)
#: Those that take paragraphs (up to TEXT_MAX characters; consent basis is one line).
LONG_TEXT_FIELDS = TEXT_FIELDS[1:]

#: The dispute-log CSV's evidence columns and the item each one records.
EVIDENCE_COLUMNS = {f"evidence_{k.value}": k for k in EvidenceKey}

#: The dispute-log CSV's columns, in order. Optional ones may be left empty (but must be present).
CSV_COLUMNS: tuple[str, ...] = (
    "opened_at",
    *FORM_FIELDS,  # the form, in the order people fill it in
    *EVIDENCE_COLUMNS,
    "stage",
    "stage_entered_at",
    "status",
    "resolved_at",
    "outcome",
    "receiving_agency",
    "rationale",
    "decided_by",
    "review_date",
    "start_plan",
    "withdrawn_reason",
)
