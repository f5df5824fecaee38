"""The queue read without importing the ORM: the app's first page and ``panel-tui queue``.

Opening the app used to wait for SQLAlchemy, SQLModel, the tables and the
pydantic policy (about 0.45 s of CPU; over a second on PostgreSQL, psycopg's
adapters with them) before the first row could be drawn, and every headless
``panel-tui queue`` paid the same before printing a line. What needs only the
queue is read here instead, in one read-only snapshot, with the same filter,
order and side lookups as ``orm_queries.queue_page`` (``queue_sql.py``; property
tests hold the readers equal to it, page for page, over random filters):

* a SQLite file through its bare driver (``sqlite3_queue.py``);
* a PostgreSQL store through psycopg alone (``psycopg_queue.py``).

Only a store at this release's schema revision is read this way: anything else
(a new, older, newer or foreign store, a server that does not answer) goes
through ``Store.open``, which migrates, refuses and says what is wrong in full
(with a URL's password hidden) as before.
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from panel_tui.rules.clocks import DEFAULT_WARNING_FRACTION, utc
from panel_tui.rules.policy_text import default_policy_text, demo_policy_text
from panel_tui.store.constants import DEFAULT_KIND, KIND_KEY, POLICY_KEY
from panel_tui.store.files import chosen_target, local_file, refuse_network_filesystem
from panel_tui.store.read import queue_sql, sqlite3_queue
from panel_tui.store.read.interrupt import Interrupt
from panel_tui.store.read.queue_models import QueueFilter, QueuePage, QueueRow, QueueRules
from panel_tui.store.sqlite_driver import sqlite

#: Where a fallback from the quick read to the ORM is said (tests fail on any record here).
LOGGER = "panel_tui.quickread"


def fell_back(exc: BaseException) -> None:
    """The quick read failed and the ORM reads instead: logged, never silent.

    On a current store the quick read must never need this; tests/conftest.py fails
    any test in which it happens, so drift the property tests miss is seen. ``logging``
    is imported only then: a headless ``queue`` never logs, and its import was 2-3 ms
    of that command's start (issue 13).
    """
    import logging

    log = logging.getLogger(LOGGER)
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    log.warning("quick read fell back to the ORM: %s: %s", type(exc).__name__, exc)


def errors() -> tuple[type[Exception], ...]:
    """What a quick read raises when the store cannot be read that way (then the ORM reads)."""
    found: tuple[type[Exception], ...] = (sqlite.Error,)
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:  # only a PostgreSQL store's quick read imports it
        found += (psycopg.Error,)
    return found


class StoreHead(NamedTuple):
    """What the app needs of a store before the ORM is loaded: a SQLite file (``path``)
    or a PostgreSQL store (``url``, as the user wrote it)."""

    path: Path | None
    kind: str
    warning_fraction: float
    #: the policy's ``clock.liaison_after_days`` and ``ladder.commissioner_liaison``
    liaison_after_days: float = 14.0
    liaison_role: str = "commissioner_liaison"
    url: str | None = None

    @property
    def rules(self) -> QueueRules:
        return QueueRules(
            warning_fraction=self.warning_fraction,
            liaison_after=timedelta(days=self.liaison_after_days),
            liaison_role=self.liaison_role,
        )

    @property
    def label(self) -> str:
        """The store as the app's title names it while opening (never a password)."""
        if self.path is not None:
            return self.path.name
        from panel_tui.store.read import psycopg_queue

        return psycopg_queue.database_name(self.url or "")


def peek(db: str | None) -> StoreHead | None:
    """The store ``--db`` names, if it can be read at once; None means: open it fully.

    A store on a network filesystem is refused here as ``Store.open`` would
    refuse it (StoreError), before anything is shown from it.
    """
    path = local_file(db)
    if path is None:
        return _peek_url(chosen_target(db))
    if not path.is_file():
        return None
    refuse_network_filesystem(path)
    settings = sqlite3_queue.settings(path)
    return None if settings is None else _head(settings, path=path)


def _peek_url(url: str) -> StoreHead | None:
    from panel_tui.rules.errors import StoreError
    from panel_tui.store.postgres import normalise_url

    try:
        normalise_url(url)  # a spelling Store.open takes; it refuses the others in full
    except StoreError:
        return None
    try:
        from panel_tui.store.read import psycopg_queue
    except ImportError:  # no driver: Store.open says which extra installs it
        return None
    settings = psycopg_queue.settings(url)
    return None if settings is None else _head(settings, url=url)


