"""The queue page's rows and total against an independent reading of the whole store.

``queue_page`` counts its matches in the page query itself (``count(*) OVER ()``)
for filters that read every candidate row (text, mine, EXISTS filters), and
apart for the ones an index answers. Whatever the plan, a window of the queue
must be exactly the slice of the full filtered, ordered queue, and ``total``
its length, also past the end. The expected queue here is computed in Python
from every dispute read with the raw driver, not through the code under test.
Marked ``backend``: on a PostgreSQL run the same cases run there, the search's
case folding as each backend's is documented (SQLite's LIKE folds A-Z only,
PostgreSQL's ILIKE every letter: the README's "What differs from SQLite").
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import backends
import pytest

from panel_tui.store.db import Store
from panel_tui.store.demo import build_demo
from panel_tui.store.read import orm_queries
from panel_tui.store.read.orm_queries import queue_page, queue_position
from panel_tui.store.read.queue_models import QueueFilter, Section
from panel_tui.store.sqlite_driver import sqlite as sqlite3

pytestmark = pytest.mark.backend

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
LIVE = ("open", "decided")
DONE = ("closed", "withdrawn")
PANEL = 2
TEXT_COLUMNS = (
    "ref",
    "person_ref",
    "agencies_label",
    "problem_statement",
    "rule_conflict",
    "proposed_pathway",
)
#: Problem statements for a few disputes: case, non-ASCII letters and LIKE wildcards.
TRICKY = (
    "Café visit booked",
    "CAFÉ CLOSED FOR THE WEEK",
    "café de la gare",
    "100% agreed by both",
    "score of 100 points",
    "the a_b ruling",
    "the axb ruling",
    "Straße 5, ÉCOLE",
)


@dataclass
class Demo:
    store: Store
    disputes: list[dict[str, Any]]
    logins: dict[str, int]


def _tricky(ids_of: Any, update: Any) -> None:
    """Test data only: spread the tricky texts over live and done disputes."""
    live, done = ids_of("open"), ids_of("closed")
    for i, statement in enumerate(TRICKY):
        for ids in (live, done):
            update(statement, ids[(7 * i + 3) % len(ids)])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    if backends.on_postgres():
        with backends.fresh_database() as name:
            url = backends.database_url(name)
            store = build_demo(url, disputes=1200, now=NOW)  # bulk: ~60 live, ~1,140 done
            with backends.admin_connection(name) as pg:
                pg.execute("SET search_path = panel_tui")
                _tricky(
                    lambda status: [
                        r[0]
                        for r in pg.execute("SELECT id FROM dispute WHERE status = %s", (status,))
                    ],
                    lambda text, id_: pg.execute(
                        "UPDATE dispute SET problem_statement = %s WHERE id = %s", (text, id_)
                    ),
                )
            disputes = [dict(r) for r in backends.pg_query(name, "SELECT * FROM dispute")]
            people = backends.pg_query(name, "SELECT id, login FROM person")
            yield Demo(store, disputes, {r["login"]: r["id"] for r in people})
            store.close()
        return
    path = tmp_path_factory.mktemp("queue-filter") / "demo.db"
    store = build_demo(str(path), disputes=1200, now=NOW)  # bulk: ~60 live, ~1,140 done
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        _tricky(
            lambda status: [
                r[0] for r in conn.execute("SELECT id FROM dispute WHERE status = ?", (status,))
            ],
            lambda text, id_: conn.execute(
                "UPDATE dispute SET problem_statement = ? WHERE id = ?", (text, id_)
            ),
        )
        conn.commit()
        disputes = [dict(r) for r in conn.execute("SELECT * FROM dispute")]
        logins = {r["login"]: r["id"] for r in conn.execute("SELECT id, login FROM person")}
    finally:
        conn.close()
    yield Demo(store, disputes, logins)
    store.close()


# --- the independent reading -------------------------------------------------------------

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _like(value: str, text: str) -> bool:
    """The search: ``text`` anywhere in ``value``, as typed (% and _ are not wildcards),
    case-blind for ASCII letters only as SQLite's LIKE folds, for every letter as
    PostgreSQL's ILIKE does."""
    if backends.on_postgres():
        return text.lower() in value.lower()
    return text.translate(_ASCII_LOWER) in value.translate(_ASCII_LOWER)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as the store keeps times


