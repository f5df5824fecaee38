"""The queue on the bare SQLite driver (`store/sqlite_driver.py`), without importing the ORM.

Opening the app used to wait for SQLAlchemy, SQLModel, the tables and the
pydantic policy (about 0.45 s of CPU) before the first row could be drawn, and
every headless ``panel-tui queue`` paid the same before printing a line. What
needs only the queue — the app's first page, the ``queue`` command — is read
here instead, from a read-only connection, with the same filter, order and
side lookups as ``orm_queries.queue_page`` in SQL text (a property test holds the
two equal, page for page, over random filters).

Only an existing SQLite file at this release's schema revision is read this
way: anything else (a new, older, newer or foreign file, or a database URL)
goes through ``Store.open``, which migrates, backs up and refuses as before.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from panel_tui.rules.clocks import DEFAULT_WARNING_FRACTION, utc
from panel_tui.rules.enums import Stage
from panel_tui.store.constants import (
    DEFAULT_KIND,
    DONE_ORDER_TERM,
    DONE_WHERE,
    KIND_KEY,
    LIVE_ORDER_TERM,
    LIVE_WHERE,
    POLICY_KEY,
)
from panel_tui.store.files import local_file, refuse_network_filesystem
from panel_tui.store.migrate import HEAD
from panel_tui.store.read import queue_models as shared  # the filter, as orm_queries reads it
from panel_tui.store.read.interrupt import Interrupt, attached
from panel_tui.store.read.queue_models import (
    QueueFilter,
    QueuePage,
    QueueRow,
    QueueRules,
    Section,
    queue_row,
)
from panel_tui.store.sqlite_driver import sqlite

#: Where a fallback from the quick read to the ORM is said (tests fail on any record here).
log = logging.getLogger("panel_tui.quickread")
log.addHandler(logging.NullHandler())


def fell_back(exc: BaseException) -> None:
    """The quick read failed and the ORM reads instead: logged, never silent.

    On a current store the quick read must never need this; tests/conftest.py fails
    any test in which it happens, so drift the property tests miss is seen.
    """
    log.warning("quick read fell back to the ORM: %s: %s", type(exc).__name__, exc)


# orm_queries._ROW_COLUMNS, in its order.
_COLUMNS = (
    "id, ref, person_ref, dispute_type, risk, agencies_label, current_stage, status, "
    "stage_entered_at, current_due_at, plan_holder_id, version, resolved_at, opened_at, "
    "review_due_on"
)


@dataclass(frozen=True)
class StoreHead:
    """What the app needs of a store before the ORM is loaded."""

    path: Path
    kind: str
    warning_fraction: float
    #: the policy's ``clock.liaison_after_days`` and ``ladder.commissioner_liaison``
    liaison_after_days: float = 14.0
    liaison_role: str = "commissioner_liaison"

    @property
    def rules(self) -> QueueRules:
        return QueueRules(
            warning_fraction=self.warning_fraction,
            liaison_after=timedelta(days=self.liaison_after_days),
            liaison_role=self.liaison_role,
        )


@contextmanager
def _read_only(path: Path) -> Iterator[sqlite.Connection]:
    with closing(sqlite.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as conn:
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
    except (sqlite.Error, TypeError):
        return None  # Store.open says what is wrong with it, in full
    policy_text = settings.get(POLICY_KEY)
    return StoreHead(
        path=path,
        kind=settings.get(KIND_KEY) or DEFAULT_KIND,
        warning_fraction=warning_fraction(policy_text),
        liaison_after_days=liaison_after_days(policy_text),
        liaison_role=liaison_role(policy_text),
    )


def _policy_value(policy_text: str | None, table: str, key: str) -> object:
    """``[table] key`` of the store's policy (the shipped one if none), read without
    validating the rest; None if it is not there."""
    if policy_text is None:
        policy_text = resources.files("panel_tui.rules").joinpath("default_policy.toml").read_text()
    try:
        return tomllib.loads(policy_text).get(table, {}).get(key)
    except (tomllib.TOMLDecodeError, AttributeError):
        return None


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


def _marks(values: Sequence) -> str:
    return ",".join("?" * len(values))


def _when(text: str | None) -> datetime | None:
    """Stored as naive UTC text (store/types.UTCDateTime); returned aware, as the ORM does."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


