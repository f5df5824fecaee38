"""The ledger's read path: the paged queue, one dispute in full, people and agencies.

The queue never loads the whole store: it fetches one window (LIMIT/OFFSET
along the section's order index; in Closed, a page past the first from its
first row's key: ``queue_sql.keyset``) and counts the matches, in the same query where the
filter reads every candidate row anyway (a text search), else apart; then it
looks up cover, packages and plan holders for just that window's ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    and_,
    case,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from panel_tui.rules.clocks import utc
from panel_tui.rules.enums import Stage
from panel_tui.rules.policy import Policy
from panel_tui.store.db import Store
from panel_tui.store.models import (
    Agency,
    Dispute,
    DisputeAgency,
    InterimCover,
    Person,
    ProvisionalPackage,
    StageRecord,
)
from panel_tui.store.read import live_text
from panel_tui.store.read.interrupt import Interrupt, attached
from panel_tui.store.read.people_models import AgencyView, PersonEvent, PersonView
from panel_tui.store.read.queue_models import (
    EXPIRING_WITHIN,
    FINAL_STAGE,
    LIAISON_STAGE,
    LIKE_ESCAPE,
    LIVE,
    RISK_RANK,
    TEXT_COLUMNS,
    QueueFilter,
    QueuePage,
    QueueRow,
    QueueRules,
    Section,
    end_of_local_day,
    like_pattern,
    queue_row,
    review_today,
)
from panel_tui.store.read.queue_sql import keyset
from panel_tui.store.types import UTCDateTime

# Any select: filtering and ordering keep the columns it returns.
_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def queue_rules(store: Store) -> QueueRules:
    """What the queue reads of the store's policy."""
    return queue_rules_of(store.policy())


def queue_rules_of(policy: Policy) -> QueueRules:
    """What the queue reads of ``policy``."""
    return QueueRules(
        warning_fraction=policy.clock.warning_fraction,
        liaison_after=policy.liaison_after,
        liaison_role=policy.ladder.commissioner_liaison,
    )


def _at_liaison(at: datetime, rules: QueueRules) -> Any:
    """``QueueRow.liaison`` as SQL: live, and at liaison, open past the limit, or stage 3
    breached (its due time reached before it was left, or by ``at``)."""
    d, sr = Dispute, StageRecord
    return and_(
        col(d.status).in_(LIVE),
        or_(
            col(d.current_stage) == LIAISON_STAGE,
            col(d.opened_at) < at - rules.liaison_after,
            exists().where(
                col(sr.dispute_id) == col(d.id),
                col(sr.stage) == FINAL_STAGE,
                or_(
                    and_(col(sr.left_at).is_(None), col(sr.due_at) <= at),
                    and_(col(sr.left_at).is_not(None), col(sr.due_at) <= col(sr.left_at)),
                ),
            ),
        ),
    )


def _filtered(
    query: _Query,
    f: QueueFilter,
    at: datetime,
    session: Session,
    rules: QueueRules,
    *,
    steer: bool = True,
    text_index: bool = True,
) -> _Query:
    """``query`` with the filter's WHERE; ``steer=False`` leaves out the terms that only
    steer a page onto its order index (a count is cheaper through the status index);
    ``text_index=False``, the scan a common text search keeps (tests EXPLAIN it).
    The terms come in the order ``sqlite3_queue._filter_sql`` writes them."""
    ids = _text_candidates(f, session) if text_index else None
    return query.where(
        *_status_terms(f, steer, by_id=ids is not None),
        *_section_terms(f, at),
        *_person_terms(f, at, session, rules),
        *_narrowing_terms(f, at, session, ids),
    )


def _text_candidates(f: QueueFilter, session: Session) -> list[int] | None:
    """``queue_sql._text_candidates``: a rare search's candidates from SQLite's live text
    index (migration 0014), for a live section; None: the search scans."""
    if session.get_bind().dialect.name != "sqlite" or not set(f.statuses()) <= set(LIVE):
        return None
    if not like_pattern(f.text):
        return None
    connection = session.connection()

    def run(sql: str, params: Sequence[Any]) -> Any:
        return connection.exec_driver_sql(sql, tuple(params))

    def has_index() -> bool:
        found = run(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [live_text.TABLE]
        )
        return found.first() is not None

    return live_text.TextIndex(run, has_index)(f.text)