def expected_ids(demo: Demo, f: QueueFilter, at: datetime = NOW) -> list[int]:
    """The whole filtered queue, in its order, computed from the raw rows."""
    done = f.section is Section.CLOSED
    rows = [d for d in demo.disputes if d["status"] in (DONE if done else LIVE)]
    if f.section is Section.BREACHED:
        rows = [d for d in rows if d["current_due_at"] and d["current_due_at"] <= _stamp(at)]
    if f.section is Section.AT_PANEL:
        rows = [d for d in rows if d["current_stage"] == PANEL]
    if f.section is Section.MINE:
        me = demo.logins[f.mine or ""]
        rows = [d for d in rows if me in (d["plan_holder_id"], d["opened_by_id"])]
    text = f.text.strip()
    if text:
        rows = [d for d in rows if any(_like(d[c], text) for c in TEXT_COLUMNS)]
    if done:
        rows.sort(key=lambda d: (d["resolved_at"], d["id"]), reverse=True)
    else:
        rows.sort(key=lambda d: (d["current_due_at"] is None, d["current_due_at"] or "", d["id"]))
    return [d["id"] for d in rows]


def busiest(demo: Demo) -> str:
    """The login holding or having opened the most live disputes."""
    by_login = {
        login: sum(
            1
            for d in demo.disputes
            if d["status"] in LIVE and pid in (d["plan_holder_id"], d["opened_by_id"])
        )
        for login, pid in demo.logins.items()
    }
    return max(by_login, key=lambda login: by_login[login])


def page(demo: Demo, f: QueueFilter, offset: int, limit: int):  # noqa: ANN201
    return queue_page(demo.store, f, NOW, offset=offset, limit=limit)


# --- the data set really exercises what it claims to --------------------------------------


def test_the_demo_has_what_the_cases_need(demo: Demo) -> None:
    assert len(expected_ids(demo, QueueFilter())) >= 50
    assert len(expected_ids(demo, QueueFilter(section=Section.CLOSED))) >= 1000
    assert len(expected_ids(demo, QueueFilter(section=Section.BREACHED))) >= 3
    assert len(expected_ids(demo, QueueFilter(section=Section.AT_PANEL))) >= 3
    assert len(expected_ids(demo, QueueFilter(text="housing"))) >= 10
    # SQLite folds ASCII only: "café" finds Café and café, not CAFÉ; PostgreSQL's ILIKE
    # folds É too and finds all three (the README says which backend does which).
    assert len(expected_ids(demo, QueueFilter(text="café"))) == (3 if backends.on_postgres() else 2)
    # % and _ as typed: "100%" is not "100 points", "a_b" not "axb" (they were wildcards).
    assert len(expected_ids(demo, QueueFilter(text="100%"))) == 1
    assert len(expected_ids(demo, QueueFilter(text="a_b"))) == 1


# --- every window of every filter is the slice of the whole queue ---------------------------

FILTERS = {
    "all open": QueueFilter(),
    "text": QueueFilter(text="housing"),
    "text, other case, padded": QueueFilter(text="  HOUSING "),
    "text in agencies": QueueFilter(text="cbh"),
    "text in reference": QueueFilter(text="d-2026-00"),
    "text in person": QueueFilter(text="P-1"),
    "text, non-ASCII arrow": QueueFilter(text="→MCO"),
    "text, ASCII case only": QueueFilter(text="café"),
    "text, upper non-ASCII": QueueFilter(text="CAFÉ"),
    "text, percent as typed": QueueFilter(text="100%"),
    "text, underscore as typed": QueueFilter(text="a_b"),
    "text, backslash": QueueFilter(text="\\"),
    "text, nothing": QueueFilter(text="zzqx"),
    "closed": QueueFilter(section=Section.CLOSED),
    "closed, text": QueueFilter(section=Section.CLOSED, text="housing"),
    "closed, percent": QueueFilter(section=Section.CLOSED, text="100%"),
    "closed, nothing": QueueFilter(section=Section.CLOSED, text="zzqx"),
    "breached": QueueFilter(section=Section.BREACHED),
    "breached, text": QueueFilter(section=Section.BREACHED, text="a"),
    "at panel": QueueFilter(section=Section.AT_PANEL),
    "at panel, text": QueueFilter(section=Section.AT_PANEL, text="e"),
}


