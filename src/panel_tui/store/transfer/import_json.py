"""Import of the JSON export format: validate every dispute, then replay them all.

``import_export`` checks the document's format and version, the importer's
administer right, the agencies and people it would add, and turns each exported
dispute into an opening and replay steps (``_plan_dispute``) before anything is
written; then it replays them in one write transaction, as the people the
export records, so every rule, right and clock is checked again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from panel_tui.rules import rights
from panel_tui.rules.enums import Action, Outcome, Stage
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.forms import FORM_FIELDS, validate_form
from panel_tui.rules.policy import KNOWN_ROLES
from panel_tui.store.db import Store
from panel_tui.store.models import Agency, Person
from panel_tui.store.transfer.export import FORMAT, VERSION
from panel_tui.store.transfer.replay import (
    STEP_RANK,
    ImportResult,
    Replayer,
    ReplayStep,
    ledger_call,
    record_import,
    replay_steps,
)
from panel_tui.store.transfer.validate import (
    known_values,
    parse_choice,
    parse_date,
    parse_present,
    parse_time,
)


def _plan_dispute(
    i: int, raw: Any, logins: set[str], codes: set[str]
) -> tuple[dict[str, Any], datetime, str, list[ReplayStep]]:
    """Validate one exported dispute; return its form, opening and later steps."""
    if not isinstance(raw, dict):
        raise InvalidInputError("a dispute must be a JSON object", row=i)
    form = {name: raw.get(name) for name in FORM_FIELDS}
    form["evidence"] = {
        k: {
            "present": parse_present(v.get("present"), i, f"evidence.{k}.present"),
            "note": v.get("note") or "",
        }
        for k, v in (raw.get("evidence") or {}).items()
        if isinstance(v, dict)
    }
    validated = validate_form(form, row=i)
    for name, code in [("raising_agency", validated.raising_agency)] + [
        ("responding_agencies", c) for c in validated.responding_agencies
    ]:
        if code not in codes:
            raise InvalidInputError(f"unknown agency '{code}'", field=name, row=i)
    opened = parse_time(raw.get("opened_at"), i, "opened_at")
    assert opened is not None
    steps: list[ReplayStep] = []

    def login(value: Any, name: str) -> str:
        text = str(value or "")
        if text not in logins:
            raise InvalidInputError(f"unknown login '{text}'", field=name, row=i)
        return text

    def when(value: Any, name: str, required: bool = True) -> datetime | None:
        moment = parse_time(value, i, name, required=required)
        if moment is not None and moment < opened:
            raise InvalidInputError("is before the dispute was opened", field=name, row=i)
        return moment

    def text(value: Any, name: str) -> str:
        # Free text reaches the ledger's str methods: anything else is refused here.
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InvalidInputError("must be text", field=name, row=i)
        return value

    def add(moment: datetime, kind: str, actor: str, where: str, run: Any, stage: int = 0) -> None:
        steps.append(ReplayStep(moment, STEP_RANK[kind], stage, len(steps), where, actor, run))

    opener = login(raw.get("opened_by"), "opened_by")
    for key, item in (raw.get("evidence") or {}).items():
        where = f"evidence.{key}"
        moment = when(item.get("updated_at"), f"{where}.updated_at", required=False)
        by = login(item.get("updated_by") or opener, f"{where}.updated_by")
        if moment is not None and (moment > opened or by != opener):
            present = parse_present(item.get("present"), i, f"{where}.present")
            note = text(item.get("note"), f"{where}.note")
            add(
                moment,
                "evidence",
                by,
                where,
                ledger_call("record_evidence", key, present, note, at=moment),
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
            ledger_call(
                "escalate",
                text(st.get("note"), f"{where}.note"),
                text(st.get("breach_reason"), f"{where}.breach_reason"),
                at=moment,
            ),
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
            ledger_call(
                "assign_cover",
                c.get("provider"),
                text(c.get("support_level"), f"{where}.support_level"),
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
            ledger_call(
                "start_provisional",
                coordinator,
                text(p.get("actions"), f"{where}.actions"),
                ends_at=ends,
                at=moment,
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
                ledger_call(
                    "log_contact",
                    text(c.get("method"), f"{cw}.method"),
                    text(c.get("outcome"), f"{cw}.outcome"),
                    text(c.get("note"), f"{cw}.note"),
                    at=at,
                ),
            )

    for n, x in enumerate(raw.get("decisions") or []):
        where = f"decisions[{n}]"
        moment = when(x.get("decided_at"), f"{where}.decided_at")
        kind = parse_choice(x.get("kind"), ("decision", "final"), i, f"{where}.kind")
        parse_choice(x.get("outcome"), tuple(o.value for o in Outcome), i, f"{where}.outcome")
        review = parse_date(x.get("review_date"), i, f"{where}.review_date")
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
            ledger_call(
                "record_decision",
                x.get("outcome"),
                text(x.get("rationale"), f"{where}.rationale"),
                review,
                receiving_agency=receiving,
                pathway=text(x.get("pathway"), f"{where}.pathway"),
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
        start = parse_date(acc.get("start_date"), i, "acceptance.start_date")
        add(
            end,
            "acceptance",
            by,
            "acceptance",
            ledger_call(
                "confirm_acceptance",
                text(acc.get("start_plan"), "acceptance.start_plan"),
                start,
                at=end,
            ),
        )  # type: ignore[arg-type]
    if wd:
        end = when(wd.get("at"), "withdrawal.at")
        by = login(wd.get("by"), "withdrawal.by")
        add(
            end,
            "withdrawal",
            by,
            "withdrawal",
            ledger_call("withdraw", text(wd.get("reason"), "withdrawal.reason"), at=end),
        )  # type: ignore[arg-type]

    for n, h in enumerate(raw.get("plan_holders") or []):
        where = f"plan_holders[{n}]"
        moment = when(h.get("from_at"), f"{where}.from_at")
        holder = login(h.get("login"), f"{where}.login")
        by = login(h.get("assigned_by"), f"{where}.assigned_by")
        add(moment, "plan_holders", by, where, ledger_call("assign_plan_holder", holder, at=moment))  # type: ignore[arg-type]

    for n, note in enumerate(raw.get("notes") or []):
        where = f"notes[{n}]"
        moment = when(note.get("at"), f"{where}.at")
        by = login(note.get("by"), f"{where}.by")
        add(
            moment,
            "notes",
            by,
            where,
            ledger_call("add_note", text(note.get("text"), f"{where}.text"), at=moment),
        )  # type: ignore[arg-type]

    if end is not None:
        late = next((s for s in steps if s.at > end and s.rank < STEP_RANK["acceptance"]), None)
        if late is not None:
            raise InvalidInputError("is after the dispute was resolved", field=late.where, row=i)
    return form, opened, opener, sorted(steps)


def _checked_plan(
    i: int, raw: Any, logins: set[str], codes: set[str]
) -> tuple[dict[str, Any], datetime, str, list[ReplayStep]]:
    try:
        return _plan_dispute(i, raw, logins, codes)
    except (AttributeError, TypeError, KeyError):
        # A list where an object belongs, or the like: name the dispute at least.
        raise InvalidInputError(
            "is not shaped like an exported dispute (a list or object is malformed)", row=i
        ) from None


def _check_entries(doc: dict[str, Any]) -> None:
    """Agencies and people hold text where text belongs (the ledger calls str methods)."""
    for key, names in (("agencies", ("name", "kind")), ("people", ("display_name", "agency"))):
        for n, entry in enumerate(doc.get(key) or []):
            for name in names:
                if entry.get(name) is not None and not isinstance(entry.get(name), str):
                    raise InvalidInputError("must be text", field=f"{key}[{n}].{name}")
            roles = entry.get("roles") if key == "people" else []
            if roles is not None and not (
                isinstance(roles, list) and all(isinstance(r, str) for r in roles)
            ):
                raise InvalidInputError("must be a list of role names", field=f"{key}[{n}].roles")


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
    codes = known_values(doc, "agencies", "code", store_codes)
    logins = known_values(doc, "people", "login", set(store_people))
    _check_entries(doc)
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

    ledger = Replayer(store, login)
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
            refs[old] = replay_steps(ledger, i, form, opened, opener, steps)
        ledger.login = login
        record_import(ledger, "export", refs, doc.get("exported_at"))
    return ImportResult(
        disputes=len(plans),
        refs=refs,
        agencies_added=tuple(str(a["code"]).upper() for a in new_agencies),
        people_added=tuple(p["login"] for p in new_people),
    )
