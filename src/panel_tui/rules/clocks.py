"""Clocks: due times and clock states of the escalation ladder.

Pure functions over timezone-aware datetimes. Everything is computed in UTC;
display code converts to local time. Boundaries, by definition:

* a stage is **breached** from the instant ``now >= due`` (at the due time the
  window is used up);
* it is in **warning** from the instant the used fraction of its window reaches
  the policy's ``warning_fraction`` (75 % by default) until the breach;
* otherwise it is **on track**. A stage that ended before its due time is
  **met**; one that ended at or after it stays **breached**.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from panel_tui.rules.enums import ClockState, Risk, Stage

if TYPE_CHECKING:  # pydantic is not needed to read a clock: the app's first paint skips it
    from collections.abc import Callable

    from panel_tui.rules.policy import Policy

#: The policy's ``clock.warning_fraction`` when a policy does not set it.
DEFAULT_WARNING_FRACTION = 0.75
#: No time at all, made once: ``clock_at`` compares with it for every queue row.
NO_TIME = timedelta(0)


def utc(moment: datetime) -> datetime:
    """Normalise to aware UTC. Naive datetimes are refused: they are a bug."""
    if moment.tzinfo is UTC:  # already (every stored time read back): the common case, cheap
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: clocks need timezone-aware times")
    return moment.astimezone(UTC)


def due_time(
    policy: Policy, risk: Risk | str, stage: Stage | int, entered: datetime
) -> datetime | None:
    window = policy.window(risk, stage)
    return None if window is None else utc(entered) + window


@dataclass(frozen=True, slots=True)
class Clock:
    """What a stage's clock says at one instant."""

    state: ClockState
    due: datetime | None
    window: timedelta | None
    #: positive while before the due time, negative once past it
    remaining: timedelta | None

    @property
    def time_to_breach(self) -> timedelta | None:
        if self.remaining is None or self.remaining <= timedelta(0):
            return None
        return self.remaining

    @property
    def overdue(self) -> timedelta | None:
        if self.remaining is None or self.remaining > timedelta(0):
            return None
        return -self.remaining


_new_object = object.__new__
#: Clock's slot descriptors' setters, which pass its frozen ``__setattr__`` (``_clock``).
_SET_STATE = Clock.__dict__["state"].__set__
_SET_DUE = Clock.__dict__["due"].__set__
_SET_WINDOW = Clock.__dict__["window"].__set__
_SET_REMAINING = Clock.__dict__["remaining"].__set__


def _clock(
    state: ClockState, due: datetime | None, window: timedelta | None, remaining: timedelta | None
) -> Clock:
    """``Clock(state, due, window, remaining)``, its four slots set directly.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``:
    for Clock about 1.2 µs more than this, for every row of a headless ``queue`` read
    (issue 13). The same instance: equal, hashed and frozen as one made the usual way
    (tests/rules/test_clocks.py holds them equal).
    """
    clock = _new_object(Clock)
    _SET_STATE(clock, state)
    _SET_DUE(clock, due)
    _SET_WINDOW(clock, window)
    _SET_REMAINING(clock, remaining)
    return clock


#: The clock of a stage with no window, made once (a Clock is immutable).
_NO_CLOCK = Clock(ClockState.NONE, None, None, None)


def clock_state(
    policy: Policy,
    *,
    entered: datetime,
    due: datetime | None,
    now: datetime,
    left: datetime | None = None,
) -> Clock:
    """State of one stage's clock at ``now``. ``left`` is when the stage ended, if it has."""
    return clock_at(policy.clock.warning_fraction, entered=entered, due=due, now=now, left=left)


def clock_at(
    warning_fraction: float,
    *,
    entered: datetime,
    due: datetime | None,
    now: datetime,
    left: datetime | None = None,
) -> Clock:
    """``clock_state`` given only the one number of the policy it reads."""
    entered, now = utc(entered), utc(now)
    if due is None:
        return _NO_CLOCK
    due = utc(due)
    window = due - entered
    if left is not None and utc(left) <= now:
        left = utc(left)
        state = ClockState.BREACHED if left >= due else ClockState.MET
        return _clock(state, due, window, due - left)
    remaining = due - now
    if now >= due:
        state = ClockState.BREACHED
    elif window > NO_TIME and (now - entered) >= window * warning_fraction:
        state = ClockState.WARNING
    else:
        state = ClockState.ON_TRACK
    return _clock(state, due, window, remaining)


