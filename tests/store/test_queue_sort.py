"""Sorting the queue by a column: each key orders the rows by what its column shows.

The quick reader is held equal to the ORM's by tests/store/test_quickread.py (sorts
included); this checks the order itself, from the rows' own values, and that the cursor's
position (``queue_position``) follows the same order. On both backends (``backend``): the
test cluster's collation is C.UTF-8, so text sorts as Python sorts it, by code point.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import backends
import demo_cache
import pytest

from panel_tui.store.db import Store
from panel_tui.store.demo import build_demo
from panel_tui.store.read import orm_queries, quick_queue
from panel_tui.store.read.queue_models import RISK_RANK, SORT_KEYS, QueueFilter, QueueRow, Section

pytestmark = pytest.mark.backend

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    """The 60-dispute demo on the run's backend: its target and its open Store."""
    if backends.on_postgres():
        with backends.fresh_database() as name:
            url = backends.database_url(name)
            store = build_demo(url, disputes=60, seed=7, now=NOW)
            yield url, store
            store.close()
        return
    path = tmp_path_factory.mktemp("sort") / "demo.db"
    store = demo_cache.open_demo_copy(tmp_path_factory, path, disputes=60, seed=7, now=NOW)
    yield str(path), store
    store.close()


def _value(key: str, row: QueueRow, closed: bool) -> object:
    return {
        "ref": row.ref,
        "type": row.dispute_type,
        "risk": RISK_RANK.index(row.risk),
        "stage": row.stage,
        "clock": row.resolved_at if closed else row.due_at,
        "agencies": row.agencies,
        "cover": row.cover,
        "provisional": row.provisional_ends,
        "holder": row.plan_holder,
    }[key]


@pytest.mark.parametrize("section", [Section.ALL_OPEN, Section.CLOSED])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_each_column_sorts_by_what_it_shows_and_back(
    demo: tuple[str, Store], key: str, section: Section
) -> None:
    _, store = demo
    closed = section is Section.CLOSED
    up = orm_queries.queue_page(store, QueueFilter(section=section, sort=key), NOW, limit=500)
    down = orm_queries.queue_page(
        store, QueueFilter(section=section, sort=key, descending=True), NOW, limit=500
    )
    assert up.total == down.total == len(up.rows) > 5
    values = [_value(key, r, closed) for r in up.rows]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)), "empty cells last"
    assert present == sorted(present)
    if not (closed and key in ("cover", "provisional")):  # ended with the dispute
        assert len(set(present)) > 1, f"the demo must have different {key} values to sort"
    # Descending: the same rows, the filled cells reversed, empty cells still last.
    down_values = [_value(key, r, closed) for r in down.rows]
    assert [v for v in down_values if v is not None] == sorted(present, reverse=True)
    assert down_values[len(present) :] == [None] * (len(values) - len(present))
    assert {r.id for r in up.rows} == {r.id for r in down.rows}


@pytest.mark.parametrize("key", ["risk", "holder", "cover"])
def test_the_cursor_is_found_where_the_sorted_page_shows_it(
    demo: tuple[str, Store], key: str
) -> None:
    _, store = demo
    for f in (QueueFilter(sort=key), QueueFilter(sort=key, descending=True)):
        page = orm_queries.queue_page(store, f, NOW, limit=500)
        for index in (0, 7, len(page.rows) // 2, len(page.rows) - 1):
            assert orm_queries.queue_position(store, f, NOW, page.rows[index].id) == index


def test_the_quick_reader_sorts_as_the_orm_does(demo: tuple[str, Store]) -> None:
    target, store = demo
    head = quick_queue.peek(target)
    assert head is not None
    for key in SORT_KEYS:
        f = QueueFilter(sort=key, descending=key in ("risk", "holder"))
        assert quick_queue.page(head, f, NOW, limit=500) == orm_queries.queue_page(
            store, f, NOW, limit=500
        )


def test_an_unknown_sort_key_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot sort by 'colour'"):
        QueueFilter(sort="colour")