def _status_terms(f: QueueFilter, steer: bool, *, by_id: bool = False) -> list[Any]:
    """The section's statuses, and the term that steers its page onto its order's index."""
    d = Dispute
    if by_id:  # a rare search's candidates, read by id and sorted (queue_sql._status_sql)
        return [literal_column("+status").in_([literal_column(f"'{s}'") for s in LIVE])]
    # The statuses as constants, not parameters: only then can SQLite use the partial
    # index of the section's order (migration 0009), which holds just these rows.
    terms = [col(d.status).in_([literal_column(f"'{s}'") for s in f.statuses()])]
    if steer and f.section is Section.CLOSED:
        # Always true of a resolved dispute (DONE_ORDER_TERM): it steers SQLite onto the
        # closed order's index instead of the status index and a sort of every match.
        terms.append(col(d.resolved_at).is_not(None))
    elif steer and f.section is not Section.REVIEWS_DUE:  # that one walks its own index
        # Always true (LIVE_ORDER_TERM); it names the live order's first column, so the
        # page walks that index in order instead of sorting every live row.
        terms.append(col(d.current_due_at).is_(None).in_([false(), true()]))
    return terms


def _section_terms(f: QueueFilter, at: datetime) -> list[Any]:
    """What the section (and the breached and reviews-due filters) asks of its disputes."""
    d, package = Dispute, ProvisionalPackage
    terms: list[Any] = []
    if f.section is Section.BREACHED or f.breached:
        terms.append(col(d.current_due_at) <= at)
    if f.section is Section.DUE_TODAY:
        terms += [col(d.current_due_at) > at, col(d.current_due_at) < end_of_local_day(at)]
    if f.section is Section.AT_PANEL:
        terms.append(col(d.current_stage) == int(Stage.PANEL))
    if f.section is Section.PROVISIONAL_EXPIRING:  # expiring, not yet expired
        terms.append(
            exists().where(
                col(package.dispute_id) == col(d.id),
                col(package.status) == "active",
                col(package.ends_at) > at,
                col(package.ends_at) <= at + EXPIRING_WITHIN,
            )
        )
    if f.section is Section.PROVISIONAL_EXPIRED:  # past the deadline, next step not taken
        terms.append(
            exists().where(
                col(package.dispute_id) == col(d.id),
                col(package.status) == "active",
                col(package.ends_at) <= at,
            )
        )
    if f.wants_reviews_due:
        terms.append(col(d.review_due_on) <= review_today(at))
    return terms


def _person_terms(f: QueueFilter, at: datetime, session: Session, rules: QueueRules) -> list[Any]:
    """At liaison, and Mine: the disputes a person holds, opened, or (the liaison) is
    referred to."""
    d = Dispute
    terms: list[Any] = []
    if f.liaison_only:
        terms.append(_at_liaison(at, rules))
    if f.section is not Section.MINE and not f.mine:
        return terms
    login = f.mine if f.section is not Section.MINE or f.mine else None
    person = session.execute(
        select(col(Person.id), col(Person.roles)).where(col(Person.login) == (login or ""))
    ).first()
    if person is None:  # not a user: nothing is theirs (== None would match no holder)
        return [*terms, false()]
    theirs = [d.plan_holder_id == person.id, d.opened_by_id == person.id]
    if rules.liaison_role in person.roles.split():  # the disputes referred to them
        theirs.append(d.current_stage == LIAISON_STAGE)
    return [*terms, or_(*theirs)]


def _narrowing_terms(
    f: QueueFilter, at: datetime, session: Session, ids: list[int] | None = None
) -> list[Any]:
    """The filter's narrowing: due within, type, risk, stage, agency, and the text (a rare
    one's candidates first, ``ids``)."""
    d = Dispute
    terms: list[Any] = []
    if f.due_within is not None:
        terms.append(col(d.current_due_at) <= at + f.due_within)
    if f.types:
        terms.append(col(d.dispute_type).in_(f.types))
    if f.risks:
        terms.append(col(d.risk).in_(f.risks))
    if f.stages:
        terms.append(col(d.current_stage).in_(f.stages))
    if f.agencies:
        codes = [c.upper() for c in f.agencies]
        terms.append(
            exists().where(
                col(DisputeAgency.dispute_id) == col(d.id),
                col(DisputeAgency.agency_id) == col(Agency.id),
                col(Agency.code).in_(codes),
            )
        )
    if ids is not None:
        terms.append(col(d.id).in_(ids) if ids else false())
    like = like_pattern(f.text)
    if like:
        # SQLite's LIKE already ignores case, for ASCII letters only, as its lower()
        # does: ilike's lower(x) LIKE lower(y) matches the same rows there at about
        # twice the cost. Elsewhere (PostgreSQL) ilike is the case-blind match.
        sqlite = session.get_bind().dialect.name == "sqlite"
        terms.append(
            or_(
                *(
                    column.like(like, escape=LIKE_ESCAPE)
                    if sqlite
                    else column.ilike(like, escape=LIKE_ESCAPE)
                    for column in (getattr(d, name) for name in TEXT_COLUMNS)
                )
            )
        )
    return terms


