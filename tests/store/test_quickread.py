"""The quick queue page (no ORM) equals the ORM's queue page, and peek's choices.

``store/read/quick_queue.py`` repeats ``orm_queries.queue_page`` in SQL text
(``queue_sql.py``) so the app can paint, and the ``queue`` command answer, before
SQLAlchemy is imported; these tests are what keep the two the same. Those marked
``backend`` run on each backend's quick reader (sqlite3, and psycopg on a
PostgreSQL run: tests/backends.py), each held to the ORM on the same store.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import backends
import demo_cache
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from profiles import examples

from panel_tui.rules.enums import ClockState
from panel_tui.rules.policy import default_policy_text, parse_policy
from panel_tui.store.db import Store
from panel_tui.store.demo import build_demo
from panel_tui.store.ledger.admin import Admin, init_store
from panel_tui.store.migrate import HEAD
from panel_tui.store.read import orm_queries, quick_queue, sqlite3_queue
from panel_tui.store.read.queue_models import (
    ROW_FIELDS,
    SORT_KEYS,
    QueueFilter,
    QueueRow,
    Section,
)
from panel_tui.store.sqlite_driver import sqlite as sqlite3

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The 60-dispute demo: a SQLite file, or on a PostgreSQL run a database built once
    (the template each test's copy is made from)."""
    if backends.on_postgres():
        with backends.fresh_database() as name:
            build_demo(backends.database_url(name), disputes=60, seed=7, now=NOW).close()
            yield name
        return
    path = tmp_path_factory.mktemp("quick") / "demo.db"
    yield str(demo_cache.demo_copy(tmp_path_factory, path, disputes=60, seed=7, now=NOW))


@pytest.fixture(scope="module")
def demo_target(demo_source: str) -> Iterator[str]:
    """The demo the module reads (never written): a file, or a database's URL."""
    if backends.on_postgres():
        with backends.fresh_database(template=demo_source) as name:
            yield backends.database_url(name)
        return
    yield demo_source


@pytest.fixture
def target_copy(demo_source: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the demo for one test to write to, on the run's backend."""
    if backends.on_postgres():
        with backends.fresh_database(template=demo_source) as name:
            yield backends.database_url(name)
        return
    path = tmp_path / "copy.db"
    shutil.copy(demo_source, path)
    yield str(path)


@pytest.fixture
def demo_file(demo_target: str) -> Path:
    """The demo's SQLite file (the tests of a file's peek: SQLite runs only)."""
    return Path(demo_target)


@pytest.fixture
def demo_copy(target_copy: str) -> Path:
    return Path(target_copy)


def orm_page(path: Path | str, at: datetime, offset: int, limit: int):  # noqa: ANN201
    store = Store.open(str(path))
    try:
        return orm_queries.queue_page(store, QueueFilter(), at, offset=offset, limit=limit)
    finally:
        store.close()


@pytest.mark.backend
@pytest.mark.parametrize("offset", [0, 10, 20, 30, 200])
@pytest.mark.parametrize("hours_later", [0, 30, 24 * 20])
def test_quick_page_equals_the_orm_page(demo_target: str, offset: int, hours_later: int) -> None:
    at = NOW + timedelta(hours=hours_later)
    head = quick_queue.peek(demo_target)
    assert head is not None
    quick = quick_queue.page(head, QueueFilter(), at, offset=offset, limit=10)
    assert quick == orm_page(demo_target, at, offset, 10)


@pytest.fixture(scope="module")
def demo_store(demo_target: str):  # noqa: ANN201
    store = Store.open(demo_target)
    yield store
    store.close()


def _some(values: list) -> st.SearchStrategy[tuple]:
    return st.lists(st.sampled_from(values), max_size=2, unique=True).map(tuple)


FILTERS = st.builds(
    QueueFilter,
    section=st.sampled_from(list(Section)),
    # Refs and people in any case, agencies, words of the form, LIKE's own wildcards.
    text=st.sampled_from(["", "d-2026-001", "P-", "cbh", "MCO", "housing", "bed", "zz", "%", "_"]),
    types=_some(["eligibility", "funding", "safeguarding", "capacity"]),
    risks=_some(["critical", "high", "medium", "low"]),
    stages=_some([0, 1, 2, 3, 4]),
    agencies=_some(["cbh", "MCO", "HSG", "CRS", "NOPE"]),
    due_within=st.one_of(st.none(), st.integers(1, 24 * 7).map(lambda h: timedelta(hours=h))),
    breached=st.booleans(),
    mine=st.sampled_from([None, "duty", "front1", "super", "chair", "liaison", "nobody"]),
    liaison=st.booleans(),
    reviews_due=st.booleans(),
    sort=st.sampled_from([None, *SORT_KEYS]),
    descending=st.booleans(),
)


@pytest.mark.backend
@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    f=FILTERS,
    hours_later=st.sampled_from([0, 7, 30, 24 * 20]),
    offset=st.sampled_from([0, 3, 20]),
)
def test_any_filtered_page_equals_the_orm_page(
    demo_target: str, demo_store: Store, f: QueueFilter, hours_later: int, offset: int
) -> None:
    at = NOW + timedelta(hours=hours_later)
    head = quick_queue.peek(demo_target)
    assert head is not None
    expected = orm_queries.queue_page(demo_store, f, at, offset=offset, limit=8)
    assert quick_queue.page(head, f, at, offset=offset, limit=8) == expected


