"""Opening a dispute and keeping its structured form and evidence up to date."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules import lifecycle
from panel_tui.rules.clocks import due_time
from panel_tui.rules.enums import (
    Action,
    EvidenceKey,
    Stage,
    Status,
)
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.fields import TEXT_FIELDS
from panel_tui.rules.forms import DisputeForm, validate_form
from panel_tui.rules.limits import bounded_text
from panel_tui.store.ledger.base import Context, LedgerBase
from panel_tui.store.ledger.common import (
    form_snapshot,
    touch,
)
from panel_tui.store.models import (
    Agency,
    Dispute,
    DisputeAgency,
    EvidenceItem,
    StageRecord,
    row_id,
)


class FormOperations(LedgerBase):
    """Open, edit the form, record evidence."""

    def open_dispute(
        self, data: Mapping[str, Any] | DisputeForm, *, at: datetime | None = None
    ) -> str:
        if isinstance(data, DisputeForm):
            form = data
        else:  # anything but a mapping is refused by validate_form, by name
            form = validate_form(dict(data) if isinstance(data, Mapping) else data)

        def body(ctx: Context, _: Dispute | None) -> str:
            raising = ctx.agency(form.raising_agency, "raising_agency")
            responding = [ctx.agency(c, "responding_agencies") for c in form.responding_agencies]
            stage0_due = due_time(ctx.policy, form.risk, Stage.FRONTLINE, ctx.at)
            dispute = Dispute(
                ref=self.next_ref(ctx.session, ctx.at.year),
                person_ref=form.person_ref,
                dispute_type=form.dispute_type.value,
                risk=form.risk.value,
                raising_agency_id=row_id(raising),
                agencies_label=f"{raising.code}→{','.join(a.code for a in responding)}",
                status=Status.OPEN.value,
                current_stage=0,
                stage_entered_at=ctx.at,
                current_due_at=stage0_due,
                opened_at=ctx.at,
                opened_by_id=row_id(ctx.actor),
                **{name: getattr(form, name) for name in TEXT_FIELDS},
            )
            ctx.session.add(dispute)
            ctx.session.flush()
            ctx.session.add(
                DisputeAgency(
                    dispute_id=row_id(dispute), agency_id=row_id(raising), party="raising"
                )
            )
            for agency in responding:
                ctx.session.add(
                    DisputeAgency(
                        dispute_id=row_id(dispute), agency_id=row_id(agency), party="responding"
                    )
                )
            for key, item in form.evidence.items():
                ctx.session.add(
                    EvidenceItem(
                        dispute_id=row_id(dispute),
                        key=key.value,
                        present=item.present,
                        note=item.note,
                        updated_at=ctx.at,
                        updated_by_id=row_id(ctx.actor),
                    )
                )
            ctx.session.add(
                StageRecord(
                    dispute_id=row_id(dispute),
                    stage=0,
                    entered_at=ctx.at,
                    due_at=stage0_due,
                    entered_by_id=row_id(ctx.actor),
                )
            )
            ctx.event("open", dispute, after=form.model_dump(mode="json"))
            return dispute.ref

        return self.run(Action.OPEN, None, body, at=at, asked={"data": data})

    def edit_form(
        self,
        ref: str,
        changes: Mapping[str, str],
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> int:
        unknown = [k for k in changes if k not in TEXT_FIELDS]
        if unknown:
            raise InvalidInputError("this field cannot be edited", field=unknown[0])

        def body(ctx: Context, dispute: Dispute) -> int:
            before = form_snapshot(dispute)
            merged = self._form_of(ctx, dispute) | dict(changes)
            form = validate_form(merged)
            changed = {k: getattr(form, k) for k in TEXT_FIELDS if getattr(form, k) != before[k]}
            if not changed:
                raise InvalidInputError("nothing changed", field=next(iter(changes), None))
            for name, value in changed.items():
                setattr(dispute, name, value)
            ctx.session.add(dispute)
            ctx.session.flush()
            ctx.event("edit_form", dispute, before={k: before[k] for k in changed}, after=changed)
            return dispute.version

        return self.on_dispute(Action.EDIT_FORM, ref, body, expected_version, at, changes=changes)

    def _form_of(self, ctx: Context, dispute: Dispute) -> dict[str, Any]:
        """The dispute's current form as data, for re-validation after an edit."""
        rows = ctx.session.execute(
            select(col(DisputeAgency.party), col(DisputeAgency.agency_id)).where(
                col(DisputeAgency.dispute_id) == dispute.id
            )
        ).all()
        codes = dict(ctx.session.execute(select(col(Agency.id), col(Agency.code))).all())
        evidence = ctx.session.execute(
            select(EvidenceItem).where(col(EvidenceItem.dispute_id) == dispute.id)
        ).scalars()
        return {
            "person_ref": dispute.person_ref,
            "dispute_type": dispute.dispute_type,
            "risk": dispute.risk,
            "raising_agency": next(codes[a] for p, a in rows if p == "raising"),
            "responding_agencies": [codes[a] for p, a in rows if p == "responding"],
            "evidence": {e.key: {"present": e.present, "note": e.note} for e in evidence},
            **form_snapshot(dispute),
        }

    def record_evidence(
        self,
        ref: str,
        key: str,
        present: bool,
        note: str = "",
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
    ) -> None:
        evidence_key = lifecycle.one_of(EvidenceKey, key, "key")
        note = bounded_text(note, "note")
        if not present and not note:
            raise InvalidInputError("an absent item needs a note saying why", field="note")

        def body(ctx: Context, dispute: Dispute) -> None:
            item = (
                ctx.session.execute(
                    select(EvidenceItem).where(
                        col(EvidenceItem.dispute_id) == dispute.id,
                        col(EvidenceItem.key) == evidence_key.value,
                    )
                )
                .scalars()
                .first()
            )
            before = {"present": item.present, "note": item.note} if item else {}
            if item is None:
                item = EvidenceItem(
                    dispute_id=row_id(dispute),
                    key=evidence_key.value,
                    updated_at=ctx.at,
                    updated_by_id=row_id(ctx.actor),
                )
            item.present, item.note = present, note
            item.updated_at, item.updated_by_id = ctx.at, ctx.actor.id
            ctx.session.add(item)
            touch(ctx, dispute)
            ctx.event(
                "record_evidence",
                dispute,
                before={evidence_key.value: before},
                after={evidence_key.value: {"present": present, "note": note}},
            )

        self.on_dispute(
            Action.RECORD_EVIDENCE,
            ref,
            body,
            expected_version,
            at,
            key=key,
            present=present,
            note=note,
        )
