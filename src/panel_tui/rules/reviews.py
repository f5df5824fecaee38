"""Packages that expire, reviews that come due, and risk re-rated: the pure rules.

- A provisional package whose hard deadline has passed, and whose next step
  (a funded pathway recorded, or an escalation) has not been taken, reads
  "expired" everywhere; its stored status stays "active" until that step.
- A dispute has one next review date (``dispute.review_due_on``): a decision
  sets it to its review date, interim cover with a review brings it forward, a
  review trigger brings it forward to the trigger's date plus the policy's
  days, and a recorded review sets the next one. It is due on that date.
- Re-rating risk tightens the current stage's clock from that moment: the
  stage is due at the earlier of its due time and the re-rating time plus the
  new risk's window for that stage. A clock never moves later (a breach is not
  erased by lowering the risk); later stages use the new risk's windows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from panel_tui.rules.clocks import utc
from panel_tui.rules.enums import PACKAGE_EXPIRED, PackageStatus, ReviewTrigger, Risk

if TYPE_CHECKING:
    from panel_tui.rules.policy import Policy


def package_expired(status: str, ends_at: datetime, at: datetime) -> bool:
    """Whether a package is past its hard deadline with its next step not yet taken."""
    return status == PackageStatus.ACTIVE.value and utc(ends_at) <= utc(at)


def package_state(status: str, ends_at: datetime, at: datetime) -> str:
    """The package's status as shown: "expired" once over its deadline, else as stored."""
    return PACKAGE_EXPIRED if package_expired(status, ends_at, at) else status


def local_date(at: datetime) -> date:
    """The date of ``at`` on the host's clock: review dates are days where the panel sits."""
    return at.astimezone().date()


def earliest(*dates: date | None) -> date | None:
    """The earliest of the dates given (None where none is)."""
    given = [d for d in dates if d is not None]
    return min(given) if given else None


def triggered_review(
    policy: Policy, trigger: ReviewTrigger | str, at: datetime, current: date | None
) -> date:
    """The review date after ``trigger`` at ``at``: brought forward, never put back."""
    days = policy.reviews.days_after(ReviewTrigger(trigger))
    return earliest(current, local_date(at) + timedelta(days=days)) or local_date(at)


def risk_raised(before: Risk | str, after: Risk | str) -> bool:
    """Whether ``after`` is a more severe risk than ``before``."""
    return Risk(after).rank < Risk(before).rank


def rerated_due(
    policy: Policy, risk: Risk | str, stage: int, due: datetime | None, at: datetime
) -> datetime | None:
    """The current stage's due time after re-rating to ``risk`` at ``at`` (see above).

    A stage without a clock (decided, commissioner liaison) stays without one.
    """
    if due is None:
        return None
    window = policy.window(risk, stage)
    if window is None:
        return due
    return min(utc(due), utc(at) + window)
