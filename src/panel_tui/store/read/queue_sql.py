"""The queue's page in SQL text, for the quick readers on both drivers.

``orm_queries.queue_page`` written out as SQL, so the app's first page and the
``queue`` command can be read without importing the ORM: ``sqlite3_queue.py``
runs it on SQLite's driver, ``psycopg_queue.py`` on PostgreSQL's. The two
dialects differ in a few words and in how times travel, which ``Dialect``
says; everything else (the filter, the order, the count, the side lookups) is
the same text. Property tests hold both readers equal to the ORM's page.

Statements are written with ``?`` marks; a driver with another mark style
converts them (``Dialect.marks``). Nothing a user types is ever put in the text:
filters are parameters, constants are enum values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from panel_tui.rules.clocks import utc
from panel_tui.rules.enums import Stage
from panel_tui.store.constants import DONE_ORDER_TERM, DONE_WHERE, LIVE_ORDER_TERM, LIVE_WHERE
from panel_tui.store.read import live_text
from panel_tui.store.read import queue_models as shared  # the filter, as orm_queries reads it
from panel_tui.store.read.queue_models import (
    QueueFilter,
    QueuePage,
    QueueRow,
    QueueRules,
    Section,
    queue_row,
)

if TYPE_CHECKING:
    from panel_tui.store.read.live_text import FindText, TextIndex

#: Runs one statement (``?`` marks) with its parameters; its rows.
Run = Callable[[str, Sequence[Any]], Iterable[tuple[Any, ...]]]


def _sqlite_when(text: str | None) -> datetime | None:
    """Stored as naive UTC text (store/types.UTCDateTime); returned aware, as the ORM does.

    The offset is parsed with the text, not set after it: ``replace(tzinfo=UTC)`` costs
    about 2 µs a call on CPython 3.11, the parse with "+00:00" 0.3 µs, and a headless
    read parses four times a row (issue 13). Both give ``datetime.UTC`` itself.
    """
    return None if text is None else datetime.fromisoformat(text + "+00:00")


def _sqlite_stamp(moment: datetime) -> str:
    """A time as store/types.UTCDateTime stores it on SQLite (naive UTC text), to compare."""
    return utc(moment).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _pg_when(value: datetime | None) -> datetime | None:
    """A ``timestamp without time zone`` column holds UTC (store/types.UTCDateTime)."""
    return None if value is None else value.replace(tzinfo=UTC)


def _pg_stamp(moment: datetime) -> datetime:
    """Naive UTC, compared with the columns as ``timestamp`` (no session time zone)."""
    return utc(moment).replace(tzinfo=None)


class Dialect(NamedTuple):
    """What differs between the drivers' SQL and values; the rest of the text is shared."""

    name: str
    #: ``LIVE_ORDER_TERM`` (store/constants.py) in this dialect: booleans are 0/1 on SQLite
    live_order_term: str
    #: a condition no row meets
    nothing: str
    #: an active cover's flag (SQLAlchemy's ``is_(True)`` in this dialect)
    is_true: str
    #: the case-blind match the ORM uses here: SQLite's LIKE ignores ASCII case already
    like: str
    #: no limit, as a LIMIT parameter
    no_limit: int | None
    #: a time as the store compares it; a stored time as an aware datetime
    stamp: Callable[[datetime], Any]
    when: Callable[[Any], datetime | None]
    #: a day as the store compares it; a stored day as a date
    today: Callable[[date], Any]
    day: Callable[[Any], date | None]
    #: the statement's text with the driver's parameter marks
    marks: Callable[[str], str]


SQLITE = Dialect(
    name="sqlite",
    live_order_term=LIVE_ORDER_TERM,
    nothing="0",
    is_true="IS 1",
    like="LIKE",
    no_limit=-1,
    stamp=_sqlite_stamp,
    when=_sqlite_when,
    today=date.isoformat,  # dates are stored as YYYY-MM-DD text: they sort as dates
    day=_sqlite_day,
    marks=lambda sql: sql,
)