SINGLE_FILTERS = [
    *(QueueFilter(section=s) for s in Section),
    QueueFilter(section=Section.MINE, mine="front1"),
    QueueFilter(section=Section.MINE, mine="liaison"),
    QueueFilter(mine="super"),
    QueueFilter(liaison=True),
    QueueFilter(section=Section.CLOSED, liaison=True),
    QueueFilter(text="cbh"),
    QueueFilter(section=Section.CLOSED, text="p-"),
    QueueFilter(agencies=("MCO", "hsg")),
    QueueFilter(types=("funding",)),
    QueueFilter(risks=("high", "critical")),
    QueueFilter(stages=(1, 2)),
    QueueFilter(breached=True),
    QueueFilter(reviews_due=True),
    QueueFilter(section=Section.REVIEWS_DUE, risks=("high",)),
    *(QueueFilter(due_within=timedelta(hours=h)) for h in (1, 3, 6, 12, 24, 48, 96)),
    *(QueueFilter(sort=key, descending=down) for key in SORT_KEYS for down in (False, True)),
    *(QueueFilter(section=Section.CLOSED, sort=key) for key in ("clock", "holder", "cover")),
]


def _named(f: QueueFilter) -> str:
    """The fields a filter sets, for the test's id."""
    default = QueueFilter()
    return ",".join(f"{k}={v}" for k, v in vars(f).items() if v != getattr(default, k))


@pytest.mark.backend
@pytest.mark.parametrize("f", SINGLE_FILTERS, ids=_named)
@pytest.mark.parametrize("hours_later", [0, 5, 30, 24 * 3])
def test_each_filter_alone_equals_the_orm_page(
    demo_target: str, demo_store: Store, f: QueueFilter, hours_later: int
) -> None:
    at = NOW + timedelta(hours=hours_later)
    head = quick_queue.peek(demo_target)
    assert head is not None
    expected = orm_queries.queue_page(demo_store, f, at, limit=100)
    assert quick_queue.page(head, f, at, limit=100) == expected


@pytest.mark.backend
def test_the_filters_compared_find_rows(demo_target: str) -> None:
    """Guard the property above: each kind of filter matches some disputes and not all."""
    head = quick_queue.peek(demo_target)
    assert head is not None
    everything = quick_queue.page(head, QueueFilter(), NOW, limit=500).total
    closed = quick_queue.page(head, QueueFilter(section=Section.CLOSED), NOW, limit=500).total
    assert everything > 0 and closed > 0
    for f in (
        *(
            QueueFilter(section=s)
            for s in Section
            if s not in (Section.CLOSED, Section.MINE, Section.ALL_OPEN)
        ),
        QueueFilter(section=Section.MINE, mine="front1"),
        QueueFilter(mine="front1"),
        QueueFilter(text="cbh"),
        QueueFilter(agencies=("MCO",)),
        QueueFilter(due_within=timedelta(hours=4)),
        QueueFilter(reviews_due=True),
    ):
        assert 0 < quick_queue.page(head, f, NOW, limit=500).total < everything, f


