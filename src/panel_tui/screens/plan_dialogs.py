"""The plan's dialogs in a dispute's detail: a case synchronisation, the scope of consent.

The same operations as ``panel-tui sync`` and ``panel-tui consent``, with the same
words: the dialog checks what it can before asking the store (a trigger chosen,
who took part, an outcome, times in the date grammar; agencies the store knows,
a purpose, a review date ahead), and the store checks it all again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from panel_tui.rules.enums import SyncTrigger
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.lifecycle import require_text
from panel_tui.rules.limits import SHORT_MAX, bounded_text
from panel_tui.rules.when import parse_date, parse_time
from panel_tui.screens.modals import Check, Field, FormModal

if TYPE_CHECKING:
    from panel_tui.screens.actions import Builder

#: A consent scope's review date, unless the one in force says otherwise (`consent --review +90`).
CONSENT_REVIEW_AFTER = timedelta(days=90)

SYNC_TRIGGER_LABELS = {
    SyncTrigger.MISSED_VISITS: "missed visits",
    SyncTrigger.MEDICATION: "medication non-adherence risk",
    SyncTrigger.HOUSING: "housing disruption",
    SyncTrigger.BEHAVIOUR: "escalating behaviours",
    SyncTrigger.INCIDENT: "a crisis contact or critical incident",
    SyncTrigger.SCHEDULED: "the next synchronisation fell due",
}


def agency_codes(text: str) -> list[str]:
    """Codes as typed: "CBH, MCO" or "CBH MCO" (the command line's --agencies)."""
    return [c.strip().upper() for c in text.replace(",", " ").split() if c.strip()]


def sync_dialog(b: Builder) -> FormModal:
    """Record a case synchronisation the plan holder convened (`panel-tui sync`)."""
    d, now = b.d, b.ledger.clock()
    holder = d.plan.holder if d.plan else "the plan holder"

    def held(v: dict[str, str]) -> datetime:
        moment = parse_time(v["held"], "held", now=now)
        if moment > now:  # the store's rule (ledger/plan.py)
            raise InvalidInputError("a synchronisation is recorded once held", field="held")
        return moment

    def next_due(v: dict[str, str]) -> datetime | None:
        if not v["next"].strip():
            return None
        moment = parse_time(v["next"], "next", now=now)
        if moment <= now:
            raise InvalidInputError("the next synchronisation must be due later", field="next")
        return moment

    return b._modal(
        f"Case synchronisation on {d.ref}",
        [
            Field(  # no default: what made it necessary is the point of recording it
                "trigger",
                "What made it necessary",
                options=[(label, t.value) for t, label in SYNC_TRIGGER_LABELS.items()],
            ),
            Field(
                "participants",
                "Who took part",
                placeholder="names and agencies, e.g. J. Lee (CBH), MCO care manager",
            ),
            Field("outcome", "Outcome", placeholder="what was agreed, who does what", long=True),
            Field("held", "When it was held", "now", aliases=("held_at",)),
            Field(
                "next",
                "Next one due (empty: none)",
                placeholder="+7d, tomorrow 09:00 or 2026-12-10 09:00",
                aliases=("next_due",),
            ),
        ],
        lambda v: b.ledger.record_sync(
            d.ref,
            v["trigger"],
            v["participants"],
            v["outcome"],
            held_at=held(v),
            next_due=next_due(v),
            expected_version=b._v(),
        ),
        f"Convened by {holder}: when, why, who took part, what was agreed.",
        [
            _chosen("trigger", "what made it necessary"),
            lambda v: require_text(
                bounded_text(v["participants"], "participants", SHORT_MAX),
                "participants",
                "Who took part",
            ),
            lambda v: require_text(v["outcome"], "outcome", "The outcome", 5),
            held,
            next_due,
        ],
    )


def consent_dialog(b: Builder) -> FormModal:
    """Record the scope of consent to share (`panel-tui consent`)."""
    d, today = b.d, b.today
    known = {a.code for a in b.agencies}
    current = d.consent  # the scope in force: the dialog starts from it
    agencies = ", ".join(current.agencies) if current else ""
    purpose = current.purpose if current else ""
    review = (
        current.review_date
        if current and current.review_date > today
        else today + CONSENT_REVIEW_AFTER
    )
    intro = (
        f"In force: {', '.join(current.agencies)} for {current.purpose}, review "
        f"{current.review_date.isoformat()}."
        if current
        else f"No scope recorded yet (basis: {d.consent_basis})."
    )

    def codes(v: dict[str, str]) -> list[str]:
        found = agency_codes(v["agencies"])
        if not found:
            raise InvalidInputError("name at least one agency consent covers", field="agencies")
        unknown = [c for c in found if c not in known]
        if unknown:
            raise InvalidInputError(f"unknown agency '{unknown[0]}'", field="agencies")
        return found

    def review_date(v: dict[str, str]) -> date:
        day = parse_date(v["review"], "review", today=today)
        if day <= today:  # the store's rule (ledger/plan.py)
            raise InvalidInputError("the review date must be in the future", field="review")
        return day

    return b._modal(
        f"Consent to share on {d.ref}",
        [
            Field(
                "agencies",
                "Agencies it covers",
                agencies,
                placeholder="codes, e.g. CBH, MCO",
            ),
            Field("purpose", "For what purpose", purpose, placeholder="e.g. care coordination"),
            Field("review", "Review date", review.isoformat(), aliases=("review_date",)),
        ],
        lambda v: b.ledger.record_consent(
            d.ref, codes(v), v["purpose"], review_date(v), expected_version=b._v()
        ),
        intro + " What is recorded here is shown before anything else is shared.",
        [
            codes,
            lambda v: require_text(
                bounded_text(v["purpose"], "purpose", SHORT_MAX),
                "purpose",
                "The purpose of sharing",
            ),
            review_date,
        ],
    )


def _chosen(name: str, what: str) -> Check:
    def check(v: dict[str, str]) -> None:
        if not v[name].strip():
            raise InvalidInputError(f"choose {what}", field=name)

    return check
