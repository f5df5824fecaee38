"""The dispute lifecycle as a Hypothesis state machine over every operation and every role.

Each step picks an operation, a dispute and an actor (one person per role of
``KNOWN_ROLES``), at an explicit and advancing time, so clocks breach and the
commissioner-liaison trigger fires. A small model predicts each outcome from
``rules.rights.allowed`` and the dispute's state; the store must agree, and
leave the audit trail the rules describe. Invariants after every step: a
closed dispute has a decision and an acceptance; every stage entered has its
escalate event; every due time is entered-at plus the policy's window; no
recorded change was made by someone the decision-rights map forbids; and the
chain verifies.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import backends
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from profiles import examples
from reliability.relkit import ROLES, T0, query, record_figures, valid_form

from panel_tui.rules import rights
from panel_tui.rules.enums import Action, Stage
from panel_tui.rules.errors import (
    DomainError,
    InvalidInputError,
    RightsError,
    StaleWriteError,
    TransitionError,
)
from panel_tui.rules.policy import default_policy
from panel_tui.store.audit import verify_chain
from panel_tui.store.db import Store
from panel_tui.store.ledger import Ledger

MAX_EXAMPLES = examples(50)  # under the ci profile (.ci/run); a quarter under dev
STEPS = 40
POLICY = default_policy()
#: Event action → the right it needs (events without a dispute are administration).
EVENT_RIGHT = {
    "open": Action.OPEN,
    "edit_form": Action.EDIT_FORM,
    "record_evidence": Action.RECORD_EVIDENCE,
    "escalate": Action.ESCALATE,
    "assign_cover": Action.ASSIGN_COVER,
    "start_provisional": Action.AUTHORISE_PROVISIONAL,
    "log_contact": Action.LOG_CONTACT,
    "record_decision": Action.RECORD_DECISION,
    "final_determination": Action.FINAL_DETERMINATION,
    "confirm_acceptance": Action.CONFIRM_ACCEPTANCE,
    "withdraw": Action.WITHDRAW,
    "assign_plan_holder": Action.ASSIGN_PLAN_HOLDER,
    "add_note": Action.ADD_NOTE,
    "init": Action.ADMINISTER,
    "add_agency": Action.ADMINISTER,
    "add_person": Action.ADMINISTER,
}
TYPES = ("eligibility", "funding", "safeguarding", "capacity")
RISKS = ("critical", "high", "medium", "low")
#: Steps of the clock, in minutes: inside a window, across one, past the liaison limit.
ADVANCES = (1, 45, 200, 600, 1500, 3000, 7300, 20200)
OUTCOMES: Counter[str] = Counter()
#: Stale reads are one in six: enough to test, few enough to let the lifecycle move.
STALE = st.integers(0, 5).map(lambda n: n == 5)  # shrinks towards a fresh read


#: The receiving agency's team (role_store.OTHER_PEOPLE): the ones who confirm acceptance.
MCO_ROLE = {"mco_duty_lead": "duty_lead", "mco_frontline": "frontline"}
MCO_PEOPLE = tuple(MCO_ROLE)


def actor(*actions: Action) -> st.SearchStrategy[str]:
    """Mostly someone the map allows (so disputes move on), sometimes anyone (refusals)."""
    allowed = sorted({r for a in actions for r in POLICY.roles_for(a)})
    return st.one_of(st.sampled_from(allowed), st.sampled_from(allowed), st.sampled_from(ROLES))


RUNS: Counter[str] = Counter()


@dataclass
class Model:
    """What the rules say a dispute's state is."""

    ref: str
    type: str
    risk: str
    opened: datetime
    status: str = "open"
    stage: int = 0
    entered: datetime | None = None
    due: datetime | None = None
    package_ends: datetime | None = None  # an active package's end, if there is one
    stage3_due: datetime | None = None
    stage3_left: datetime | None = None
    decided_at: datetime | None = None

    @property
    def live(self) -> bool:
        return self.status in ("open", "decided")

    def leave_stage(self, now: datetime) -> None:
        if self.stage == Stage.FINAL_AUTHORITY and self.stage3_left is None:
            self.stage3_left = now

    def liaison(self, now: datetime) -> bool:
        if now - self.opened > POLICY.liaison_after:
            return True
        if self.stage3_due is None:
            return False
        return (self.stage3_left or now) >= self.stage3_due


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