POSTGRES = Dialect(
    name="postgresql",
    live_order_term="(current_due_at IS NULL) IN (false, true)",
    nothing="false",
    is_true="IS true",
    like="ILIKE",  # the ORM's ilike: lower() on both sides, any letter (LIKE is case-exact)
    no_limit=None,
    stamp=_pg_stamp,
    when=_pg_when,
    today=lambda day: day,
    day=lambda value: value,
    # psycopg's marks are %s, and a literal % is written %%.
    marks=lambda sql: sql.replace("%", "%%").replace("?", "%s"),
)

# orm_queries._ROW_COLUMNS, in its order.
COLUMNS = (
    "id, ref, person_ref, dispute_type, risk, agencies_label, current_stage, status, "
    "stage_entered_at, current_due_at, plan_holder_id, version, resolved_at, opened_at, "
    "review_due_on"
)


class QuickDispute(NamedTuple):
    """COLUMNS, named as ``queue_row`` reads them, times made aware."""

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
    def of(cls, r: Sequence[Any], dialect: Dialect) -> QuickDispute:
        when = dialect.when
        return cls._make(
            (
                *r[:8],
                when(r[8]),
                when(r[9]),
                r[10],
                r[11],
                when(r[12]),
                when(r[13]),
                dialect.day(r[14]),
            )
        )


_new_dispute = tuple.__new__
_parse_time = datetime.fromisoformat
_parse_day = date.fromisoformat


def _sqlite_dispute(r: Sequence[Any]) -> QuickDispute:
    """``QuickDispute.of(r, SQLITE)`` spelt out: a headless read makes one for every row
    (10,000 for Breached at 1,000,000 disputes), and the generic one's five calls through
    the dialect and ``_make`` cost about twice this (issue 13)."""
    entered, due, resolved, opened, review = r[8], r[9], r[12], r[13], r[14]
    return _new_dispute(
        QuickDispute,
        (
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            None if entered is None else _parse_time(entered + "+00:00"),
            None if due is None else _parse_time(due + "+00:00"),
            r[10],
            r[11],
            None if resolved is None else _parse_time(resolved + "+00:00"),
            None if opened is None else _parse_time(opened + "+00:00"),
            None if review is None else _parse_day(review),
        ),
    )


def disputes(found: Iterable[Sequence[Any]], dialect: Dialect) -> list[QuickDispute]:
    """The store's rows of ``COLUMNS`` as QuickDisputes, times made aware."""
    if dialect is SQLITE:
        return [_sqlite_dispute(r) for r in found]
    return [QuickDispute.of(r, dialect) for r in found]


def marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


#: Finds a person by login: (id, roles) or None.
FindPerson = Callable[[str], "tuple[int, str] | None"]


class Reader(NamedTuple):
    """One read-only snapshot on a driver, as the shared SQL needs it (a driver's ``reading``)."""

    run: Run
    find_person: FindPerson
    dialect: Dialect
    #: a rare text search's candidates, from SQLite's live text index (``live_text.py``)
    find_text: TextIndex | None = None


#: WHERE terms and their parameters, in order.
Terms = tuple[list[str], list[Any]]


def filter_sql(
    find_person: FindPerson,
    dialect: Dialect,
    f: QueueFilter,
    at: datetime,
    rules: QueueRules,
    *,
    steer: bool = True,
    find_text: FindText | None = None,
    common: str | None = None,
) -> tuple[str, list[Any]]:
    """``orm_queries._filtered`` as a WHERE clause over ``dispute`` and its parameters,
    from the same four parts, in the same order; ``find_text`` narrows a rare text
    search to its candidates from the live text index (``live_text.py``), ``common``
    (a common term's phrase, ``TextIndex.common``) a common one to all its matches
    there: walked in order by a page, read by id by a count (``steer`` False)."""
    ids = _text_candidates(f, find_text)
    if ids is not None:
        common = None
    by_id = ids is not None or (common is not None and not steer)
    parts: tuple[Terms, ...] = (
        (_status_sql(dialect, f, steer, by_id=by_id), []),
        _section_sql(dialect, f, at),
        _person_sql(find_person, dialect, f, at, rules),
        _narrowing_sql(dialect, f, at, ids, common, walk=steer),
    )
    where = [term for terms, _ in parts for term in terms]
    params = [value for _, values in parts for value in values]
    return " AND ".join(where), params