@pytest.mark.backend
def test_the_demo_pages_cover_what_the_comparison_must_see(demo_target: str) -> None:
    """Guard the test above: rows with cover, packages, holders and every live clock state."""
    head = quick_queue.peek(demo_target)
    assert head is not None
    page = quick_queue.page(head, QueueFilter(), NOW, limit=100)
    assert page.total == len(page.rows) > 10
    assert any(r.cover for r in page.rows)
    assert any(r.provisional_ends for r in page.rows)
    assert any(r.plan_holder for r in page.rows)
    # Expired packages and review dates (issue 12), both ways, so their reads are compared.
    assert {r.provisional_expired for r in page.rows if r.provisional_ends} == {True, False}
    assert any(r.review_due_on for r in page.rows)
    states = {r.clock.state for r in page.rows}
    assert {ClockState.BREACHED, ClockState.WARNING, ClockState.ON_TRACK} <= states
    assert all(r.due_at is None or r.due_at.tzinfo is UTC for r in page.rows)
    # Read by the run's backend's own quick reader (psycopg's on a PostgreSQL run).
    assert (head.url is not None) == backends.on_postgres()


@pytest.mark.backend
def test_the_stored_policy_sets_the_warning_line(target_copy: str) -> None:
    text = default_policy_text().replace("warning_fraction = 0.75", "warning_fraction = 0.2")
    store = Store.open(target_copy)
    Admin(store, "admin").set_policy(text)
    store.close()
    head = quick_queue.peek(target_copy)
    assert head is not None and head.warning_fraction == 0.2
    quick = quick_queue.page(head, QueueFilter(), NOW, limit=50)
    assert quick == orm_page(target_copy, NOW, 0, 50)
    # More of the queue is in warning than under the default 75 %.
    default_head = head._replace(warning_fraction=0.75)
    warned = [r for r in quick.rows if r.clock.state is ClockState.WARNING]
    default_warned = [
        r
        for r in quick_queue.page(default_head, QueueFilter(), NOW, limit=50).rows
        if r.clock.state is ClockState.WARNING
    ]
    assert len(warned) > len(default_warned)


def test_warning_fraction_reads_like_the_policy() -> None:
    assert (
        quick_queue.warning_fraction(None)
        == parse_policy(default_policy_text()).clock.warning_fraction
    )
    assert quick_queue.warning_fraction("[clock]\nwarning_fraction = 0.6\n") == 0.6
    # A policy that leaves it out gets the policy model's default.
    without = default_policy_text().replace("warning_fraction = 0.75\n", "")
    assert quick_queue.warning_fraction(without) == parse_policy(without).clock.warning_fraction
    assert quick_queue.warning_fraction("not toml [") == 0.75


def test_liaison_settings_read_like_the_policy() -> None:
    default = parse_policy(default_policy_text())
    assert quick_queue.liaison_after_days(None) == default.clock.liaison_after_days
    assert quick_queue.liaison_role(None) == default.ladder.commissioner_liaison
    changed = default_policy_text().replace("liaison_after_days = 14", "liaison_after_days = 9.5")
    assert quick_queue.liaison_after_days(changed) == 9.5
    without = default_policy_text().replace("liaison_after_days = 14\n", "")
    assert quick_queue.liaison_after_days(without) == parse_policy(without).clock.liaison_after_days
    assert quick_queue.liaison_after_days("not toml [") == 14.0


@pytest.mark.backend
def test_the_stored_liaison_limit_moves_the_liaison_section(target_copy: str) -> None:
    head = quick_queue.peek(target_copy)
    assert head is not None
    f = QueueFilter(section=Section.LIAISON)
    before = quick_queue.page(head, f, NOW, limit=500)
    text = default_policy_text().replace("liaison_after_days = 14", "liaison_after_days = 2")
    store = Store.open(target_copy)
    Admin(store, "admin").set_policy(text)
    store.close()
    head = quick_queue.peek(target_copy)
    assert head is not None and head.liaison_after_days == 2
    after = quick_queue.page(head, f, NOW, limit=500)
    assert after.total > before.total
    assert after == orm_page_of(target_copy, f, NOW)
    assert all(r.liaison for r in after.rows)