def _windows(n: int, limit: int) -> list[int]:
    """Offsets: the start, inside, the last partial window, the end exactly, past the end."""
    return sorted({0, 1, limit, n // 2, max(0, n - 1), max(0, n - limit // 2), n, n + 1, n + 500})


@pytest.mark.parametrize("limit", [7, 100])
@pytest.mark.parametrize("name", list(FILTERS))
def test_window_is_the_slice_of_the_whole_queue(demo: Demo, name: str, limit: int) -> None:
    f = FILTERS[name]
    expected = expected_ids(demo, f)
    for offset in _windows(len(expected), limit):
        result = page(demo, f, offset, limit)
        assert [r.id for r in result.rows] == expected[offset : offset + limit], (name, offset)
        assert result.total == len(expected), (name, offset)
        assert result.offset == offset


@pytest.mark.parametrize("section", [Section.MINE, Section.ALL_OPEN])
def test_mine_window_and_total(demo: Demo, section: Section) -> None:
    login = busiest(demo)
    f = QueueFilter(section=section, mine=login)
    expected = expected_ids(demo, QueueFilter(section=Section.MINE, mine=login))
    assert len(expected) >= 10
    for offset in _windows(len(expected), 4):
        result = page(demo, f, offset, 4)
        assert [r.id for r in result.rows] == expected[offset : offset + 4]
        assert result.total == len(expected)
    text = QueueFilter(section=section, mine=login, text="e")
    expected_text = [i for i in expected if i in set(expected_ids(demo, QueueFilter(text="e")))]
    assert page(demo, text, 0, 100).total == len(expected_text)
    assert [r.id for r in page(demo, text, 0, 100).rows] == expected_text


def test_a_negative_offset_reads_from_the_start(demo: Demo) -> None:
    f = QueueFilter(text="housing")
    expected = expected_ids(demo, f)
    result = page(demo, f, -3, 5)
    assert [r.id for r in result.rows] == expected[:5] and result.total == len(expected)


def test_rows_match_their_dispute(demo: Demo) -> None:
    """The window's columns belong to the row's own dispute (the window joins back by id)."""
    by_id = {d["id"]: d for d in demo.disputes}
    for f in (QueueFilter(text="housing"), QueueFilter(), QueueFilter(section=Section.CLOSED)):
        for row in page(demo, f, 3, 20).rows:
            d = by_id[row.id]
            assert (row.ref, row.person_ref, row.agencies, row.status, row.version) == (
                d["ref"],
                d["person_ref"],
                d["agencies_label"],
                d["status"],
                d["version"],
            )
            assert row.stage == d["current_stage"] and row.risk == d["risk"]


# --- both ways of counting give the same page ----------------------------------------------

EVERY_KIND = [
    *FILTERS.values(),
    QueueFilter(section=Section.DUE_TODAY),
    QueueFilter(section=Section.PROVISIONAL_EXPIRING),
    QueueFilter(section=Section.PROVISIONAL_EXPIRING, text="e"),
    QueueFilter(agencies=("hsg",)),
    QueueFilter(agencies=("MCO", "CBH"), text="step"),
    QueueFilter(types=("funding",), risks=("high", "critical")),
    QueueFilter(stages=(PANEL,), breached=True),
    QueueFilter(section=Section.CLOSED, agencies=("APS",)),
]


@pytest.mark.parametrize("f", EVERY_KIND, ids=repr)
def test_counting_in_the_window_or_apart_agree(
    demo: Demo, f: QueueFilter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(in_window: bool) -> list[Any]:
        monkeypatch.setattr(orm_queries, "_count_in_window", lambda _f: in_window)
        full = page(demo, f, 0, 5000)
        n = full.total
        assert len(full.rows) == n
        return [full] + [page(demo, f, o, 6) for o in _windows(n, 6)]

    assert run(True) == run(False)


# --- the cursor's position follows the same queue ---------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        QueueFilter(text="housing"),
        QueueFilter(section=Section.CLOSED, text="a_b"),
        QueueFilter(section=Section.BREACHED),
    ],
    ids=repr,
)
def test_queue_position_is_the_index_in_the_queue(demo: Demo, f: QueueFilter) -> None:
    expected = expected_ids(demo, f)
    for index, dispute_id in enumerate(expected):
        assert queue_position(demo.store, f, NOW, dispute_id) == index
    outside = next(d["id"] for d in demo.disputes if d["id"] not in set(expected))
    assert queue_position(demo.store, f, NOW, outside) is None
