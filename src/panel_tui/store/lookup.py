"""Finding a record by the reference people type: shared by the read and the write path."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from panel_tui.rules.errors import NotFoundError
from panel_tui.store.models import Dispute


def find_dispute(session: Session, ref: str) -> Dispute:
    """The dispute ``ref`` (any case, surrounding blanks ignored), or NotFoundError."""
    ref = (ref or "").strip().upper()
    dispute = session.execute(select(Dispute).where(col(Dispute.ref) == ref)).scalars().first()
    if dispute is None:
        raise NotFoundError(f"no dispute {ref}.", hint="Check the reference with `queue`.")
    return dispute