def orm_page_of(path: Path | str, f: QueueFilter, at: datetime):  # noqa: ANN201
    store = Store.open(str(path))
    try:
        return orm_queries.queue_page(store, f, at, limit=500)
    finally:
        store.close()


def test_peek_reads_kind_and_path(demo_file: Path, tmp_path: Path) -> None:
    head = quick_queue.peek(str(demo_file))
    assert head == quick_queue.StoreHead(demo_file.resolve(), "demo", 0.75)
    real = tmp_path / "real.db"
    init_store(str(real), "root", "Root", kind="real").close()
    real_head = quick_queue.peek(str(real))
    assert real_head is not None and real_head.kind == "real"


def test_peek_follows_the_environment_like_store_open(
    demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANEL_TUI_DB", str(demo_file))
    head = quick_queue.peek(None)
    assert head is not None and head.path == demo_file.resolve()


def _set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


def test_peek_leaves_everything_else_to_store_open(demo_copy: Path, tmp_path: Path) -> None:
    """None means: open it the full way (migrate, or refuse with the full message)."""
    assert quick_queue.peek(str(tmp_path / "missing.db")) is None
    assert quick_queue.peek("postgresql://someone@db.example/panel") is None
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    assert quick_queue.peek(str(foreign)) is None
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert quick_queue.peek(str(tmp_path / "junk.db")) is None
    before = demo_copy.read_bytes()
    _set_revision(demo_copy, "0002")  # older: needs a migration first
    assert quick_queue.peek(str(demo_copy)) is None
    _set_revision(demo_copy, "9999")  # newer: Store.open refuses it
    assert quick_queue.peek(str(demo_copy)) is None
    _set_revision(demo_copy, HEAD)
    assert quick_queue.peek(str(demo_copy)) is not None
    assert len(demo_copy.read_bytes()) == len(before)


@pytest.mark.backend
@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    f=FILTERS,
    hours_later=st.sampled_from([0, 30]),
    offset=st.sampled_from([0, 5]),
    limit=st.sampled_from([0, 6]),
    total_limit=st.sampled_from([None, 0, 1, 4, 1001]),
)
def test_a_page_counted_up_to_a_limit_equals_the_orm_page(
    demo_target: str,
    demo_store: Store,
    f: QueueFilter,
    hours_later: int,
    offset: int,
    limit: int,
    total_limit: int | None,
) -> None:
    """The app's pages count up to a cap (the first) or not at all (the rest); a
    page of no rows is the exact count it asks for after the first paint."""
    at = NOW + timedelta(hours=hours_later)
    head = quick_queue.peek(demo_target)
    assert head is not None
    expected = orm_queries.queue_page(
        demo_store, f, at, offset=offset, limit=limit, total_limit=total_limit
    )
    quick = quick_queue.page(head, f, at, offset=offset, limit=limit, total_limit=total_limit)
    assert quick == expected
    exact = orm_queries.queue_page(demo_store, f, at, limit=1).total
    assert expected.total == (
        exact if total_limit is None else 0 if total_limit == 0 else min(exact, total_limit)
    )


@pytest.mark.backend
def test_queue_rows_are_whole_rows_made_at_once(demo_target: str) -> None:
    """``queue_row`` fills a row's dict in one update, not through the dataclass's
    ``__init__``: each row has every field, equals and hashes as one made the usual way,
    and stays frozen."""
    head = quick_queue.peek(demo_target)
    assert head is not None
    rows = quick_queue.every_row(head, QueueFilter(), NOW)
    assert rows
    for row in rows:
        assert vars(row).keys() == ROW_FIELDS
        made = QueueRow(**vars(row))
        assert row == made
        assert hash(row) == hash(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].ref = "D-0"  # type: ignore[misc]


