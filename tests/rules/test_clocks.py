"""Clocks: due times, states at the exact boundaries, time zones, stalls, liaison, labels."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from panel_tui.rules.clocks import (
    Clock,
    clock_label,
    clock_state,
    due_time,
    format_duration,
    liaison_reached,
    short_duration,
    stalled_time,
    utc,
)
from panel_tui.rules.clocks import _clock as clock_made_at_once
from panel_tui.rules.enums import ClockState, Risk, Stage
from panel_tui.rules.policy import default_policy, default_policy_text, parse_policy

US = timedelta(microseconds=1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, far from any DST change
LA = ZoneInfo("America/Los_Angeles")

# DOMAIN.md's table, typed in again: hours for stages 0-3.
DOMAIN_HOURS = {
    Risk.CRITICAL: (4, 24, 24, 24),
    Risk.HIGH: (24, 24, 48, 48),
    Risk.MEDIUM: (48, 48, 72, 72),
    Risk.LOW: (72, 72, 120, 120),
}
LADDER = [(risk, Stage(stage)) for risk in Risk for stage in range(4)]
LADDER_IDS = [f"{risk.value}-{stage.name.lower()}" for risk, stage in LADDER]


def policy_with(**edits: str):
    text = default_policy_text()
    for old, new in edits.items():
        line = next(line for line in text.splitlines() if line.startswith(f"{old} ="))
        text = text.replace(line, f"{old} = {new}")
    return parse_policy(text)


def state_at(risk: Risk, stage: Stage, now: datetime, entered: datetime = T0) -> Clock:
    policy = default_policy()
    return clock_state(policy, entered=entered, due=due_time(policy, risk, stage, entered), now=now)


# --- due times and boundaries ----------------------------------------------------


@pytest.mark.parametrize(("risk", "stage"), LADDER, ids=LADDER_IDS)
def test_due_time_is_entered_plus_the_domain_window(risk: Risk, stage: Stage) -> None:
    due = due_time(default_policy(), risk, stage, T0)
    assert due == T0 + timedelta(hours=DOMAIN_HOURS[risk][stage])
    assert due is not None and due.tzinfo is UTC


@pytest.mark.parametrize("risk", list(Risk))
def test_commissioner_liaison_has_no_due_time_and_no_clock(risk: Risk) -> None:
    policy = default_policy()
    assert due_time(policy, risk, Stage.COMMISSIONER_LIAISON, T0) is None
    clock = clock_state(policy, entered=T0, due=None, now=T0 + timedelta(days=400))
    assert clock == Clock(ClockState.NONE, None, None, None)
    assert clock.time_to_breach is None and clock.overdue is None
    assert clock_label(clock) == "—"


def _warning_at(risk: Risk, stage: Stage) -> timedelta:
    return timedelta(hours=DOMAIN_HOURS[risk][stage]) * 3 / 4


def _window(risk: Risk, stage: Stage) -> timedelta:
    return timedelta(hours=DOMAIN_HOURS[risk][stage])


# (name, offset from entry as a function of (risk, stage), expected state)
POINTS = [
    ("at entry", lambda r, s: timedelta(0), ClockState.ON_TRACK),
    ("1us before warning", lambda r, s: _warning_at(r, s) - US, ClockState.ON_TRACK),
    ("at warning", lambda r, s: _warning_at(r, s), ClockState.WARNING),
    ("1us after warning", lambda r, s: _warning_at(r, s) + US, ClockState.WARNING),
    ("1us before due", lambda r, s: _window(r, s) - US, ClockState.WARNING),
    ("at due", lambda r, s: _window(r, s), ClockState.BREACHED),
    ("1us after due", lambda r, s: _window(r, s) + US, ClockState.BREACHED),
    ("a week after due", lambda r, s: _window(r, s) + timedelta(days=7), ClockState.BREACHED),
]


@pytest.mark.parametrize(("risk", "stage"), LADDER, ids=LADDER_IDS)
@pytest.mark.parametrize(
    ("offset", "expected"), [p[1:] for p in POINTS], ids=[p[0] for p in POINTS]
)
def test_state_at_boundaries(risk: Risk, stage: Stage, offset, expected: ClockState) -> None:
    elapsed = offset(risk, stage)
    clock = state_at(risk, stage, T0 + elapsed)
    assert clock.state is expected
    assert clock.window == _window(risk, stage)
    assert clock.due == T0 + _window(risk, stage)
    assert clock.remaining == _window(risk, stage) - elapsed


@pytest.mark.parametrize(("risk", "stage"), LADDER, ids=LADDER_IDS)
def test_remaining_time_to_breach_and_overdue_around_due(risk: Risk, stage: Stage) -> None:
    due = T0 + _window(risk, stage)
    before = state_at(risk, stage, due - US)
    assert (before.time_to_breach, before.overdue) == (US, None)
    at = state_at(risk, stage, due)
    assert (at.time_to_breach, at.overdue) == (None, timedelta(0))
    after = state_at(risk, stage, due + timedelta(hours=5))
    assert (after.time_to_breach, after.overdue) == (None, timedelta(hours=5))
    assert clock_label(after) == "BREACHED 5h"


def test_other_warning_fraction_moves_the_threshold() -> None:
    policy = policy_with(warning_fraction="0.5")
    due = due_time(policy, Risk.HIGH, Stage.FRONTLINE, T0)  # 24 h

    def at(hours: int, extra: timedelta = timedelta(0)) -> ClockState:
        now = T0 + timedelta(hours=hours) + extra
        return clock_state(policy, entered=T0, due=due, now=now).state

    assert at(12, -US) is ClockState.ON_TRACK
    assert at(12) is ClockState.WARNING
    assert at(18) is ClockState.WARNING


def test_zero_length_window_is_breached_not_an_error() -> None:
    # A hand-edited or migrated row can carry a zero-length window.
    clock = clock_state(default_policy(), entered=T0, due=T0, now=T0)
    assert clock.state is ClockState.BREACHED
    assert clock.overdue == timedelta(0)


# --- ended stages ----------------------------------------------------------------

ENDINGS = [
    ("ended 1us before due", -US, ClockState.MET),
    ("ended an hour before due", -timedelta(hours=1), ClockState.MET),
    ("ended at due", timedelta(0), ClockState.BREACHED),
    ("ended 1us after due", US, ClockState.BREACHED),
]


@pytest.mark.parametrize(("risk", "stage"), LADDER, ids=LADDER_IDS)
@pytest.mark.parametrize(
    ("delta", "expected"), [e[1:] for e in ENDINGS], ids=[e[0] for e in ENDINGS]
)
def test_ended_stage_is_met_or_breached(
    risk: Risk, stage: Stage, delta: timedelta, expected: ClockState
) -> None:
    policy = default_policy()
    due = due_time(policy, risk, stage, T0)
    assert due is not None
    left = due + delta
    # Long after: an ended stage's state is frozen at the moment it ended.
    clock = clock_state(policy, entered=T0, due=due, now=due + timedelta(days=30), left=left)
    assert clock.state is expected
    assert clock.remaining == -delta
    if expected is ClockState.MET:
        assert clock_label(clock) == "met"
        assert clock.overdue is None
    else:
        assert clock_label(clock).startswith("BREACHED")
        assert clock.overdue == delta


def test_stage_left_in_the_future_is_still_running() -> None:
    policy = default_policy()
    due = due_time(policy, Risk.CRITICAL, Stage.FRONTLINE, T0)  # 4 h
    now = T0 + timedelta(hours=1)
    clock = clock_state(policy, entered=T0, due=due, now=now, left=now + US)
    assert clock.state is ClockState.ON_TRACK
    assert clock.remaining == timedelta(hours=3)
    # Left exactly now counts as ended.
    ended = clock_state(policy, entered=T0, due=due, now=now, left=now)
    assert ended.state is ClockState.MET


def test_met_stage_ended_during_warning_is_met() -> None:
    policy = default_policy()
    due = due_time(policy, Risk.HIGH, Stage.PANEL, T0)  # 48 h
    left = T0 + timedelta(hours=47)
    clock = clock_state(policy, entered=T0, due=due, now=left, left=left)
    assert clock.state is ClockState.MET
    assert clock.remaining == timedelta(hours=1)


# --- time zones ------------------------------------------------------------------


def test_naive_datetimes_are_refused_everywhere() -> None:
    policy = default_policy()
    naive = datetime(2026, 3, 2, 9, 0)
    due = T0 + timedelta(hours=4)
    with pytest.raises(ValueError, match="naive"):
        utc(naive)
    with pytest.raises(ValueError, match="naive"):
        due_time(policy, Risk.HIGH, Stage.FRONTLINE, naive)
    with pytest.raises(ValueError, match="naive"):
        clock_state(policy, entered=naive, due=due, now=T0)
    with pytest.raises(ValueError, match="naive"):
        clock_state(policy, entered=T0, due=due, now=naive)
    with pytest.raises(ValueError, match="naive"):
        clock_state(policy, entered=T0, due=due.replace(tzinfo=None), now=T0)
    with pytest.raises(ValueError, match="naive"):
        clock_state(policy, entered=T0, due=due, now=T0, left=naive)
    with pytest.raises(ValueError, match="naive"):
        stalled_time(policy, risk=Risk.LOW, opened=naive, now=T0, resolved=None)
    with pytest.raises(ValueError, match="naive"):
        stalled_time(policy, risk=Risk.LOW, opened=T0, now=naive, resolved=None)
    with pytest.raises(ValueError, match="naive"):
        liaison_reached(
            policy.liaison_after,
            opened=naive,
            now=T0,
            resolved=None,
            stage3_due=None,
            stage3_left=None,
        )
    with pytest.raises(ValueError, match="naive"):
        liaison_reached(
            policy.liaison_after,
            opened=T0,
            now=T0,
            resolved=None,
            stage3_due=naive,
            stage3_left=None,
        )


def test_tzinfo_without_an_offset_is_refused() -> None:
    class Vague(tzinfo):
        def utcoffset(self, dt: datetime | None) -> None:
            return None

        def dst(self, dt: datetime | None) -> None:
            return None

    with pytest.raises(ValueError, match="naive"):
        utc(datetime(2026, 1, 1, tzinfo=Vague()))


def test_utc_normalises_other_zones_to_the_same_instant() -> None:
    local = datetime(2026, 7, 1, 2, 0, tzinfo=LA)  # PDT, UTC-7
    assert utc(local) == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert utc(local).tzinfo is UTC
    plus_five = datetime(2026, 7, 1, 14, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert utc(plus_five) == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def test_due_time_across_spring_forward_is_24_real_hours() -> None:
    # 2026-03-08 02:00 is when Los Angeles moves from PST (-8) to PDT (-7).
    entered = datetime(2026, 3, 7, 20, 0, tzinfo=LA)  # 04:00Z on the 8th
    due = due_time(default_policy(), Risk.HIGH, Stage.FRONTLINE, entered)
    assert due == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
    assert due == datetime(2026, 3, 8, 21, 0, tzinfo=LA)  # 23 hours later on the wall clock
    assert due is not None and due.tzinfo is UTC


def test_clock_across_spring_forward_counts_real_time_not_wall_time() -> None:
    policy = default_policy()
    entered = datetime(2026, 3, 7, 12, 0, tzinfo=LA)  # PST
    due = datetime(2026, 3, 8, 13, 0, tzinfo=LA)  # PDT: exactly 24 real hours later
    assert utc(due) - utc(entered) == timedelta(hours=24)
    # 17:59 of real time used; the wall clock says 18:59 of 25 "hours", which would warn.
    now = datetime(2026, 3, 8, 6, 59, tzinfo=LA)
    clock = clock_state(policy, entered=entered, due=due, now=now)
    assert clock.window == timedelta(hours=24)
    assert clock.state is ClockState.ON_TRACK
    assert clock.remaining == timedelta(hours=6, minutes=1)
    # 12:00 local on the 8th is 23 real hours later: warning, not breached.
    noon = clock_state(policy, entered=entered, due=due, now=datetime(2026, 3, 8, 12, 0, tzinfo=LA))
    assert noon.state is ClockState.WARNING
    assert noon.remaining == timedelta(hours=1)


def test_clock_across_fall_back_uses_the_fold() -> None:
    # 2026-11-01 01:30 happens twice in Los Angeles: first PDT (fold=0), then PST (fold=1).
    first = datetime(2026, 11, 1, 1, 30, tzinfo=LA)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=LA)
    assert utc(second) - utc(first) == timedelta(hours=1)
    policy = default_policy()
    due = due_time(policy, Risk.CRITICAL, Stage.FRONTLINE, first)  # 4 h
    assert due == utc(first) + timedelta(hours=4)
    at_second = clock_state(policy, entered=first, due=due, now=second)
    assert at_second.remaining == timedelta(hours=3)
    assert at_second.state is ClockState.ON_TRACK


ZONES = ["UTC", "America/Los_Angeles", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]


@given(
    zone=st.sampled_from(ZONES),
    entered_minutes=st.integers(min_value=0, max_value=366 * 24 * 60),
    elapsed_us=st.integers(min_value=0, max_value=10 * 24 * 3600 * 10**6),
    risk=st.sampled_from(list(Risk)),
    stage=st.sampled_from([0, 1, 2, 3]),
)
def test_any_zone_gives_the_same_clock_as_utc(
    zone: str, entered_minutes: int, elapsed_us: int, risk: Risk, stage: int
) -> None:
    policy = default_policy()
    entered = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=entered_minutes)
    now = entered + timedelta(microseconds=elapsed_us)
    here = ZoneInfo(zone)
    due_utc = due_time(policy, risk, stage, entered)
    due_local = due_time(policy, risk, stage, entered.astimezone(here))
    assert due_local == due_utc
    assert due_utc is not None
    in_utc = clock_state(policy, entered=entered, due=due_utc, now=now)
    local = clock_state(
        policy,
        entered=entered.astimezone(here),
        due=due_utc.astimezone(here),
        now=now.astimezone(here),
    )
    assert local == in_utc
    assert local.due is not None and local.due.tzinfo is UTC  # display code localises


# --- the monotone property -------------------------------------------------------

RANK = {ClockState.ON_TRACK: 0, ClockState.WARNING: 1, ClockState.BREACHED: 2}


@given(
    windows=st.lists(
        st.floats(min_value=0.01, max_value=24 * 365, allow_nan=False), min_size=4, max_size=4
    ),
    fraction=st.floats(min_value=0.01, max_value=0.99),
    stage=st.sampled_from([0, 1, 2, 3]),
    offsets=st.lists(st.integers(min_value=-(10**6), max_value=2 * 365 * 24 * 3600 * 10**6)),
)
def test_states_never_go_backwards_over_time(
    windows: list[float], fraction: float, stage: int, offsets: list[int]
) -> None:
    policy = policy_with(warning_fraction=repr(fraction), high=repr(windows))
    due = due_time(policy, Risk.HIGH, stage, T0)
    assert due is not None
    window = due - T0
    # Probe the interesting instants as well as random ones.
    probes = set(offsets)
    for edge in (window * fraction, window):
        us = edge // US
        probes |= {us - 1, us, us + 1}
    ranks = []
    for us in sorted(probes):
        now = T0 + timedelta(microseconds=us)
        clock = clock_state(policy, entered=T0, due=due, now=now)
        assert clock.state in RANK
        assert (clock.state is ClockState.BREACHED) == (now >= due)
        if us <= 0:
            assert clock.state is ClockState.ON_TRACK
        ranks.append(RANK[clock.state])
    assert ranks == sorted(ranks)


# --- stalled time ----------------------------------------------------------------


@pytest.mark.parametrize("risk", list(Risk))
def test_stalled_time_counts_only_past_the_first_window(risk: Risk) -> None:
    policy = default_policy()
    first = timedelta(hours=DOMAIN_HOURS[risk][0])

    def stalled(now: timedelta, resolved: timedelta | None = None) -> timedelta:
        return stalled_time(
            policy,
            risk=risk,
            opened=T0,
            now=T0 + now,
            resolved=None if resolved is None else T0 + resolved,
        )

    assert stalled(timedelta(0)) == timedelta(0)
    assert stalled(first - US) == timedelta(0)
    assert stalled(first) == timedelta(0)
    assert stalled(first + US) == US
    assert stalled(first + timedelta(days=3)) == timedelta(days=3)
    # Resolved: the stall stops growing at resolution.
    assert stalled(first + timedelta(days=30), resolved=first + timedelta(days=2)) == timedelta(
        days=2
    )
    # Resolved inside the first window: no stall at all.
    assert stalled(first + timedelta(days=30), resolved=first - US) == timedelta(0)
    # A resolution time after "now" (looking at history) counts up to now only.
    assert stalled(first + timedelta(hours=1), resolved=first + timedelta(days=5)) == timedelta(
        hours=1
    )


def test_stalled_time_in_local_zones_matches_utc() -> None:
    policy = default_policy()
    opened = datetime(2026, 3, 7, 12, 0, tzinfo=LA)
    now = datetime(2026, 3, 10, 12, 0, tzinfo=LA)  # 71 real hours later (DST)
    assert stalled_time(policy, risk=Risk.HIGH, opened=opened, now=now, resolved=None) == timedelta(
        hours=71 - 24
    )


# --- commissioner liaison --------------------------------------------------------


def liaison(
    *,
    now: timedelta,
    resolved: timedelta | None = None,
    stage3_due: timedelta | None = None,
    stage3_left: timedelta | None = None,
    policy=None,
) -> bool:
    def at(offset: timedelta | None) -> datetime | None:
        return None if offset is None else T0 + offset

    return liaison_reached(
        (policy or default_policy()).liaison_after,
        opened=T0,
        now=T0 + now,
        resolved=at(resolved),
        stage3_due=at(stage3_due),
        stage3_left=at(stage3_left),
    )


DAY = timedelta(days=1)


def test_liaison_not_triggered_for_a_young_dispute() -> None:
    assert liaison(now=DAY) is False


def test_liaison_open_exactly_fourteen_days_is_not_triggered() -> None:
    assert liaison(now=14 * DAY - US) is False
    assert liaison(now=14 * DAY) is False  # "more than 14 days"
    assert liaison(now=14 * DAY + US) is True
    assert liaison(now=40 * DAY) is True


def test_liaison_resolved_dispute_uses_its_resolution_time() -> None:
    assert liaison(now=40 * DAY, resolved=14 * DAY) is False
    assert liaison(now=40 * DAY, resolved=14 * DAY + US) is True


def test_liaison_follows_the_policy_limit() -> None:
    policy = policy_with(liaison_after_days="3")
    assert liaison(now=3 * DAY, policy=policy) is False
    assert liaison(now=3 * DAY + US, policy=policy) is True


def test_liaison_stage3_breached_while_running() -> None:
    due = 5 * DAY
    assert liaison(now=due - US, stage3_due=due) is False
    assert liaison(now=due, stage3_due=due) is True
    assert liaison(now=due + US, stage3_due=due) is True


def test_liaison_stage3_ended_met_or_breached() -> None:
    due = 5 * DAY
    assert liaison(now=due + DAY, stage3_due=due, stage3_left=due - US) is False
    assert liaison(now=due + DAY, stage3_due=due, stage3_left=due) is True
    assert liaison(now=due + DAY, stage3_due=due, stage3_left=due + US) is True


def test_liaison_without_stage3_depends_only_on_age() -> None:
    assert liaison(now=13 * DAY, stage3_due=None) is False


def test_liaison_in_local_zones_matches_utc() -> None:
    opened = datetime(2026, 3, 1, 12, 0, tzinfo=LA)  # PST
    # Fourteen wall-clock days later is 13 days 23 hours of real time (DST began).
    wall_14 = datetime(2026, 3, 15, 12, 0, tzinfo=LA)
    args = dict(resolved=None, stage3_due=None, stage3_left=None)
    assert (
        liaison_reached(default_policy().liaison_after, opened=opened, now=wall_14, **args) is False
    )
    later = wall_14 + timedelta(hours=1, microseconds=1)
    assert liaison_reached(default_policy().liaison_after, opened=opened, now=later, **args) is True


# --- formatting ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0m"),
        (timedelta(seconds=59), "0m"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(minutes=59, seconds=59), "59m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=3, minutes=5), "3h05m"),
        (timedelta(hours=3, minutes=20), "3h20m"),
        (timedelta(hours=23, minutes=59), "23h59m"),
        (timedelta(days=1), "1d"),
        (timedelta(days=2, hours=4), "2d4h"),
        (timedelta(days=2, hours=4, minutes=30), "2d4h"),
        (timedelta(days=15), "15d"),
        (-timedelta(hours=5), "5h"),
        (-timedelta(days=1, hours=2), "1d2h"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


@pytest.mark.parametrize(
    ("delta", "two_units", "one_unit"),
    [
        (timedelta(minutes=45), "45m", "45m"),
        (timedelta(hours=3, minutes=20), "3h20m", "3h"),
        (timedelta(hours=9, minutes=59), "9h59m", "9h"),
        (timedelta(hours=10, minutes=1), "10h", "10h"),
        (timedelta(hours=13, minutes=4), "13h", "13h"),
        (timedelta(days=2, hours=4, minutes=30), "2d4h", "2d"),
        (timedelta(days=9, hours=23), "9d23h", "9d"),
        (timedelta(days=12, hours=19), "12d", "12d"),
        (-timedelta(hours=13, minutes=59), "13h", "13h"),
    ],
)
def test_short_duration(delta: timedelta, two_units: str, one_unit: str) -> None:
    assert short_duration(delta) == two_units
    assert short_duration(delta, units=1) == one_unit


@given(st.timedeltas(min_value=-timedelta(days=999), max_value=timedelta(days=999)))
def test_short_duration_fits_five_cells_and_never_rounds_up(delta: timedelta) -> None:
    text = short_duration(delta)
    assert len(text) <= 5
    # It is the full duration with its smaller unit dropped at most: never more time.
    assert format_duration(delta).startswith(text)


def _clock(state: ClockState, remaining: timedelta | None) -> Clock:
    due = None if remaining is None else T0 + remaining
    window = None if remaining is None else timedelta(hours=24)
    return Clock(state, due, window, remaining)


@pytest.mark.parametrize(
    ("clock", "label"),
    [
        (_clock(ClockState.ON_TRACK, timedelta(days=2)), "ok 2d"),
        (_clock(ClockState.WARNING, timedelta(hours=3, minutes=20)), "! due 3h20m"),
        (_clock(ClockState.BREACHED, -timedelta(hours=5)), "BREACHED 5h"),
        (_clock(ClockState.BREACHED, timedelta(0)), "BREACHED 0m"),
        (_clock(ClockState.MET, timedelta(hours=2)), "met"),
        (_clock(ClockState.NONE, None), "—"),
    ],
)
def test_clock_label(clock: Clock, label: str) -> None:
    assert clock_label(clock) == label


def test_clock_label_from_real_clocks() -> None:
    assert clock_label(state_at(Risk.HIGH, Stage.FRONTLINE, T0)) == "ok 1d"
    warning = state_at(Risk.HIGH, Stage.FRONTLINE, T0 + timedelta(hours=20, minutes=40))
    assert clock_label(warning) == "! due 3h20m"
    breached = state_at(Risk.HIGH, Stage.FRONTLINE, T0 + timedelta(days=3, hours=1))
    assert clock_label(breached) == "BREACHED 2d1h"


@given(
    state=st.sampled_from(list(ClockState)),
    due=st.none() | st.datetimes(timezones=st.just(UTC)),
    window=st.none() | st.timedeltas(),
    remaining=st.none() | st.timedeltas(),
)
def test_a_clock_made_at_once_is_the_clock_its_init_makes(
    state: ClockState,
    due: datetime | None,
    window: timedelta | None,
    remaining: timedelta | None,
) -> None:
    """``clock_at`` sets a Clock's slots directly (issue 13): the same value, hash, text
    and immutability as ``Clock(...)``."""
    made = clock_made_at_once(state, due, window, remaining)
    usual = Clock(state, due, window, remaining)
    assert made == usual and hash(made) == hash(usual) and repr(made) == repr(usual)
    assert (made.time_to_breach, made.overdue) == (usual.time_to_breach, usual.overdue)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.state = ClockState.MET  # type: ignore[misc]