def _status_sql(dialect: Dialect, f: QueueFilter, steer: bool, *, by_id: bool = False) -> list[str]:
    """The section's statuses, and the term that steers its page onto its order's index."""
    if by_id:
        # A rare text search's few candidates (``_text_candidates``, SQLite's live text
        # index) are read by id and sorted, and a common one's matches counted by id:
        # walking an order or status index instead would read every live row again.
        # ``+`` keeps the status term off the indexes (the planner's statistics think
        # statuses selective); no steer.
        return ["+" + LIVE_WHERE]
    # The statuses as constants and the live order's own first column: see
    # orm_queries._status_terms (each section's page walks its order index).
    statuses = f.statuses()
    if statuses == shared.DONE:
        where = [DONE_WHERE]
    elif statuses == shared.LIVE:
        where = [LIVE_WHERE]
    else:  # reviews due: live and closed disputes alike (enum values: safe as constants)
        where = [f"status IN ({', '.join(repr(s) for s in statuses)})"]
    # A count (steer=False) goes through the status index more cheaply: no steer. Mine's
    # is the exception: the live order index holds its terms (migration 0013) and
    # counts it from the index alone, where the status index read each live row from
    # the table to test its holder and opener (a 1M store's live rows: 84 -> 5 ms).
    steer = steer or ((f.section is Section.MINE or bool(f.mine)) and statuses == shared.LIVE)
    if steer and f.section is Section.CLOSED:
        where.append(DONE_ORDER_TERM)
    elif steer and f.section is not Section.REVIEWS_DUE:  # that one walks its own index
        where.append(dialect.live_order_term)
    return where


def _section_sql(dialect: Dialect, f: QueueFilter, at: datetime) -> Terms:
    """What the section (and the breached and reviews-due filters) asks of its disputes."""
    stamp = dialect.stamp
    where: list[str] = []
    params: list[Any] = []
    if f.section is Section.BREACHED or f.breached:
        where.append("current_due_at <= ?")
        params.append(stamp(at))
    if f.section is Section.DUE_TODAY:
        where.append("current_due_at > ? AND current_due_at < ?")
        params += [stamp(at), stamp(shared.end_of_local_day(at))]
    if f.section is Section.AT_PANEL:
        where.append("current_stage = ?")
        params.append(int(Stage.PANEL))
    if f.section is Section.PROVISIONAL_EXPIRING:
        where.append(
            "EXISTS (SELECT 1 FROM provisionalpackage AS p WHERE p.dispute_id = dispute.id "
            "AND p.status = 'active' AND p.ends_at > ? AND p.ends_at <= ?)"
        )
        params += [stamp(at), stamp(at + shared.EXPIRING_WITHIN)]
    if f.section is Section.PROVISIONAL_EXPIRED:
        where.append(
            "EXISTS (SELECT 1 FROM provisionalpackage AS p WHERE p.dispute_id = dispute.id "
            "AND p.status = 'active' AND p.ends_at <= ?)"
        )
        params.append(stamp(at))
    if f.wants_reviews_due:
        where.append("review_due_on <= ?")
        params.append(dialect.today(shared.review_today(at)))
    return where, params


def _person_sql(
    find_person: FindPerson, dialect: Dialect, f: QueueFilter, at: datetime, rules: QueueRules
) -> Terms:
    """At liaison, and Mine: the disputes a person holds, opened, or (the liaison) is
    referred to."""
    where: list[str] = []
    params: list[Any] = []
    if f.liaison_only:  # orm_queries._at_liaison
        where.append(
            f"status IN ({marks(shared.LIVE)}) AND (current_stage = ? OR opened_at < ? OR EXISTS "
            "(SELECT 1 FROM stagerecord AS s WHERE s.dispute_id = dispute.id AND s.stage = ? "
            "AND ((s.left_at IS NULL AND s.due_at <= ?) "
            "OR (s.left_at IS NOT NULL AND s.due_at <= s.left_at))))"
        )
        params += [
            *shared.LIVE,
            shared.LIAISON_STAGE,
            dialect.stamp(at - rules.liaison_after),
            shared.FINAL_STAGE,
            dialect.stamp(at),
        ]
    if f.section is Section.MINE or f.mine:
        found = find_person(f.mine or "")
        if found is None:  # not a user: nothing is theirs
            where.append(dialect.nothing)
        elif rules.liaison_role in found[1].split():  # and the disputes referred to them
            where.append("(plan_holder_id = ? OR opened_by_id = ? OR current_stage = ?)")
            params += [found[0], found[0], shared.LIAISON_STAGE]
        else:
            where.append("(plan_holder_id = ? OR opened_by_id = ?)")
            params += [found[0], found[0]]
    return where, params