class LifecycleMachine(RuleBasedStateMachine):
    #: set by the test: the base store's file, or on a PostgreSQL run its template database
    base: Path | str

    disputes = Bundle("disputes")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="machine-"))
        self.database: str | None = None
        self.pg = None  # on PostgreSQL: one connection for every look at the store
        if backends.on_postgres():  # each example in a database copied from the template
            self.database = backends.create_database(template=str(self.base))
            self.path: Path | str = backends.database_url(self.database)
            self.pg = backends.pg_connect(self.database)
        else:
            self.path = self.dir / "store.db"
            shutil.copyfile(self.base, self.path)
        self.store = Store.open(str(self.path))
        self.now = T0
        self.models: dict[str, Model] = {}
        self.ledgers = {login: Ledger(self.store, login) for login in (*ROLES, *MCO_PEOPLE)}
        self.n = 0
        RUNS["examples"] += 1

    def teardown(self) -> None:
        self.store.close()
        if self.pg is not None:
            self.pg.close()
        if self.database is not None:
            backends.drop_database(self.database)
        shutil.rmtree(self.dir, ignore_errors=True)

    def query(self, sql: str, *args: object) -> list[tuple]:
        """``sql`` (``?`` marks) on the store, outside the code under test (relkit.query;
        on PostgreSQL over the machine's own connection: thousands of looks an example)."""
        if self.pg is not None:
            return list(backends.pg_run(self.pg, sql, *args))
        return query(self.path, sql, *args)

    # --- running one operation against the prediction ------------------------------------
    def events(self) -> int:
        return self.query("SELECT count(*) FROM event")[0][0]

    def version(self, ref: str) -> int:
        return self.query("SELECT version FROM dispute WHERE ref = ?", ref)[0][0]

    def attempt(self, name, action_event, actor, expected, call):
        """Run ``call``; its outcome and the events it leaves must be the predicted ones."""
        RUNS["steps"] += 1
        before = self.events()
        try:
            result = call()
        except DomainError as err:
            got: type | None = type(err)
            result = err
        else:
            got = None
        OUTCOMES[f"{name}: {got.__name__ if got else 'done'}"] += 1
        label = expected.__name__ if expected else "success"
        assert got is expected, f"{name} by {actor} at {self.now}: expected {label}, got {result!r}"
        added = self.query("SELECT action, actor FROM event WHERE id > ? ORDER BY id", before)
        if expected is None:
            assert added == [(action_event, actor)], added
        elif expected is InvalidInputError:
            assert added == [], f"invalid input wrote {added}"
        else:
            assert added == [("refused", actor)], added
        return result

    def gate(self, action: Action, actor: str, model: Model | None, stale: bool):
        """What is refused before the operation looks at the state: a stale read, then rights.

        A dispute still at its first version has no older one to have read: claiming
        version 0 is bad input, not a stale write.
        """
        if stale:
            return StaleWriteError if self.version(model.ref) > 1 else InvalidInputError
        role = MCO_ROLE.get(actor, actor)  # other logins are their role's name
        if not rights.allowed(POLICY, action, [role], model.type if model else None):
            return RightsError
        return None

    def expected_version(self, ref: str, stale: bool, pinned: bool) -> int | None:
        current = self.version(ref)
        if stale:
            return current - 1
        return current if pinned else None

    def token(self) -> str:
        self.n += 1
        return f"step {self.n}"

    # --- rules ------------------------------------------------------------------------------
    @initialize(target=disputes)
    def first_dispute(self):
        ref = self.ledgers["duty_lead"].open_dispute(valid_form(), at=self.now)
        self.models[ref] = Model(ref, "funding", "high", self.now, entered=self.now)
        self.models[ref].due = self.now + POLICY.window("high", 0)
        return ref

    @rule(minutes=st.sampled_from(ADVANCES))
    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @precondition(lambda self: len(self.models) < 4)  # a few disputes, each taken far
    @rule(
        target=disputes,
        actor=actor(Action.OPEN),
        dtype=st.sampled_from(TYPES),
        risk=st.sampled_from(RISKS),
    )
    def open(self, actor: str, dtype: str, risk: str):
        expected = self.gate(Action.OPEN, actor, None, False)
        form = valid_form(dispute_type=dtype, risk=risk)
        ref = self.attempt(
            "open",
            "open",
            actor,
            expected,
            lambda: self.ledgers[actor].open_dispute(form, at=self.now),
        )
        if expected is not None:
            return multiple()
        model = Model(ref, dtype, risk, self.now, entered=self.now)
        model.due = self.now + POLICY.window(risk, 0)
        self.models[ref] = model
        return ref

    @rule(
        ref=disputes,
        actor=actor(Action.ESCALATE),
        reason=st.booleans(),
        stale=STALE,
        pinned=st.booleans(),
    )
    def escalate(self, ref, actor, reason, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.ESCALATE, actor, m, stale)
        if expected is None:
            breached = m.due is not None and now >= m.due
            if not m.live or m.stage == Stage.COMMISSIONER_LIAISON:
                expected = TransitionError
            elif actor not in POLICY.rung_roles(Action.ESCALATE, m.stage, m.type):
                expected = RightsError  # not one who may escalate from this rung
            elif breached and not reason:
                expected = TransitionError  # a rule: a breached stage goes up with its reason
            elif m.stage + 1 == Stage.COMMISSIONER_LIAISON and not m.liaison(now):
                expected = TransitionError
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "escalate",
            "escalate",
            actor,
            expected,
            lambda: self.ledgers[actor].escalate(
                ref,
                self.token(),
                "late: diary" if reason else "",
                expected_version=v,
                at=now,
                impact="the person waits without agreed support",
            ),
        )
        if expected is None:
            m.leave_stage(now)
            # Once liaison is triggered, an escalation from any rung goes there.
            m.stage = Stage.COMMISSIONER_LIAISON if m.liaison(now) else m.stage + 1
            m.status, m.entered = "open", now
            window = POLICY.window(m.risk, m.stage)
            m.due = now + window if window else None
            if m.stage == Stage.FINAL_AUTHORITY:
                m.stage3_due = m.due
            OUTCOMES[f"reached stage {m.stage}"] += 1
            if m.package_ends is not None and m.package_ends <= now:
                m.package_ends = None  # escalated with the evidence

    @rule(
        ref=disputes,
        outcome=st.sampled_from(("assigned", "joint", "not_upheld", "no_agreement")),
        stale=STALE,
        pinned=st.booleans(),
        data=st.data(),
    )
    def decide(self, ref, outcome, stale, pinned, data) -> None:
        m, now = self.models[ref], self.now
        # Mostly the kind of decision the stage calls for, by its named authority.
        final = data.draw(st.sampled_from(("fits", "fits", "other")), "kind") == "other"
        final = final != (m.stage >= Stage.FINAL_AUTHORITY)
        authority = POLICY.authority_role(Stage.FINAL_AUTHORITY, m.type)
        fitting = [authority] if final else sorted(POLICY.roles_for(Action.RECORD_DECISION))
        actor = data.draw(
            st.one_of(st.sampled_from(fitting), st.sampled_from(fitting), st.sampled_from(ROLES)),
            "actor",
        )
        if final and outcome == "no_agreement":
            expected = InvalidInputError  # refused as input, before anything else
        else:
            action = Action.FINAL_DETERMINATION if final else Action.RECORD_DECISION
            expected = self.gate(action, actor, m, stale)
        wrong_state = m.status != "open" or (m.stage < Stage.FINAL_AUTHORITY) == final
        if (
            final
            and expected is RightsError
            and wrong_state
            and MCO_ROLE.get(actor, actor) in POLICY.roles_for(Action.FINAL_DETERMINATION)
        ):
            # The store reads the state before whose type's authority the actor is: the
            # final authority of another type is told the stage is wrong, not the type.
            expected = TransitionError
        if expected is None and wrong_state:
            expected = TransitionError
        rung = POLICY.rung_roles(Action.RECORD_DECISION, m.stage, m.type)
        if expected is None and not final and actor not in rung:
            expected = RightsError  # not one who records the decision on this rung
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "decide",
            "final_determination" if final else "record_decision",
            actor,
            expected,
            lambda: self.ledgers[actor].record_decision(
                ref,
                outcome,
                f"rationale for {self.token()}",
                (now + timedelta(days=30)).date(),
                receiving_agency="MCO",
                final=final,
                expected_version=v,
                at=now,
            ),
        )
        if expected is None:
            m.decided_at = now
            if outcome != "no_agreement":
                m.leave_stage(now)
                m.status, m.due = "decided", None

    @rule(
        ref=disputes,
        actor=st.one_of(st.sampled_from(MCO_PEOPLE), actor(Action.CONFIRM_ACCEPTANCE)),
        stale=STALE,
        pinned=st.booleans(),
    )
    def accept(self, ref, actor, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.CONFIRM_ACCEPTANCE, actor, m, stale)
        if expected is None and m.status != "decided":
            expected = TransitionError
        if expected is None and actor not in MCO_PEOPLE:
            expected = RightsError  # decisions here name MCO: only its team confirms
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "accept",
            "confirm_acceptance",
            actor,
            expected,
            lambda: self.ledgers[actor].confirm_acceptance(
                ref, f"intake booked, {self.token()}", now.date(), expected_version=v, at=now
            ),
        )
        if expected is None:
            m.status, m.package_ends = "closed", None

    @rule(ref=disputes, actor=actor(Action.WITHDRAW), stale=STALE, pinned=st.booleans())
    def withdraw(self, ref, actor, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.WITHDRAW, actor, m, stale)
        if expected is None and not m.live:
            expected = TransitionError
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "withdraw",
            "withdraw",
            actor,
            expected,
            lambda: self.ledgers[actor].withdraw(
                ref, f"no longer needed, {self.token()}", expected_version=v, at=now
            ),
        )
        if expected is None:
            m.leave_stage(now)
            m.status, m.due, m.package_ends = "withdrawn", None, None

    @rule(ref=disputes, actor=actor(Action.ASSIGN_COVER), stale=STALE, pinned=st.booleans())
    def cover(self, ref, actor, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.ASSIGN_COVER, actor, m, stale)
        if expected is None and not m.live:
            expected = TransitionError
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "cover",
            "assign_cover",
            actor,
            expected,
            lambda: self.ledgers[actor].assign_cover(
                ref, "HOU", f"daily call, {self.token()}", expected_version=v, at=now
            ),
        )

    @rule(
        ref=disputes,
        actor=actor(Action.AUTHORISE_PROVISIONAL),
        days=st.integers(5, 16),
        stale=STALE,
        pinned=st.booleans(),
    )
    def provisional(self, ref, actor, days, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.AUTHORISE_PROVISIONAL, actor, m, stale)
        if expected is None:
            if not m.live or m.package_ends is not None:
                expected = TransitionError
            elif not POLICY.provisional.min_days <= days <= POLICY.provisional.max_days:
                expected = TransitionError  # the policy's rule: refused and audited
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "provisional",
            "start_provisional",
            actor,
            expected,
            lambda: self.ledgers[actor].start_provisional(
                ref,
                "duty_lead",
                f"welfare checks, {self.token()}",
                days=days,
                expected_version=v,
                at=now,
            ),
        )
        if expected is None:
            m.package_ends = now + timedelta(days=days)

    @rule(ref=disputes, actor=actor(Action.LOG_CONTACT), stale=STALE, pinned=st.booleans())
    def contact(self, ref, actor, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.LOG_CONTACT, actor, m, stale)
        if expected is None and (m.package_ends is None or m.package_ends <= now):
            # None to log against, or it expired: its next step is due, not more contacts.
            expected = TransitionError
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "contact",
            "log_contact",
            actor,
            expected,
            lambda: self.ledgers[actor].log_contact(
                ref, "visit", "reached", self.token(), expected_version=v, at=now
            ),
        )

    @rule(ref=disputes, actor=actor(Action.ADD_NOTE))
    def note(self, ref, actor) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.ADD_NOTE, actor, m, False)
        self.attempt(
            "note",
            "add_note",
            actor,
            expected,
            lambda: self.ledgers[actor].add_note(ref, self.token(), at=now),
        )

    @rule(ref=disputes, actor=actor(Action.RECORD_EVIDENCE), stale=STALE, pinned=st.booleans())
    def evidence(self, ref, actor, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.RECORD_EVIDENCE, actor, m, stale)
        if expected is None and not m.live:
            expected = TransitionError
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "evidence",
            "record_evidence",
            actor,
            expected,
            lambda: self.ledgers[actor].record_evidence(
                ref,
                "service_plan",
                False,
                f"requested, {self.token()}",
                expected_version=v,
                at=now,
            ),
        )

    @rule(ref=disputes, actor=actor(Action.EDIT_FORM), stale=STALE, pinned=st.booleans())
    def edit_form(self, ref, actor, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.EDIT_FORM, actor, m, stale)
        if expected is None and not m.live:
            expected = TransitionError
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "edit_form",
            "edit_form",
            actor,
            expected,
            lambda: self.ledgers[actor].edit_form(
                ref,
                {"evidence_summary": f"updated at {self.token()}"},
                expected_version=v,
                at=now,
            ),
        )

    @rule(ref=disputes, actor=actor(Action.ASSIGN_PLAN_HOLDER), stale=STALE, pinned=st.booleans())
    def plan_holder(self, ref, actor, stale, pinned) -> None:
        m, now = self.models[ref], self.now
        expected = self.gate(Action.ASSIGN_PLAN_HOLDER, actor, m, stale)
        if expected is None and not m.live:
            expected = TransitionError
        v = self.expected_version(ref, stale, pinned)
        self.attempt(
            "plan_holder",
            "assign_plan_holder",
            actor,
            expected,
            lambda: self.ledgers[actor].assign_plan_holder(
                ref, "supervisor", expected_version=v, at=now
            ),
        )

    @rule(ref=disputes, to=st.integers(1, 4))
    def climb(self, ref, to) -> None:
        """A supervisor takes a dispute up the ladder, one checked escalation at a time.

        To reach commissioner liaison the clock runs on until the final stage breaches.
        """
        while self.models[ref].live and self.models[ref].stage < to:
            m = self.models[ref]
            if m.stage + 1 == Stage.COMMISSIONER_LIAISON and not m.liaison(self.now):
                if m.stage3_due is None or m.stage3_left is not None:
                    break
                self.now = max(self.now, m.stage3_due)  # let the final stage breach

            self.escalate(ref, "supervisor", True, False, False)

    @rule(ref=consumes(disputes))
    def forget(self, ref) -> None:
        """Stop acting on a dispute (so others get the steps); the invariants still see it."""

    # --- invariants ------------------------------------------------------------------------------
    @invariant()
    def store_matches_the_model(self) -> None:
        for ref, m in self.models.items():
            status, stage, due = self.query(
                "SELECT status, current_stage, current_due_at FROM dispute WHERE ref=?",
                ref,
            )[0]
            assert (status, stage, _when(due)) == (m.status, m.stage, m.due), ref

    @invariant()
    def closed_disputes_have_a_decision_and_an_acceptance(self) -> None:
        rows = self.query(
            "SELECT d.ref, (SELECT count(*) FROM decision WHERE dispute_id = d.id "
            "AND outcome != 'no_agreement'), (SELECT count(*) FROM acceptance "
            "WHERE dispute_id = d.id) FROM dispute d WHERE d.status = 'closed'",
        )
        for ref, decisions, acceptances in rows:
            assert decisions >= 1 and acceptances == 1, ref

    @invariant()
    def every_stage_has_its_escalation_and_its_policy_due_time(self) -> None:
        records = self.query(
            "SELECT s.dispute_id, s.stage, s.entered_at, s.due_at, d.risk "
            "FROM stagerecord s JOIN dispute d ON d.id = s.dispute_id",
        )
        escalations = Counter(
            (d, json.loads(after)["stage"])
            for d, after in self.query(
                "SELECT dispute_id, after FROM event WHERE action = 'escalate'"
            )
        )
        for dispute_id, stage, entered, due, risk in records:
            window = POLICY.window(risk, stage)
            expected_due = _when(entered) + window if window is not None else None
            assert _when(due) == expected_due, (dispute_id, stage, due)
            if stage > 0:
                assert escalations[(dispute_id, stage)] == 1, (dispute_id, stage)
        assert sum(escalations.values()) == sum(1 for r in records if r[1] > 0)

    @invariant()
    def nobody_did_what_the_rights_map_forbids(self) -> None:
        roles = {login: r.split() for login, r in self.query("SELECT login, roles FROM person")}
        rows = self.query(
            "SELECT e.id, e.action, e.actor, d.dispute_type FROM event e "
            "LEFT JOIN dispute d ON d.id = e.dispute_id WHERE e.action != 'refused'",
        )
        for id_, action, actor, dtype in rows:
            assert rights.allowed(POLICY, EVENT_RIGHT[action], roles[actor], dtype), (
                f"event {id_}: {actor} did {action} on a {dtype} dispute"
            )

    @invariant()
    def the_chain_verifies(self) -> None:
        with self.store.engine.connect() as connection:
            report = verify_chain(connection)
        assert report.ok, report.describe()


@pytest.mark.slow
@pytest.mark.backend  # on PostgreSQL too: each example in its own database (tests/backends.py)
def test_the_lifecycle_keeps_its_rules_under_any_sequence(request: pytest.FixtureRequest) -> None:
    LifecycleMachine.base = (
        request.getfixturevalue("base_store_database")
        if backends.on_postgres()
        else request.getfixturevalue("base_store")
    )
    OUTCOMES.clear()
    RUNS.clear()
    run_state_machine_as_test(
        LifecycleMachine,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    record_figures(
        "lifecycle_state_machine" + ("_postgresql" if backends.on_postgres() else ""),
        {
            "max_examples": MAX_EXAMPLES,
            "stateful_step_count": STEPS,
            "examples_run": RUNS["examples"],
            "operations_run": RUNS["steps"],
            "roles": len(ROLES),
            "outcomes": dict(sorted(OUTCOMES.items())),
        },
    )