def _sort_key(f: QueueFilter) -> Any:
    """The column ``f.sort`` names, as an expression over ``dispute`` (see SORT_KEYS)."""
    d = Dispute
    match f.sort:
        case "ref":
            return col(d.ref)
        case "type":
            return col(d.dispute_type)
        case "risk":
            return case(
                *((col(d.risk) == r, n) for n, r in enumerate(RISK_RANK)), else_=len(RISK_RANK)
            )
        case "stage":
            return col(d.current_stage)
        case "clock":
            return col(d.resolved_at) if f.section is Section.CLOSED else col(d.current_due_at)
        case "agencies":
            return col(d.agencies_label)
        case "cover":
            return (
                select(func.min(col(Agency.code)))
                .join(InterimCover, col(InterimCover.provider_agency_id) == col(Agency.id))
                .where(
                    col(InterimCover.dispute_id) == col(d.id), col(InterimCover.active).is_(True)
                )
                .scalar_subquery()
            )
        case "provisional":
            return (
                select(func.min(col(ProvisionalPackage.ends_at)))
                .where(
                    col(ProvisionalPackage.dispute_id) == col(d.id),
                    col(ProvisionalPackage.status) == "active",
                )
                .scalar_subquery()
            )
        case "holder":
            return (
                select(col(Person.display_name))
                .where(col(Person.id) == col(d.plan_holder_id))
                .scalar_subquery()
            )
    raise ValueError(f"cannot sort by {f.sort!r}")


def _order(f: QueueFilter) -> tuple[Any, ...]:
    d = Dispute
    if f.sort is not None:
        # Empty cells last both ways (SQLite and PostgreSQL disagree on where NULL sorts).
        key = _sort_key(f)
        if f.descending:
            return (key.is_(None), key.desc(), col(d.id).desc())
        return (key.is_(None), key, col(d.id))
    if f.section is Section.CLOSED:
        # Newest first walks the resolved_at index (migration 0003) backwards.
        return (col(d.resolved_at).desc(), col(d.id).desc())
    if f.section is Section.REVIEWS_DUE:
        # The longest overdue review first.
        return (col(d.review_due_on), col(d.id))
    # Urgency: the earliest due time first is breached-longest-first, then soonest due.
    # Disputes without a clock (decided, liaison) follow.
    return (col(d.current_due_at).is_(None), col(d.current_due_at), col(d.id))


def _ordered(query: _Query, f: QueueFilter) -> _Query:
    return query.order_by(*_order(f))


_ROW_COLUMNS = (
    col(Dispute.id),
    col(Dispute.ref),
    col(Dispute.person_ref),
    col(Dispute.dispute_type),
    col(Dispute.risk),
    col(Dispute.agencies_label),
    col(Dispute.current_stage),
    col(Dispute.status),
    col(Dispute.stage_entered_at),
    col(Dispute.current_due_at),
    col(Dispute.plan_holder_id),
    col(Dispute.version),
    col(Dispute.resolved_at),
    col(Dispute.opened_at),
    col(Dispute.review_due_on),
)


def _count_in_window(f: QueueFilter) -> bool:
    """Whether the page query should count its matches too (``count(*) OVER ()``).

    Only where counting has to read every candidate row anyway: a text search,
    mine (plan holder or opener) and the EXISTS filters. Other filters are
    counted from an index alone (status/due, stage, type, risk), far cheaper
    than the window, and the Closed section walks its order index for
    just one page (a window would make it find and sort every match).
    """
    if f.section is Section.CLOSED:
        return False
    return bool(
        f.text.strip()
        or f.mine
        or f.agencies
        or f.liaison_only
        or f.section in (Section.MINE, Section.PROVISIONAL_EXPIRING, Section.PROVISIONAL_EXPIRED)
    )