def _text_candidates(f: QueueFilter, find_text: FindText | None) -> list[int] | None:
    """The disputes a live section's text search can match, from the live text index,
    when they are few; None: the search scans (no index, a common term, or a section
    with closed disputes, which the index does not hold)."""
    if find_text is None or not set(f.statuses()) <= set(shared.LIVE):
        return None
    return find_text(f.text) if shared.like_pattern(f.text) else None


def _narrowing_sql(
    dialect: Dialect,
    f: QueueFilter,
    at: datetime,
    ids: list[int] | None = None,
    common: str | None = None,
    *,
    walk: bool = True,
) -> Terms:
    """The filter's narrowing: due within, type, risk, stage, agency, and the text."""
    where: list[str] = []
    params: list[Any] = []
    if f.due_within is not None:
        where.append("current_due_at <= ?")
        params.append(dialect.stamp(at + f.due_within))
    for column, values in (
        ("dispute_type", f.types),
        ("risk", f.risks),
        ("current_stage", f.stages),
    ):
        if values:
            where.append(f"{column} IN ({marks(values)})")
            params += list(values)
    if f.agencies:
        codes = [c.upper() for c in f.agencies]
        where.append(
            "EXISTS (SELECT 1 FROM disputeagency AS da JOIN agency AS a ON a.id = da.agency_id "
            f"WHERE da.dispute_id = dispute.id AND a.code IN ({marks(codes)}))"
        )
        params += codes
    like = shared.like_pattern(f.text)
    if ids is not None:  # a rare term: only its candidates, still checked by the LIKE
        where.append(f"id IN ({marks(ids)})" if ids else dialect.nothing)
        params += ids
    if common is not None:  # a common term: only the index's matches, still checked
        # Walked (a page): ``+`` keeps the planner on the order index, each entry tested
        # against the matches' list, the table row read only for a match. Counted: the
        # matches are read by id (the status term has ``+``: ``_status_sql``).
        where.append(("+id" if walk else "id") + f" IN ({live_text.MATCHES})")
        params.append(common)
    if like:  # the ORM's match in this dialect (orm_queries._narrowing_terms says why)
        where.append(
            "("
            + " OR ".join(
                f"{c} {dialect.like} ? ESCAPE '{shared.LIKE_ESCAPE}'" for c in shared.TEXT_COLUMNS
            )
            + ")"
        )
        params += [like] * len(shared.TEXT_COLUMNS)
    return where, params


def _sort_sql(key: str, dialect: Dialect) -> str:
    """``orm_queries._sort_key`` in SQL text."""
    match key:
        case "ref":
            return "ref"
        case "type":
            return "dispute_type"
        case "risk":
            return (
                "CASE "
                + " ".join(f"WHEN risk = '{r}' THEN {n}" for n, r in enumerate(shared.RISK_RANK))
                + f" ELSE {len(shared.RISK_RANK)} END"
            )
        case "stage":
            return "current_stage"
        case "agencies":
            return "agencies_label"
        case "cover":
            return (
                "(SELECT min(agency.code) FROM agency JOIN interimcover "
                "ON interimcover.provider_agency_id = agency.id "
                "WHERE interimcover.dispute_id = dispute.id "
                f"AND interimcover.active {dialect.is_true})"
            )
        case "provisional":
            return (
                "(SELECT min(provisionalpackage.ends_at) FROM provisionalpackage "
                "WHERE provisionalpackage.dispute_id = dispute.id "
                "AND provisionalpackage.status = 'active')"
            )
        case "holder":
            return (
                "(SELECT person.display_name FROM person WHERE person.id = dispute.plan_holder_id)"
            )
    raise ValueError(f"cannot sort by {key!r}")


