"""The quick reader on a PostgreSQL store: what peek reads and leaves to Store.open, and
the first page painted before the ORM is imported.

That its pages equal the ORM's is held by tests/store/test_quickread.py (marked
``backend``: on a PostgreSQL run it reads through psycopg); these are the parts
only a server has (its schema's version table, its URL, its password).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import backends
import pytest
from first_paint import first_paint_imports

from panel_tui.store.demo import build_demo
from panel_tui.store.migrate import HEAD
from panel_tui.store.read import quick_queue
from panel_tui.store.read.queue_models import QueueFilter

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    with backends.fresh_database() as name:
        url = backends.database_url(name)
        build_demo(url, disputes=20, seed=7, now=NOW).close()
        yield url


def _spelled(url: str, scheme: str) -> str:
    return scheme + "://" + url.split("://", 1)[1]


def test_peek_reads_a_current_store_in_any_spelling(demo_url: str) -> None:
    for scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        head = quick_queue.peek(_spelled(demo_url, scheme))
        assert head is not None and head.path is None and head.kind == "demo"
        assert head.url == _spelled(demo_url, scheme)
        assert quick_queue.page(head, QueueFilter(), NOW).total > 5
    # Another driver's spelling is Store.open's to refuse (exit 2), not read quickly.
    assert quick_queue.peek(_spelled(demo_url, "postgresql+psycopg2")) is None
    assert quick_queue.peek(_spelled(demo_url, "mysql")) is None


def test_the_title_names_the_database_never_the_password(demo_url: str) -> None:
    head = quick_queue.peek(demo_url)
    assert head is not None
    password = demo_url.split("://", 1)[1].split("@")[0].partition(":")[2]
    assert password and password not in head.label
    assert head.label == backends.database_of(demo_url)


def test_peek_leaves_everything_else_to_store_open(pg_database: str) -> None:
    """None means: open it the full way, which refuses or migrates with the full message."""
    url = backends.database_url(pg_database)
    assert quick_queue.peek(url) is None  # empty: no store
    with backends.admin_connection(pg_database) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    assert quick_queue.peek(url) is None  # someone else's tables
    build_demo(url, disputes=3, seed=1, now=NOW).close()
    assert quick_queue.peek(url) is not None
    with backends.admin_connection(pg_database) as conn:
        conn.execute("UPDATE panel_tui.panel_tui_version SET version_num = '0002'")
    assert quick_queue.peek(url) is None  # older: init migrates it
    with backends.admin_connection(pg_database) as conn:
        conn.execute("UPDATE panel_tui.panel_tui_version SET version_num = '9999'")
    assert quick_queue.peek(url) is None  # newer: Store.open refuses it
    with backends.admin_connection(pg_database) as conn:
        conn.execute("UPDATE panel_tui.panel_tui_version SET version_num = %s", (HEAD,))
    assert quick_queue.peek(url) is not None
    wrong = backends.database_url(pg_database, user="postgres", password="not-the-password")
    assert quick_queue.peek(wrong) is None  # refused: Store.open says so, password hidden


def test_the_first_page_is_painted_before_the_orm_is_imported(demo_url: str) -> None:
    """The point of the quick start on PostgreSQL, checked in a fresh interpreter."""
    seen = first_paint_imports(demo_url)
    assert seen["quick"] is True
    assert seen["at_first_page"] == []
    assert "sqlalchemy" in seen["after"]  # the probe sees the ORM once the Store is open