def queue_page(
    store: Store,
    f: QueueFilter,
    at: datetime,
    *,
    offset: int = 0,
    limit: int = 50,
    total_limit: int | None = None,
    interrupt: Interrupt | None = None,
) -> QueuePage:
    """One window of the queue, in urgency order, with its clocks at ``at``.

    ``total`` counts every match (``total_limit`` None), at most ``total_limit``
    of them (the count stops there: the app's first page), or none (0: pages
    after the first). ``interrupt`` can stop the read from another thread.
    """
    at = utc(at)
    start = max(0, offset)
    rules = queue_rules(store)
    with store.read() as session, attached(interrupt, _driver_connection(session)):
        total: int | None = None
        if total_limit is None and limit > 0 and _count_in_window(f):
            # One pass of the filter: the ids of the window with the number of
            # matches, then the window's columns by primary key.
            window = (
                _ordered(
                    _filtered(
                        select(col(Dispute.id), func.count().over().label("total")),
                        f,
                        at,
                        session,
                        rules,
                    ),
                    f,
                )
                .offset(start)
                .limit(limit)
                .subquery()
            )
            rows = session.execute(
                _ordered(
                    select(*_ROW_COLUMNS, window.c.total).join_from(
                        window, Dispute, col(Dispute.id) == window.c.id
                    ),
                    f,
                )
            ).all()
            if rows:
                total = int(rows[0].total)
            elif start == 0:
                total = 0
        else:
            rows = _page_rows(session, f, at, rules, start, limit)
        if total_limit == 0:
            total = 0
        elif total is None and start == 0 and len(rows) < limit:
            # The first page holds them all: counted already.
            total = len(rows) if total_limit is None else min(len(rows), total_limit)
        elif total is None:  # counted apart, or the window is past the end
            matches = _filtered(select(col(Dispute.id)), f, at, session, rules, steer=False)
            if total_limit is not None:
                matches = matches.limit(total_limit)
            total = session.execute(
                select(func.count()).select_from(matches.subquery())
            ).scalar_one()
        page_rows = _queue_rows(session, rows, rules, at)
    return QueuePage(rows=page_rows, total=total, offset=offset, at=at)


def _page_rows(
    session: Session, f: QueueFilter, at: datetime, rules: QueueRules, start: int, limit: int
) -> Sequence[Any]:
    """``limit`` disputes from ``start`` in the filter's order: by key where
    ``queue_sql.keyset`` says so (Closed in its own order; it says why), else by OFFSET."""
    page = _ordered(_filtered(select(*_ROW_COLUMNS), f, at, session, rules), f)
    if start <= 0 or not keyset(f):
        return session.execute(page.offset(start).limit(limit)).all()
    d = Dispute
    key = session.execute(
        _ordered(_filtered(select(col(d.resolved_at), col(d.id)), f, at, session, rules), f)
        .offset(start)
        .limit(1)
    ).first()
    if key is None:  # past the end
        return []
    at_key = tuple_(col(d.resolved_at), col(d.id)) <= tuple_(
        literal(key[0], UTCDateTime()), literal(key[1])
    )
    return session.execute(page.where(at_key).limit(limit)).all()


def every_row(
    store: Store, f: QueueFilter, at: datetime, *, limit: int | None = None
) -> list[QueueRow]:
    """The whole filtered queue in order (at most ``limit`` rows), read in one pass.

    One query in one snapshot, its rows' lookups a thousand at a time: no OFFSET
    pages that each count and skip again what the last one read.
    """
    at = utc(at)
    rules = queue_rules(store)
    out: list[QueueRow] = []
    with store.read() as session:
        query = _ordered(_filtered(select(*_ROW_COLUMNS), f, at, session, rules), f)
        if limit is not None:
            query = query.limit(limit)
        result = session.execute(query)
        while batch := result.fetchmany(1000):
            out += _queue_rows(session, batch, rules, at)
    return out


def _driver_connection(session: Session) -> Any:
    """The DB-API connection under a session (what ``Interrupt`` interrupts)."""
    return session.connection().connection.driver_connection


def _queue_rows(
    session: Session, rows: Sequence[Any], rules: QueueRules, at: datetime
) -> list[QueueRow]:
    """Queue rows from ``_ROW_COLUMNS`` rows, with their cover, package, plan holder and
    final-authority stage (for the liaison flag)."""
    ids = [r.id for r in rows]
    every_cover = session.execute(
        select(col(InterimCover.dispute_id), col(Agency.code), col(InterimCover.active))
        .join(Agency, col(Agency.id) == col(InterimCover.provider_agency_id))
        .where(col(InterimCover.dispute_id).in_(ids))
    ).all()
    covers = {dispute_id: code for dispute_id, code, active in every_cover if active}
    covered = {dispute_id for dispute_id, _, _ in every_cover}
    packages = dict(
        session.execute(
            select(col(ProvisionalPackage.dispute_id), col(ProvisionalPackage.ends_at)).where(
                col(ProvisionalPackage.dispute_id).in_(ids),
                col(ProvisionalPackage.status) == "active",
            )
        ).all()
    )
    holder_ids = {r.plan_holder_id for r in rows if r.plan_holder_id}
    holders = dict(
        session.execute(
            select(col(Person.id), col(Person.display_name)).where(col(Person.id).in_(holder_ids))
        ).all()
    )
    stage3 = {
        dispute_id: (due, left)
        for dispute_id, due, left in session.execute(
            select(
                col(StageRecord.dispute_id), col(StageRecord.due_at), col(StageRecord.left_at)
            ).where(col(StageRecord.dispute_id).in_(ids), col(StageRecord.stage) == FINAL_STAGE)
        )
    }
    today = review_today(at)  # once for the page, not once a row
    return [
        queue_row(r, rules, at, covers, packages, holders, stage3, covered, today) for r in rows
    ]


