"""Import of the JSON export format: validate every dispute, then replay them all.

``import_export`` checks the document's format and version, the importer's
administer right, the agencies and people it would add, and turns each exported
dispute into an opening and replay steps (``_plan_dispute``, part by part) before anything is
written; then it replays them in one write transaction, as the people the
export records, so every rule, right and clock is checked again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from panel_tui.rules import rights
from panel_tui.rules.enums import Action, Outcome, Stage
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.fields import FORM_FIELDS
from panel_tui.rules.forms import validate_form
from panel_tui.rules.policy import KNOWN_ROLES
from panel_tui.store.db import Store
from panel_tui.store.models import Agency, Person
from panel_tui.store.transfer.export import FORMAT, VERSION
from panel_tui.store.transfer.replay import (
    AFTER_RESOLUTION,
    ImportResult,
    Replayer,
    ReplayStep,
    dispute_key,
    held_disputes,
    record_import,
    refuse_future,
    replay_steps,
)
from panel_tui.store.transfer.reviews_import import ReviewSteps, opening_risk
from panel_tui.store.transfer.validate import (
    known_values,
    parse_choice,
    parse_date,
    parse_present,
    parse_time,
)


class _DisputePlan(ReviewSteps):
    """One exported dispute, checked part by part and turned into replay steps.

    Every time must fall after the opening, every login and agency must be known,
    and free text must be text; each refusal names the dispute and the field.
    """

    def __init__(self, i: int, raw: dict[str, Any], logins: set[str], codes: set[str]) -> None:
        super().__init__(i, raw, logins, codes)
        self.form = self._form()
        opened = parse_time(raw.get("opened_at"), i, "opened_at")
        assert opened is not None
        refuse_future(opened, i, "opened_at")
        self.opened = opened
        self.opener = self.login(raw.get("opened_by"), "opened_by")

    def _form(self) -> dict[str, Any]:
        """The form and its evidence, validated, with agencies the import knows."""
        i, raw = self.i, self.raw
        form = {name: raw.get(name) for name in FORM_FIELDS}
        form["risk"] = opening_risk(raw)  # re-ratings replayed later bring it to "risk"
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
            if code not in self.codes:
                raise InvalidInputError(f"unknown agency '{code}'", field=name, row=i)
        return form

    # --- the parts, in the order they are checked --------------------------------------------
    def evidence(self) -> None:
        """Evidence recorded after the opening, or by someone else than the opener."""
        for key, item in (self.raw.get("evidence") or {}).items():
            where = f"evidence.{key}"
            moment = self.when(item.get("updated_at"), f"{where}.updated_at", required=False)
            by = self.login(item.get("updated_by") or self.opener, f"{where}.updated_by")
            if moment is not None and (moment > self.opened or by != self.opener):
                present = parse_present(item.get("present"), self.i, f"{where}.present")
                note = self.text(item.get("note"), f"{where}.note")
                self.step("evidence", moment, by, where, "record_evidence", key, present, note)

    def stages(self) -> None:
        """Escalations: one rung at a time, each entered no earlier than the last."""
        previous = self.opened
        for n, st in enumerate(self.raw.get("stages") or []):
            where = f"stages[{n}]"
            if not isinstance(st, dict) or st.get("stage") != n:
                raise InvalidInputError(
                    f"expected stage {n} here: stages must climb one rung at a time",
                    field=where,
                    row=self.i,
                )
            moment = self.when(st.get("entered_at"), f"{where}.entered_at")
            assert moment is not None
            if moment < previous:
                raise InvalidInputError(
                    "is before the previous stage was entered",
                    field=f"{where}.entered_at",
                    row=self.i,
                )
            previous = moment
            if n == 0:
                if moment != self.opened:
                    raise InvalidInputError(
                        "stage 0 is entered when the dispute opens",
                        field=f"{where}.entered_at",
                        row=self.i,
                    )
                continue
            by = self.login(st.get("entered_by"), f"{where}.entered_by")
            note = self.text(st.get("note"), f"{where}.note")
            reason = self.text(st.get("breach_reason"), f"{where}.breach_reason")
            # Exports older than migration 0011 carry no impact: replayed without one.
            impact = self.text(st.get("impact"), f"{where}.impact") or None
            self.step(
                "ladder", moment, by, where, "escalate", note, reason, impact=impact, stage=n * 2
            )

    def covers(self) -> None:
        """Interim cover, by a known provider agency."""
        for n, c in enumerate(self.raw.get("covers") or []):
            where = f"covers[{n}]"
            moment = self.when(c.get("starts_at"), f"{where}.starts_at")
            review = self.when(
                c.get("review_at"), f"{where}.review_at", required=False, happened=False
            )
            self.agency(c.get("provider"), f"{where}.provider")
            by = self.login(c.get("assigned_by"), f"{where}.assigned_by")
            cover = (c.get("provider"), self.text(c.get("support_level"), f"{where}.support_level"))
            self.step("covers", moment, by, where, "assign_cover", *cover, review_at=review)

    def packages(self) -> None:
        """Provisional packages and the contacts logged on each."""
        for n, p in enumerate(self.raw.get("packages") or []):
            where = f"packages[{n}]"
            moment = self.when(p.get("starts_at"), f"{where}.starts_at")
            ends = self.when(p.get("ends_at"), f"{where}.ends_at", happened=False)
            assert moment is not None
            coordinator = self.login(p.get("coordinator"), f"{where}.coordinator")
            by = self.login(p.get("authorised_by"), f"{where}.authorised_by")
            package = (coordinator, self.text(p.get("actions"), f"{where}.actions"))
            self.step("packages", moment, by, where, "start_provisional", *package, ends_at=ends)
            for m, c in enumerate(p.get("contacts") or []):
                self.contact(c, f"{where}.contacts[{m}]", moment)
            self.pathway(p, where)

    def contact(self, c: dict[str, Any], where: str, package_start: datetime) -> None:
        at = self.when(c.get("at"), f"{where}.at")
        assert at is not None
        if at < package_start:
            raise InvalidInputError(
                "is before its package started", field=f"{where}.at", row=self.i
            )
        by = self.login(c.get("by"), f"{where}.by")
        method = self.text(c.get("method"), f"{where}.method")
        outcome = self.text(c.get("outcome"), f"{where}.outcome")
        note = self.text(c.get("note"), f"{where}.note")
        self.step("contacts", at, by, where, "log_contact", method, outcome, note)

    def decisions(self) -> None:
        """Decisions, each at a stage of the ladder."""
        for n, x in enumerate(self.raw.get("decisions") or []):
            where = f"decisions[{n}]"
            moment = self.when(x.get("decided_at"), f"{where}.decided_at")
            kind = parse_choice(x.get("kind"), ("decision", "final"), self.i, f"{where}.kind")
            outcomes = tuple(o.value for o in Outcome)
            parse_choice(x.get("outcome"), outcomes, self.i, f"{where}.outcome")
            review = parse_date(x.get("review_date"), self.i, f"{where}.review_date")
            receiving = x.get("receiving_agency")
            if receiving:
                self.agency(receiving, f"{where}.receiving_agency")
            stage = x.get("stage")
            if not isinstance(stage, int) or not 0 <= stage <= int(Stage.COMMISSIONER_LIAISON):
                raise InvalidInputError(
                    "must be a stage number 0–4", field=f"{where}.stage", row=self.i
                )
            by = self.login(x.get("decided_by"), f"{where}.decided_by")
            decision = (
                x.get("outcome"),
                self.text(x.get("rationale"), f"{where}.rationale"),
                review,
            )
            options = {
                "receiving_agency": receiving,
                "pathway": self.text(x.get("pathway"), f"{where}.pathway"),
                "final": kind == "final",
            }
            rung = {"stage": stage * 2 + 1}  # after the escalation to that stage
            self.step("ladder", moment, by, where, "record_decision", *decision, **rung, **options)

    def ending(self) -> datetime | None:
        """Acceptance or withdrawal (not both); returns when the dispute was resolved."""
        acc, wd = self.raw.get("acceptance"), self.raw.get("withdrawal")
        if acc and wd:
            raise InvalidInputError(
                "a dispute cannot be both accepted and withdrawn", field="withdrawal", row=self.i
            )
        end: datetime | None = None
        if acc:
            end = self.when(acc.get("at"), "acceptance.at")
            by = self.login(acc.get("accepted_by"), "acceptance.accepted_by")
            start = parse_date(acc.get("start_date"), self.i, "acceptance.start_date")
            plan = self.text(acc.get("start_plan"), "acceptance.start_plan")
            self.step("acceptance", end, by, "acceptance", "confirm_acceptance", plan, start)
        if wd:
            end = self.when(wd.get("at"), "withdrawal.at")
            by = self.login(wd.get("by"), "withdrawal.by")
            reason = self.text(wd.get("reason"), "withdrawal.reason")
            self.step("withdrawal", end, by, "withdrawal", "withdraw", reason)
        return end

    def plan_holders(self) -> None:
        """Plan holders, in the order they were assigned."""
        for n, h in enumerate(self.raw.get("plan_holders") or []):
            where = f"plan_holders[{n}]"
            moment = self.when(h.get("from_at"), f"{where}.from_at")
            holder = self.login(h.get("login"), f"{where}.login")
            by = self.login(h.get("assigned_by"), f"{where}.assigned_by")
            ends = self.when(
                h.get("period_ends"), f"{where}.period_ends", required=False, happened=False
            )
            # The export holds the next synchronisation as it stands now; the
            # synchronisations replayed after this one set it as they did.
            sync = self.when(
                h.get("next_sync_due"), f"{where}.next_sync_due", required=False, happened=False
            )
            self.step(
                "plan_holders",
                moment,
                by,
                where,
                "assign_plan_holder",
                holder,
                period_ends=ends,
                next_sync=sync,
            )

    def syncs(self) -> None:
        """Case synchronisations the plan holder convened ([Disputes], example 3)."""
        for n, x in enumerate(self.raw.get("syncs") or []):
            where = f"syncs[{n}]"
            moment = self.when(x.get("recorded_at"), f"{where}.recorded_at")
            held = self.when(x.get("held_at"), f"{where}.held_at")
            due = self.when(x.get("next_due"), f"{where}.next_due", required=False, happened=False)
            by = self.login(x.get("recorded_by"), f"{where}.recorded_by")
            sync = (
                self.text(x.get("trigger"), f"{where}.trigger"),
                self.text(x.get("participants"), f"{where}.participants"),
                self.text(x.get("outcome"), f"{where}.outcome"),
            )
            self.step("syncs", moment, by, where, "record_sync", *sync, held_at=held, next_due=due)

    def consent_scopes(self) -> None:
        """Each scope of consent recorded, oldest first ([Coordination], example 3)."""
        for n, c in enumerate(self.raw.get("consent_scopes") or []):
            where = f"consent_scopes[{n}]"
            moment = self.when(c.get("recorded_at"), f"{where}.recorded_at")
            by = self.login(c.get("recorded_by"), f"{where}.recorded_by")
            agencies = c.get("agencies")
            if not isinstance(agencies, list):
                raise InvalidInputError("must be a list of agency codes", field=where, row=self.i)
            for m, code in enumerate(agencies):
                self.agency(code, f"{where}.agencies[{m}]")
            purpose = self.text(c.get("purpose"), f"{where}.purpose")
            review = parse_date(c.get("review_date"), self.i, f"{where}.review_date")
            scope = ([str(a) for a in agencies], purpose, review)
            self.step("consent", moment, by, where, "record_consent", *scope)

    def notes(self) -> None:
        for n, note in enumerate(self.raw.get("notes") or []):
            where = f"notes[{n}]"
            moment = self.when(note.get("at"), f"{where}.at")
            by = self.login(note.get("by"), f"{where}.by")
            self.step(
                "notes", moment, by, where, "add_note", self.text(note.get("text"), f"{where}.text")
            )

    def refuse_steps_after(self, end: datetime) -> None:
        """Only reviews, notes and the ending itself may come after the dispute was resolved."""
        late = next((s for s in self.steps if s.at > end and s.kind not in AFTER_RESOLUTION), None)
        if late is not None:
            raise InvalidInputError(
                "is after the dispute was resolved", field=late.where, row=self.i
            )


def _plan_dispute(
    i: int, raw: Any, logins: set[str], codes: set[str]
) -> tuple[dict[str, Any], datetime, str, list[ReplayStep]]:
    """Validate one exported dispute; return its form, opening and later steps."""
    if not isinstance(raw, dict):
        raise InvalidInputError("a dispute must be a JSON object", row=i)
    plan = _DisputePlan(i, raw, logins, codes)
    plan.evidence()
    plan.stages()
    plan.covers()
    plan.packages()
    plan.decisions()
    end = plan.ending()
    plan.plan_holders()
    plan.syncs()
    plan.consent_scopes()
    plan.risk_ratings()
    plan.review_triggers()
    plan.reviews()
    plan.agenda()
    plan.notes()
    if end is not None:
        plan.refuse_steps_after(end)
    return plan.form, plan.opened, plan.opener, sorted(plan.steps)


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
            if key == "people" and not isinstance(entry.get("active", True), bool):
                raise InvalidInputError("must be true or false", field=f"people[{n}].active")
            roles = entry.get("roles") if key == "people" else []
            if roles is not None and not (
                isinstance(roles, list) and all(isinstance(r, str) for r in roles)
            ):
                raise InvalidInputError("must be a list of role names", field=f"{key}[{n}].roles")


def import_export(store: Store, login: str, doc: dict[str, Any]) -> ImportResult:
    """Replay an export into ``store`` as the recorded people; all or nothing.

    Importing writes in other people's names, so the importer needs the
    administer right; agencies and people the store lacks are added (people
    the export marks inactive are deactivated once their history is in). Each step runs
    as the person the export records, so their roles must still allow it.
    The store's own policy applies: under different windows the due times
    differ from the source's.
    """
    disputes = _checked_document(doc)
    store_codes, store_people = _directory_for(store, login)
    codes = known_values(doc, "agencies", "code", store_codes)
    logins = known_values(doc, "people", "login", set(store_people))
    _check_entries(doc)
    new_agencies = [
        a for a in doc.get("agencies") or [] if str(a["code"]).strip().upper() not in store_codes
    ]
    new_people = [p for p in doc.get("people") or [] if p["login"] not in store_people]
    _check_new_people(doc, store_people, codes)
    plans = [_checked_plan(i, raw, logins, codes) for i, raw in enumerate(disputes, 1)]
    refs, skipped = _replay_export(store, login, doc, new_agencies, new_people, plans)
    return ImportResult(
        disputes=len(refs),
        refs=refs,
        skipped=skipped,
        agencies_added=tuple(str(a["code"]).upper() for a in new_agencies),
        people_added=tuple(p["login"] for p in new_people),
    )


def _checked_document(doc: Any) -> list[Any]:
    """The export's disputes, once the document says it is an export this app reads."""
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
    return disputes


