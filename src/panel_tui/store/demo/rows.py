"""The bulk path's rows: disputes made as the Ledger would have written them.

A ``RowMaker`` walks each plan's steps as the Ledger would, producing row
tuples in table-column order with times already in their stored SQLite form,
plus the events for the hash chain (without ids or hashes: ``bulk`` adds
them). ``BulkContext``, ``BulkJob`` and ``BulkBatch`` are what goes in and
comes out; all of it is pure, so the same job gives the same rows anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from panel_tui.rules.clocks import clock_state
from panel_tui.rules.enums import Action, EvidenceKey, Outcome, PackageStatus, Status
from panel_tui.rules.fields import TEXT_FIELDS
from panel_tui.rules.policy import Policy, parse_policy
from panel_tui.rules.reviews import local_date
from panel_tui.store.demo.plan import Plan, Step, stage_windows
from panel_tui.store.event_hash import EventContent, canonical
from panel_tui.store.fast_json import canonical_fast


@cache
def _policy(text: str) -> Policy:
    return parse_policy(text, source="the demo policy")


#: ``canonical`` for the dicts the row maker encodes (a dozen a dispute, millions in a big
#: demo): the same text, at orjson's speed (``fast_json``).
_canonical = canonical_fast


def as_stored(moment: datetime | None) -> str | None:
    """A UTCDateTime as SQLAlchemy stores it in SQLite: naive UTC text with microseconds."""
    if moment is None:
        return None
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    # "YYYY-MM-DD HH:MM:SS.ffffff" and no offset: the cheapest way there.
    return moment.isoformat(" ", "microseconds")[:26]


#: Tables the bulk path fills, parents first; every row gets its id here (events name them).
BULK_TABLES = (
    "dispute",
    "disputeagency",
    "evidenceitem",
    "stagerecord",
    "interimcover",
    "planholderassignment",
    "decision",
    "acceptance",
    "provisionalpackage",  # the quick demo's (rich plans); the bulk planner makes none
    "contactattempt",
    "note",
    "event",
)
#: Ids each dispute reserves per table (a job's ids are planned before its rows are
#: made, so jobs stay independent); unused ones are gaps, which SQLite does not mind.
IDS_PER_DISPUTE = {
    "evidenceitem": len(EvidenceKey),
    "stagerecord": 5,
    "interimcover": 2,
    "planholderassignment": 2,
    "decision": 2,
    "acceptance": 1,
}
Rows = dict[str, list[tuple[Any, ...]]]
#: The open event's dispute row is written before the dispute has its ref (the chain's
#: side gives refs, in order): this stands for it in the rows' JSON, to be replaced there.
#: A stored text never holds U+0000 (``text_guard``), so nothing else reads like it.
REF_HOLE = "\x00ref\x00"
#: How ``REF_HOLE`` reads in canonical JSON.
REF_HOLE_JSON = canonical(REF_HOLE)


def columns(table: str) -> list[str]:
    from sqlmodel import SQLModel

    import panel_tui.store.models  # noqa: F401 - registers the tables

    # Plain str: a column's name is SQLAlchemy's quoted_name, which orjson refuses as a key.
    return [str(c.name) for c in SQLModel.metadata.tables[table].columns]


@dataclass(frozen=True)
class BulkContext:
    """What making rows needs from the store (picklable, should workers ever make them)."""

    policy_text: str
    now: datetime
    people: dict[str, tuple[int, tuple[str, ...]]]  # login → (id, roles)
    agencies: dict[str, int]  # code → id
    #: Each table's columns in table order (None: read from the models, with SQLAlchemy)
    columns: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class BulkJob:
    """One batch of disputes with its own seed: any process makes the same rows for it."""

    seed: str
    first_dispute: int
    #: table → the first id of this job's block (``IDS_PER_DISPUTE`` ids per dispute)
    first_ids: dict[str, int]
    ages: tuple[float, ...] = ()  # closed or withdrawn disputes: opened this many days ago
    live: tuple[int, ...] = ()  # live disputes: positions in the live sequence

    @property
    def count(self) -> int:
        return len(self.ages) + len(self.live)


@dataclass
class BulkBatch:
    """A job's rows. Disputes have no ref yet and events no hash: the store's side adds them."""

    rows: Rows
    #: (at, actor, action, dispute_id, stage, before, after, the rows written as JSON);
    #: the open event's dispute row gets its ref from the store's side, like the dispute
    #: itself (``REF_HOLE_JSON`` in the JSON until then)
    events: list[tuple[Any, ...]]
    years: list[int]  # the year each dispute was opened, in id order
    first_dispute: int


class RowMaker:
    """Rows and events for one job's disputes, as the Ledger would have written them.

    Each dispute's rows are dicts in table-column order, with times already in
    their stored form; every change goes through ``_insert``/``_set``, which also
    note it for the step's event (``Event.rows``), exactly as the Ledger's events
    carry what they wrote (``rebuild.capture``: each row once per operation, an
    update naming the columns whose value changed, rows in key order): verify
    rebuilds the tables from those events. A row's version goes up once per flush
    that changes it, so ``_flush`` is called where the Ledger's operation flushes
    (each query it makes after a change autoflushes, and ``touch``). The rows go out
    as tuples straight to the driver's executemany (Core's per-row bind
    processing would otherwise be half the build time).
    """

    def __init__(self, context: BulkContext, job: BulkJob) -> None:
        self.policy = _policy(context.policy_text)
        self.windows = stage_windows(self.policy)
        self.people, self.agencies = context.people, context.agencies
        self.next_dispute = job.first_dispute
        self.first_dispute = job.first_dispute
        self.first_ids = job.first_ids
        self.rows: Rows = {name: [] for name in BULK_TABLES if name != "event"}
        self.events: list[tuple[Any, ...]] = []
        self.years: list[int] = []
        known = context.columns
        self.columns = {name: known[name] if known else columns(name) for name in self.rows}
        # the dispute being made: its rows by table and key, its ids, its step's writes
        self.made: dict[str, dict[Any, dict[str, Any]]] = {}
        self.ids: dict[str, int] = {}
        self._last_id: dict[str, int] = {}
        #: (table, key) → (insert or update, the row, the columns an update changed)
        self.written: dict[tuple[str, tuple[Any, ...]], tuple[str, dict[str, Any], set[str]]] = {}
        #: rows changed since the last flush, and rows inserted since then
        self.dirty: dict[tuple[str, tuple[Any, ...]], dict[str, Any]] = {}
        self.unflushed: set[tuple[str, tuple[Any, ...]]] = set()
        self._granted: dict[Action, frozenset[str]] = {}
        self._stored_times: dict[int, tuple[datetime | None, str | None]] = {}

    def _stored(self, moment: datetime | None) -> str | None:
        """``as_stored``, once per time of a dispute: most are stored several times (the
        opening in five rows), and ``isoformat`` is a tenth of the time making rows."""
        known = self._stored_times.get(id(moment))
        if known is not None and known[0] is moment:  # (held here: its id is not reused)
            return known[1]
        text = as_stored(moment)
        self._stored_times[id(moment)] = (moment, text)
        return text

    def batch(self) -> BulkBatch:
        return BulkBatch(self.rows, self.events, self.years, self.first_dispute)

    # --- rows and what each step wrote -------------------------------------------------
    def _new_id(self, table: str) -> int:
        """The next id of ``table`` in this dispute's block (``IDS_PER_DISPUTE``)."""
        new = self.ids[table]
        self.ids[table] += 1
        assert self.ids[table] <= self._last_id[table], f"{table}: ids per dispute"
        return new

    def _insert(self, table: str, **values: Any) -> dict[str, Any]:
        if table == "dispute":
            key: Any = values["id"]
        elif "id" in self.columns[table]:
            key = values["id"] = self._new_id(table)
        else:
            key = (values["dispute_id"], values["agency_id"])
        # Every column, in table order, None where not given (``values`` names only
        # columns: the length says so); fromkeys and update run in C, where a dict
        # comprehension over ~20 columns took a twentieth of making rows.
        row = dict.fromkeys(self.columns[table])
        row.update(values)
        assert len(row) == len(self.columns[table]), f"{table}: not a column in {values}"
        self.made.setdefault(table, {})[key] = row
        pk = key if isinstance(key, tuple) else (key,)
        self.written[table, pk] = ("i", row, set())
        self.unflushed.add((table, pk))
        return row

    def _set(self, table: str, row: dict[str, Any], **changes: Any) -> None:
        """Change ``row``: only the values that differ count, as in the ORM's flush."""
        changed = {name: value for name, value in changes.items() if row[name] != value}
        if changed:
            self._changed(table, row, changed)

    def _changed(self, table: str, row: dict[str, Any], changed: dict[str, Any]) -> None:
        key = (table, (row["id"],))
        _, _, names = self.written.setdefault(key, ("u", row, set()))
        row.update(changed)
        names.update(changed)
        if key not in self.unflushed:  # an update for the next flush (else the insert's)
            self.dirty[key] = row

    def _flush(self) -> None:
        """The ORM's flush: each changed row updated, its version bumped."""
        if self.dirty:  # (most flushes have nothing to do: no new dict and set for them)
            for key, row in self.dirty.items():
                if "version" in row:
                    row["version"] += 1
                    self.written[key][2].add("version")
            self.dirty = {}
        if self.unflushed:
            self.unflushed = set()

    def _touch(self, row: dict[str, Any]) -> None:
        """The Ledger's ``touch``: a flush that changes the dispute, its status written
        unchanged if nothing else is pending."""
        if ("dispute", (row["id"],)) not in self.dirty:
            self._changed("dispute", row, {"status": row["status"]})
        self._flush()

    def _event(self, d: dict[str, Any], step: Step, action: str, stage: int, **kw: Any) -> None:
        self._flush()  # take_rows flushes first
        before, after = kw.get("before"), kw.get("after")
        before = _canonical(before) if before else "{}"  # (most events have no before)
        after = _canonical(after) if after else "{}"
        written: dict[str, list[list[Any]]] = {}
        for (table, pk), (kind, row, names) in sorted(
            self.written.items(), key=lambda item: (item[0][0], str(item[0][1]))
        ):
            # Encoded below, before the step after changes them: no copy of each row.
            values = row if kind == "i" else {name: row[name] for name in names}
            written.setdefault(table, []).append([kind, list(pk), values])
        self.written = {}
        text = _canonical(written)  # (its keys sorted by the encoder)
        self.events.append((step.at, step.actor, action, d["id"], stage, before, after, text))

    def _capacity(self, login: str, action: Action) -> str:
        granted = self._granted.get(action)
        if granted is None:  # every rung and type asked of the policy: once per action
            granted = self._granted[action] = self.policy.roles_for(action)
        return next((r for r in self.people[login][1] if r in granted), "")

    def add(self, plan: Plan) -> None:
        """One dispute: walk its steps as the Ledger would, then queue its rows."""
        n = self.next_dispute - self.first_dispute
        self.ids = {t: self.first_ids[t] + n * k for t, k in IDS_PER_DISPUTE.items()}
        self._last_id = {t: self.first_ids[t] + (n + 1) * k for t, k in IDS_PER_DISPUTE.items()}
        d = self._open(plan)
        for step in plan.steps[1:]:
            self._step(d, step)
        self._keep(d)

    def _keep(self, d: dict[str, Any]) -> None:
        """Queue a finished dispute's rows."""
        for table, made in d["made"].items():
            self.rows[table].extend(tuple(row.values()) for row in made.values())

    def _open(self, plan: Plan) -> dict[str, Any]:
        """The open step: the dispute, its agencies, evidence and first stage."""
        form, steps = plan.form, plan.steps
        opener, opened = steps[0].actor, steps[0].at
        assert steps[0].kind == "open"
        self.made = {}
        self._stored_times = {}
        did, by = self.next_dispute, self.people[opener][0]
        self.next_dispute += 1
        self.years.append(opened.year)
        due = opened + self._window(form["risk"], 0)
        raising = form["raising_agency"]
        self.written = {}
        # The opening's times as stored, once: they go into 9 rows or more.
        opened_at, due_at = self._stored(opened), self._stored(due)
        dispute = self._insert(
            "dispute",
            id=did,
            ref=None,  # given by the store's side, which holds the year counters
            person_ref=form["person_ref"],
            dispute_type=form["dispute_type"],
            risk=form["risk"],
            raising_agency_id=self.agencies[raising],
            agencies_label=f"{raising}→{','.join(form['responding_agencies'])}",
            status=Status.OPEN.value,
            current_stage=0,
            stage_entered_at=opened_at,
            current_due_at=due_at,
            opened_at=opened_at,
            opened_by_id=by,
            version=1,
            review_due_on=None,
            **{name: form[name] for name in TEXT_FIELDS},
        )
        self._insert(
            "disputeagency", dispute_id=did, agency_id=dispute["raising_agency_id"], party="raising"
        )
        for code in form["responding_agencies"]:
            self._insert(
                "disputeagency", dispute_id=did, agency_id=self.agencies[code], party="responding"
            )
        for key, item in form["evidence"].items():
            self._insert(
                "evidenceitem",
                dispute_id=did,
                key=key,
                present=int(item["present"]),
                note=item["note"],
                updated_at=opened_at,
                updated_by_id=by,
                version=1,
            )
        self._insert(
            "stagerecord",
            dispute_id=did,
            stage=0,
            entered_at=opened_at,
            due_at=due_at,
            entered_by_id=by,
        )
        d: dict[str, Any] = {"id": did, "row": dispute, "risk": form["risk"], "decision": None}
        d["made"] = self.made
        dispute["ref"] = REF_HOLE  # in the open event's rows; the row itself has none yet
        self._event(d, steps[0], "open", 0, after=form)
        dispute["ref"] = None
        return d

    def _window(self, risk: str, stage: int) -> timedelta:
        window = self.windows[risk, stage]
        assert window is not None
        return window

    def _open_stage(self) -> dict[str, Any]:
        return max(self.made["stagerecord"].values(), key=lambda r: r["stage"])

    def _stop_clock(self, d: dict[str, Any], at: datetime) -> None:
        self._flush()  # the Ledger's query for the stage autoflushes
        stage = self._open_stage()
        if stage["left_at"] is None:
            self._set("stagerecord", stage, left_at=self._stored(at))
        self._set("dispute", d["row"], current_due_at=None)

    def _end_cover(self) -> None:
        self._flush()  # the Ledger's query for active cover autoflushes
        for cover in self.made.get("interimcover", {}).values():
            if cover["active"]:
                self._set("interimcover", cover, active=0)

    def _active_package(self) -> dict[str, Any] | None:
        packages = self.made.get("provisionalpackage", {}).values()
        return next((p for p in packages if p["status"] == PackageStatus.ACTIVE.value), None)

    def _end_packages(self, at: datetime, status: PackageStatus) -> list[int]:
        """The active package closed as ``status``: its id in a list (the Ledger's)."""
        self._flush()  # the Ledger's query for it autoflushes
        package = self._active_package()
        if package is None:
            return []
        self._set("provisionalpackage", package, status=status.value, closed_at=self._stored(at))
        return [package["id"]]

    def _step(self, d: dict[str, Any], step: Step) -> None:
        write = {
            "escalate": self._escalate,
            "cover": self._cover,
            "plan_holder": self._plan_holder,
            "decision": self._decision,
            "accept": self._accept,
            "withdraw": self._withdraw,
            "provisional": self._provisional,
            "contact": self._contact,
            "note": self._note,
        }.get(step.kind)
        if write is None:  # pragma: no cover - a planner bug
            raise ValueError(f"the demo's rows cannot write a {step.kind} step")
        write(d, step)

    def _parts(self, d: dict[str, Any], step: Step) -> tuple[Any, datetime, int, int, Any]:
        """What every step reads: its arguments, its time, the actor's id, the dispute's id
        and its row."""
        return step.args, step.at, self.people[step.actor][0], d["id"], d["row"]

    def _escalate(self, d: dict[str, Any], step: Step) -> None:
        """Up one rung: the stage left, the next entered with its window; an expired
        package closed as escalated."""
        a, at, actor_id, did, row = self._parts(d, step)
        entered, due_at = _time(row["stage_entered_at"]), _parse(row["current_due_at"])
        clock = clock_state(self.policy, entered=entered, due=due_at, now=at)
        before = {
            "stage": row["current_stage"],
            "status": row["status"],
            "clock": clock.state.value,
            "due_at": due_at,
        }
        current = self._open_stage()
        if current["left_at"] is None:
            self._set("stagerecord", current, left_at=self._stored(at))
        target = row["current_stage"] + 1
        window = self.windows[d["risk"], target]
        due = at + window if window is not None else None
        breach, note = a["breach_reason"].strip() or None, a["note"].strip() or None
        self._insert(
            "stagerecord",
            dispute_id=did,
            stage=target,
            entered_at=self._stored(at),
            due_at=self._stored(due),
            entered_by_id=actor_id,
            breach_reason=breach,
            escalation_note=note,
            impact=a["impact"],
        )
        self._set(
            "dispute",
            row,
            status=Status.OPEN.value,
            current_stage=target,
            stage_entered_at=self._stored(at),
            current_due_at=self._stored(due),
        )
        self._flush()  # the Ledger's query for an expired package autoflushes
        package, escalated = self._active_package(), None
        if package is not None and _time(package["ends_at"]) <= at:
            escalated = self._end_packages(at, PackageStatus.ESCALATED)[0]
        after = {"stage": target, "due_at": due, "breach_reason": breach, "note": note}
        after["package_escalated"] = escalated
        after["impact"] = a["impact"]
        self._event(d, step, "escalate", before["stage"], before=before, after=after)

    def _cover(self, d: dict[str, Any], step: Step) -> None:
        """Interim cover: the active one ended, the new one in force, the review brought forward."""
        a, at, actor_id, did, row = self._parts(d, step)
        covers = self.made.get("interimcover", {}).values()
        previous = [c["provider_agency_id"] for c in covers if c["active"]]
        self._end_cover()
        self._insert(
            "interimcover",
            dispute_id=did,
            provider_agency_id=self.agencies[a["provider"]],
            support_level=a["level"],
            starts_at=self._stored(at),
            review_at=self._stored(a["review_at"]),
            assigned_by_id=actor_id,
            assigned_at=self._stored(at),
            active=1,
            version=1,
        )
        review_before = row.get("review_due_on")
        review = min(filter(None, (_day(review_before), local_date(a["review_at"]))))
        self._set("dispute", row, review_due_on=review.isoformat())
        self._touch(row)
        after = {"provider": a["provider"], "support_level": a["level"]}
        after["review_at"] = a["review_at"]
        after["review_due_on"] = review
        self._event(
            d,
            step,
            "assign_cover",
            row["current_stage"],
            before={"covers": previous, "review_due_on": _day(review_before)},
            after=after,
        )

    def _plan_holder(self, d: dict[str, Any], step: Step) -> None:
        """The plan holder: the last assignment ended, the new one begun."""
        a, at, actor_id, did, row = self._parts(d, step)
        before = {"plan_holder_id": row["plan_holder_id"]}
        for held in self.made.get("planholderassignment", {}).values():
            if held["until_at"] is None:
                self._set("planholderassignment", held, until_at=self._stored(at))
        holder = self.people[a["login"]][0]
        self._insert(
            "planholderassignment",
            dispute_id=did,
            person_id=holder,
            assigned_by_id=actor_id,
            from_at=self._stored(at),
        )
        self._set("dispute", row, plan_holder_id=holder)
        after = {"plan_holder": a["login"], "period_ends": None, "next_sync_due": None}
        self._event(d, step, "assign_plan_holder", row["current_stage"], before=before, after=after)

    def _provisional(self, d: dict[str, Any], step: Step) -> None:
        """A provisional package for ``days``, coordinated by the person named."""
        a, at, actor_id, did, row = self._parts(d, step)
        ends = at + timedelta(days=a["days"])
        self._insert(
            "provisionalpackage",
            dispute_id=did,
            coordinator_id=self.people[a["coordinator"]][0],
            actions=a["actions"],
            starts_at=self._stored(at),
            ends_at=self._stored(ends),
            authorised_by_id=actor_id,
            authorised_at=self._stored(at),
            status=PackageStatus.ACTIVE.value,
            pathway="",
            version=1,
        )
        self._touch(row)
        after = {"coordinator": a["coordinator"], "actions": a["actions"], "ends_at": ends}
        self._event(d, step, "start_provisional", row["current_stage"], after=after)

    def _contact(self, d: dict[str, Any], step: Step) -> None:
        """A contact attempt logged against the active package."""
        a, at, actor_id, _, row = self._parts(d, step)
        package = self._active_package()
        assert package is not None, "the planner logs contacts during a package"
        note = a["note"].strip()
        self._insert(
            "contactattempt",
            package_id=package["id"],
            at=self._stored(at),
            method=a["method"],
            outcome=a["outcome"],
            note=note,
            by_id=actor_id,
        )
        self._touch(row)
        after = {"package": package["id"], "method": a["method"], "outcome": a["outcome"]}
        after["note"] = note
        self._event(d, step, "log_contact", row["current_stage"], after=after)

    def _note(self, d: dict[str, Any], step: Step) -> None:
        a, at, actor_id, did, row = self._parts(d, step)
        self._insert("note", dispute_id=did, by_id=actor_id, at=self._stored(at), text=a["text"])
        self._event(d, step, "add_note", row["current_stage"], after={"text": a["text"]})

    def _accept(self, d: dict[str, Any], step: Step) -> None:
        """Acceptance: the decision confirmed, packages converted, cover ended, closed."""
        a, at, actor_id, did, row = self._parts(d, step)
        self._insert(
            "acceptance",
            dispute_id=did,
            decision_id=d["decision"],
            accepted_by_id=actor_id,
            start_plan=a["start_plan"],
            start_date=a["start_date"].isoformat(),
            at=self._stored(at),
        )
        self._set("dispute", row, status=Status.CLOSED.value, resolved_at=self._stored(at))
        converted = self._end_packages(at, PackageStatus.CONVERTED)
        self._end_cover()
        self._touch(row)
        after = {
            "status": row["status"],
            "start_plan": a["start_plan"],
            "start_date": a["start_date"],
            "decision": d["decision"],
            "packages_converted": converted,
        }
        before = {"status": Status.DECIDED.value}
        self._event(d, step, "confirm_acceptance", row["current_stage"], before=before, after=after)

    def _withdraw(self, d: dict[str, Any], step: Step) -> None:
        """Withdrawal: the clock stopped, packages and cover ended, the dispute closed."""
        a, at, actor_id, did, row = self._parts(d, step)
        before = {"status": row["status"], "stage": row["current_stage"]}
        self._set(
            "dispute",
            row,
            status=Status.WITHDRAWN.value,
            withdrawn_reason=a["reason"],
            resolved_at=self._stored(at),
        )
        self._stop_clock(d, at)
        self._end_packages(at, PackageStatus.ENDED)
        self._end_cover()
        self._touch(row)
        after = {"status": row["status"], "reason": a["reason"]}
        self._event(d, step, "withdraw", row["current_stage"], before=before, after=after)

    def _decision(self, d: dict[str, Any], step: Step) -> None:
        a, at, row = step.args, step.at, d["row"]
        action = Action.FINAL_DETERMINATION if a["final"] else Action.RECORD_DECISION
        outcome = Outcome(a["outcome"])
        capacity = self._capacity(step.actor, action)
        decision = self._insert(
            "decision",
            dispute_id=d["id"],
            kind="final" if a["final"] else "decision",
            outcome=outcome.value,
            receiving_agency_id=self.agencies[a["agency"]] if a["agency"] else None,
            pathway=a["pathway"],
            rationale=a["rationale"],
            decided_by_id=self.people[step.actor][0],
            capacity=capacity,
            stage=row["current_stage"],
            review_date=a["review"].isoformat(),
            decided_at=self._stored(at),
        )
        d["decision"] = decision["id"]
        before = {"status": row["status"], "review_due_on": _day(row.get("review_due_on"))}
        self._flush()  # the Ledger's query for the active cover's review autoflushes
        covers = self.made.get("interimcover", {}).values()
        cover_review = next(
            (local_date(_time(c["review_at"])) for c in covers if c["active"] and c["review_at"]),
            None,
        )
        review = min(filter(None, (a["review"], cover_review)))  # a decision's review is set
        self._set("dispute", row, review_due_on=review.isoformat())
        if outcome.resolves:
            self._set("dispute", row, status=Status.DECIDED.value)
            self._stop_clock(d, at)
        self._touch(row)
        after = {
            "outcome": outcome.value,
            "receiving_agency": a["agency"],
            "pathway": a["pathway"],
            "rationale": a["rationale"],
            "decided_by": step.actor,
            "capacity": capacity,
            "review_date": a["review"],
            "review_due_on": review,
            "status": row["status"],
        }
        action_name = "final_determination" if a["final"] else "record_decision"
        self._event(d, step, action_name, row["current_stage"], before=before, after=after)