def _order_terms(f: QueueFilter, dialect: Dialect) -> list[tuple[str, bool]]:
    """``orm_queries._order`` as (expression, descending) terms: a chosen column (empty
    cells last), else newest resolved first in Closed, else most urgent first. Each
    order ends in ``id``, so it is total and every term flipped is its exact reverse."""
    if f.sort is not None:
        if f.sort == "clock":
            key = "resolved_at" if f.section is Section.CLOSED else "current_due_at"
        else:
            key = _sort_sql(f.sort, dialect)
        return [(f"({key}) IS NULL", False), (key, f.descending), ("id", f.descending)]
    if f.section is Section.CLOSED:
        return [("resolved_at", True), ("id", True)]
    if f.section is Section.REVIEWS_DUE:
        return [("review_due_on", False), ("id", False)]
    return [("current_due_at IS NULL", False), ("current_due_at", False), ("id", False)]


def order_sql(f: QueueFilter, dialect: Dialect, *, backwards: bool = False) -> str:
    """The filter's ORDER BY terms; ``backwards``: the same order from its last row."""
    return ", ".join(
        term + (" DESC" if descending is not backwards else "")
        for term, descending in _order_terms(f, dialect)
    )


def count_sql(where: str, total_limit: int | None) -> str:
    """The number of matches, or of matches up to ``total_limit`` (it stops there)."""
    if total_limit is None:
        return f"SELECT count(*) FROM dispute WHERE {where}"
    return (
        f"SELECT count(*) FROM (SELECT 1 FROM dispute WHERE {where} "
        f"LIMIT {int(total_limit)}) AS matches"
    )


def page_sql(f: QueueFilter, dialect: Dialect) -> str:
    """The page query's text, its WHERE left as ``{where}`` (tests EXPLAIN it)."""
    return _in_order(f, dialect, COLUMNS, "LIMIT ? OFFSET ?")


def _in_order(
    f: QueueFilter,
    dialect: Dialect,
    columns: str,
    tail: str,
    key: str = "",
    *,
    backwards: bool = False,
) -> str:
    """``columns`` of the disputes the filter matches (``{where}``, then ``key``'s terms),
    in its order (``backwards``: from the last), then ``tail`` (the LIMIT and OFFSET)."""
    return (
        f"SELECT {columns} FROM dispute WHERE {{where}}{key} "
        f"ORDER BY {order_sql(f, dialect, backwards=backwards)} {tail}"
    )


def keyset(f: QueueFilter) -> bool:
    """Whether a page past the first is read from a key instead of by OFFSET: Closed in its
    own order (newest resolved first), whose key ``(resolved_at, id)`` is its order index.

    OFFSET makes PostgreSQL sort every closed dispute for a deep page (its planner
    prefers that to walking the index with a row fetch per skipped row). By key, the
    row at the offset is found by walking the order index alone (``key_sql``: an
    index-only scan), then the page is one short range of it (``keyed_page_sql``).
    """
    return f.section is Section.CLOSED and f.sort is None


def key_sql(f: QueueFilter, dialect: Dialect) -> str:
    """The key of the page's first row (the row at the offset), its WHERE left as ``{where}``."""
    return _in_order(f, dialect, "resolved_at, id", "LIMIT 1 OFFSET ?")


def keyed_page_sql(f: QueueFilter, dialect: Dialect) -> str:
    """The page from a key on (``keyset``): that row and the ones after it, newest first."""
    return _in_order(f, dialect, COLUMNS, "LIMIT ?", key=" AND (resolved_at, id) <= (?, ?)")


