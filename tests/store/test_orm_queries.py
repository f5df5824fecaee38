"""The read path: queue sections, order, filters, paging, position, clocks at any instant.

The queue is built at fixed instants around N (Thursday 2026-03-05 09:00 UTC).
Due times at N, in urgency order:
  A  critical funding        CBH→MCO      due N-6h   (breached 6 h)
  B  high eligibility        HOU→MCO      due N-2h   (breached 2 h)
  E  high funding, panel     CBH→MCO      due N+2h
  C  medium safeguarding     CBH→MCO      due N+8h   (warning; opened by frontline)
  D  low capacity            CBH→HOU,MCO  due N+70h  (plan holder: frontline)
  F  low eligibility, panel  CBH→MCO      due N+71h  (provisional package ends N+36h)
  I  medium capacity, decided: no clock
  G closed at N-1d, H withdrawn at N-2h
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from worlds import built_once, world_copy

from panel_tui.rules.enums import ClockState
from panel_tui.store.read.orm_detail import dispute_detail
from panel_tui.store.read.orm_queries import (
    agencies,
    end_of_local_day,
    people,
    person,
    queue_page,
    queue_position,
)
from panel_tui.store.read.queue_models import QueueFilter, Section

N = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


@pytest.fixture
def local_zone():
    """Set the process's local time zone (the queue's "today" is local)."""
    saved = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    set_zone("UTC")
    yield set_zone
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture(scope="module")
def queue_built(request, tmp_path_factory):
    """The queue above, built once for the module: (its store to copy, letters → refs)."""
    refs: dict[str, str] = {}
    yield from (
        (source, refs)
        for source in built_once(request, tmp_path_factory, lambda world: _build(world, refs))
    )


@pytest.fixture
def q(queue_built, tmp_path, local_zone):
    """A copy of the queue above: the world with ``refs`` mapping letters to references."""
    source, refs = queue_built
    with world_copy(source, tmp_path) as world:
        world.now = N
        world.refs = refs
        yield world


def _build(world, refs: dict[str, str]) -> None:

    def opened(letter: str, at: datetime, login: str = "duty_lead", **form) -> str:
        world.now = at
        refs[letter] = world.open(login, person_ref=f"P-{letter}00{ord(letter) - 64}", **form)
        return refs[letter]

    sup, duty = world.ledger("supervisor"), world.ledger("duty_lead")
    a = opened("A", N - 10 * H, risk="critical", dispute_type="funding")
    duty.assign_cover(a, "CBH", "daily welfare call")
    opened("B", N - 26 * H, dispute_type="eligibility", raising_agency="HOU")
    opened(
        "C",
        N - 40 * H,
        "frontline",
        risk="medium",
        dispute_type="safeguarding",
        problem_statement="Hoarding case: the tenancy is at risk of ending.",
    )
    d = opened(
        "D", N - 2 * H, risk="low", dispute_type="capacity", responding_agencies=["HOU", "MCO"]
    )
    world.now = N - H
    duty.assign_plan_holder(d, "frontline")
    e = opened("E", N - 48 * H, dispute_type="funding")
    sup.escalate(e, at=N - 47 * H, impact="the person waits without agreed support")
    sup.escalate(e, at=N - 46 * H, impact="the person waits without agreed support")
    f = opened("F", N - 5 * D - 12 * H, risk="low", dispute_type="eligibility")
    duty.start_provisional(f, "frontline", "welfare check", days=7)
    sup.escalate(f, at=N - 5 * D, impact="the person waits without agreed support")
    sup.escalate(f, at=N - 2 * D - H, impact="the person waits without agreed support")
    i = opened("I", N - 5 * H, risk="medium", dispute_type="capacity")
    world.now = N - 4 * H
    world.decided(i)
    g = opened("G", N - 3 * D)
    world.now = N - 2 * D
    world.decided(g)
    world.now = N - D
    world.ledger("mco_duty_lead").confirm_acceptance(g, "intake visit on Monday", world.now.date())
    h = opened("H", N - 2 * D)
    world.now = N - 2 * H
    duty.withdraw(h, "person moved out of the area")


def page(world, at=N, offset=0, limit=50, **f):
    return queue_page(world.store, QueueFilter(**f), at, offset=offset, limit=limit)


def letters(world, result) -> list[str]:
    by_ref = {ref: letter for letter, ref in world.refs.items()}
    return [by_ref[r.ref] for r in result.rows]


# --- sections and order -----------------------------------------------------------------


@pytest.mark.backend
@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (Section.ALL_OPEN, "ABECDFI"),
        (Section.BREACHED, "AB"),
        (Section.DUE_TODAY, "EC"),
        (Section.AT_PANEL, "EF"),
        (Section.PROVISIONAL_EXPIRING, "F"),
        (Section.CLOSED, "HG"),  # most recently resolved first
    ],
)
def test_sections(q, section, expected) -> None:
    result = page(q, section=section)
    assert "".join(letters(q, result)) == expected
    assert result.total == len(expected)


@pytest.mark.backend
def test_mine_is_what_i_hold_or_opened(q) -> None:
    assert letters(q, page(q, section=Section.MINE, mine="frontline")) == ["C", "D"]
    assert letters(q, page(q, mine="frontline")) == ["C", "D"]
    assert page(q, section=Section.MINE, mine="oversight").total == 0


@pytest.mark.backend
def test_mine_of_someone_who_is_not_a_user_is_empty(q) -> None:
    assert any(r.plan_holder is None for r in page(q).rows)  # what a wrong match would show
    assert page(q, section=Section.MINE, mine="nobody").total == 0
    assert page(q, mine="nobody").rows == []
    assert page(q, section=Section.MINE).total == 0  # no login given at all


@pytest.mark.backend
def test_breached_longest_overdue_first_with_their_clocks(q) -> None:
    rows = page(q, section=Section.BREACHED).rows
    assert [r.clock.state for r in rows] == [ClockState.BREACHED, ClockState.BREACHED]
    assert [r.clock.overdue for r in rows] == [6 * H, 2 * H]


@pytest.mark.backend
def test_rows_carry_what_the_queue_shows(q) -> None:
    rows = {r.ref: r for r in page(q).rows}
    a, c, d, f, i = (rows[q.refs[x]] for x in "ACDFI")
    assert (a.cover, a.risk, a.dispute_type, a.agencies) == (
        "CBH",
        "critical",
        "funding",
        "CBH→MCO",
    )
    assert c.clock.state is ClockState.WARNING and c.clock.time_to_breach == 8 * H
    assert d.plan_holder == "Frontline" and d.agencies == "CBH→HOU,MCO"
    assert d.clock.state is ClockState.ON_TRACK
    assert f.provisional_ends == N + 36 * H and f.stage == 2
    assert i.status == "decided" and i.due_at is None and i.clock.state is ClockState.NONE


# --- filters ------------------------------------------------------------------------------


@pytest.mark.backend
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"types": ("funding",)}, "AE"),
        ({"types": ("funding", "capacity")}, "AEDI"),
        ({"risks": ("low",)}, "DF"),
        ({"stages": (2,)}, "EF"),
        ({"agencies": ("hou",)}, "BD"),  # raising or responding, any case
        ({"text": "p-c0"}, "C"),  # person reference, any case
        ({"text": "tenancy"}, "C"),  # problem statement
        ({"text": "HOU→"}, "B"),  # agencies
        ({"due_within": 24 * H}, "ABEC"),
        ({"breached": True}, "AB"),
        ({"breached": True, "types": ("funding",)}, "A"),
        ({"section": Section.CLOSED, "types": ("funding",)}, "HG"),
        ({"section": Section.CLOSED, "text": "P-G"}, "G"),
    ],
)
def test_filters(q, filters, expected) -> None:
    result = page(q, **filters)
    assert "".join(letters(q, result)) == expected and result.total == len(expected)


@pytest.mark.backend
def test_text_search_by_reference(q) -> None:
    assert letters(q, page(q, text=q.refs["D"].lower())) == ["D"]


# --- paging and position ------------------------------------------------------------------


@pytest.mark.backend
def test_paging_windows_cover_the_queue_once(q) -> None:
    windows = [page(q, offset=o, limit=2) for o in (0, 2, 4, 6)]
    assert [letters(q, w) for w in windows] == [["A", "B"], ["E", "C"], ["D", "F"], ["I"]]
    assert {w.total for w in windows} == {7}
    assert [w.offset for w in windows] == [0, 2, 4, 6]
    beyond = page(q, offset=10, limit=2)
    assert beyond.rows == [] and beyond.total == 7


@pytest.mark.backend
def test_queue_position_follows_the_filter(q) -> None:
    ids = {r.ref: r.id for r in page(q).rows + page(q, section=Section.CLOSED).rows}
    at = N
    assert queue_position(q.store, QueueFilter(), at, ids[q.refs["C"]]) == 3
    assert queue_position(q.store, QueueFilter(), at, ids[q.refs["A"]]) == 0
    assert queue_position(q.store, QueueFilter(), at, ids[q.refs["G"]]) is None
    closed = QueueFilter(section=Section.CLOSED)
    assert queue_position(q.store, closed, at, ids[q.refs["G"]]) == 1
    panel = QueueFilter(section=Section.AT_PANEL)
    assert queue_position(q.store, panel, at, ids[q.refs["F"]]) == 1


# --- clocks at another instant (--at) ------------------------------------------------------


@pytest.mark.backend
def test_what_will_have_breached_by_tomorrow(q) -> None:
    tomorrow = page(q, at=N + D, section=Section.BREACHED)
    assert letters(q, tomorrow) == ["A", "B", "E", "C"]
    assert [r.clock.overdue for r in tomorrow.rows] == [30 * H, 26 * H, 22 * H, 16 * H]
    assert tomorrow.at == N + D


@pytest.mark.backend
def test_what_was_due_earlier_today(q) -> None:
    earlier = N - 3 * H
    assert letters(q, page(q, at=earlier, section=Section.BREACHED)) == ["A"]
    assert letters(q, page(q, at=earlier, section=Section.DUE_TODAY)) == ["B", "E", "C"]


@pytest.mark.backend
def test_warning_starts_at_three_quarters_of_the_window(q) -> None:
    d_ref = q.refs["D"]  # low risk: 72 h window, entered N-2h
    warn_at = N - 2 * H + 54 * H

    def state(at):
        return next(r for r in page(q, at=at).rows if r.ref == d_ref).clock.state

    assert state(warn_at - timedelta(seconds=1)) is ClockState.ON_TRACK
    assert state(warn_at) is ClockState.WARNING
    assert state(N + 70 * H) is ClockState.BREACHED


@pytest.mark.backend
def test_provisional_expiring_depends_on_the_instant(q) -> None:
    assert page(q, at=N - D, section=Section.PROVISIONAL_EXPIRING).total == 0
    assert page(q, at=N, section=Section.PROVISIONAL_EXPIRING).total == 1


@pytest.mark.backend
def test_due_today_means_the_local_day(q, local_zone) -> None:
    local_zone("America/New_York")
    # 09:00 UTC is 04:00 in New York: its day ends at 05:00 UTC on the 6th.
    assert end_of_local_day(N) == datetime(2026, 3, 6, 5, 0, tzinfo=UTC)
    assert letters(q, page(q, section=Section.DUE_TODAY)) == ["E", "C"]
    # The day clocks spring forward (8 March) ends at midnight EDT, 04:00 UTC.
    assert end_of_local_day(datetime(2026, 3, 8, 12, 0, tzinfo=UTC)) == datetime(
        2026, 3, 9, 4, 0, tzinfo=UTC
    )


# --- one dispute in full ------------------------------------------------------------------


@pytest.mark.backend
def test_detail_clocks_stalled_time_and_liaison_at_an_instant(q) -> None:
    a = q.refs["A"]
    now = dispute_detail(q.store, a, N)
    assert now.clock.state is ClockState.BREACHED and now.stalled == 6 * H
    assert now.liaison_triggered is False
    later = dispute_detail(q.store, a, N - 10 * H + timedelta(days=14, seconds=1))
    assert later.liaison_triggered is True
    assert later.at == N - 10 * H + timedelta(days=14, seconds=1)


@pytest.mark.backend
def test_detail_of_a_dispute_at_panel_shows_every_rung(q) -> None:
    det = dispute_detail(q.store, q.refs["F"], N)
    assert [s.stage for s in det.stages] == [0, 1, 2, 3, 4]
    assert [s.clock.state if s.clock else None for s in det.stages] == [
        ClockState.MET,
        ClockState.MET,
        ClockState.ON_TRACK,
        None,
        None,
    ]
    assert det.stages[2].authority_role == "panel_chair"
    assert det.stages[2].authorities == ("Panel Chair",)
    assert det.stages[3].authority_role == "program_manager"  # eligibility
    assert det.active_package.ends_at == N + 36 * H
    assert [e.action for e in det.events] == ["open", "start_provisional", "escalate", "escalate"]


@pytest.mark.backend
def test_closed_and_withdrawn_disputes_trigger_nothing(q) -> None:
    for letter in "GH":
        det = dispute_detail(q.store, q.refs[letter], N + 30 * D)
        assert det.liaison_triggered is False
        assert det.resolved_at is not None


@pytest.mark.backend
def test_people_and_agencies(q) -> None:
    logins = [p.login for p in people(q.store)]
    assert logins == sorted(logins) and "panel_chair" in logins
    chair = person(q.store, "panel_chair")
    assert chair.roles == ("panel_chair",) and chair.agency == "CBH"
    assert person(q.store, "nobody") is None
    assert [a.code for a in agencies(q.store)] == ["CBH", "HOU", "MCO"]