def _head(
    settings: dict[str, str], *, path: Path | None = None, url: str | None = None
) -> StoreHead:
    policy_text = settings.get(POLICY_KEY)
    return StoreHead(
        path=path,
        kind=settings.get(KIND_KEY) or DEFAULT_KIND,
        warning_fraction=warning_fraction(policy_text),
        liaison_after_days=liaison_after_days(policy_text),
        liaison_role=liaison_role(policy_text),
        url=url,
    )


def _reading(
    head: StoreHead, interrupt: Interrupt | None = None, *, mapped: bool = False
) -> AbstractContextManager[queue_sql.Reader]:
    """A read-only snapshot on the store's own driver (``mapped``: a SQLite file read
    through a memory map, for a read of thousands of scattered pages)."""
    if head.url is not None:
        from panel_tui.store.read import psycopg_queue

        return psycopg_queue.reading(head, interrupt)
    return sqlite3_queue.reading(head, interrupt, mapped=mapped)


def page(
    head: StoreHead,
    f: QueueFilter,
    at: datetime,
    *,
    offset: int = 0,
    limit: int = 100,
    total_limit: int | None = None,
    interrupt: Interrupt | None = None,
    total: int | None = None,
) -> QueuePage:
    """``orm_queries.queue_page(store, f, at, offset=..., limit=..., total_limit=...)``,
    without the ORM; ``interrupt`` can stop it from another thread. ``total``: the
    matches as counted before (the view's exact count), so that a page past the middle
    is read from the end; the rows are the same as without it while the store is."""
    at = utc(at)
    with _reading(head, interrupt) as reader:
        return queue_sql.read_page(reader, head.rules, f, at, offset, limit, total_limit, total)


def every_row(
    head: StoreHead, f: QueueFilter, at: datetime, *, limit: int | None = None, chunk: int = 1000
) -> list[QueueRow]:
    """``orm_queries.every_row``: the whole filtered queue in order, in one pass.

    One query read to its end in one snapshot (no OFFSET pages, each counting
    and skipping again what the last one read), its lookups a chunk at a time.
    """
    at = utc(at)
    with _reading(head, mapped=True) as reader:
        return queue_sql.read_every_row(reader, head.rules, f, at, limit, chunk)


def agency_codes(head: StoreHead) -> list[str]:
    """``[a.code for a in queries.agencies(store)]``, without the ORM."""
    if head.url is not None:
        from panel_tui.store.read import psycopg_queue

        return psycopg_queue.agency_codes(head)
    return sqlite3_queue.agency_codes(head)


def _policy_value(policy_text: str | None, table: str, key: str) -> object:
    """``[table] key`` of the store's policy (the shipped one if none), read without
    validating the rest; None if it is not there."""
    try:
        return _parsed(policy_text).get(table, {}).get(key)
    except AttributeError:  # not a table
        return None


#: What a head reads of the shipped policy and the demo's (default_policy.toml; a test
#: holds them equal): a store that runs either, as most do, opens with no TOML parser
#: and no package resources to import (their imports and the parse were about 4 ms of
#: the first paint).
SHIPPED = {
    "clock": {"warning_fraction": DEFAULT_WARNING_FRACTION, "liaison_after_days": 14},
    "ladder": {"commissioner_liaison": "commissioner_liaison"},
}


@lru_cache(maxsize=4)
def _parsed(policy_text: str | None) -> dict[str, Any]:
    """The policy's TOML, parsed once for the three values a head reads from it (each
    parse of the 5 KB policy cost the first paint about 0.6 ms)."""
    if policy_text is None or policy_text in (default_policy_text(), demo_policy_text()):
        return SHIPPED
    import tomllib  # only for a policy other than the shipped one

    try:
        return tomllib.loads(policy_text)
    except tomllib.TOMLDecodeError:
        return {}  # every value its default: Store.open says what is wrong


def warning_fraction(policy_text: str | None) -> float:
    """``clock.warning_fraction`` of the store's policy, read without validating the rest."""
    value = _policy_value(policy_text, "clock", "warning_fraction")
    if isinstance(value, int | float) and 0 < value < 1:
        return float(value)
    return DEFAULT_WARNING_FRACTION


def liaison_after_days(policy_text: str | None) -> float:
    """``clock.liaison_after_days`` of the store's policy (the model's bounds and default)."""
    value = _policy_value(policy_text, "clock", "liaison_after_days")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 3650:
        return float(value)
    return 14.0


def liaison_role(policy_text: str | None) -> str:
    """``ladder.commissioner_liaison`` of the store's policy (the model's default)."""
    value = _policy_value(policy_text, "ladder", "commissioner_liaison")
    return value if isinstance(value, str) else "commissioner_liaison"