@pytest.mark.backend
@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f=FILTERS, limit=st.sampled_from([None, 0, 3, 40]))
def test_every_row_in_one_pass_equals_the_pages(
    demo_target: str, demo_store: Store, f: QueueFilter, limit: int | None
) -> None:
    """Headless ``queue`` reads the whole queue in one pass: the same rows as the pages."""
    head = quick_queue.peek(demo_target)
    assert head is not None
    pages = orm_queries.queue_page(demo_store, f, NOW, limit=10_000).rows
    expected = pages if limit is None else pages[:limit]
    assert orm_queries.every_row(demo_store, f, NOW, limit=limit) == expected
    # Lookups a chunk at a time give the same rows as all at once.
    assert quick_queue.every_row(head, f, NOW, limit=limit, chunk=7) == expected


@pytest.mark.backend
@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    f=FILTERS.map(lambda f: dataclasses.replace(f, section=Section.CLOSED)),
    offset=st.integers(0, 40),
    limit=st.sampled_from([0, 1, 5, 100]),
)
def test_closed_pages_read_by_key_equal_the_rows_in_one_pass(
    demo_target: str, demo_store: Store, f: QueueFilter, offset: int, limit: int
) -> None:
    """Closed pages past the first are read from their first row's key (queue_sql.keyset),
    not by OFFSET: in both readers, every page is the one-pass read's slice (past the end:
    none), so the key neither skips nor repeats a row, ties of resolved_at included."""
    head = quick_queue.peek(demo_target)
    assert head is not None
    every = orm_queries.every_row(demo_store, f, NOW)
    expected = every[offset : offset + limit]
    orm = orm_queries.queue_page(demo_store, f, NOW, offset=offset, limit=limit, total_limit=0)
    quick = quick_queue.page(head, f, NOW, offset=offset, limit=limit, total_limit=0)
    assert orm.rows == expected and quick == orm


@pytest.mark.backend
@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f=FILTERS, back=st.integers(-3, 60), limit=st.sampled_from([1, 5, 100]))
def test_pages_read_from_the_end_equal_the_rows_in_one_pass(
    demo_target: str, demo_store: Store, f: QueueFilter, back: int, limit: int
) -> None:
    """Given the exact count (the view has it once counted), a page past the middle is
    read from the end of the list in the reverse order and turned round: the same slice
    of the one-pass read as the orders' own (Closed by key too), past the end none."""
    head = quick_queue.peek(demo_target)
    assert head is not None
    every = orm_queries.every_row(demo_store, f, NOW)
    offset = max(1, len(every) - back)
    expected = every[offset : offset + limit]
    quick = quick_queue.page(
        head, f, NOW, offset=offset, limit=limit, total_limit=0, total=len(every)
    )
    assert quick.rows == expected, (offset, len(every))


@pytest.mark.backend
def test_closed_pages_from_the_end_keep_disputes_resolved_at_the_same_instant(
    target_copy: str,
) -> None:
    """From the end, Closed's key is its page's last row: ties of resolved_at at a page's
    edge are broken by id as in the order (the demo resolves no two at once: made here)."""
    store = Store.open(target_copy)
    try:
        f = QueueFilter(section=Section.CLOSED)
        closed = orm_queries.every_row(store, f, NOW)
        tied = [r.id for r in closed[-12:-2]]
        _run_sql(
            target_copy,
            f"UPDATE dispute SET resolved_at = (SELECT resolved_at FROM dispute WHERE id = ?) "
            f"WHERE id IN ({','.join('?' * len(tied))})",
            tied[0],
            *tied,
        )
        every = orm_queries.every_row(store, f, NOW)
        assert len({r.resolved_at for r in every[-12:-2]}) == 1  # ten at one instant
        head = quick_queue.peek(target_copy)
        assert head is not None
        total = len(every)
        for limit in (1, 3, 4):
            for offset in range(total - 16, total + 1):
                page = quick_queue.page(
                    head, f, NOW, offset=offset, limit=limit, total_limit=0, total=total
                )
                assert page.rows == every[offset : offset + limit], (offset, limit)
    finally:
        store.close()


