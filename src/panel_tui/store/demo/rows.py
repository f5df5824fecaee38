"""The bulk path's rows: disputes made as the Ledger would have written them.

A ``RowMaker`` walks each plan's steps as the Ledger would, producing row
tuples in table-column order with times already in their stored SQLite form,
plus the events for the hash chain (without ids or hashes: ``bulk`` adds
them). ``BulkContext``, ``BulkJob`` and ``BulkBatch`` are what goes in and
comes out; all of it is pure, so the same job gives the same rows anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from panel_tui.rules.clocks import clock_state
from panel_tui.rules.enums import Action, Outcome, Status
from panel_tui.rules.forms import TEXT_FIELDS
from panel_tui.rules.policy import Policy, parse_policy
from panel_tui.store.audit import canonical
from panel_tui.store.demo.plan import Plan, Step, stage_windows


@cache
def _policy(text: str) -> Policy:
    return parse_policy(text, source="the demo policy")


def as_stored(moment: datetime | None) -> str | None:
    """A UTCDateTime as SQLAlchemy stores it in SQLite: naive UTC text with microseconds."""
    if moment is None:
        return None
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    # "YYYY-MM-DD HH:MM:SS.ffffff" and no offset: the cheapest way there.
    return moment.isoformat(" ", "microseconds")[:26]


#: Tables the bulk path fills, parents first. Ids are given only where rows refer to them.
BULK_TABLES = {
    "dispute": True,
    "disputeagency": True,
    "evidenceitem": False,
    "stagerecord": False,
    "interimcover": False,
    "planholderassignment": False,
    "decision": True,
    "acceptance": False,
    "event": True,
}
Rows = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class BulkContext:
    """What making rows needs from the store (picklable, should workers ever make them)."""

    policy_text: str
    now: datetime
    people: dict[str, tuple[int, tuple[str, ...]]]  # login → (id, roles)
    agencies: dict[str, int]  # code → id


@dataclass(frozen=True)
class BulkJob:
    """One batch of disputes with its own seed: any process makes the same rows for it."""

    seed: str
    first_dispute: int
    first_decision: int  # each dispute may use two decision ids; the rest are skipped
    ages: tuple[float, ...] = ()  # closed or withdrawn disputes: opened this many days ago
    live: tuple[int, ...] = ()  # live disputes: positions in the live sequence

    @property
    def count(self) -> int:
        return len(self.ages) + len(self.live)


@dataclass
class BulkBatch:
    """A job's rows. Disputes have no ref yet and events no hash: the store's side adds them."""

    rows: Rows
    events: list[tuple[Any, ...]]  # (at, actor, action, dispute_id, stage, before, after)
    years: list[int]  # the year each dispute was opened, in id order
    first_dispute: int


class RowMaker:
    """Rows and events for one job's disputes, as the Ledger would have written them.

    Rows are tuples in table-column order with times already in their stored
    form: they go straight to the driver's executemany. Core's per-row bind
    processing would otherwise be half the build time.
    """

    def __init__(self, context: BulkContext, job: BulkJob) -> None:
        self.policy = _policy(context.policy_text)
        self.windows = stage_windows(self.policy)
        self.people, self.agencies = context.people, context.agencies
        self.next_dispute, self.next_decision = job.first_dispute, job.first_decision
        self.first_dispute = job.first_dispute
        self.rows: Rows = {name: [] for name in BULK_TABLES if name != "event"}
        self.events: list[tuple[Any, ...]] = []
        self.years: list[int] = []

    def batch(self) -> BulkBatch:
        return BulkBatch(self.rows, self.events, self.years, self.first_dispute)

    def _event(self, d: dict[str, Any], step: Step, action: str, stage: int, **kw: Any) -> None:
        before, after = canonical(kw.get("before") or {}), canonical(kw.get("after") or {})
        self.events.append((step.at, step.actor, action, d["id"], stage, before, after))

    def _capacity(self, login: str, action: Action) -> str:
        granted = self.policy.roles_for(action)
        return next((r for r in self.people[login][1] if r in granted), "")

    def add(self, plan: Plan) -> None:
        """One dispute: walk its steps as the Ledger would, then queue its rows."""
        form, steps = plan.form, plan.steps
        opener, opened = steps[0].actor, steps[0].at
        assert steps[0].kind == "open"
        due = opened + self._window(form["risk"], 0)
        d: dict[str, Any] = {
            "id": self.next_dispute,
            "risk": form["risk"],
            "status": Status.OPEN.value,
            "stage": 0,
            "entered": opened,
            "due": due,
            "resolved": None,
            "plan_holder": None,
            "withdrawn": None,
            "decision": None,
            "next_decision": self.next_decision,  # two ids per dispute, as the job planned
        }
        self.next_dispute += 1
        self.next_decision += 2
        self.years.append(opened.year)
        did, by, rows = d["id"], self.people[opener][0], self.rows
        rows["disputeagency"].append((did, self.agencies[form["raising_agency"]], "raising"))
        for code in form["responding_agencies"]:
            rows["disputeagency"].append((did, self.agencies[code], "responding"))
        opened_text = as_stored(opened)
        for key, item in form["evidence"].items():
            evidence = (did, key, item["present"], item["note"], opened_text, by, 1)
            rows["evidenceitem"].append(evidence)
        # [stage, entered, due, left, entered_by, breach_reason, note]; covers: [row, active]
        stages: list[list[Any]] = [[0, opened, due, None, by, None, None]]
        covers: list[list[Any]] = []
        self._event(d, steps[0], "open", 0, after=form)
        for step in steps[1:]:
            self._step(d, step, stages, covers)
        for stage in stages:
            stage[1:4] = (as_stored(stage[1]), as_stored(stage[2]), as_stored(stage[3]))
            rows["stagerecord"].append((did, *stage))
        for cover, active in covers:
            rows["interimcover"].append((*cover, active, 1))
        raising = form["raising_agency"]
        rows["dispute"].append(
            (
                did,
                None,  # the ref: given by the store's side, which holds the year counters
                form["person_ref"],
                form["dispute_type"],
                form["risk"],
                self.agencies[raising],
                f"{raising}→{','.join(form['responding_agencies'])}",
                d["status"],
                d["stage"],
                as_stored(d["entered"]),
                as_stored(d["due"]),
                opened_text,
                as_stored(d["resolved"]),
                by,
                d["plan_holder"],
                *(form[name] for name in TEXT_FIELDS),
                d["withdrawn"],
                len(steps),
            )
        )

    def _window(self, risk: str, stage: int) -> timedelta:
        window = self.windows[risk, stage]
        assert window is not None
        return window

    def _stop_clock(self, d: dict[str, Any], stages: list[list[Any]], at: datetime) -> None:
        if stages[-1][3] is None:
            stages[-1][3] = at
        d["due"] = None

    def _step(
        self, d: dict[str, Any], step: Step, stages: list[list[Any]], covers: list[list[Any]]
    ) -> None:
        a, at, actor_id, did = step.args, step.at, self.people[step.actor][0], d["id"]
        if step.kind == "escalate":
            clock = clock_state(self.policy, entered=d["entered"], due=d["due"], now=at)
            before = {
                "stage": d["stage"],
                "status": d["status"],
                "clock": clock.state.value,
                "due_at": d["due"],
            }
            stages[-1][3] = at
            target = d["stage"] + 1
            window = self.windows[d["risk"], target]
            due = at + window if window is not None else None
            breach, note = a["breach_reason"].strip() or None, a["note"].strip() or None
            stages.append([target, at, due, None, actor_id, breach, note])
            d.update(status=Status.OPEN.value, stage=target, entered=at, due=due)
            after = {"stage": target, "due_at": due, "breach_reason": breach, "note": note}
            self._event(d, step, "escalate", before["stage"], before=before, after=after)
        elif step.kind == "cover":
            previous = [cover[0][1] for cover in covers if cover[1]]
            for cover in covers:
                cover[1] = False
            provider = self.agencies[a["provider"]]
            row = (
                did,
                provider,
                a["level"],
                as_stored(at),
                as_stored(a["review_at"]),
                actor_id,
                as_stored(at),
            )
            covers.append([row, True])
            after = {"provider": a["provider"], "support_level": a["level"]}
            after["review_at"] = a["review_at"]
            self._event(
                d, step, "assign_cover", d["stage"], before={"covers": previous}, after=after
            )
        elif step.kind == "plan_holder":
            before = {"plan_holder_id": d["plan_holder"]}
            d["plan_holder"] = self.people[a["login"]][0]
            row = (did, d["plan_holder"], actor_id, as_stored(at), None)
            self.rows["planholderassignment"].append(row)
            after = {"plan_holder": a["login"]}
            self._event(d, step, "assign_plan_holder", d["stage"], before=before, after=after)
        elif step.kind == "decision":
            self._decision(d, step, stages)
        elif step.kind == "accept":
            self.rows["acceptance"].append(
                (
                    did,
                    d["decision"],
                    actor_id,
                    a["start_plan"],
                    a["start_date"].isoformat(),
                    as_stored(at),
                )
            )
            d.update(status=Status.CLOSED.value, resolved=at)
            for cover in covers:
                cover[1] = False
            after = {
                "status": d["status"],
                "start_plan": a["start_plan"],
                "start_date": a["start_date"],
                "decision": d["decision"],
                "packages_converted": [],
            }
            before = {"status": Status.DECIDED.value}
            self._event(d, step, "confirm_acceptance", d["stage"], before=before, after=after)
        elif step.kind == "withdraw":
            before = {"status": d["status"], "stage": d["stage"]}
            d.update(status=Status.WITHDRAWN.value, withdrawn=a["reason"], resolved=at)
            self._stop_clock(d, stages, at)
            for cover in covers:
                cover[1] = False
            after = {"status": d["status"], "reason": a["reason"]}
            self._event(d, step, "withdraw", d["stage"], before=before, after=after)
        else:  # pragma: no cover - the bulk planner makes no other steps
            raise ValueError(f"the bulk path cannot write a {step.kind} step")

    def _decision(self, d: dict[str, Any], step: Step, stages: list[list[Any]]) -> None:
        a, at = step.args, step.at
        action = Action.FINAL_DETERMINATION if a["final"] else Action.RECORD_DECISION
        outcome = Outcome(a["outcome"])
        capacity = self._capacity(step.actor, action)
        d["decision"] = d["next_decision"]
        d["next_decision"] += 1
        self.rows["decision"].append(
            (
                d["decision"],
                d["id"],
                "final" if a["final"] else "decision",
                outcome.value,
                self.agencies[a["agency"]] if a["agency"] else None,
                a["pathway"],
                a["rationale"],
                self.people[step.actor][0],
                capacity,
                d["stage"],
                a["review"].isoformat(),
                as_stored(at),
            )
        )
        before = {"status": d["status"]}
        if outcome.resolves:
            d["status"] = Status.DECIDED.value
            self._stop_clock(d, stages, at)
        after = {
            "outcome": outcome.value,
            "receiving_agency": a["agency"],
            "pathway": a["pathway"],
            "rationale": a["rationale"],
            "decided_by": step.actor,
            "capacity": capacity,
            "review_date": a["review"],
            "status": d["status"],
        }
        action_name = "final_determination" if a["final"] else "record_decision"
        self._event(d, step, action_name, d["stage"], before=before, after=after)