def queue_rows_by_id(
    session: Session, ids: Iterable[int], rules: QueueRules, at: datetime
) -> dict[int, QueueRow]:
    """The queue's rows of the disputes ``ids`` (whatever their status), by id."""
    rows = session.execute(select(*_ROW_COLUMNS).where(col(Dispute.id).in_(list(ids)))).all()
    return {row.id: row for row in _queue_rows(session, rows, rules, at)}


def queue_position(store: Store, f: QueueFilter, at: datetime, dispute_id: int) -> int | None:
    """Where a dispute sits in the filtered queue (to keep the cursor on it)."""
    at = utc(at)
    rules = queue_rules(store)
    with store.read() as session:
        # The window names the order: a subquery's ORDER BY is not kept by PostgreSQL.
        numbered = _filtered(
            select(col(Dispute.id), func.row_number().over(order_by=_order(f)).label("n")),
            f,
            at,
            session,
            rules,
        ).subquery()
        found = session.execute(
            select(numbered.c.n).where(numbered.c.id == dispute_id)
        ).scalar_one_or_none()
    return None if found is None else int(found) - 1


def next_breached(store: Store, f: QueueFilter, at: datetime, after: int) -> int | None:
    """The position of the first breached dispute after position ``after`` in the filtered
    queue, wrapping to the top; None when nothing there is breached.

    Breached is what the queue shows: a live clock whose due time has passed.
    """
    at = utc(at)
    rules = queue_rules(store)
    with store.read() as session:
        numbered = _filtered(
            select(
                col(Dispute.id),
                col(Dispute.current_due_at).label("due"),
                func.row_number().over(order_by=_order(f)).label("n"),
            ),
            f,
            at,
            session,
            rules,
        ).subquery()
        breached = select(numbered.c.n).where(numbered.c.due <= at)
        found = session.execute(
            breached.where(numbered.c.n > after + 1).order_by(numbered.c.n).limit(1)
        ).scalar_one_or_none()
        if found is None:
            found = session.execute(breached.order_by(numbered.c.n).limit(1)).scalar_one_or_none()
    return None if found is None else int(found) - 1


def people(store: Store) -> list[PersonView]:
    with store.read() as session:
        codes = dict(session.execute(select(col(Agency.id), col(Agency.code))).all())
        return [
            PersonView(
                login=p.login,
                display_name=p.display_name,
                agency=codes.get(p.agency_id) if p.agency_id else None,
                roles=p.role_list,
                active=p.active,
            )
            for p in session.execute(select(Person).order_by(Person.login)).scalars()
        ]


def person(store: Store, login: str) -> PersonView | None:
    return next((p for p in people(store) if p.login == login), None)


#: The events that make up a person's lifecycle.
PERSON_ACTIONS = ("add_person", "set_person", "deactivate_person", "reactivate_person")


def person_history(store: Store, login: str) -> list[PersonEvent]:
    """Every user event about ``login``, oldest first: when, who, what, before and after."""
    import json

    from panel_tui.store.models import Event

    with store.read() as session:
        rows = session.execute(
            select(Event).where(col(Event.action).in_(PERSON_ACTIONS)).order_by(col(Event.id))
        ).scalars()
        history: list[PersonEvent] = []
        for event in rows:
            before, after = json.loads(event.before), json.loads(event.after)
            if login in (before.get("login"), after.get("login")):
                history.append(
                    {
                        "id": event.id,
                        "at": event.at,
                        "actor": event.actor,
                        "real_actor": event.real_actor,
                        "action": event.action,
                        "before": before,
                        "after": after,
                    }
                )
        return history


def agencies(store: Store) -> list[AgencyView]:
    with store.read() as session:
        return [
            AgencyView(code=a.code, name=a.name, kind=a.kind)
            for a in session.execute(select(Agency).order_by(Agency.code)).scalars()
        ]


# Kept here for callers that read both from one module.
