"""The upper bounds of what people type: the same in the app and the command line.

The store checks them on every write (the app and the CLI both reach it), so a
paste of 100,000 characters is one clear refusal, never a 1 MB ``show``. Kept
apart from forms.py, which imports pydantic: the queue's search bound is read
on the app's first paint.

- ``TEXT_MAX`` (4,000 characters): every free text that takes paragraphs: the
  form's long fields, evidence notes, decision rationale and pathway, notes,
  escalation notes and breach reasons, interim cover's support level, a
  provisional package's actions, contact notes, start plans, withdrawal reasons.
- ``SHORT_MAX`` (200 characters): one-line texts: the consent basis, agency and
  people's names, an agency's kind, a queue search.

Durations and dates have their own bound, ``rules.when.MAX_SPAN`` (ten years).
"""

from __future__ import annotations

from panel_tui.rules.errors import InvalidInputError

TEXT_MAX = 4000
SHORT_MAX = 200


def bounded_text(value: str | None, field: str, limit: int = TEXT_MAX) -> str:
    """``value`` stripped, or InvalidInputError if it is longer than ``limit`` characters."""
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInputError(
            f"too long: at most {limit:,} characters (this has {len(text):,})", field=field
        )
    return text