def _directory_for(store: Store, login: str) -> tuple[set[str], dict[str, Person]]:
    """The store's agency codes and people, once ``login`` is known to administer it."""
    with store.read() as s:
        store_codes = set(s.execute(select(col(Agency.code))).scalars())
        store_people = {p.login: p for p in s.execute(select(Person)).scalars()}
    importer = store_people.get(login)
    policy = store.policy()
    if importer is None or not importer.active:
        raise InvalidInputError(f"{login} is not a user of this store", field="login")
    rights.require(policy, Action.ADMINISTER, login, importer.role_list)
    return store_codes, store_people


def _check_new_people(
    doc: dict[str, Any], store_people: dict[str, Person], codes: set[str]
) -> None:
    """People the store lacks come with known roles (at least one) and a known agency."""
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


def _replay_export(
    store: Store,
    login: str,
    doc: dict[str, Any],
    new_agencies: list[dict[str, Any]],
    new_people: list[dict[str, Any]],
    plans: list[tuple[dict[str, Any], datetime, str, list[ReplayStep]]],
) -> tuple[dict[str, str], dict[str, str]]:
    """In one batch: the new agencies and people, every dispute the store does not hold
    yet, leavers deactivated, and the import's own record. The old ref → the new (and
    → the ref the store holds it under, for those skipped)."""
    disputes = doc["disputes"]
    keys = [dispute_key(form, opened) for form, opened, _, _ in plans]
    held = held_disputes(store, keys)
    ledger = Replayer(store, login)
    refs: dict[str, str] = {}
    skipped: dict[str, str] = {}
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
        for i, ((form, opened, opener, steps), key) in enumerate(zip(plans, keys, strict=True), 1):
            old = str(disputes[i - 1].get("ref") or f"row {i}")
            if key in held:  # already in the store, or earlier in this file: not again
                skipped[old] = held[key]
                continue
            refs[old] = held[key] = replay_steps(ledger, i, form, opened, opener, steps)
        ledger.login = login
        # Added active so their history could be replayed; a leaver stays a leaver here.
        for p in new_people:
            if p.get("active") is False:
                ledger.deactivate(p["login"], "inactive in the export imported")
        record_import(ledger, "export", refs, doc.get("exported_at"), skipped)
    return refs, skipped
