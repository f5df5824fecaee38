"""Export a store to a stable JSON document, and import it (or a CSV log) back.

Imports never write rows directly: each dispute is *replayed* through the real
ledger operations at its recorded times, so every rule, right and clock is
checked again and the audit chain records it all. Everything is validated
first, then replayed in ONE write transaction: a bad row names itself and the
field, and nothing is written.

The CSV of an existing dispute log has a header row of :data:`CSV_COLUMNS`
and one dispute per row. :data:`CSV_EXAMPLE` is a tiny one (a test imports
it): a dispute closed at the supervisor stage, i.e. with these cells::

    opened_at             2026-03-02T09:00:00+00:00
    person_ref            P-1001
    dispute_type, risk    funding, medium
    raising_agency        CBH
    responding_agencies   MCO;HSG
    (form text columns)   consent_basis … requested_decision (interim_risk_actions empty)
    evidence_*            present | absent: booked for Monday | present | present
    stage                 1   (stage_entered_at 2026-03-03T09:00:00+00:00)
    status                closed   (resolved_at 2026-03-04T15:00:00+00:00)
    outcome ...           assigned, MCO, "MCO contract covers ACT", J. Smith, 2026-06-01
    start_plan            ACT intake on Thursday

Evidence columns hold ``present`` (optionally ``present: note``) or
``absent: note``. ``stage`` is the current rung (0–4); ``stage_entered_at``
when it was reached (earlier rungs are spread evenly since opening; without
it every rung is taken as reached at opening). ``status`` is one of open,
decided, closed, withdrawn; decided and closed rows need outcome,
receiving_agency, rationale, decided_by and review_date (the decision is
recorded at ``resolved_at``, or when the stage was reached); closed rows need
``start_plan`` and withdrawn rows ``withdrawn_reason``, both with
``resolved_at``. The importer replays every row as themselves, so they need
the rights for each operation (checked before anything is written); who
originally decided is kept as a note on the dispute.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from panel_tui.rules import rights
from panel_tui.rules.enums import Action, EvidenceKey, Outcome, Stage, Status
from panel_tui.rules.errors import DomainError, InvalidInputError, RightsError, StaleWriteError
from panel_tui.rules.forms import FORM_FIELDS, TEXT_FIELDS, validate_form
from panel_tui.rules.policy import KNOWN_ROLES
from panel_tui.store.admin import Admin
from panel_tui.store.db import Store
from panel_tui.store.ledger import Context, utc_now
from panel_tui.store.models import (
    Acceptance,
    Agency,
    ContactAttempt,
    Decision,
    Dispute,
    DisputeAgency,
    Event,
    EvidenceItem,
    InterimCover,
    Note,
    Person,
    PlanHolderAssignment,
    ProvisionalPackage,
    StageRecord,
)
from panel_tui.store.operations import Ledger

FORMAT = "panel-tui-export"
# Errors name a dispute by its 1-based position (row) and a field inside it by
# JSON path with 0-based list indices, e.g. row 3, field 'stages[2].entered_at'.
VERSION = 1
BATCH = 1000


@dataclass(frozen=True)
class ImportResult:
    disputes: int
    #: source reference (or "row N" for CSV) → new reference in this store
    refs: dict[str, str] = field(default_factory=dict)
    agencies_added: tuple[str, ...] = ()
    people_added: tuple[str, ...] = ()


# --- export -----------------------------------------------------------------------
def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).isoformat()


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _by_dispute(rows: Any, key: str = "dispute_id") -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def iter_export_disputes(store: Store) -> Iterator[dict[str, Any]]:
    """Each dispute as an export record, oldest first, looked up BATCH at a time."""
    with store.read() as s:
        ids = list(s.execute(select(Dispute.id).order_by(Dispute.id)).scalars())
        logins = dict(s.execute(select(Person.id, Person.login)).all())
        codes = dict(s.execute(select(Agency.id, Agency.code)).all())
    for chunk in _chunks(ids):
        with store.read() as s:
            yield from _export_chunk(s, chunk, logins, codes)


def _export_chunk(
    s: Any, chunk: list[int], logins: dict[int, str], codes: dict[int, str]
) -> Iterator[dict[str, Any]]:
    def rows(model: Any, *order: Any) -> dict[int, list[Any]]:
        # Core rows, not ORM objects: building 100,000s of model instances is the slow part.
        table = model.__table__
        query = select(table).where(table.c.dispute_id.in_(chunk)).order_by(*order)
        return _by_dispute(s.execute(query))

    disputes = s.execute(
        select(Dispute.__table__).where(Dispute.id.in_(chunk)).order_by(Dispute.id)
    )
    parties = rows(DisputeAgency, DisputeAgency.agency_id)
    evidence = rows(EvidenceItem, EvidenceItem.id)
    stages = rows(StageRecord, StageRecord.stage)
    covers = rows(InterimCover, InterimCover.id)
    packages = rows(ProvisionalPackage, ProvisionalPackage.id)
    decisions = rows(Decision, Decision.id)
    acceptances = rows(Acceptance, Acceptance.id)
    holders = rows(PlanHolderAssignment, PlanHolderAssignment.id)
    notes = rows(Note, Note.id)
    package_ids = [p.id for group in packages.values() for p in group]
    contacts = _by_dispute(
        s.execute(
            select(ContactAttempt.__table__)
            .where(ContactAttempt.package_id.in_(package_ids))
            .order_by(ContactAttempt.at, ContactAttempt.id)
        ),
        key="package_id",
    )
    withdrawn_by = dict(
        s.execute(
            select(Event.dispute_id, Event.actor).where(
                Event.action == "withdraw", Event.dispute_id.in_(chunk)
            )
        ).all()
    )
    for d in disputes:
        mine = parties.get(d.id, [])
        acc = acceptances.get(d.id, [])
        yield {
            "ref": d.ref,
            "person_ref": d.person_ref,
            "dispute_type": d.dispute_type,
            "risk": d.risk,
            "raising_agency": codes[d.raising_agency_id],
            "responding_agencies": _responding(d, mine, codes),
            **{name: getattr(d, name) for name in TEXT_FIELDS},
            "evidence": {
                e.key: {
                    "present": e.present,
                    "note": e.note,
                    "updated_at": _iso(e.updated_at),
                    "updated_by": logins[e.updated_by_id],
                }
                for e in evidence.get(d.id, [])
            },
            "opened_at": _iso(d.opened_at),
            "opened_by": logins[d.opened_by_id],
            "status": d.status,
            "current_stage": d.current_stage,
            "resolved_at": _iso(d.resolved_at),
            "stages": [
                {
                    "stage": r.stage,
                    "entered_at": _iso(r.entered_at),
                    "entered_by": logins[r.entered_by_id],
                    "breach_reason": r.breach_reason,
                    "note": r.escalation_note,
                    "due_at": _iso(r.due_at),
                    "left_at": _iso(r.left_at),
                }
                for r in stages.get(d.id, [])
            ],
            "covers": [
                {
                    "provider": codes[c.provider_agency_id],
                    "support_level": c.support_level,
                    "starts_at": _iso(c.starts_at),
                    "review_at": _iso(c.review_at),
                    "assigned_by": logins[c.assigned_by_id],
                    "active": c.active,
                }
                for c in covers.get(d.id, [])
            ],
            "packages": [
                {
                    "coordinator": logins[p.coordinator_id],
                    "actions": p.actions,
                    "starts_at": _iso(p.starts_at),
                    "ends_at": _iso(p.ends_at),
                    "status": p.status,
                    "authorised_by": logins[p.authorised_by_id],
                    "contacts": [
                        {
                            "at": _iso(c.at),
                            "method": c.method,
                            "outcome": c.outcome,
                            "note": c.note,
                            "by": logins[c.by_id],
                        }
                        for c in contacts.get(p.id, [])
                    ],
                }
                for p in packages.get(d.id, [])
            ],
            "decisions": [
                {
                    "kind": x.kind,
                    "outcome": x.outcome,
                    "receiving_agency": codes.get(x.receiving_agency_id)
                    if x.receiving_agency_id
                    else None,
                    "pathway": x.pathway,
                    "rationale": x.rationale,
                    "decided_by": logins[x.decided_by_id],
                    "capacity": x.capacity,
                    "stage": x.stage,
                    "review_date": _day(x.review_date),
                    "decided_at": _iso(x.decided_at),
                }
                for x in decisions.get(d.id, [])
            ],
            "acceptance": {
                "accepted_by": logins[acc[-1].accepted_by_id],
                "start_plan": acc[-1].start_plan,
                "start_date": _day(acc[-1].start_date),
                "at": _iso(acc[-1].at),
            }
            if acc
            else None,
            "withdrawal": {
                "by": withdrawn_by.get(d.id),
                "reason": d.withdrawn_reason,
                "at": _iso(d.resolved_at),
            }
            if d.status == Status.WITHDRAWN.value
            else None,
            "plan_holders": [
                {
                    "login": logins[h.person_id],
                    "assigned_by": logins[h.assigned_by_id],
                    "from_at": _iso(h.from_at),
                    "until_at": _iso(h.until_at),
                }
                for h in holders.get(d.id, [])
            ],
            "notes": [
                {"by": logins[n.by_id], "at": _iso(n.at), "text": n.text}
                for n in notes.get(d.id, [])
            ],
        }


def _responding(d: Any, parties: list[Any], codes: dict[int, str]) -> list[str]:
    """Responding agencies in the order they were named (kept in the queue's label)."""
    named = d.agencies_label.partition("→")[2].split(",")
    mine = {codes[p.agency_id] for p in parties if p.party == "responding"}
    ordered = [c for c in named if c in mine]
    return ordered + sorted(mine - set(ordered))


def export_store(store: Store, *, at: datetime | None = None) -> dict[str, Any]:
    """The whole store as one stable JSON-ready document (see the module docstring)."""
    with store.read() as s:
        codes = dict(s.execute(select(Agency.id, Agency.code)).all())
        agencies = [
            {"code": a.code, "name": a.name, "kind": a.kind}
            for a in s.execute(select(Agency).order_by(Agency.code)).scalars()
        ]
        people = [
            {
                "login": p.login,
                "display_name": p.display_name,
                "agency": codes.get(p.agency_id) if p.agency_id else None,
                "roles": list(p.role_list),
                "active": p.active,
            }
            for p in s.execute(select(Person).order_by(Person.login)).scalars()
        ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(at or utc_now()),
        "agencies": agencies,
        "people": people,
        "disputes": list(iter_export_disputes(store)),
    }


# --- validation helpers -------------------------------------------------------------
def _time(value: Any, row: int | None, name: str, *, required: bool = True) -> datetime | None:
    if value in (None, ""):
        if required:
            raise InvalidInputError("required: a time with its offset", field=name, row=row)
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInputError(
            f"'{value}' is not an ISO-8601 time (e.g. 2026-03-02T09:00:00+00:00)",
            field=name,
            row=row,
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError(
            f"'{value}' has no time zone: give its offset, e.g. +00:00", field=name, row=row
        )
    return moment.astimezone(UTC)


def _date(value: Any, row: int | None, name: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInputError(
            f"'{value}' is not a date (YYYY-MM-DD)", field=name, row=row
        ) from None


def _choice(value: Any, options: tuple[str, ...], row: int | None, name: str) -> str:
    text = str(value or "").strip()
    if text not in options:
        raise InvalidInputError(f"must be one of: {', '.join(options)}", field=name, row=row)
    return text


def _with_row(err: DomainError, row: int, where: str, ref: str | None = None) -> DomainError:
    """The same refusal, saying which imported dispute and step it came from."""
    if isinstance(err, InvalidInputError):
        message = err.message
        if err.field and message.startswith(f"field '{err.field}': "):
            message = message[len(f"field '{err.field}': ") :]
        return InvalidInputError(
            message, field=f"{where}.{err.field}" if err.field else where, row=row
        )
    label = f"row {row} ({where}{', ' + ref if ref else ''})"
    if isinstance(err, StaleWriteError):
        return DomainError(f"{label}: {err.message}", hint=err.hint)
    return type(err)(f"{label}: {err.message}", hint=err.hint)


class _Replayer(Ledger, Admin):
    """One ledger whose acting login changes per step, inside one batch."""


@dataclass(order=True)
class _Step:
    at: datetime
    rank: int
    stage: int
    seq: int
    where: str = field(compare=False)
    actor: str = field(compare=False)
    run: Callable[[_Replayer, str], Any] = field(compare=False)


# Ties at the same instant: what must exist before what.
_RANK = {
    "evidence": 1,
    "plan_holders": 2,
    "covers": 3,
    "packages": 4,
    "contacts": 5,
    "ladder": 6,  # escalations and decisions, ordered by stage
    "acceptance": 7,
    "withdrawal": 8,
    "notes": 9,
}


# --- import of the export format ----------------------------------------------------
def _known(doc: dict[str, Any], key: str, ident: str, store_values: set[str]) -> set[str]:
    items = doc.get(key) or []
    if not isinstance(items, list):
        raise InvalidInputError("must be a list", field=key)
    found = set(store_values)
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not str(item.get(ident) or "").strip():
            raise InvalidInputError(f"each entry needs a '{ident}'", field=f"{key}[{i}]")
        found.add(str(item[ident]).strip().upper() if key == "agencies" else str(item[ident]))
    return found


def _plan_dispute(
    i: int, raw: Any, logins: set[str], codes: set[str]
) -> tuple[dict[str, Any], datetime, str, list[_Step]]:
    """Validate one exported dispute; return its form, opening and later steps."""
    if not isinstance(raw, dict):
        raise InvalidInputError("a dispute must be a JSON object", row=i)
    form = {name: raw.get(name) for name in FORM_FIELDS}
    form["evidence"] = {
        k: {"present": bool(v.get("present")), "note": v.get("note") or ""}
        for k, v in (raw.get("evidence") or {}).items()
        if isinstance(v, dict)
    }
    validated = validate_form(form, row=i)
    for name, code in [("raising_agency", validated.raising_agency)] + [
        ("responding_agencies", c) for c in validated.responding_agencies
    ]:
        if code not in codes:
            raise InvalidInputError(f"unknown agency '{code}'", field=name, row=i)
    opened = _time(raw.get("opened_at"), i, "opened_at")
    assert opened is not None
    steps: list[_Step] = []

    def login(value: Any, name: str) -> str:
        text = str(value or "")
        if text not in logins:
            raise InvalidInputError(f"unknown login '{text}'", field=name, row=i)
        return text

    def when(value: Any, name: str, required: bool = True) -> datetime | None:
        moment = _time(value, i, name, required=required)
        if moment is not None and moment < opened:
            raise InvalidInputError("is before the dispute was opened", field=name, row=i)
        return moment

    def add(moment: datetime, kind: str, actor: str, where: str, run: Any, stage: int = 0) -> None:
        steps.append(_Step(moment, _RANK[kind], stage, len(steps), where, actor, run))

    opener = login(raw.get("opened_by"), "opened_by")
    for key, item in (raw.get("evidence") or {}).items():
        where = f"evidence.{key}"
        moment = when(item.get("updated_at"), f"{where}.updated_at", required=False)
        by = login(item.get("updated_by") or opener, f"{where}.updated_by")
        if moment is not None and (moment > opened or by != opener):
            present, note = bool(item.get("present")), item.get("note") or ""
            add(
                moment,
                "evidence",
                by,
                where,
                _call("record_evidence", key, present, note, at=moment),
            )

    stages = raw.get("stages") or []
    previous = opened
    for n, st in enumerate(stages):
        where = f"stages[{n}]"
        if not isinstance(st, dict) or st.get("stage") != n:
            raise InvalidInputError(
                f"expected stage {n} here: stages must climb one rung at a time", field=where, row=i
            )
        moment = when(st.get("entered_at"), f"{where}.entered_at")
        assert moment is not None
        if moment < previous:
            raise InvalidInputError(
                "is before the previous stage was entered", field=f"{where}.entered_at", row=i
            )
        previous = moment
        if n == 0:
            if moment != opened:
                raise InvalidInputError(
                    "stage 0 is entered when the dispute opens", field=f"{where}.entered_at", row=i
                )
            continue
        by = login(st.get("entered_by"), f"{where}.entered_by")
        add(
            moment,
            "ladder",
            by,
            where,
            _call("escalate", st.get("note") or "", st.get("breach_reason") or "", at=moment),
            stage=n * 2,
        )

    for n, c in enumerate(raw.get("covers") or []):
        where = f"covers[{n}]"
        moment = when(c.get("starts_at"), f"{where}.starts_at")
        review = when(c.get("review_at"), f"{where}.review_at", required=False)
        if str(c.get("provider") or "").upper() not in codes:
            raise InvalidInputError(
                f"unknown agency '{c.get('provider')}'", field=f"{where}.provider", row=i
            )
        by = login(c.get("assigned_by"), f"{where}.assigned_by")
        add(
            moment,
            "covers",
            by,
            where,
            _call(
                "assign_cover",
                c.get("provider"),
                c.get("support_level") or "",
                review_at=review,
                at=moment,
            ),
        )  # type: ignore[arg-type]

    for n, p in enumerate(raw.get("packages") or []):
        where = f"packages[{n}]"
        moment = when(p.get("starts_at"), f"{where}.starts_at")
        ends = when(p.get("ends_at"), f"{where}.ends_at")
        assert moment is not None
        coordinator = login(p.get("coordinator"), f"{where}.coordinator")
        by = login(p.get("authorised_by"), f"{where}.authorised_by")
        add(
            moment,
            "packages",
            by,
            where,
            _call(
                "start_provisional", coordinator, p.get("actions") or "", ends_at=ends, at=moment
            ),
        )
        for m, c in enumerate(p.get("contacts") or []):
            cw = f"{where}.contacts[{m}]"
            at = when(c.get("at"), f"{cw}.at")
            assert at is not None
            if at < moment:
                raise InvalidInputError("is before its package started", field=f"{cw}.at", row=i)
            by = login(c.get("by"), f"{cw}.by")
            add(
                at,
                "contacts",
                by,
                cw,
                _call(
                    "log_contact",
                    c.get("method") or "",
                    c.get("outcome") or "",
                    c.get("note") or "",
                    at=at,
                ),
            )

    for n, x in enumerate(raw.get("decisions") or []):
        where = f"decisions[{n}]"
        moment = when(x.get("decided_at"), f"{where}.decided_at")
        kind = _choice(x.get("kind"), ("decision", "final"), i, f"{where}.kind")
        _choice(x.get("outcome"), tuple(o.value for o in Outcome), i, f"{where}.outcome")
        review = _date(x.get("review_date"), i, f"{where}.review_date")
        receiving = x.get("receiving_agency")
        if receiving and str(receiving).upper() not in codes:
            raise InvalidInputError(
                f"unknown agency '{receiving}'", field=f"{where}.receiving_agency", row=i
            )
        stage = x.get("stage")
        if not isinstance(stage, int) or not 0 <= stage <= int(Stage.COMMISSIONER_LIAISON):
            raise InvalidInputError("must be a stage number 0–4", field=f"{where}.stage", row=i)
        by = login(x.get("decided_by"), f"{where}.decided_by")
        add(
            moment,
            "ladder",
            by,
            where,  # type: ignore[arg-type]
            _call(
                "record_decision",
                x.get("outcome"),
                x.get("rationale") or "",
                review,
                receiving_agency=receiving,
                pathway=x.get("pathway") or "",
                final=kind == "final",
                at=moment,
            ),
            stage=stage * 2 + 1,
        )

    acc, wd = raw.get("acceptance"), raw.get("withdrawal")
    if acc and wd:
        raise InvalidInputError(
            "a dispute cannot be both accepted and withdrawn", field="withdrawal", row=i
        )
    end: datetime | None = None
    if acc:
        end = when(acc.get("at"), "acceptance.at")
        by = login(acc.get("accepted_by"), "acceptance.accepted_by")
        start = _date(acc.get("start_date"), i, "acceptance.start_date")
        add(
            end,
            "acceptance",
            by,
            "acceptance",
            _call("confirm_acceptance", acc.get("start_plan") or "", start, at=end),
        )  # type: ignore[arg-type]
    if wd:
        end = when(wd.get("at"), "withdrawal.at")
        by = login(wd.get("by"), "withdrawal.by")
        add(end, "withdrawal", by, "withdrawal", _call("withdraw", wd.get("reason") or "", at=end))  # type: ignore[arg-type]

    for n, h in enumerate(raw.get("plan_holders") or []):
        where = f"plan_holders[{n}]"
        moment = when(h.get("from_at"), f"{where}.from_at")
        holder = login(h.get("login"), f"{where}.login")
        by = login(h.get("assigned_by"), f"{where}.assigned_by")
        add(moment, "plan_holders", by, where, _call("assign_plan_holder", holder, at=moment))  # type: ignore[arg-type]

    for n, note in enumerate(raw.get("notes") or []):
        where = f"notes[{n}]"
        moment = when(note.get("at"), f"{where}.at")
        by = login(note.get("by"), f"{where}.by")
        add(moment, "notes", by, where, _call("add_note", note.get("text") or "", at=moment))  # type: ignore[arg-type]

    if end is not None:
        late = next((s for s in steps if s.at > end and s.rank < _RANK["acceptance"]), None)
        if late is not None:
            raise InvalidInputError("is after the dispute was resolved", field=late.where, row=i)
    return form, opened, opener, sorted(steps)


def _checked_plan(
    i: int, raw: Any, logins: set[str], codes: set[str]
) -> tuple[dict[str, Any], datetime, str, list[_Step]]:
    try:
        return _plan_dispute(i, raw, logins, codes)
    except (AttributeError, TypeError, KeyError):
        # A list where an object belongs, or the like: name the dispute at least.
        raise InvalidInputError(
            "is not shaped like an exported dispute (a list or object is malformed)", row=i
        ) from None


def _call(method: str, *args: Any, **kwargs: Any) -> Callable[[_Replayer, str], Any]:
    def run(ledger: _Replayer, ref: str) -> Any:
        return getattr(ledger, method)(ref, *args, **kwargs)

    return run


def import_export(store: Store, login: str, doc: dict[str, Any]) -> ImportResult:
    """Replay an export into ``store`` as the recorded people; all or nothing.

    Importing writes in other people's names, so the importer needs the
    administer right; agencies and people the store lacks are added (people
    as active: the store has no way to add an inactive one). Each step runs
    as the person the export records, so their roles must still allow it.
    The store's own policy applies: under different windows the due times
    differ from the source's.
    """
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InvalidInputError(f"not a {FORMAT} document", field="format")
    if doc.get("version") != VERSION:
        raise InvalidInputError(
            f"unsupported version {doc.get('version')!r} (this app reads {VERSION})",
            field="version",
        )
    disputes = doc.get("disputes")
    if not isinstance(disputes, list):
        raise InvalidInputError("must be a list", field="disputes")
    with store.read() as s:
        store_codes = set(s.execute(select(Agency.code)).scalars())
        store_people = {p.login: p for p in s.execute(select(Person)).scalars()}
    importer = store_people.get(login)
    policy = store.policy()
    if importer is None or not importer.active:
        raise InvalidInputError(f"{login} is not a user of this store", field="login")
    rights.require(policy, Action.ADMINISTER, login, importer.role_list)
    codes = _known(doc, "agencies", "code", store_codes)
    logins = _known(doc, "people", "login", set(store_people))
    new_agencies = [
        a for a in doc.get("agencies") or [] if str(a["code"]).strip().upper() not in store_codes
    ]
    new_people = [p for p in doc.get("people") or [] if p["login"] not in store_people]
    for n, p in enumerate(doc.get("people") or []):
        if p["login"] in store_people:
            continue
        unknown = [r for r in p.get("roles") or [] if r not in KNOWN_ROLES]
        if unknown or not p.get("roles"):
            raise InvalidInputError(
                f"unknown role '{unknown[0]}'" if unknown else "give at least one role",
                field=f"people[{n}].roles",
            )
        agency = p.get("agency")
        if agency and str(agency).upper() not in codes:
            raise InvalidInputError(f"unknown agency '{agency}'", field=f"people[{n}].agency")
    plans = [_checked_plan(i, raw, logins, codes) for i, raw in enumerate(disputes, 1)]

    ledger = _Replayer(store, login)
    refs: dict[str, str] = {}
    with ledger.batch():
        for a in new_agencies:
            ledger.add_agency(a["code"], a.get("name") or a["code"], a.get("kind") or "")
        for p in new_people:
            ledger.add_person(
                p["login"],
                p.get("display_name") or p["login"],
                p.get("roles") or [],
                p.get("agency"),
            )
        for i, (form, opened, opener, steps) in enumerate(plans, 1):
            old = str(disputes[i - 1].get("ref") or f"row {i}")
            refs[old] = _replay(ledger, i, form, opened, opener, steps)
        ledger.login = login
        _record_import(ledger, "export", refs, doc.get("exported_at"))
    return ImportResult(
        disputes=len(plans),
        refs=refs,
        agencies_added=tuple(str(a["code"]).upper() for a in new_agencies),
        people_added=tuple(p["login"] for p in new_people),
    )


def _replay(
    ledger: _Replayer,
    row: int,
    form: dict[str, Any],
    opened: datetime,
    opener: str,
    steps: list[_Step],
) -> str:
    ledger.login = opener
    try:
        ref = ledger.open_dispute(form, at=opened)
    except DomainError as err:
        raise _with_row(err, row, "open") from None
    for step in steps:
        ledger.login = step.actor
        try:
            step.run(ledger, ref)
        except DomainError as err:
            raise _with_row(err, row, step.where, ref) from None
    return ref


def _record_import(ledger: _Replayer, source: str, refs: dict[str, str], exported_at: Any) -> None:
    def body(ctx: Context, _: object) -> None:
        ctx.event(
            "import",
            after={
                "source": source,
                "disputes": len(refs),
                "exported_at": exported_at,
                "refs": refs,
            },
        )

    action = Action.ADMINISTER if source == "export" else Action.OPEN
    ledger.run(action, None, body)


# --- import of a CSV dispute log ------------------------------------------------------
EVIDENCE_COLUMNS = {f"evidence_{k.value}": k for k in EvidenceKey}

#: The CSV's columns, in order. Optional ones may be left empty (but must be present).
CSV_COLUMNS: tuple[str, ...] = (
    "opened_at",
    "person_ref",
    "dispute_type",
    "risk",
    "raising_agency",
    "responding_agencies",
    "consent_basis",
    "problem_statement",
    "proposed_pathway",
    "rule_conflict",
    "evidence_summary",
    "interim_risk_actions",
    "requested_decision",
    *EVIDENCE_COLUMNS,
    "stage",
    "stage_entered_at",
    "status",
    "resolved_at",
    "outcome",
    "receiving_agency",
    "rationale",
    "decided_by",
    "review_date",
    "start_plan",
    "withdrawn_reason",
)

#: A one-dispute example of the CSV (see the module docstring).
CSV_EXAMPLE = (
    ",".join(CSV_COLUMNS) + "\n"
    "2026-03-02T09:00:00+00:00,P-1001,funding,medium,CBH,MCO;HSG,consent on file,"
    "Discharge stalled over ACT funding,ACT team,Who pays for ACT,case notes,,"
    "Decide the funder,present,absent: booked for Monday,present,present,"
    "1,2026-03-03T09:00:00+00:00,closed,2026-03-04T15:00:00+00:00,"
    "assigned,MCO,MCO contract covers ACT,J. Smith (supervisor),2026-06-01,"
    "ACT intake on Thursday,\n"
)

_IMPORT_NOTE = "imported from a dispute log"
_UNRECORDED_BREACH = "not recorded in the imported dispute log"


@dataclass(frozen=True)
class _CsvRow:
    row: int
    form: dict[str, Any]
    opened: datetime
    stage: int
    stage_entered: datetime | None
    status: Status
    resolved: datetime | None
    values: dict[str, str]

    def needs(self) -> list[Action]:
        actions = [Action.OPEN] + [Action.ESCALATE] * (self.stage > 0)
        if self.status in (Status.DECIDED, Status.CLOSED):
            final = self.stage >= int(Stage.FINAL_AUTHORITY)
            actions += [Action.FINAL_DETERMINATION if final else Action.RECORD_DECISION]
            actions += [Action.ADD_NOTE]
        if self.status is Status.CLOSED:
            actions.append(Action.CONFIRM_ACCEPTANCE)
        if self.status is Status.WITHDRAWN:
            actions.append(Action.WITHDRAW)
        return actions


def _evidence_cell(text: str, row: int, column: str) -> dict[str, Any]:
    head, _, note = text.partition(":")
    head = head.strip().lower()
    if head not in ("present", "absent"):
        raise InvalidInputError("write 'present' or 'absent: note'", field=column, row=row)
    if head == "absent" and not note.strip():
        raise InvalidInputError("an absent item needs a note: 'absent: why'", field=column, row=row)
    return {"present": head == "present", "note": note.strip()}


def _csv_row(row: int, values: dict[str, str], codes: set[str]) -> _CsvRow:
    def text(name: str) -> str:
        return (values.get(name) or "").strip()

    def required(name: str, minimum: int = 1) -> str:
        value = text(name)
        if len(value) < minimum:
            need = "required" if minimum == 1 else f"required (at least {minimum} characters)"
            raise InvalidInputError(f"{need} when status is {text('status')}", field=name, row=row)
        return value

    opened = _time(text("opened_at"), row, "opened_at")
    assert opened is not None
    form: dict[str, Any] = {name: text(name) for name in FORM_FIELDS}
    form["responding_agencies"] = [c for c in text("responding_agencies").split(";") if c.strip()]
    form["evidence"] = {
        key.value: _evidence_cell(text(column), row, column)
        for column, key in EVIDENCE_COLUMNS.items()
    }
    try:
        validated = validate_form(form, row=row)
    except InvalidInputError as err:
        if err.field and err.field.startswith("evidence."):
            column = "evidence_" + err.field.split(".")[1]
            raise InvalidInputError(str(err).split(": ", 1)[-1], field=column, row=row) from None
        raise
    for name, code in [("raising_agency", validated.raising_agency)] + [
        ("responding_agencies", c) for c in validated.responding_agencies
    ]:
        if code not in codes:
            raise InvalidInputError(f"unknown agency '{code}'", field=name, row=row)
    stage_text = text("stage") or "0"
    if not stage_text.isdigit() or not 0 <= int(stage_text) <= int(Stage.COMMISSIONER_LIAISON):
        raise InvalidInputError("must be a stage number 0–4", field="stage", row=row)
    stage = int(stage_text)
    entered = _time(text("stage_entered_at"), row, "stage_entered_at", required=False)
    if entered is not None and entered < opened:
        raise InvalidInputError("is before opened_at", field="stage_entered_at", row=row)
    if stage == 0 and entered is not None and entered != opened:
        raise InvalidInputError(
            "stage 0 is entered when the dispute opens: leave it empty",
            field="stage_entered_at",
            row=row,
        )
    if stage == int(Stage.COMMISSIONER_LIAISON) and entered is None:
        raise InvalidInputError(
            "required for stage 4 (commissioner liaison)", field="stage_entered_at", row=row
        )
    status = Status(
        _choice(text("status") or "open", tuple(s.value for s in Status), row, "status")
    )
    resolved = _time(text("resolved_at"), row, "resolved_at", required=False)
    if resolved is not None and resolved < (entered or opened):
        raise InvalidInputError(
            "is before the dispute reached its stage", field="resolved_at", row=row
        )
    if status in (Status.CLOSED, Status.WITHDRAWN) and resolved is None:
        raise InvalidInputError(
            f"required when status is {status.value}", field="resolved_at", row=row
        )
    if status in (Status.DECIDED, Status.CLOSED):
        outcome = _choice(
            required("outcome"), tuple(o.value for o in Outcome if o.resolves), row, "outcome"
        )
        receiving = required("receiving_agency").upper()
        if receiving not in codes:
            raise InvalidInputError(
                f"unknown agency '{receiving}'", field="receiving_agency", row=row
            )
        required("rationale", 10)
        required("decided_by")
        review = _date(required("review_date"), row, "review_date")
        decided = resolved or entered or opened
        if review < decided.date():
            raise InvalidInputError("is before the decision", field="review_date", row=row)
        values = values | {"outcome": outcome, "receiving_agency": receiving}
    if status is Status.CLOSED:
        required("start_plan", 10)
    if status is Status.WITHDRAWN:
        required("withdrawn_reason", 5)
    return _CsvRow(row, form, opened, stage, entered, status, resolved, values)


def read_csv(text: str) -> list[dict[str, str]]:
    """The CSV's data rows as dicts; refuses missing or unknown columns."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise InvalidInputError("the CSV is empty: it needs a header row", field="header")
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidInputError(f"the CSV has no column '{missing[0]}'", field=missing[0])
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise InvalidInputError(
            f"unknown column '{unknown[0]}' (expected: {', '.join(CSV_COLUMNS)})", field=unknown[0]
        )
    reader.fieldnames = header
    rows = []
    for n, raw in enumerate(reader, 1):
        if None in raw:
            raise InvalidInputError("has more cells than the header has columns", row=n)
        rows.append({k: v or "" for k, v in raw.items()})
    return rows


def import_csv(store: Store, login: str, text: str) -> ImportResult:
    """Replay a CSV dispute log as ``login``; every row validated first, all or nothing."""
    with store.read() as s:
        codes = set(s.execute(select(Agency.code)).scalars())
        importer = s.execute(select(Person).where(Person.login == login)).scalars().first()
    if importer is None or not importer.active:
        raise InvalidInputError(f"{login} is not a user of this store", field="login")
    rows = [_csv_row(n, values, codes) for n, values in enumerate(read_csv(text), 1)]
    policy = store.policy()
    for r in rows:
        for action in r.needs():
            try:
                rights.require(policy, action, login, importer.role_list, r.form["dispute_type"])
            except RightsError as err:
                raise RightsError(
                    f"row {r.row} needs the right to {rights.ACTION_LABELS[action]} "
                    f"(status {r.status.value}, stage {r.stage}), and {err.message} "
                    "Nothing was imported.",
                    hint=err.hint,
                ) from None
    ledger = _Replayer(store, login)
    refs: dict[str, str] = {}
    with ledger.batch():
        for r in rows:
            refs[f"row {r.row}"] = _replay_csv_row(ledger, policy, r)
        _record_import(ledger, "csv", refs, None)
    return ImportResult(disputes=len(rows), refs=refs)


def _replay_csv_row(ledger: _Replayer, policy: Any, r: _CsvRow) -> str:
    where = "open"
    ref: str | None = None
    try:
        ref = ledger.open_dispute(r.form, at=r.opened)
        reached = r.stage_entered or r.opened
        entered = r.opened
        for stage in range(1, r.stage + 1):
            where = "stage"
            moment = r.opened + (reached - r.opened) * stage / r.stage
            window = policy.window(r.form["risk"], stage - 1)
            breached = window is not None and moment >= entered + window
            ledger.escalate(ref, _IMPORT_NOTE, _UNRECORDED_BREACH if breached else "", at=moment)
            entered = moment
        v = r.values
        if r.status in (Status.DECIDED, Status.CLOSED):
            where = "outcome"
            decided = r.resolved or reached
            ledger.record_decision(
                ref,
                v["outcome"],
                v["rationale"],
                date.fromisoformat(v["review_date"].strip()),
                receiving_agency=v["receiving_agency"],
                final=r.stage >= int(Stage.FINAL_AUTHORITY),
                at=decided,
            )
            ledger.add_note(
                ref, f"Decided by {v['decided_by'].strip()} ({_IMPORT_NOTE}).", at=decided
            )
        if r.status is Status.CLOSED:
            assert r.resolved is not None
            where = "start_plan"
            ledger.confirm_acceptance(ref, v["start_plan"], r.resolved.date(), at=r.resolved)
        if r.status is Status.WITHDRAWN:
            where = "withdrawn_reason"
            ledger.withdraw(ref, v["withdrawn_reason"], at=r.resolved)
    except InvalidInputError as err:
        message = err.message.split(": ", 1)[-1] if err.field else err.message
        column = err.field if err.field in CSV_COLUMNS else where
        raise InvalidInputError(message, field=column, row=r.row) from None
    except DomainError as err:
        raise _with_row(err, r.row, where, ref) from None
    return ref