class _Dispute(NamedTuple):
    """_COLUMNS, named as ``queue_row`` reads them, times made aware."""

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
    opened_at: datetime
    review_due_on: date | None

    @classmethod
    def of(cls, r: tuple[Any, ...]) -> _Dispute:
        return cls._make(
            (
                *r[:8],
                _when(r[8]),
                _when(r[9]),
                r[10],
                r[11],
                _when(r[12]),
                _when(r[13]),
                None if r[14] is None else date.fromisoformat(r[14]),
            )
        )


def _stamp(moment: datetime) -> str:
    """A time as store/types.UTCDateTime stores it on SQLite (naive UTC text), to compare."""
    return utc(moment).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _filter_sql(
    conn: sqlite.Connection,
    f: QueueFilter,
    at: datetime,
    rules: QueueRules,
    *,
    steer: bool = True,
) -> tuple[str, list]:
    """``orm_queries._filtered`` as a WHERE clause over ``dispute`` and its parameters."""
    # The statuses as constants and the live order's own first column: see
    # orm_queries._filtered (each section's page walks its order index).
    closed = f.section is Section.CLOSED
    statuses = f.statuses()
    if statuses == shared.DONE:
        where = [DONE_WHERE]
    elif statuses == shared.LIVE:
        where = [LIVE_WHERE]
    else:  # reviews due: live and closed disputes alike (enum values: safe as constants)
        where = [f"status IN ({', '.join(repr(s) for s in statuses)})"]
    if steer and closed:  # a count goes through the status index more cheaply: no steer
        where.append(DONE_ORDER_TERM)
    elif steer and f.section is not Section.REVIEWS_DUE:  # that one walks its own index
        where.append(LIVE_ORDER_TERM)
    params: list = []
    if f.section is Section.BREACHED or f.breached:
        where.append("current_due_at <= ?")
        params.append(_stamp(at))
    if f.section is Section.DUE_TODAY:
        where.append("current_due_at > ? AND current_due_at < ?")
        params += [_stamp(at), _stamp(shared.end_of_local_day(at))]
    if f.section is Section.AT_PANEL:
        where.append("current_stage = ?")
        params.append(int(Stage.PANEL))
    if f.section is Section.PROVISIONAL_EXPIRING:
        where.append(
            "EXISTS (SELECT 1 FROM provisionalpackage AS p WHERE p.dispute_id = dispute.id "
            "AND p.status = 'active' AND p.ends_at > ? AND p.ends_at <= ?)"
        )
        params += [_stamp(at), _stamp(at + shared.EXPIRING_WITHIN)]
    if f.section is Section.PROVISIONAL_EXPIRED:
        where.append(
            "EXISTS (SELECT 1 FROM provisionalpackage AS p WHERE p.dispute_id = dispute.id "
            "AND p.status = 'active' AND p.ends_at <= ?)"
        )
        params.append(_stamp(at))
    if f.wants_reviews_due:  # dates are stored as YYYY-MM-DD text: they sort as dates
        where.append("review_due_on <= ?")
        params.append(shared.review_today(at).isoformat())
    if f.liaison_only:  # orm_queries._at_liaison
        where.append(
            f"status IN ({_marks(shared.LIVE)}) AND (current_stage = ? OR opened_at < ? OR EXISTS "
            "(SELECT 1 FROM stagerecord AS s WHERE s.dispute_id = dispute.id AND s.stage = ? "
            "AND ((s.left_at IS NULL AND s.due_at <= ?) "
            "OR (s.left_at IS NOT NULL AND s.due_at <= s.left_at))))"
        )
        params += [
            *shared.LIVE,
            shared.LIAISON_STAGE,
            _stamp(at - rules.liaison_after),
            shared.FINAL_STAGE,
            _stamp(at),
        ]
    if f.section is Section.MINE or f.mine:
        found = conn.execute(
            "SELECT id, roles FROM person WHERE login = ?", (f.mine or "",)
        ).fetchone()
        if found is None:  # not a user: nothing is theirs
            where.append("0")
        elif rules.liaison_role in found[1].split():  # and the disputes referred to them
            where.append("(plan_holder_id = ? OR opened_by_id = ? OR current_stage = ?)")
            params += [found[0], found[0], shared.LIAISON_STAGE]
        else:
            where.append("(plan_holder_id = ? OR opened_by_id = ?)")
            params += [found[0], found[0]]
    if f.due_within is not None:
        where.append("current_due_at <= ?")
        params.append(_stamp(at + f.due_within))
    for column, values in (
        ("dispute_type", f.types),
        ("risk", f.risks),
        ("current_stage", f.stages),
    ):
        if values:
            where.append(f"{column} IN ({_marks(values)})")
            params += list(values)
    if f.agencies:
        codes = [c.upper() for c in f.agencies]
        where.append(
            "EXISTS (SELECT 1 FROM disputeagency AS da JOIN agency AS a ON a.id = da.agency_id "
            f"WHERE da.dispute_id = dispute.id AND a.code IN ({_marks(codes)}))"
        )
        params += codes
    like = shared.like_pattern(f.text)
    if like:  # SQLite's LIKE ignores ASCII case, as the ORM's query relies on
        where.append(
            "("
            + " OR ".join(f"{c} LIKE ? ESCAPE '{shared.LIKE_ESCAPE}'" for c in shared.TEXT_COLUMNS)
            + ")"
        )
        params += [like] * len(shared.TEXT_COLUMNS)
    return " AND ".join(where), params