def page_rows(
    run: Run,
    dialect: Dialect,
    f: QueueFilter,
    filtered: tuple[str, list[Any]],
    offset: int,
    limit: int,
    total: int | None = None,
) -> list[QuickDispute]:
    """The page's disputes: ``limit`` of them from ``offset`` in the filter's order, by
    key where ``keyset`` says so (the key passed back as the store gave it), else OFFSET.
    Given ``total`` (the matches' number, when the caller has counted them), a page in
    the list's second half is read from its end (``_from_the_end``)."""
    where, params = filtered
    if total is not None and _from_end(offset, total):
        return _from_the_end(run, dialect, f, filtered, total - offset, limit)
    if offset > 0 and keyset(f):
        key = next(iter(run(key_sql(f, dialect).format(where=where), (*params, offset))), None)
        if key is None:  # past the end
            return []
        found = run(keyed_page_sql(f, dialect).format(where=where), (*params, *key, limit))
    else:
        found = run(page_sql(f, dialect).format(where=where), (*params, limit, max(0, offset)))
    return disputes(found, dialect)


def _from_end(offset: int, total: int) -> bool:
    """Whether the page at ``offset`` is read from the end of a list of ``total``."""
    return offset > 0 and 2 * offset >= total


def _skipped(offset: int, limit: int, total: int | None) -> int:
    """The matches a page's read walks past before its first (``page_rows``)."""
    if total is not None and _from_end(offset, total):
        return max(0, total - offset - limit)
    return max(0, offset)


def _from_the_end(
    run: Run,
    dialect: Dialect,
    f: QueueFilter,
    filtered: tuple[str, list[Any]],
    left: int,
    limit: int,
) -> list[QuickDispute]:
    """The page whose first row has ``left`` rows from it to the end of the list, read in
    the reverse order and turned round. Reading from the start skips every row before
    the page: End in Closed at 1,000,000 disputes walked 950,000 index entries (43-53
    ms); from the end it skips at most half the list, and for End nothing. Closed is
    read by key as ``page_rows`` does (its last row's key, then one range up to it)."""
    where, params = filtered
    wanted = min(limit, left)
    if wanted <= 0:  # past the end
        return []
    skip = left - wanted  # rows after the page's last
    if keyset(f):
        key_query = _in_order(f, dialect, "resolved_at, id", "LIMIT 1 OFFSET ?", backwards=True)
        key = next(iter(run(key_query.format(where=where), (*params, skip))), None)
        if key is None:  # fewer rows than counted: the store changed since
            return []
        range_query = _in_order(
            f, dialect, COLUMNS, "LIMIT ?", key=" AND (resolved_at, id) >= (?, ?)", backwards=True
        )
        found = list(run(range_query.format(where=where), (*params, *key, wanted)))
    else:
        query = _in_order(f, dialect, COLUMNS, "LIMIT ? OFFSET ?", backwards=True)
        found = list(run(query.format(where=where), (*params, wanted, skip)))
    found.reverse()
    return disputes(found, dialect)


def built(
    run: Run, dialect: Dialect, rules: QueueRules, rows: list[QuickDispute], at: datetime
) -> list[QueueRow]:
    """Queue rows with their cover, package, plan holder and final-authority stage
    (``orm_queries._queue_rows``)."""
    if not rows:
        return []
    when = dialect.when
    ids = [r.id for r in rows]
    every_cover = list(
        run(
            "SELECT interimcover.dispute_id, agency.code, interimcover.active FROM interimcover "
            "JOIN agency ON agency.id = interimcover.provider_agency_id "
            f"WHERE interimcover.dispute_id IN ({marks(ids)})",
            ids,
        )
    )
    covers = {dispute_id: code for dispute_id, code, active in every_cover if active}
    covered = {dispute_id for dispute_id, _, _ in every_cover}
    packages = {
        dispute_id: when(ends_at)
        for dispute_id, ends_at in run(
            "SELECT dispute_id, ends_at FROM provisionalpackage "
            f"WHERE dispute_id IN ({marks(ids)}) AND status = 'active'",
            ids,
        )
    }
    stage3 = {
        dispute_id: (when(due), when(left))
        for dispute_id, due, left in run(
            "SELECT dispute_id, due_at, left_at FROM stagerecord "
            f"WHERE dispute_id IN ({marks(ids)}) AND stage = ?",
            (*ids, shared.FINAL_STAGE),
        )
    }
    holder_ids = sorted({r.plan_holder_id for r in rows if r.plan_holder_id})
    holders: dict[int, str] = {}
    if holder_ids:
        holders = dict(
            run(
                f"SELECT id, display_name FROM person WHERE id IN ({marks(holder_ids)})",
                holder_ids,
            )
        )
    today = shared.review_today(at)  # once for the page, not once a row
    return [
        queue_row(r, rules, at, covers, packages, holders, stage3, covered, today) for r in rows
    ]