def _run_sql(target: str, query: str, *args: object) -> None:
    """Direct SQL on the store (``?`` marks), outside the code under test."""
    if backends.on_postgres():
        with backends.admin_connection(backends.database_of(target)) as pg:
            pg.execute("SET search_path = panel_tui")
            pg.execute(query.replace("?", "%s"), args)
        return
    conn = sqlite3.connect(target)
    with conn:
        conn.execute(query, args)
    conn.close()


@pytest.mark.backend
def test_closed_pages_by_key_keep_disputes_resolved_at_the_same_instant(target_copy: str) -> None:
    """Ties of resolved_at are broken by id in the key as in the order: no row skipped or
    repeated at a page's edge (the demo resolves no two at once: made here)."""
    store = Store.open(target_copy)
    try:
        f = QueueFilter(section=Section.CLOSED)
        closed = orm_queries.every_row(store, f, NOW)
        assert len(closed) > 12
        tied = [r.id for r in closed[2:12]]
        _run_sql(
            target_copy,
            f"UPDATE dispute SET resolved_at = (SELECT resolved_at FROM dispute WHERE id = ?) "
            f"WHERE id IN ({','.join('?' * len(tied))})",
            tied[0],
            *tied,
        )
        every = orm_queries.every_row(store, f, NOW)
        assert len({r.resolved_at for r in every[2:12]}) == 1  # ten at one instant
        head = quick_queue.peek(target_copy)
        assert head is not None
        for limit in (1, 3, 4):
            for offset in range(0, 16):
                expected = every[offset : offset + limit]
                orm = orm_queries.queue_page(store, f, NOW, offset=offset, limit=limit)
                assert orm.rows == expected, (offset, limit)
                assert quick_queue.page(head, f, NOW, offset=offset, limit=limit) == orm
    finally:
        store.close()


def test_the_one_pass_read_maps_the_file_and_a_page_does_not(
    demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``queue`` reads thousands of scattered pages in one pass: through a memory map
    (issue 13: their ``pread`` calls were 40-60 ms at 1,000,000 disputes); a page of the
    app's reads a few hundred and keeps SQLite's reads. The statements are traced on the
    real connections."""
    said: list[str] = []
    opened = sqlite3_queue._read_only

    @contextmanager
    def traced(path: Path | None) -> Iterator[sqlite3.Connection]:
        with opened(path) as conn:
            conn.set_trace_callback(said.append)
            yield conn

    monkeypatch.setattr(sqlite3_queue, "_read_only", traced)
    head = quick_queue.peek(str(demo_file))
    assert head is not None
    assert quick_queue.page(head, QueueFilter(), NOW).rows
    assert not [s for s in said if "mmap_size" in s]
    assert quick_queue.every_row(head, QueueFilter(), NOW)
    assert f"PRAGMA mmap_size = {sqlite3_queue.MAPPED}" in said
    # This build of SQLite takes the map (a build that allows none would make it a no-op).
    with opened(demo_file) as conn:
        conn.execute(f"PRAGMA mmap_size = {sqlite3_queue.MAPPED}")
        (size,) = conn.execute("PRAGMA mmap_size").fetchone()
    assert size > 0


def test_the_shipped_policies_values_are_those_the_head_takes_without_parsing() -> None:
    """A store on the shipped policy or the demo's is read with ``quick_queue.SHIPPED``
    (no TOML parser before the first paint): it must say what parsing them says."""
    import tomllib

    from panel_tui.rules.policy_text import demo_policy_text

    for text in (default_policy_text(), demo_policy_text()):
        parsed = tomllib.loads(text)
        for table, values in quick_queue.SHIPPED.items():
            assert {key: parsed[table][key] for key in values} == values
        head_values = (
            quick_queue.warning_fraction(text),
            quick_queue.liaison_after_days(text),
            quick_queue.liaison_role(text),
        )
        assert head_values == (
            parse_policy(text).clock.warning_fraction,
            parse_policy(text).clock.liaison_after_days,
            parse_policy(text).ladder.commissioner_liaison,
        )