def agency_codes(head: StoreHead) -> list[str]:
    """``[a.code for a in queries.agencies(store)]``, on sqlite3."""
    with _read_only(head.path) as conn:
        return [code for (code,) in conn.execute("SELECT code FROM agency ORDER BY code")]


#: ``orm_queries._sort_key`` in SQL text, by sort key.
_SORT_SQL = {
    "ref": "ref",
    "type": "dispute_type",
    "risk": "CASE "
    + " ".join(f"WHEN risk = '{r}' THEN {n}" for n, r in enumerate(shared.RISK_RANK))
    + f" ELSE {len(shared.RISK_RANK)} END",
    "stage": "current_stage",
    "agencies": "agencies_label",
    "cover": "(SELECT min(agency.code) FROM agency JOIN interimcover "
    "ON interimcover.provider_agency_id = agency.id "
    "WHERE interimcover.dispute_id = dispute.id AND interimcover.active IS 1)",
    "provisional": "(SELECT min(provisionalpackage.ends_at) FROM provisionalpackage "
    "WHERE provisionalpackage.dispute_id = dispute.id AND provisionalpackage.status = 'active')",
    "holder": "(SELECT person.display_name FROM person WHERE person.id = dispute.plan_holder_id)",
}


def _order_sql(f: QueueFilter) -> str:
    """``orm_queries._order``: a chosen column (empty cells last), else newest resolved
    first in Closed, else most urgent first."""
    if f.sort is not None:
        if f.sort == "clock":
            key = "resolved_at" if f.section is Section.CLOSED else "current_due_at"
        else:
            key = _SORT_SQL[f.sort]
        direction = " DESC" if f.descending else ""
        return f"({key}) IS NULL, {key}{direction}, id{direction}"
    if f.section is Section.CLOSED:
        return "resolved_at DESC, id DESC"
    if f.section is Section.REVIEWS_DUE:
        return "review_due_on, id"
    return "current_due_at IS NULL, current_due_at, id"


def _count_sql(where: str, total_limit: int | None) -> str:
    """The number of matches, or of matches up to ``total_limit`` (it stops there)."""
    if total_limit is None:
        return f"SELECT count(*) FROM dispute WHERE {where}"
    return f"SELECT count(*) FROM (SELECT 1 FROM dispute WHERE {where} LIMIT {int(total_limit)})"


def page_sql(f: QueueFilter) -> str:
    """The page query's text, its WHERE left as ``{where}`` (tests EXPLAIN it)."""
    return (
        f"SELECT {_COLUMNS} FROM dispute WHERE {{where}} ORDER BY {_order_sql(f)} LIMIT ? OFFSET ?"
    )


