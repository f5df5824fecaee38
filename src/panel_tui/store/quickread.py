"""The queue's first page on the stdlib sqlite3 driver, before the ORM is imported.

Opening the app used to wait for SQLAlchemy, SQLModel, the tables and the
pydantic policy (about 0.45 s of CPU) before the first row could be drawn.
What a duty lead sees on opening — the first page of All open, unfiltered —
is read here instead, from a read-only connection, with the same filter,
order and side lookups as ``queries.queue_page`` (a test holds the two
equal, row for row). The app opens the full Store after that first paint.

Only an existing SQLite file at this release's schema revision is read this
way: anything else (a new, older, newer or foreign file, or a database URL)
goes through ``Store.open``, which migrates, backs up and refuses as before.
"""

from __future__ import annotations

import sqlite3
import tomllib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from panel_tui.rules.clocks import DEFAULT_WARNING_FRACTION, utc
from panel_tui.rules.enums import Status
from panel_tui.store.files import local_file, refuse_network_filesystem
from panel_tui.store.migrate import HEAD
from panel_tui.store.queue_models import QueuePage, queue_row

POLICY_KEY = "policy"
KIND_KEY = "store_kind"  # "real" | "demo" | "test"
#: A demo store opens as its duty lead (the person is made in demo/texts.py).
DEMO_LOGIN = "duty"

_LIVE = (Status.OPEN.value, Status.DECIDED.value)

# queries._ROW_COLUMNS, in its order.
_PAGE_SQL = """
SELECT id, ref, person_ref, dispute_type, risk, agencies_label, current_stage, status,
       stage_entered_at, current_due_at, plan_holder_id, version, resolved_at
FROM dispute
WHERE status IN (?, ?)
ORDER BY current_due_at IS NULL, current_due_at, id
LIMIT ? OFFSET ?
"""


@dataclass(frozen=True)
class StoreHead:
    """What the app needs of a store before the ORM is loaded."""

    path: Path
    kind: str
    warning_fraction: float


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as conn:
        yield conn


def peek(db: str | None) -> StoreHead | None:
    """The store ``--db`` names, if it can be read at once; None means: open it fully.

    A store on a network filesystem is refused here as ``Store.open`` would
    refuse it (StoreError), before anything is shown from it.
    """
    path = local_file(db)
    if path is None or not path.is_file():
        return None
    refuse_network_filesystem(path)
    try:
        with _read_only(path) as conn:
            (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if revision != HEAD:
                return None
            settings = dict(
                conn.execute(
                    "SELECT key, value FROM setting WHERE key IN (?, ?)", (KIND_KEY, POLICY_KEY)
                ).fetchall()
            )
    except (sqlite3.Error, TypeError):
        return None  # Store.open says what is wrong with it, in full
    return StoreHead(
        path=path,
        kind=settings.get(KIND_KEY) or "real",
        warning_fraction=warning_fraction(settings.get(POLICY_KEY)),
    )


def warning_fraction(policy_text: str | None) -> float:
    """``clock.warning_fraction`` of the store's policy, read without validating the rest."""
    if policy_text is None:
        policy_text = resources.files("panel_tui.rules").joinpath("default_policy.toml").read_text()
    try:
        value = tomllib.loads(policy_text).get("clock", {}).get("warning_fraction")
    except (tomllib.TOMLDecodeError, AttributeError):
        value = None
    if isinstance(value, int | float) and 0 < value < 1:
        return float(value)
    return DEFAULT_WARNING_FRACTION


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def _when(text: str | None) -> datetime | None:
    """Stored as naive UTC text (store/types.UTCDateTime); returned aware, as the ORM does."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


class _Dispute(NamedTuple):
    """_PAGE_SQL's columns, named as ``queue_row`` reads them, times made aware."""

    id: int
    ref: str
    person_ref: str
    dispute_type: str
    risk: str
    agencies_label: str
    current_stage: int
    status: str
    stage_entered_at: datetime | None
    current_due_at: datetime | None
    plan_holder_id: int | None
    version: int
    resolved_at: datetime | None

    @classmethod
    def of(cls, r: tuple) -> _Dispute:
        return cls(*r[:8], _when(r[8]), _when(r[9]), r[10], r[11], _when(r[12]))


def first_page(head: StoreHead, at: datetime, *, offset: int = 0, limit: int = 100) -> QueuePage:
    """``queries.queue_page(store, QueueFilter(), at, offset=offset, limit=limit)``, on sqlite3."""
    at = utc(at)
    with _read_only(head.path) as conn:
        conn.execute("BEGIN")  # one snapshot for the count, the page and its lookups
        (total,) = conn.execute(
            "SELECT count(*) FROM dispute WHERE status IN (?, ?)", _LIVE
        ).fetchone()
        rows = [_Dispute.of(r) for r in conn.execute(_PAGE_SQL, (*_LIVE, limit, max(0, offset)))]
        ids = [r.id for r in rows]
        covers = dict(
            conn.execute(
                "SELECT interimcover.dispute_id, agency.code FROM interimcover "
                "JOIN agency ON agency.id = interimcover.provider_agency_id "
                f"WHERE interimcover.dispute_id IN ({_marks(ids)}) AND interimcover.active IS 1",
                ids,
            ).fetchall()
        )
        packages = {
            dispute_id: _when(ends_at)
            for dispute_id, ends_at in conn.execute(
                "SELECT dispute_id, ends_at FROM provisionalpackage "
                f"WHERE dispute_id IN ({_marks(ids)}) AND status = 'active'",
                ids,
            )
        }
        holder_ids = sorted({r.plan_holder_id for r in rows if r.plan_holder_id})
        holders = dict(
            conn.execute(
                f"SELECT id, display_name FROM person WHERE id IN ({_marks(holder_ids)})",
                holder_ids,
            ).fetchall()
        )
        conn.rollback()
    return QueuePage(
        rows=[queue_row(r, head.warning_fraction, at, covers, packages, holders) for r in rows],
        total=total,
        offset=offset,
        at=at,
    )
