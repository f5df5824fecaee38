"""Import of an existing dispute log as CSV, replayed through the Ledger.

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
originally decided is kept as a note on the dispute. The rung and agency rules
(who may decide on which rung, which agency confirms acceptance) are not
applied to the replay: the log records what happened, not the importer's act.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules import rights
from panel_tui.rules.enums import Action, Outcome, Stage, Status
from panel_tui.rules.errors import DomainError, InvalidInputError, RightsError
from panel_tui.rules.fields import CSV_COLUMNS, EVIDENCE_COLUMNS, FORM_FIELDS
from panel_tui.rules.forms import validate_form
from panel_tui.store.db import Store
from panel_tui.store.models import Agency, Person
from panel_tui.store.transfer.replay import (
    ImportResult,
    Replayer,
    dispute_key,
    held_disputes,
    record_import,
    refuse_future,
)
from panel_tui.store.transfer.validate import parse_choice, parse_date, parse_time, with_row

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


@dataclass(frozen=True)
class _Cells:
    """One CSV row's cells, read with the row number every refusal names."""

    row: int
    values: dict[str, str]

    def text(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def required(self, name: str, minimum: int = 1) -> str:
        value = self.text(name)
        if len(value) < minimum:
            need = "required" if minimum == 1 else f"required (at least {minimum} characters)"
            raise InvalidInputError(
                f"{need} when status is {self.text('status')}", field=name, row=self.row
            )
        return value

    def past_time(self, name: str, *, required: bool = True) -> datetime | None:
        """A time with its offset that has already happened (None: empty, if allowed)."""
        moment = parse_time(self.text(name), self.row, name, required=required)
        if moment is not None:
            refuse_future(moment, self.row, name)
        return moment

    def refuse(self, message: str, name: str) -> InvalidInputError:
        return InvalidInputError(message, field=name, row=self.row)


def _csv_row(row: int, values: dict[str, str], codes: set[str]) -> _CsvRow:
    """One row checked cell by cell, in the order a person reads it: the opening and the
    form, the rung reached, the status, then what that status needs."""
    cells = _Cells(row, values)
    opened = cells.past_time("opened_at")
    assert opened is not None
    form = _csv_form(cells, codes)
    stage, entered = _csv_stage(cells, opened)
    status, resolved = _csv_status(cells, entered or opened)
    if status in (Status.DECIDED, Status.CLOSED):
        values = values | _csv_decision(cells, codes, decided=resolved or entered or opened)
    if status is Status.CLOSED:
        cells.required("start_plan", 10)
    if status is Status.WITHDRAWN:
        cells.required("withdrawn_reason", 5)
    return _CsvRow(row, form, opened, stage, entered, status, resolved, values)


def _csv_form(cells: _Cells, codes: set[str]) -> dict[str, Any]:
    """The dispute form from its columns, validated as the app's form is; agencies known."""
    row, text = cells.row, cells.text
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
            raise cells.refuse(str(err).split(": ", 1)[-1], column) from None
        raise
    for name, code in [("raising_agency", validated.raising_agency)] + [
        ("responding_agencies", c) for c in validated.responding_agencies
    ]:
        if code not in codes:
            raise cells.refuse(f"unknown agency '{code}'", name)
    return form


def _csv_stage(cells: _Cells, opened: datetime) -> tuple[int, datetime | None]:
    """The rung reached (0–4) and when, which cannot be before the opening."""
    stage_text = cells.text("stage") or "0"
    if not stage_text.isdigit() or not 0 <= int(stage_text) <= int(Stage.COMMISSIONER_LIAISON):
        raise cells.refuse("must be a stage number 0–4", "stage")
    stage = int(stage_text)
    entered = cells.past_time("stage_entered_at", required=False)
    if entered is not None and entered < opened:
        raise cells.refuse("is before opened_at", "stage_entered_at")
    if stage == 0 and entered is not None and entered != opened:
        raise cells.refuse(
            "stage 0 is entered when the dispute opens: leave it empty", "stage_entered_at"
        )
    if stage == int(Stage.COMMISSIONER_LIAISON) and entered is None:
        raise cells.refuse("required for stage 4 (commissioner liaison)", "stage_entered_at")
    return stage, entered


def _csv_status(cells: _Cells, reached: datetime) -> tuple[Status, datetime | None]:
    """The status and when the dispute was resolved (after it ``reached`` its stage)."""
    status = Status(
        parse_choice(
            cells.text("status") or "open", tuple(s.value for s in Status), cells.row, "status"
        )
    )
    resolved = cells.past_time("resolved_at", required=False)
    if resolved is not None and resolved < reached:
        raise cells.refuse("is before the dispute reached its stage", "resolved_at")
    if status in (Status.CLOSED, Status.WITHDRAWN) and resolved is None:
        raise cells.refuse(f"required when status is {status.value}", "resolved_at")
    return status, resolved


def _csv_decision(cells: _Cells, codes: set[str], decided: datetime) -> dict[str, str]:
    """A decided or closed row's decision: its cells checked; the outcome and receiving
    agency as the replay records them."""
    row = cells.row
    outcome = parse_choice(
        cells.required("outcome"), tuple(o.value for o in Outcome if o.resolves), row, "outcome"
    )
    receiving = cells.required("receiving_agency").upper()
    if receiving not in codes:
        raise cells.refuse(f"unknown agency '{receiving}'", "receiving_agency")
    cells.required("rationale", 10)
    cells.required("decided_by")
    review = parse_date(cells.required("review_date"), row, "review_date")
    if review < decided.date():
        raise cells.refuse("is before the decision", "review_date")
    return {"outcome": outcome, "receiving_agency": receiving}


def read_csv(text: str) -> list[dict[str, str]]:
    """The CSV's data rows as dicts; refuses missing or unknown columns."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:  # a stray carriage return, a cell over the size limit...
        raise InvalidInputError(
            f"the header row is not valid CSV ({exc})", field="header"
        ) from None
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
    rows: list[dict[str, str]] = []
    try:
        for n, raw in enumerate(reader, 1):
            if None in raw:
                raise InvalidInputError("has more cells than the header has columns", row=n)
            rows.append({k: v or "" for k, v in raw.items()})
    except csv.Error as exc:
        raise InvalidInputError(f"is not valid CSV ({exc})", row=len(rows) + 1) from None
    return rows


def import_csv(store: Store, login: str, text: str) -> ImportResult:
    """Replay a CSV dispute log as ``login``; every row validated first, all or nothing."""
    with store.read() as s:
        codes = set(s.execute(select(col(Agency.code))).scalars())
        importer = s.execute(select(Person).where(col(Person.login) == login)).scalars().first()
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
    keys = [dispute_key(r.form, r.opened) for r in rows]
    held = held_disputes(store, keys)
    ledger = Replayer(store, login)
    # The importer replays what the log says happened: who decided at which rung and
    # which team accepted are history (kept as notes), not this importer's rights.
    ledger.replaying_history = True
    refs: dict[str, str] = {}
    skipped: dict[str, str] = {}
    with ledger.batch():
        for r, key in zip(rows, keys, strict=True):
            if key in held:  # already in the store, or earlier in this file: not again
                skipped[f"row {r.row}"] = held[key]
                continue
            refs[f"row {r.row}"] = held[key] = _replay_csv_row(ledger, policy, r)
        record_import(ledger, "csv", refs, None, skipped)
    return ImportResult(disputes=len(refs), refs=refs, skipped=skipped)


def _replay_csv_row(ledger: Replayer, policy: Any, r: _CsvRow) -> str:
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
        raise with_row(err, r.row, where, ref) from None
    return ref
