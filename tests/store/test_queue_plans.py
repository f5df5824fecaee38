"""Every queue section's page walks an index in its order: no sort of every match.

Behaviour, not speed: SQLite's own EXPLAIN QUERY PLAN for the page query each
reader runs (the ORM's and the quick sqlite3 one), on a store whose planner
statistics are a 1,000,000-dispute store's (50,000 live), must name the
section's order index (migration 0009) and no temporary B-tree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from panel_tui.store.constants import DONE_WHERE, LIVE_WHERE
from panel_tui.store.db import Store
from panel_tui.store.models import Dispute
from panel_tui.store.read import queue_sql, sqlite3_queue
from panel_tui.store.read.orm_queries import _filtered, _ordered
from panel_tui.store.read.queue_models import DONE, LIVE, QueueFilter, QueueRules, Section
from panel_tui.store.read.queue_sql import SQLITE
from panel_tui.store.sqlite_driver import sqlite as sqlite3

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

#: sqlite_stat1 of a 1,000,000-dispute demo store, 50,000 of them live, 20 people.
STATS = {
    "ix_dispute_status_due": "1000000 250000 3",
    "ix_dispute_type_status": "1000000 250000 62500",
    "ix_dispute_risk_status": "1000000 250000 62500",
    "ix_dispute_stage_status": "1000000 200000 50000",
    "ix_dispute_resolved": "1000000 2",
    "ix_dispute_person_ref": "1000000 3",
    "ix_dispute_opened_at": "1000000 2",
    "ix_dispute_plan_holder": "1000000 50000",
    "ix_dispute_opened_by": "1000000 50000",
    "ix_dispute_live_order": "50000 25000 2 1 1 1 1 1 1",
    "ix_dispute_closed_order": "950000 2 1",
    "ix_dispute_review_due": "1000000 365",
}

#: Each section alone, and the filters people type or pick on top of a section.
FILTERS = [
    *(QueueFilter(section=s) for s in Section),
    QueueFilter(text="housing"),
    QueueFilter(section=Section.BREACHED, text="cbh"),
    QueueFilter(types=("funding",)),
    QueueFilter(risks=("high",)),
    QueueFilter(stages=(2,)),
    QueueFilter(agencies=("MCO",)),
    QueueFilter(mine="duty"),
    QueueFilter(section=Section.CLOSED, text="p-"),
]


def _named(f: QueueFilter) -> str:
    default = QueueFilter()
    return ",".join(f"{k}={v}" for k, v in vars(f).items() if v != getattr(default, k)) or "all"


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "s.db"
    Store.open(str(path), create=True).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO person (login, display_name, roles, active, version) "
            "VALUES ('duty', 'Duty', 'duty_lead', 1, 1), "
            "('liaison', 'Liaison', 'liaison', 1, 1)"
        )
        conn.execute("ANALYZE")
        conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'dispute'")
        conn.executemany("INSERT INTO sqlite_stat1 VALUES ('dispute', ?, ?)", list(STATS.items()))
    conn.close()
    return path


def _plan(conn: sqlite3.Connection, sql: str, params: list | tuple = ()) -> list[str]:
    return [str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def _expected_index(f: QueueFilter) -> str:
    if f.section is Section.CLOSED:
        return "ix_dispute_closed_order"
    if f.section is Section.REVIEWS_DUE:  # live and closed disputes, by review date
        return "ix_dispute_review_due"
    return "ix_dispute_live_order"


def _assert_walks(details: list[str], f: QueueFilter) -> None:
    outer = [d for d in details if "dispute" in d.split(" USING")[0]]
    assert any(_expected_index(f) in d for d in outer), details
    assert not any("TEMP B-TREE" in d for d in details), details


@pytest.mark.parametrize("f", FILTERS, ids=_named)
def test_quick_reader_page_walks_the_order_index(store_file: Path, f: QueueFilter) -> None:
    conn = sqlite3.connect(store_file)
    try:
        if f.section is Section.MINE:
            f = QueueFilter(section=Section.MINE, mine="duty")
        # A text search here is a common term's: the scan (a rare one's below).
        where, params = sqlite3_queue._filter_sql(conn, f, AT, QueueRules(), text_index=False)
        details = _plan(conn, sqlite3_queue.page_sql(f).format(where=where), [*params, 100, 900])
    finally:
        conn.close()
    _assert_walks(details, f)


@pytest.mark.parametrize(
    "f",
    [
        QueueFilter(text="zzzq"),
        QueueFilter(section=Section.BREACHED, text="P-1234"),
        QueueFilter(section=Section.MINE, mine="duty", text="wombat"),
    ],
    ids=_named,
)
def test_a_rare_terms_candidates_are_read_by_id(store_file: Path, f: QueueFilter) -> None:
    """The few candidates the live text index gives (live_text.py) are read by id and
    sorted, not found by walking every live row along an index."""
    conn = sqlite3.connect(store_file)
    try:

        def person(login: str) -> tuple[int, str] | None:
            return conn.execute("SELECT id, roles FROM person WHERE login = ?", (login,)).fetchone()

        where, params = queue_sql.filter_sql(
            person, SQLITE, f, AT, QueueRules(), find_text=lambda text: [3, 5, 8, 13]
        )
        for sql, values in (
            (sqlite3_queue.page_sql(f).format(where=where), [*params, 100, 0]),
            (queue_sql.count_sql(where, 1001), params),
        ):
            details = _plan(conn, sql, values)
            outer = [d for d in details if d.startswith(("SEARCH dispute", "SCAN dispute"))]
            assert outer == ["SEARCH dispute USING INTEGER PRIMARY KEY (rowid=?)"], details
    finally:
        conn.close()


@pytest.mark.parametrize(
    "f",
    [
        QueueFilter(text="housing"),
        QueueFilter(section=Section.BREACHED, text="cbh"),
        QueueFilter(section=Section.MINE, mine="duty", text="placement"),
        QueueFilter(types=("funding",), text="housing"),
    ],
    ids=_named,
)
def test_a_common_terms_deep_page_walks_its_matches(store_file: Path, f: QueueFilter) -> None:
    """A common term's deep page (``TextIndex.common``) walks the order index, each entry
    tested against the index's matches, and sorts nothing; its exact count reads the
    matches by id."""
    conn = sqlite3.connect(store_file)
    try:

        def person(login: str) -> tuple[int, str] | None:
            return conn.execute("SELECT id, roles FROM person WHERE login = ?", (login,)).fetchone()

        def narrowed(steer: bool) -> tuple[str, list]:
            return queue_sql.filter_sql(
                person, SQLITE, f, AT, QueueRules(), steer=steer, common=f'"{f.text}"'
            )

        where, params = narrowed(True)
        page = _plan(conn, sqlite3_queue.page_sql(f).format(where=where), [*params, 100, 900])
        where, params = narrowed(False)
        count = _plan(conn, queue_sql.count_sql(where, None), params)
    finally:
        conn.close()
    _assert_walks(page, f)
    assert any("live_text VIRTUAL TABLE" in d for d in page), page
    outer = [d for d in count if d.startswith(("SEARCH dispute", "SCAN dispute"))]
    assert outer == ["SEARCH dispute USING INTEGER PRIMARY KEY (rowid=?)"], count


@pytest.mark.parametrize(
    "f",
    [QueueFilter(section=Section.CLOSED), QueueFilter(section=Section.CLOSED, text="p-")],
    ids=_named,
)
def test_closed_pages_by_key_walk_the_closed_order_index(store_file: Path, f: QueueFilter) -> None:
    """A Closed page past the first: its first row's key found along the index, then the
    page one range of it (queue_sql.keyset); neither sorts."""
    assert queue_sql.keyset(f)
    conn = sqlite3.connect(store_file)
    try:
        where, params = sqlite3_queue._filter_sql(conn, f, AT, QueueRules())
        key = _plan(conn, queue_sql.key_sql(f, SQLITE).format(where=where), [*params, 900])
        page = _plan(
            conn,
            queue_sql.keyed_page_sql(f, SQLITE).format(where=where),
            [*params, "2026-10-01 00:00:00.000000", 5, 100],
        )
    finally:
        conn.close()
    _assert_walks(key, f)
    _assert_walks(page, f)


@pytest.mark.parametrize("f", FILTERS, ids=_named)
def test_pages_from_the_end_walk_the_order_index(store_file: Path, f: QueueFilter) -> None:
    """A deep page read from the end (the count known: queue_sql._from_the_end) walks the
    same index from its other end (Closed: its key, then one range); none sorts."""
    conn = sqlite3.connect(store_file)
    try:
        if f.section is Section.MINE:
            f = QueueFilter(section=Section.MINE, mine="duty")
        # A text search here is a common term's, as above (a rare one's is read by id).
        where, params = sqlite3_queue._filter_sql(conn, f, AT, QueueRules(), text_index=False)
        statements: list[list[str]] = []

        def run(sql: str, values: list) -> list:
            statements.append(_plan(conn, sql, values))
            key = sql.startswith("SELECT resolved_at")  # Closed's key: a row to go on from
            return [("2026-10-01 00:00:00.000000", 5)] if key else []

        queue_sql.page_rows(run, SQLITE, f, (where, params), 900, 100, total=1000)
    finally:
        conn.close()
    assert len(statements) == (2 if queue_sql.keyset(f) else 1)
    for details in statements:
        _assert_walks(details, f)


@pytest.mark.parametrize("f", FILTERS, ids=_named)
def test_orm_page_walks_the_order_index(store_file: Path, f: QueueFilter) -> None:
    if f.section is Section.MINE:
        f = QueueFilter(section=Section.MINE, mine="duty")
    store = Store.open(str(store_file))
    try:
        with store.read() as session:
            query = (
                # A text search here is a common term's: the scan.
                _ordered(
                    _filtered(select(Dispute.id), f, AT, session, QueueRules(), text_index=False),
                    f,
                )
                .limit(100)
                .offset(900)
            )
            sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
            details = [str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql))]
    finally:
        store.close()
    _assert_walks(details, f)


def test_the_partial_indexes_hold_the_statuses_the_sections_read(store_file: Path) -> None:
    """The indexes' WHERE is the sections' statuses, as the readers write them."""
    assert f"status IN ({', '.join(repr(s) for s in LIVE)})" == LIVE_WHERE
    assert f"status IN ({', '.join(repr(s) for s in DONE)})" == DONE_WHERE
    conn = sqlite3.connect(store_file)
    try:
        made = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    finally:
        conn.close()
    assert made["ix_dispute_live_order"].endswith(f"WHERE {LIVE_WHERE}")
    assert "(current_due_at IS NULL), current_due_at, id" in made["ix_dispute_live_order"]
    assert made["ix_dispute_closed_order"].endswith(f"(resolved_at, id) WHERE {DONE_WHERE}")


#: Filters on the live order whose every tested column the index holds (migration 0013).
TESTED_FROM_THE_INDEX = [
    QueueFilter(section=Section.MINE, mine="duty"),
    QueueFilter(section=Section.MINE, mine="liaison"),  # and the disputes at liaison
    QueueFilter(section=Section.AT_PANEL),
    QueueFilter(section=Section.BREACHED, risks=("high",), types=("funding",), stages=(2,)),
]
DISPUTE_COLUMNS = [c.name for c in Dispute.__table__.columns]


@pytest.mark.parametrize("f", TESTED_FROM_THE_INDEX, ids=_named)
def test_the_live_order_index_holds_what_mine_and_the_filters_test(
    store_file: Path, f: QueueFilter
) -> None:
    """Every column these filters' WHERE names is in ``ix_dispute_live_order``: SQLite
    skips the rows before a deep page from the index alone, never reading them from the
    table (the last page of Mine at 1,000,000 disputes: 72-91 ms before, 5 ms after)."""
    conn = sqlite3.connect(store_file)
    try:
        where, _ = sqlite3_queue._filter_sql(conn, f, AT, QueueRules(liaison_role="liaison"))
        (made,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_dispute_live_order'"
        ).fetchone()
    finally:
        conn.close()
    held = made.split(" ON dispute ", 1)[1].split(" WHERE ", 1)[0]
    tested = {c for c in DISPUTE_COLUMNS if re.search(rf"\b{c}\b", where)} - {"status"}
    assert tested - {"current_due_at"}, where  # each tests more than the order's column
    assert all(re.search(rf"\b{c}\b", held) for c in tested), (tested, made)


@pytest.mark.parametrize(
    "f",
    [QueueFilter(section=Section.MINE, mine="duty"), QueueFilter(mine="duty", risks=("high",))],
    ids=_named,
)
@pytest.mark.parametrize("cap", [1001, None])
def test_mines_count_walks_the_live_order_index(
    store_file: Path, f: QueueFilter, cap: int | None
) -> None:
    """Mine's count (capped before the paint, exact after it) is the live order index's
    too, which holds its terms: not the status index, which read each live row's holder
    and opener from the table (84 ms for the exact count of a 1M store's live rows)."""
    conn = sqlite3.connect(store_file)
    try:
        where, params = sqlite3_queue._filter_sql(conn, f, AT, QueueRules(), steer=False)
        details = _plan(conn, queue_sql.count_sql(where, cap), params)
    finally:
        conn.close()
    _assert_walks(details, f)


def test_the_migrated_indexes_are_the_models_indexes(store_file: Path) -> None:
    """What Alembic cannot compare on SQLite (an expression index), compared as SQL."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.schema import CreateIndex

    conn = sqlite3.connect(store_file)
    try:
        made = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    finally:
        conn.close()
    for index in Dispute.__table__.indexes:
        if index.name in STATS and index.name.endswith("_order"):
            model = str(CreateIndex(index).compile(dialect=sqlite_dialect.dialect()))
            assert " ".join(made[index.name].split()) == " ".join(model.split()), index.name