def page(
    head: StoreHead,
    f: QueueFilter,
    at: datetime,
    *,
    offset: int = 0,
    limit: int = 100,
    total_limit: int | None = None,
    interrupt: Interrupt | None = None,
) -> QueuePage:
    """``orm_queries.queue_page(store, f, at, offset=..., limit=..., total_limit=...)``, on
    the bare driver; ``interrupt`` can stop it from another thread."""
    at = utc(at)
    with _read_only(head.path) as conn, attached(interrupt, conn):
        conn.execute("BEGIN")  # one snapshot for the count, the page and its lookups
        rules = head.rules
        where, params = _filter_sql(conn, f, at, rules)
        rows = [
            _Dispute.of(r)
            for r in conn.execute(page_sql(f).format(where=where), (*params, limit, max(0, offset)))
        ]
        total = 0
        if total_limit != 0 and offset <= 0 and len(rows) < limit:
            # The first page holds them all: counted already.
            total = len(rows) if total_limit is None else min(len(rows), total_limit)
        elif total_limit != 0:
            count_where, count_params = _filter_sql(conn, f, at, rules, steer=False)
            (total,) = conn.execute(_count_sql(count_where, total_limit), count_params).fetchone()
        built = _built(conn, rules, rows, at)
        conn.rollback()
    return QueuePage(rows=built, total=total, offset=offset, at=at)


def every_row(
    head: StoreHead, f: QueueFilter, at: datetime, *, limit: int | None = None, chunk: int = 1000
) -> list[QueueRow]:
    """``orm_queries.every_row``: the whole filtered queue in order, in one pass.

    One query read to its end in one snapshot (no OFFSET pages, each counting
    and skipping again what the last one read), its lookups a chunk at a time.
    """
    at = utc(at)
    out: list[QueueRow] = []
    with _read_only(head.path) as conn:
        conn.execute("BEGIN")
        rules = head.rules
        where, params = _filter_sql(conn, f, at, rules)
        cursor = conn.execute(
            page_sql(f).format(where=where), (*params, -1 if limit is None else limit, 0)
        )
        while batch := cursor.fetchmany(chunk):
            out += _built(conn, rules, [_Dispute.of(r) for r in batch], at)
        conn.rollback()
    return out


def _built(
    conn: sqlite.Connection, rules: QueueRules, rows: list[_Dispute], at: datetime
) -> list[QueueRow]:
    """Queue rows with their cover, package, plan holder and final-authority stage
    (``orm_queries._queue_rows``)."""
    ids = [r.id for r in rows]
    every_cover = conn.execute(
        "SELECT interimcover.dispute_id, agency.code, interimcover.active FROM interimcover "
        "JOIN agency ON agency.id = interimcover.provider_agency_id "
        f"WHERE interimcover.dispute_id IN ({_marks(ids)})",
        ids,
    ).fetchall()
    covers = {dispute_id: code for dispute_id, code, active in every_cover if active}
    covered = {dispute_id for dispute_id, _, _ in every_cover}
    packages = {
        dispute_id: _when(ends_at)
        for dispute_id, ends_at in conn.execute(
            "SELECT dispute_id, ends_at FROM provisionalpackage "
            f"WHERE dispute_id IN ({_marks(ids)}) AND status = 'active'",
            ids,
        )
    }
    stage3 = {
        dispute_id: (_when(due), _when(left))
        for dispute_id, due, left in conn.execute(
            "SELECT dispute_id, due_at, left_at FROM stagerecord "
            f"WHERE dispute_id IN ({_marks(ids)}) AND stage = ?",
            (*ids, shared.FINAL_STAGE),
        )
    }
    holder_ids = sorted({r.plan_holder_id for r in rows if r.plan_holder_id})
    holders = dict(
        conn.execute(
            f"SELECT id, display_name FROM person WHERE id IN ({_marks(holder_ids)})",
            holder_ids,
        ).fetchall()
    )
    return [queue_row(r, rules, at, covers, packages, holders, stage3, covered) for r in rows]
