"""Replaying an export's review records: funded pathways, risk re-ratings, triggers,
reviews, and places on the panels' agendas that heard it.

Each is replayed through the ledger operation that first recorded it
(store/ledger/reviews.py), at its time and as its person, so the clocks and the
review date follow as they did. A dispute whose risk was re-rated opens with the
risk before the first re-rating; the last must end at the risk the export shows.
Exports older than these records carry none of them: their notes come in as notes.
"""

from __future__ import annotations

from typing import Any

from panel_tui.rules.enums import ReviewTrigger, Risk
from panel_tui.rules.errors import InvalidInputError
from panel_tui.store.transfer.plan_checks import PlanChecks
from panel_tui.store.transfer.validate import parse_choice, parse_date

_RISKS = tuple(r.value for r in Risk)


def opening_risk(raw: dict[str, Any]) -> Any:
    """The risk the dispute opened with: before its first re-rating, else as exported."""
    ratings = raw.get("risk_ratings")
    if isinstance(ratings, list) and ratings and isinstance(ratings[0], dict):
        return ratings[0].get("from")
    return raw.get("risk")


class ReviewSteps(PlanChecks):
    """The review records of one exported dispute, checked and turned into replay steps."""

    def pathway(self, p: dict[str, Any], where: str) -> None:
        """The funded pathway a package converted to (``record_pathway``), if one was."""
        pathway = self.text(p.get("pathway"), f"{where}.pathway")
        if not pathway:
            return  # ended otherwise: its escalation, acceptance or withdrawal ends it again
        at = self.when(p.get("closed_at"), f"{where}.closed_at")
        by = self.login(p.get("pathway_by"), f"{where}.pathway_by")
        self.step("pathways", at, by, where, "record_pathway", pathway)

    def risk_ratings(self) -> None:
        """Each re-rating from the risk the last one left, ending at the exported risk."""
        risk = opening_risk(self.raw)
        for n, r in enumerate(self.entries("risk_ratings")):
            where = f"risk_ratings[{n}]"
            if r.get("from") != risk:
                raise InvalidInputError(
                    f"must start from '{risk}', the risk the re-rating before it left",
                    field=f"{where}.from",
                    row=self.i,
                )
            risk = parse_choice(r.get("to"), _RISKS, self.i, f"{where}.to")
            at = self.when(r.get("at"), f"{where}.at")
            by = self.login(r.get("by"), f"{where}.by")
            note = self.text(r.get("note"), f"{where}.note")
            self.step("risk_ratings", at, by, where, "rerate_risk", risk, note)
        if risk != self.raw.get("risk"):
            raise InvalidInputError(
                f"the last re-rating ends at '{risk}', not the dispute's risk "
                f"'{self.raw.get('risk')}'",
                field="risk_ratings",
                row=self.i,
            )

    def review_triggers(self) -> None:
        triggers = tuple(t.value for t in ReviewTrigger)
        for n, t in enumerate(self.entries("review_triggers")):
            where = f"review_triggers[{n}]"
            at = self.when(t.get("at"), f"{where}.at")
            by = self.login(t.get("by"), f"{where}.by")
            kind = parse_choice(t.get("trigger"), triggers, self.i, f"{where}.trigger")
            note = self.text(t.get("note"), f"{where}.note")
            self.step("review_triggers", at, by, where, "review_trigger", kind, note)

    def reviews(self) -> None:
        for n, r in enumerate(self.entries("reviews")):
            where = f"reviews[{n}]"
            at = self.when(r.get("at"), f"{where}.at")
            by = self.login(r.get("by"), f"{where}.by")
            nxt = r.get("next_review")
            due = None if nxt is None else parse_date(nxt, self.i, f"{where}.next_review")
            note = self.text(r.get("note"), f"{where}.note")
            self.step("reviews", at, by, where, "record_review", note, due)

    def agenda(self) -> None:
        """Its places on panels' agendas, each at its position as the export recorded it."""
        for n, a in enumerate(self.entries("agenda")):
            where = f"agenda[{n}]"
            panel_date = parse_date(a.get("panel_date"), self.i, f"{where}.panel_date")
            position = a.get("position")
            if isinstance(position, bool) or not isinstance(position, int) or position < 1:
                raise InvalidInputError(
                    "a place on the agenda, from 1", field=f"{where}.position", row=self.i
                )
            picked = a.get("picked")
            if not isinstance(picked, bool):
                raise InvalidInputError(
                    "must be true or false", field=f"{where}.picked", row=self.i
                )
            at = self.when(a.get("at"), f"{where}.at")
            by = self.login(a.get("by"), f"{where}.by")
            self.step("agenda", at, by, where, "place_on_agenda", panel_date, position, picked)
