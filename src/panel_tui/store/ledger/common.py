"""Helpers shared by the ledger's operations: the dispute's current rows and clocks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules.enums import (
    PackageStatus,
)
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.fields import TEXT_FIELDS
from panel_tui.store.ledger.base import Context
from panel_tui.store.models import (
    Dispute,
    InterimCover,
    ProvisionalPackage,
    StageRecord,
)


def form_snapshot(dispute: Dispute) -> dict[str, Any]:
    return {name: getattr(dispute, name) for name in TEXT_FIELDS}


def active_package(ctx: Context, dispute: Dispute) -> ProvisionalPackage | None:
    return (
        ctx.session.execute(
            select(ProvisionalPackage).where(
                col(ProvisionalPackage.dispute_id) == dispute.id,
                col(ProvisionalPackage.status) == PackageStatus.ACTIVE.value,
            )
        )
        .scalars()
        .first()
    )


def stage_record(ctx: Context, dispute: Dispute, stage: int) -> StageRecord | None:
    return (
        ctx.session.execute(
            select(StageRecord).where(
                col(StageRecord.dispute_id) == dispute.id, col(StageRecord.stage) == stage
            )
        )
        .scalars()
        .first()
    )


def end_packages(ctx: Context, dispute: Dispute, status: PackageStatus) -> list[int]:
    ended = []
    package = active_package(ctx, dispute)
    if package is not None:
        package.status = status.value
        package.closed_at = ctx.at
        ctx.session.add(package)
        ended.append(package.id or 0)
    return ended


def stop_clock(ctx: Context, dispute: Dispute) -> None:
    record = stage_record(ctx, dispute, dispute.current_stage)
    if record is not None and record.left_at is None:
        record.left_at = ctx.at
        ctx.session.add(record)
    dispute.current_due_at = None


def aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInputError("give a time with its time zone", field=field)
    return moment


def touch(ctx: Context, dispute: Dispute) -> None:
    """Bump the dispute's version: any change to it makes other views of it stale."""
    from sqlalchemy.orm.attributes import flag_modified

    ctx.session.add(dispute)
    version = dispute.version
    ctx.session.flush()
    if dispute.version != version:
        return  # the operation changed the dispute itself: that flush bumped it once
    flag_modified(dispute, "status")
    ctx.session.flush()


def active_cover_review(ctx: Context, dispute: Dispute) -> date | None:
    """The review date of the dispute's active interim cover, if it has one."""
    from panel_tui.rules.reviews import local_date

    review_at = ctx.session.execute(
        select(col(InterimCover.review_at)).where(
            col(InterimCover.dispute_id) == dispute.id, col(InterimCover.active).is_(True)
        )
    ).scalar_one_or_none()
    return local_date(review_at) if review_at is not None else None


def end_cover(ctx: Context, dispute: Dispute) -> None:
    for cover in ctx.session.execute(
        select(InterimCover).where(
            col(InterimCover.dispute_id) == dispute.id, col(InterimCover.active).is_(True)
        )
    ).scalars():
        cover.active = False
        ctx.session.add(cover)
