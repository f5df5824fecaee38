"""What ``--help`` tells a user about the inputs: the open form, the import CSV, edit fields.

Written here, without importing the form models (pydantic) or the importer (the
ORM), because every command builds the parser; the field and column names come
from ``rules/fields.py``, which the form and the importer use too.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from panel_tui.rules.enums import DisputeType, EvidenceKey, Risk
from panel_tui.rules.fields import CSV_COLUMNS, TEXT_FIELDS
from panel_tui.rules.limits import SHORT_MAX, TEXT_MAX


def form_template(raising: str = "CBH", responding: str = "MCO") -> dict[str, Any]:
    """A complete, valid dispute form with example values (``open --template``)."""
    return {
        "person_ref": "P-0042",
        "dispute_type": DisputeType.FUNDING.value,
        "risk": Risk.HIGH.value,
        "raising_agency": raising,
        "responding_agencies": [responding],
        "consent_basis": "consent recorded 2026-11-01",
        "problem_statement": "Discharge stalled: the agencies disagree on who funds ACT.",
        "proposed_pathway": "ACT team",
        "rule_conflict": "ACT eligibility: one reads 'two admissions', the other 'three'",
        "evidence_summary": "Two admissions in 90 days; risk screen amber.",
        "interim_risk_actions": "Daily welfare call by the county crisis team.",
        "requested_decision": "Which agency funds ACT from discharge.",
        "evidence": {
            EvidenceKey.CONTACT_HISTORY.value: {"present": True},
            EvidenceKey.RISK_SCREEN.value: {"present": True},
            EvidenceKey.SERVICE_PLAN.value: {"present": False, "note": "requested 20 Nov"},
            EvidenceKey.ENGAGEMENT_ATTEMPTS.value: {"present": True, "note": ""},
        },
    }


def _choices(enum: Any) -> str:
    return " | ".join(member.value for member in enum)


OPEN_EPILOG = f"""\
The form is one JSON object (UTF-8; a byte-order mark is fine). Every field:
  person_ref            3-32 letters, digits, - _ . / : a pseudonymous reference, not a name
  dispute_type          {_choices(DisputeType)}
  risk                  {_choices(Risk)}
  raising_agency        an agency code of this store (panel-tui agencies list)
  responding_agencies   a list of 1-6 other agency codes
  consent_basis         consent or lawful basis for sharing: 3-{SHORT_MAX} characters
  problem_statement     at least 10 characters        (each long text: at most {TEXT_MAX:,})
  proposed_pathway      at least 3 characters
  rule_conflict         at least 3 characters
  evidence_summary      at least 3 characters
  interim_risk_actions  required (3+ characters) when risk is high or critical
  requested_decision    at least 3 characters
  evidence              every one of {", ".join(k.value for k in EvidenceKey)}:
                        {{"present": true}} or {{"present": false, "note": "why, and when"}}

Start from a valid example: panel-tui open --template > form.json (it names two of
this store's agencies), edit it, then: panel-tui open --json form.json.
Example:
{json.dumps(form_template(), indent=2)}
"""

EDIT_EPILOG = f"""\
FIELD is one of the form's texts: {", ".join(TEXT_FIELDS)}.
consent_basis takes at most {SHORT_MAX} characters, the others at most {TEXT_MAX:,}.
The type, risk, person and agencies of a dispute are not edited: withdraw it and open another.
Example: panel-tui edit D-2026-0042 --set "problem_statement=Discharge stalled since 3 Nov"
"""

IMPORT_EPILOG = f"""\
FILE is either a JSON export of another store (panel-tui export), or with --csv (or a
name ending .csv) an existing dispute log: UTF-8 CSV (a byte-order mark is fine), a
header row and one dispute per row, with every one of these columns (optional ones
may be empty):
{textwrap.fill(", ".join(CSV_COLUMNS), width=86, initial_indent="  ", subsequent_indent="  ")}

  opened_at, stage_entered_at, resolved_at   ISO 8601 with an offset, not in the future:
                                             2026-03-02T09:00:00+00:00
  person_ref ... requested_decision          as in 'panel-tui open --help'
  responding_agencies                        codes separated by ';': MCO;HSG
  evidence_*                                 present | present: note | absent: note
  stage                                      the current rung, 0-4 (earlier rungs are
                                             spread evenly from opened_at to stage_entered_at)
  status                                     open | decided | closed | withdrawn
  outcome, receiving_agency, rationale,
  decided_by, review_date (YYYY-MM-DD)       for decided and closed rows
  start_plan                                 for closed rows; withdrawn_reason for withdrawn
                                             (both with resolved_at)

Every row is replayed through the ledger as you: you need the right for each step
(checked before anything is written). A JSON export is replayed as the people it
records; it needs the administer right.

All or nothing: one bad row names itself and its field, and nothing is written.
A dispute the store already holds (the same person_ref, raising agency and
opened_at, e.g. from an earlier import of the same file) is skipped, not imported
again or updated; the output lists what was skipped.
"""


def template_codes(db: str | None) -> tuple[str, str]:
    """Two agency codes of the store, for the template to be valid as printed there."""
    from panel_tui.rules.errors import StoreError
    from panel_tui.store.read import quick_queue

    try:
        head = quick_queue.peek(db)
        codes = quick_queue.agency_codes(head) if head else []
    except (StoreError, OSError) + quick_queue.errors():  # no store we can read: the defaults do
        codes = []
    return (codes[0], codes[1]) if len(codes) >= 2 else ("CBH", "MCO")