def read_page(
    reader: Reader,
    rules: QueueRules,
    f: QueueFilter,
    at: datetime,
    offset: int,
    limit: int,
    total_limit: int | None,
    known_total: int | None = None,
) -> QueuePage:
    """``orm_queries.queue_page`` in one snapshot on either driver: the page, its count
    (none after the first page: ``total_limit`` 0) and its rows' lookups; ``known_total``,
    the matches counted before, lets a deep page be read from the end (``page_rows``)."""
    run, find, dialect, find_text = reader
    common = _common_term(reader, f)
    # A deep page of a common term walks only its matches (``live_text.WALK``).
    deep = common is not None and _skipped(offset, limit, known_total) >= live_text.WALK * common[1]
    filtered = filter_sql(
        find,
        dialect,
        f,
        at,
        rules,
        find_text=find_text,
        common=common[0] if common is not None and deep else None,
    )
    rows = page_rows(run, dialect, f, filtered, offset, limit, known_total)
    total = 0
    if total_limit != 0 and offset <= 0 and len(rows) < limit:
        # The first page holds them all: counted already.
        total = len(rows) if total_limit is None else min(len(rows), total_limit)
    elif (
        total_limit is not None
        and total_limit > 0
        and _enough_candidates(reader, rules, f, at, total_limit)
    ):
        total = total_limit
    elif total_limit != 0:
        # The exact count of a common term reads its matches by id (a capped one stops
        # early along the status index instead).
        phrase = common[0] if common is not None and total_limit is None else None
        count_where, count_params = filter_sql(
            find, dialect, f, at, rules, steer=False, find_text=find_text, common=phrase
        )
        (total,) = next(iter(run(count_sql(count_where, total_limit), count_params)))
    return QueuePage(rows=built(run, dialect, rules, rows, at), total=total, offset=offset, at=at)


def _common_term(reader: Reader, f: QueueFilter) -> tuple[str, float] | None:
    """A live section's common search term, as ``TextIndex.common`` gives it, or None."""
    text_index = reader.find_text
    if text_index is None or not set(f.statuses()) <= set(shared.LIVE):
        return None
    return text_index.common(f.text) if shared.like_pattern(f.text) else None


def _enough_candidates(
    reader: Reader, rules: QueueRules, f: QueueFilter, at: datetime, total_limit: int
) -> bool:
    """Whether a common term's first candidates from the live text index already hold
    ``total_limit`` matches: then so does the whole list, and its count capped there is
    that limit. Counted among those few thousand rows read by id, not along the order
    until the limit (which read most live rows for a term in a few thousand of them)."""
    run, find, dialect, text_index = reader
    if text_index is None or not set(f.statuses()) <= set(shared.LIVE):
        return False
    first = text_index.first(f.text) if shared.like_pattern(f.text) else []
    if len(first) < total_limit:
        return False
    where, params = filter_sql(find, dialect, f, at, rules, steer=False, find_text=lambda _: first)
    (counted,) = next(iter(run(count_sql(where, total_limit), params)))
    return bool(counted >= total_limit)


def read_every_row(
    reader: Reader, rules: QueueRules, f: QueueFilter, at: datetime, limit: int | None, chunk: int
) -> list[QueueRow]:
    """``orm_queries.every_row`` in one snapshot on either driver: one query read to its
    end, its rows' lookups a chunk at a time."""
    run, find, dialect, find_text = reader
    where, params = filter_sql(find, dialect, f, at, rules, find_text=find_text)
    found = iter(
        run(
            page_sql(f, dialect).format(where=where),
            (*params, dialect.no_limit if limit is None else limit, 0),
        )
    )
    out: list[QueueRow] = []
    while batch := list(islice(found, chunk)):
        out += built(run, dialect, rules, disputes(batch, dialect), at)
    return out