class LedgerOrder(RowMaker):
    """Disputes whose steps interleave in time, made in the order the Ledger applies
    them (``history.run_ledger``): ids are given one after another across disputes, as
    the store gives them, so the rows and events equal the Ledger's."""

    def __init__(self, context: BulkContext, first_dispute: int, first_ids: dict[str, int]):
        super().__init__(context, BulkJob("ledger-order", first_dispute, dict(first_ids)))
        self.next_ids = dict(first_ids)

    def _new_id(self, table: str) -> int:
        new = self.next_ids[table]
        self.next_ids[table] += 1
        return new

    def replay(self, plans: list[Plan]) -> BulkBatch:
        """Every step of every plan in time order (ties: plan, then step)."""
        disputes: list[dict[str, Any]] = []
        made: dict[int, dict[str, Any]] = {}
        for _, i, j in sorted(
            (step.at, i, j) for i, plan in enumerate(plans) for j, step in enumerate(plan.steps)
        ):
            if j == 0:
                made[i] = self._open(plans[i])
                disputes.append(made[i])
            else:
                self.made = made[i]["made"]
                self._step(made[i], plans[i].steps[j])
        for d in disputes:
            self._keep(d)
        return self.batch()


class EventChain:
    """Events in table-column order, each hashed onto the one before, as the Ledger
    appends them (``audit.append_event``)."""

    def __init__(self, event_id: int, prev_hash: str, real_login: str) -> None:
        self.event_id, self.prev_hash, self.real_login = event_id, prev_hash, real_login

    def link(
        self,
        at: datetime,
        actor: str,
        action: str,
        dispute: tuple[int | None, str | None, int | None],
        before: str,
        after: str,
        rows_text: str,
    ) -> tuple[Any, ...]:
        """The next event row; ``dispute`` is its id, ref and stage (None: no dispute)."""
        self.event_id += 1
        real = self.real_login if self.real_login != actor else None
        content = (self.event_id, at, actor, action, *dispute, before, after, self.prev_hash)
        self.prev_hash = EventContent(*content, rows_text, real_actor=real).digest()
        # In table-column order: the content (its time as SQLite stores it), the hash,
        # then the columns later migrations added: rows (0004), real_actor (0006).
        return (self.event_id, as_stored(at), *content[2:10], self.prev_hash, rows_text, real)


def _day(stored: str | None) -> date | None:
    """A stored date (YYYY-MM-DD) back as a date."""
    return None if stored is None else date.fromisoformat(stored)


def _parse(stored: str | None) -> datetime | None:
    """A stored time back as an aware UTC datetime (the clock rules take those)."""
    return None if stored is None else _time(stored)


def _time(stored: str) -> datetime:
    """``_parse`` of a time that is always set (a live dispute's stage entry)."""
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)