def stalled_time(
    policy: Policy, *, risk: Risk | str, opened: datetime, now: datetime, resolved: datetime | None
) -> timedelta:
    """Time lost past the first (frontline) window: DOMAIN.md's "stalled days"."""
    first_due = due_time(policy, risk, Stage.FRONTLINE, opened)
    assert first_due is not None
    end = utc(resolved) if resolved is not None and utc(resolved) <= utc(now) else utc(now)
    return max(timedelta(0), end - first_due)


def liaison_reached(
    after: timedelta,
    *,
    opened: datetime,
    now: datetime,
    resolved: datetime | None,
    stage3_due: datetime | None,
    stage3_left: datetime | None,
) -> bool:
    """Commissioner liaison: stage 3 breached, or open longer than ``after`` (the policy's
    ``liaison_after``, given alone: the queue's quick read has no pydantic policy)."""
    end = utc(resolved) if resolved is not None else utc(now)
    if end - utc(opened) > after:
        return True
    if stage3_due is None:
        return False
    stage3_end = utc(stage3_left) if stage3_left is not None else utc(now)
    return stage3_end >= utc(stage3_due)


class OpenSpan(Protocol):
    """A dispute's times as the liaison rule reads them (a stored row or a read model)."""

    @property
    def opened_at(self) -> datetime: ...
    @property
    def resolved_at(self) -> datetime | None: ...


class StageSpan(Protocol):
    """A stage record's window as the liaison rule reads it."""

    @property
    def due_at(self) -> datetime | None: ...
    @property
    def left_at(self) -> datetime | None: ...


def liaison_of(policy: Policy, dispute: OpenSpan, stage3: StageSpan | None, now: datetime) -> bool:
    """``liaison_reached`` for a dispute and its stage 3 record (None: never reached)."""
    return liaison_reached(
        policy.liaison_after,
        opened=dispute.opened_at,
        now=now,
        resolved=dispute.resolved_at,
        stage3_due=stage3.due_at if stage3 else None,
        stage3_left=stage3.left_at if stage3 else None,
    )


def format_duration(delta: timedelta) -> str:
    """Compact human duration: 45m, 3h20m, 2d4h. Always of a non-negative span."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    return f"{minutes}m"


def short_duration(delta: timedelta, units: int = 2) -> str:
    """A duration in at most five characters, for the queue's narrow cells.

    Two units while they fit (45m, 3h20m, 2d4h), else the largest alone (13h,
    12d); ``units=1`` keeps only the largest (3h, 2d). Rounded down, like
    ``format_duration``, so a clock never looks further from breach than it is.
    """
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d{hours}h" if units > 1 and hours and days < 10 else f"{days}d"
    if hours:
        return f"{hours}h{minutes:02d}m" if units > 1 and minutes and hours < 10 else f"{hours}h"
    return f"{minutes}m"


def clock_label(clock: Clock, duration: Callable[[timedelta], str] = format_duration) -> str:
    """The clock in words: 'BREACHED 5h', '! due 3h20m', 'ok 2d'. Text, not only colour."""
    if clock.state is ClockState.BREACHED and clock.overdue is not None:
        return f"BREACHED {duration(clock.overdue)}"
    if clock.state is ClockState.WARNING and clock.remaining is not None:
        return f"! due {duration(clock.remaining)}"
    if clock.state is ClockState.ON_TRACK and clock.remaining is not None:
        return f"ok {duration(clock.remaining)}"
    if clock.state is ClockState.MET:
        return "met"
    return "—"


#: Symbol per state: the state is never told by colour alone.
SYMBOLS = {
    ClockState.BREACHED: "✖",
    ClockState.WARNING: "▲",
    ClockState.ON_TRACK: "·",
    ClockState.MET: "✓",
    ClockState.NONE: " ",
}


def clock_plain(clock: Clock, duration: Callable[[timedelta], str] = format_duration) -> str:
    """'✖ BREACHED 5h', '▲ due 3h20m', '· ok 2d': symbol and words."""
    if clock.state is ClockState.WARNING and clock.remaining is not None:
        return f"▲ due {duration(clock.remaining)}"
    return f"{SYMBOLS[clock.state]} {clock_label(clock, duration)}"
