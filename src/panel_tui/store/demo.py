"""Demo data: a realistic, deterministic store built from a seed.

The first disputes (60 by default) are written through the real Ledger with
explicit past times, so the demo exercises every rule: every type, risk, stage
and clock state, interim cover, provisional packages with contact logs,
decisions, final determinations by the named authority, acceptances and
withdrawals. Bigger demos (``disputes > 1000``) add the rest in bulk, in one
write transaction: rows are made in batches of 5,000 (each batch with its own
seed), the events of the hash chain are computed here exactly as the Ledger
would have written them, and Core-compiled INSERTs go to the driver's
executemany on a second thread while the next batch is made. One transaction
per operation (an fsync on every commit) would take many minutes.
"""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy import insert as sa_insert
from sqlmodel import Session, SQLModel

from panel_tui.rules.clocks import clock_state, utc
from panel_tui.rules.enums import (
    Action,
    ContactOutcome,
    DisputeType,
    EvidenceKey,
    Outcome,
    Risk,
    Status,
)
from panel_tui.rules.errors import StoreError
from panel_tui.rules.forms import TEXT_FIELDS
from panel_tui.rules.policy import Policy, default_policy_text, parse_policy
from panel_tui.store.admin import Admin, init_store
from panel_tui.store.audit import GENESIS, canonical, event_hash
from panel_tui.store.db import Store
from panel_tui.store.engine import sqlite_path, to_url
from panel_tui.store.models import Dispute, Event, Person, Setting
from panel_tui.store.operations import Ledger

#: The login the app starts as on a demo store.
DEMO_LOGIN = "duty"
ADMIN_LOGIN = "admin"
#: Disputes written through the Ledger before the bulk path takes over.
BASE_DISPUTES = 60
BULK_THRESHOLD = 1000
BATCH = 5000

DEMO_AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("CBH", "County Behavioral Health", "county behavioral health"),
    ("MCO", "Managed Care Organization", "managed care"),
    ("HSG", "Housing Authority", "housing"),
    ("APS", "Adult Protective Services", "adult protective services"),
    ("HDT", "Hospital Discharge Team", "hospital"),
    ("CRS", "Crisis Response and EMS", "crisis/EMS"),
    ("CPN", "Community Provider Network", "community provider"),
)

#: login, display name, roles, agency. Every role of rules.policy.KNOWN_ROLES is held.
DEMO_PEOPLE: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    (DEMO_LOGIN, "Dana Whitfield", ("duty_lead",), "CBH"),
    ("duty2", "Marcus Okafor", ("duty_lead",), "MCO"),
    ("chair", "Priya Raman", ("panel_chair",), "CBH"),
    ("super", "Tom Castillo", ("supervisor",), "CBH"),
    ("super2", "Helen Brandt", ("supervisor",), "MCO"),
    ("front1", "Jordan Lee", ("frontline",), "CBH"),
    ("front2", "Aisha Mensah", ("frontline",), "HSG"),
    ("front3", "Sam Kowalski", ("frontline",), "APS"),
    ("front4", "Rosa Delgado", ("frontline",), "HDT"),
    ("front5", "Ben Adeyemi", ("frontline",), "CRS"),
    ("front6", "Lena Fischer", ("frontline",), "CPN"),
    ("pm", "Grace Liu", ("program_manager",), "CBH"),
    ("clin", "Dr Elena Novak", ("clinical_lead",), "MCO"),
    ("integ", "Omar Haddad", ("integration_lead",), "CPN"),
    ("liaison", "Ruth Ellison", ("commissioner_liaison",), None),
    ("oversight", "Kwame Asante", ("oversight",), None),
)

# --- the words of the demo -------------------------------------------------------
TRIGGERS = (
    "a crisis presentation to the emergency department",
    "discharge from inpatient psychiatry",
    "an eviction notice for rent arrears",
    "two missed depot injections",
    "an EMS welfare check that found no food in the home",
    "release from county jail without a discharge plan",
    "a fall at home with signs of self-neglect",
    "loss of a shelter bed after an incident",
    "a third involuntary hold in two months",
    "the end of a 30-day crisis residential stay",
)
PATHWAYS = (
    "ACT team",
    "supported housing",
    "step-down residential",
    "intensive case management",
    "crisis stabilization unit",
    "permanent supportive housing with ICM",
    "peer support and outpatient psychiatry",
    "in-home care package",
    "co-occurring (dual-diagnosis) residential program",
    "medication management clinic",
)
PROBLEMS: dict[str, tuple[str, ...]] = {
    "eligibility": (
        "{raising} referred the person to {pathway} after {trigger}. {resp} declined the "
        "referral, saying the entry criteria are not met. No other service has offered an "
        "assessment.",
        "The person was screened out of {pathway} by {resp} after {trigger}; {raising} disputes "
        "the screening and the person has had no follow-up for {days} days.",
    ),
    "funding": (
        "{raising} and {resp} agree {pathway} is needed after {trigger}, but not who pays. "
        "The placement offer lapses on {weekday} unless funding is confirmed.",
        "{pathway} was started on an emergency basis after {trigger}; {resp} refuses to "
        "reimburse it and {raising} has given notice it will stop on {weekday}.",
    ),
    "safeguarding": (
        "{raising} raised a safeguarding concern after {trigger}. {resp} assessed it below "
        "threshold and closed the enquiry; {raising} reports the risk is escalating.",
        "Repeated concerns after {trigger}: {raising} believes the safeguarding threshold is "
        "met, {resp} says it is a care-planning matter for {pathway}.",
    ),
    "capacity": (
        "{pathway} at {resp} has a {weeks}-week waitlist. After {trigger} the person needs a "
        "start within days; no agency will hold the case meanwhile.",
        "{resp} says it has no capacity to take the person into {pathway} after {trigger}; "
        "{raising} cannot hold the case beyond its crisis remit.",
    ),
}
#: Few per type on purpose: recurring themes are what oversight looks for.
RULE_CONFLICTS: dict[str, tuple[str, ...]] = {
    "eligibility": (
        "SMI criterion: CBH requires a qualifying diagnosis; MCO accepts functional impairment "
        "alone",
        "Dual-diagnosis exclusion: substance use read as primary vs co-occurring",
        "Age band at 65: older-adult service vs adult mental health service",
    ),
    "funding": (
        "Step-down funding: who pays for the first 30 days after inpatient discharge",
        "Medical necessity: MCO treats supported housing as a non-covered social service",
        "County of responsibility after 30 days in a shelter outside the county",
    ),
    "safeguarding": (
        "Self-neglect threshold: APS requires a third-party risk; the referrer reads "
        "self-neglect alone as enough",
        "Who assesses decision-making capacity before a safeguarding enquiry",
    ),
    "capacity": (
        "ICM caseload cap of 1:15 in the provider contract vs the duty to accept urgent referrals",
        "72-hour crisis follow-up: owned by the crisis team or by the county clinic",
        "Discharge readiness: medically fit for discharge vs safe to discharge",
    ),
}
REQUESTED = {
    "eligibility": "Decide whether the person is eligible for {pathway}, or name the service "
    "that will assess them.",
    "funding": "Decide which agency funds {pathway} from the start date, and for how long.",
    "safeguarding": "Decide whether the safeguarding threshold is met and which agency leads "
    "the enquiry.",
    "capacity": "Name the agency that will provide {pathway} (or a bridging service) within "
    "5 working days.",
}
RESPONDERS = {
    "eligibility": ("CBH", "MCO", "HSG", "CPN"),
    "funding": ("MCO", "CBH", "MCO", "HSG"),
    "safeguarding": ("APS", "APS", "CBH"),
    "capacity": ("CPN", "HSG", "CBH", "CPN"),
}
RAISERS = ("CBH",) * 5 + ("HDT",) * 4 + ("CRS",) * 3 + ("APS", "APS", "HSG", "HSG", "CPN", "MCO")
CONSENT = (
    "Consent given by the person",
    "Consent via authorised representative",
    "Lawful basis: vital interests",
    "Lawful basis: safeguarding duty",
    "Care coordination (treatment, payment, operations)",
)
RISK_TOOLS = ("C-SSRS", "HCR-20 screen", "vulnerability screen", "brief risk screen")
RISK_LEVEL = {"critical": "imminent risk", "high": "high", "medium": "moderate", "low": "low"}
PLAN_STATE = (
    "care plan last reviewed {weeks} weeks ago",
    "no current service plan",
    "discharge summary attached",
    "housing support plan lapsed",
)
INTERIM = (
    "Daily welfare call by the CBH duty worker",
    "EMS welfare check if there is no contact by 17:00",
    "Pharmacy delivers medication twice weekly",
    "Crisis plan shared with the ED and the crisis team",
    "Shelter bed held for 7 days",
    "Home visit every 48 hours by the community team",
    "Safety plan refreshed with the person and their sister",
)
ABSENT_NOTES = (
    "Requested from {resp}; expected within 48 hours",
    "Not yet done: assessment booked for next week",
    "The person declined to share it for now",
    "Held by the hospital; records request sent",
)
COVER_LEVELS = (
    "Daily phone check-in and medication prompt",
    "Twice-weekly home visit by a community worker",
    "Case held by the duty team with contact every 48 hours",
    "Crisis line flagged; EMS welfare check on a missed contact",
    "Temporary shelter placement with onsite support",
)
PACKAGE_ACTIONS = (
    "Welfare check; medication reconciliation; crisis and safety plan refresh",
    "Coordination contacts every 48 hours; priority psychiatric assessment",
    "Welfare check; priority housing assessment; safety plan refresh",
    "Medication reconciliation; daily contact; priority occupational therapy assessment",
)
CONTACT_NOTES = {
    "reached": "Spoke with the person; engaging and taking medication",
    "no_answer": "No answer; will try again tomorrow",
    "left_message": "Left a voicemail with the callback number",
    "declined": "The person declined the visit today",
    "unsafe": "The person reported thoughts of self-harm; crisis team alerted",
}
CONTACT_OUTCOMES = ("reached",) * 5 + ("no_answer", "no_answer", "left_message", "declined")
RATIONALES = {
    "assigned": (
        "{agency} holds clinical responsibility under the service agreement; {pathway} meets "
        "the assessed need.",
        "The evidence shows the person meets {agency}'s criteria and the risk screen supports "
        "an urgent start.",
    ),
    "joint": (
        "Both agencies have a part: {agency} leads and the other funds its share under a joint "
        "plan reviewed at 30 days.",
    ),
    "not_upheld": (
        "The current arrangement meets the assessed need; the dispute is not upheld and "
        "{agency} continues to hold the case.",
    ),
}
START_PLANS = (
    "Intake booked; care coordinator allocated; first home visit within 72 hours.",
    "Warm handover call held; start on the agreed date with a joint visit.",
    "Placement confirmed; transport arranged; review at two weeks.",
)
WITHDRAW_REASONS = (
    "The person moved out of the county; referral transferred",
    "Agencies agreed at the supervisor call; recorded for audit",
    "The person declined all services after a capacity assessment",
    "Duplicate of an earlier dispute for the same person",
    "The person was admitted to long-term inpatient care",
)
BREACH_REASONS = (
    "Supervisor on leave; no cover arranged",
    "Awaiting the risk screen from the hospital",
    "Panel slot cancelled: not quorate",
    "The responding agency did not return calls",
    "Records request outstanding with the MCO",
    "Final authority unavailable; no delegate named",
)
ESCALATION_NOTES = {
    1: ("Frontline teams could not agree; supervisor call requested",),
    2: ("Supervisor call held; still no agreement; listed for the panel",),
    3: ("Panel could not agree; referred to the named final authority",),
    4: ("Final authority stage overdue; referred to commissioner liaison",),
}
NOTES = (
    "Called the MCO utilisation team; awaiting a callback",
    "Sister reports the person is sleeping better",
    "Housing officer confirms the tenancy is at risk",
    "Discussed at the morning huddle; no change",
    "GP letter received and added to the record",
    "The person missed today's appointment; follow-up booked",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
COVER_PROBABILITY = {"critical": 0.95, "high": 0.85, "medium": 0.5, "low": 0.3}
RISK_WEIGHTS = {"critical": 1, "high": 3, "medium": 4, "low": 2}
OUTCOME_WEIGHTS = {"assigned": 11, "joint": 5, "not_upheld": 4}
STAGE_WEIGHTS = (30, 30, 25, 12, 3)
# Cumulative weights, computed once: random.choices would add them up on every call.
STAGES_CUM = list(accumulate(STAGE_WEIGHTS))
RISKS, RISKS_CUM = tuple(RISK_WEIGHTS), list(accumulate(RISK_WEIGHTS.values()))
OUTCOMES, OUTCOMES_CUM = tuple(OUTCOME_WEIGHTS), list(accumulate(OUTCOME_WEIGHTS.values()))
CLOCKS, CLOCKS_CUM = ("on_track", "warning", "breached"), [50, 75, 100]
H = timedelta(hours=1)


# --- plans: what happens to each dispute, and when ----------------------------------
@dataclass(slots=True)
class Step:
    at: datetime
    actor: str
    kind: str  # open escalate cover plan_holder provisional contact note decision accept withdraw
    args: dict[str, Any]


@dataclass
class Plan:
    form: dict[str, Any]
    steps: list[Step]
    ref: str = ""


@dataclass(frozen=True)
class Spec:
    status: str  # open | decided | closed | withdrawn
    stage: int
    clock: str | None = None  # for open disputes at stages 0–3: ClockState value
    risk: str | None = None
    expiring: bool = False  # an active provisional package that ends within 2 days


def _mandatory() -> list[Spec]:
    """What the default demo must show, most important first."""
    specs = [Spec("open", s, c) for s in range(4) for c in CLOCKS]
    specs += [Spec("open", 4, risk="low", expiring=True), Spec("open", 4)]
    specs += [Spec("open", 3, "breached", "low", True), Spec("open", 2, "breached", "low", True)]
    specs += [Spec("decided", s) for s in (1, 2, 3)]
    specs += [Spec("closed", s) for s in (0, 2, 3, 4)]
    specs += [Spec("withdrawn", 0), Spec("withdrawn", 2)]
    return specs


class Planner:
    """Deterministic plans from one random.Random; every time is relative to ``now``."""

    def __init__(self, rng: random.Random, policy: Policy, now: datetime) -> None:
        self.rng, self.policy, self.now = rng, policy, now
        self.windows = _windows(policy)
        self.people: dict[str, tuple[tuple[str, ...], str | None]] = {
            login: (roles, agency) for login, _, roles, agency in DEMO_PEOPLE
        }
        self.authority = {t.value: self._holder(policy.authority_role(3, t)) for t in DisputeType}
        self.person_refs: list[str] = []
        self.staff = {code: self._staff(code) for code, _, _ in DEMO_AGENCIES}

    def _holder(self, role: str) -> str:
        return next(login for login, (roles, _) in self.people.items() if role in roles)

    def _staff(self, agency: str) -> list[str]:
        return [
            login
            for login, (roles, home) in self.people.items()
            if home == agency and {"frontline", "duty_lead"} & set(roles)
        ]

    def stage(self) -> int:
        return self.rng.choices(range(5), cum_weights=STAGES_CUM)[0]

    def clock(self, stage: int) -> str | None:
        return self.rng.choices(CLOCKS, cum_weights=CLOCKS_CUM)[0] if stage < 4 else None

    def risk(self) -> str:
        return self.rng.choices(RISKS, cum_weights=RISKS_CUM)[0]

    def spread(self, start: datetime, end: datetime, low: float, high: float) -> datetime:
        return start + (end - start) * self.rng.uniform(low, high)

    # --- the form -------------------------------------------------------------
    def person_ref(self, repeat: float) -> str:
        if self.person_refs and self.rng.random() < repeat:
            return self.rng.choice(self.person_refs[-2000:])
        ref = f"P-{self.rng.randrange(10000, 100000)}"
        self.person_refs.append(ref)
        return ref

    def form(self, dtype: str, risk: str, repeat: float) -> dict[str, Any]:
        rng = self.rng
        raising = rng.choice(RAISERS)
        options = [c for c in RESPONDERS[dtype] if c != raising] or ["MCO"]
        responding = [rng.choice(options)]
        if rng.random() < 0.25:
            extra = [c for c, _, _ in DEMO_AGENCIES if c not in (raising, responding[0])]
            responding.append(rng.choice(extra))
        pathway = rng.choice(PATHWAYS)
        words = {
            "raising": raising,
            "resp": responding[0],
            "pathway": pathway,
            "trigger": rng.choice(TRIGGERS),
            "days": rng.randint(5, 40),
            "weeks": rng.randint(3, 16),
            "weekday": rng.choice(WEEKDAYS),
        }
        if rng.random() < 0.15:  # a theme from another type: conflicts cross types too
            conflict = rng.choice(RULE_CONFLICTS[rng.choice(list(RULE_CONFLICTS))])
        else:
            conflict = rng.choice(RULE_CONFLICTS[dtype])
        contacts = rng.randint(2, 14)
        summary = (
            f"{contacts} contacts in the last 30 days ({rng.randint(0, contacts // 2)} missed); "
            f"risk screen ({rng.choice(RISK_TOOLS)}) {RISK_LEVEL[risk]}; "
            + rng.choice(PLAN_STATE).format(weeks=rng.randint(2, 30))
            + "."
        )
        evidence = {}
        for key in EvidenceKey:
            if rng.random() < 0.8:
                evidence[key.value] = {"present": True, "note": ""}
            else:
                note = rng.choice(ABSENT_NOTES).format(resp=responding[0])
                evidence[key.value] = {"present": False, "note": note}
        interim = rng.choice(INTERIM) if risk in ("critical", "high") or rng.random() < 0.6 else ""
        return {
            "person_ref": self.person_ref(repeat),
            "dispute_type": dtype,
            "risk": risk,
            "raising_agency": raising,
            "responding_agencies": responding,
            "consent_basis": rng.choice(CONSENT),
            "problem_statement": rng.choice(PROBLEMS[dtype]).format(**words),
            "proposed_pathway": pathway,
            "rule_conflict": conflict,
            "evidence_summary": summary,
            "interim_risk_actions": interim,
            "requested_decision": REQUESTED[dtype].format(pathway=pathway),
            "evidence": evidence,
        }

    # --- the timeline ---------------------------------------------------------------
    def _durations(self, spec: Spec, risk: str) -> list[timedelta]:
        """Time spent in each stage climbed, the last one up to the final event (or now)."""
        rng, out = self.rng, []
        for k in range(spec.stage):
            window = self.windows[risk, k]
            assert window is not None
            # Liaison needs a breached final-authority stage (or a long-open dispute).
            low, high = (1.05, 1.7) if k == 3 else (0.2, 1.35)
            out.append(window * rng.uniform(low, high))
        window = self.windows[risk, spec.stage]
        if window is None:
            out.append(timedelta(hours=rng.uniform(2, 96)))
        elif spec.status == "open":
            warn = self.policy.clock.warning_fraction
            low, high = {
                "on_track": (0.1, warn - 0.15),
                "warning": (warn + 0.03, 0.97),
                "breached": (1.1, 2.5),
            }[spec.clock or "on_track"]
            out.append(window * rng.uniform(low, high))
        else:
            out.append(window * rng.uniform(0.15, 1.25))
        return out

    def plan(
        self,
        spec: Spec,
        dtype: str,
        risk: str,
        *,
        end: datetime | None = None,
        start: datetime | None = None,
        rich: bool = True,
        repeat: float = 0.15,
    ) -> Plan:
        """A dispute's life: anchored at its final event (``end``) or its opening (``start``)."""
        rng = self.rng
        risk = spec.risk or risk
        form = self.form(dtype, risk, repeat)
        durations = self._durations(spec, risk)
        opened = start if start is not None else (end or self.now) - sum(durations, timedelta())
        entries = [opened]
        for spent in durations[:-1]:
            entries.append(entries[-1] + spent)
        final = entries[-1] + durations[-1]  # now, for open disputes
        raising = form["raising_agency"]
        opener = rng.choice(self.staff.get(raising) or ["duty", "duty2"])
        steps = [Step(opened, opener, "open", {})]
        for k in range(1, spec.stage + 1):
            steps += self._escalation(k, entries, risk, opener)
        parties = [raising, *form["responding_agencies"]]
        if spec.status in ("decided", "closed"):
            steps += self._decision(spec.stage, dtype, final, form, parties, spec.status)
        elif spec.status == "withdrawn":
            reason = rng.choice(WITHDRAW_REASONS)
            steps.append(Step(final, rng.choice(["duty", "super"]), "withdraw", {"reason": reason}))
        live_end = final
        if rng.random() < COVER_PROBABILITY[risk]:
            provider = rng.choice([*parties, "CRS"])
            at = self.spread(opened, live_end, 0.02, 0.3)
            level = rng.choice(COVER_LEVELS)
            args = {"provider": provider, "level": level, "review_at": at + timedelta(days=7)}
            steps.append(Step(at, rng.choice(["duty", "duty2", "super"]), "cover", args))
        if rng.random() < (0.6 if spec.status in ("open", "decided") else 0.35):
            holder = rng.choice(["front1", "front2", "front3", "front4", "duty", "super"])
            at = self.spread(opened, live_end, 0.05, 0.9)
            steps.append(Step(at, rng.choice(["duty", "super"]), "plan_holder", {"login": holder}))
        if rich:
            steps += self._package(spec, risk, opened, live_end)
            for _ in range(rng.choice((0, 1, 1, 2))):
                last = min(self.now - timedelta(minutes=5), final + timedelta(days=1))
                at = self.spread(opened, last, 0.1, 1.0)
                by = rng.choice(["front1", "duty", "super", "chair", "pm", "clin"])
                if spec.stage == 4 and at > entries[4]:
                    by = "liaison"  # commissioner liaison follows the disputes referred to it
                steps.append(Step(at, by, "note", {"text": rng.choice(NOTES)}))
        steps.sort(key=lambda s: s.at)  # stable: same-time steps keep their order
        return Plan(form, steps)

    def _escalation(self, k: int, entries: list[datetime], risk: str, opener: str) -> list[Step]:
        rng, at = self.rng, entries[k]
        window = self.windows[risk, k - 1]
        assert window is not None
        breached = at >= entries[k - 1] + window
        steps = []
        actor = {1: opener, 2: rng.choice(["super", "super2"]), 3: "chair"}.get(k, "duty")
        if k == 3 and rng.random() < 0.5:  # the panel met and could not agree
            gap = min(timedelta(minutes=rng.uniform(10, 180)), (at - entries[2]) / 3)
            args = {"outcome": "no_agreement", "final": False, "agency": None, "pathway": ""}
            args["rationale"] = "Panel heard both agencies; no agreement on the rule in dispute."
            args["review"] = (at + timedelta(days=14)).date()
            steps.append(Step(at - gap, "chair", "decision", args))
        reason = rng.choice(BREACH_REASONS) if breached else ""
        note = rng.choice(ESCALATION_NOTES[k])
        steps.append(Step(at, actor, "escalate", {"note": note, "breach_reason": reason}))
        return steps

    def _decision(
        self,
        stage: int,
        dtype: str,
        at: datetime,
        form: dict[str, Any],
        parties: list[str],
        status: str,
    ) -> list[Step]:
        rng = self.rng
        final = stage >= 3
        if final:
            actor = self.authority[dtype]
        else:
            actor = "chair" if stage == 2 else rng.choice(["super", "super2"])
        outcome = self.rng.choices(OUTCOMES, cum_weights=OUTCOMES_CUM)[0]
        agency = parties[0] if outcome == "not_upheld" else rng.choice(parties[1:])
        pathway = form["proposed_pathway"] if rng.random() < 0.7 else rng.choice(PATHWAYS)
        rationale = rng.choice(RATIONALES[outcome]).format(agency=agency, pathway=pathway)
        review = (at + timedelta(days=rng.randint(14, 90))).date()
        args = {"outcome": outcome, "final": final, "agency": agency, "pathway": pathway}
        args |= {"rationale": rationale, "review": review}
        steps = [Step(at, actor, "decision", args)]
        if status == "closed":
            accepted = at + timedelta(hours=rng.uniform(2, 40))
            staff = self.staff.get(agency) or ["duty", "super"]
            start_date = (accepted + timedelta(days=rng.randint(0, 5))).date()
            plan = {"start_plan": rng.choice(START_PLANS), "start_date": start_date}
            steps.append(Step(accepted, rng.choice(staff), "accept", plan))
        return steps

    def _package(self, spec: Spec, risk: str, opened: datetime, live_end: datetime) -> list[Step]:
        """A provisional package with its contact log; ``expiring`` ones end within 2 days."""
        rng, now = self.rng, self.now
        live = spec.status in ("open", "decided")
        days = rng.randint(self.policy.provisional.min_days, self.policy.provisional.max_days)
        start = None
        if spec.expiring or (spec.status == "open" and rng.random() < 0.35):
            left = timedelta(hours=rng.uniform(6, 44))
            for length in (days, self.policy.provisional.min_days):
                if now - timedelta(days=length) + left > opened + H:
                    days, start = length, now - timedelta(days=length) + left
                    break
        if start is None:
            if rng.random() >= (0.3 if live else 0.25):
                return []
            start = self.spread(opened, live_end, 0.05, 0.6)
        ends = start + timedelta(days=days)
        coordinator = rng.choice(["front1", "front2", "front3", "duty", "duty2"])
        args = {"coordinator": coordinator, "actions": rng.choice(PACKAGE_ACTIONS), "days": days}
        steps = [Step(start, rng.choice(["duty", "super"]), "provisional", args)]
        last = min(ends, live_end, now - timedelta(minutes=5))
        count = rng.randint(1, 5) if last > start else 0
        times = sorted(self.spread(start, last, 0.02, 0.98) for _ in range(count))
        for at in times:
            outcome = rng.choice(CONTACT_OUTCOMES)
            if risk in ("critical", "high") and rng.random() < 0.1:
                outcome = ContactOutcome.UNSAFE.value
            method = rng.choice(("phone", "phone", "visit", "text", "video"))
            args = {"method": method, "outcome": outcome, "note": CONTACT_NOTES[outcome]}
            steps.append(Step(at, coordinator, "contact", args))
        return steps


def _base_specs(planner: Planner, count: int) -> list[Spec]:
    rng, specs = planner.rng, _mandatory()[:count]
    while len(specs) < count:
        status = rng.choices(("open", "decided", "closed", "withdrawn"), (30, 10, 45, 15))[0]
        stage = planner.stage()
        clock = rng.choices(CLOCKS, cum_weights=CLOCKS_CUM)[0]
        specs.append(Spec(status, stage, clock if status == "open" and stage < 4 else None))
    return specs


def _spread_list(rng: random.Random, values: list[str], weights: list[int], n: int) -> list[str]:
    """``n`` values, each one at least once (when n allows), the rest weighted; shuffled."""
    out = values[:n] + rng.choices(values, weights, k=max(0, n - len(values)))
    rng.shuffle(out)
    return out


def base_plans(planner: Planner, count: int) -> list[Plan]:
    rng, now = planner.rng, planner.now
    specs = _base_specs(planner, count)
    types = _spread_list(rng, [t.value for t in DisputeType], [1] * 4, count)
    risks = _spread_list(rng, list(RISK_WEIGHTS), list(RISK_WEIGHTS.values()), count)
    plans = []
    for spec, dtype, risk in zip(specs, types, risks, strict=True):
        if spec.status == "open":
            end = now
        elif spec.status == "decided":
            end = now - timedelta(hours=rng.uniform(1, 96))
        elif spec.status == "closed":
            end = now - timedelta(days=rng.uniform(2, 75))
        else:
            end = now - timedelta(days=rng.uniform(0.2, 60))
        plans.append(planner.plan(spec, dtype, risk, end=end))
    return plans


# --- the Ledger path ------------------------------------------------------------------
def _apply(ledger: Ledger, plan: Plan, step: Step) -> None:
    a, at = step.args, step.at
    if step.kind == "open":
        plan.ref = ledger.open_dispute(plan.form, at=at)
    elif step.kind == "escalate":
        ledger.escalate(plan.ref, a["note"], a["breach_reason"], at=at)
    elif step.kind == "cover":
        ledger.assign_cover(plan.ref, a["provider"], a["level"], review_at=a["review_at"], at=at)
    elif step.kind == "plan_holder":
        ledger.assign_plan_holder(plan.ref, a["login"], at=at)
    elif step.kind == "provisional":
        ledger.start_provisional(plan.ref, a["coordinator"], a["actions"], days=a["days"], at=at)
    elif step.kind == "contact":
        ledger.log_contact(plan.ref, a["method"], a["outcome"], a["note"], at=at)
    elif step.kind == "note":
        ledger.add_note(plan.ref, a["text"], at=at)
    elif step.kind == "decision":
        ledger.record_decision(
            plan.ref,
            a["outcome"],
            a["rationale"],
            a["review"],
            receiving_agency=a["agency"],
            pathway=a["pathway"],
            final=a["final"],
            at=at,
        )
    elif step.kind == "accept":
        ledger.confirm_acceptance(plan.ref, a["start_plan"], a["start_date"], at=at)
    elif step.kind == "withdraw":
        ledger.withdraw(plan.ref, a["reason"], at=at)
    else:  # pragma: no cover - a planner bug
        raise ValueError(f"unknown demo step {step.kind}")


def _run_ledger(store: Store, plans: list[Plan], progress: Callable[[str], None]) -> None:
    """Apply every step in time order: refs and the event chain read chronologically."""
    ledgers = {login: Ledger(store, login) for login, *_ in DEMO_PEOPLE}
    ordered = sorted(
        ((step.at, i, j) for i, plan in enumerate(plans) for j, step in enumerate(plan.steps)),
    )
    for n, (_, i, j) in enumerate(ordered, 1):
        step = plans[i].steps[j]
        _apply(ledgers[step.actor], plans[i], step)
        if n % 200 == 0:
            progress(f"ledger: {n:,} of {len(ordered):,} operations")


# --- the bulk path ----------------------------------------------------------------------
def _windows(policy: Policy) -> dict[tuple[str, int], timedelta | None]:
    """Every (risk, stage) window, looked up once: the bulk path asks hundreds of thousands."""
    return {(r.value, s): policy.window(r, s) for r in Risk for s in range(5)}


@cache
def _policy(text: str) -> Policy:
    return parse_policy(text, source="the demo policy")


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _ts(moment: datetime | None) -> str | None:
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
        self.windows = _windows(self.policy)
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
        opened_text = _ts(opened)
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
            stage[1:4] = (_ts(stage[1]), _ts(stage[2]), _ts(stage[3]))
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
                _ts(d["entered"]),
                _ts(d["due"]),
                opened_text,
                _ts(d["resolved"]),
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
            row = (did, provider, a["level"], _ts(at), _ts(a["review_at"]), actor_id, _ts(at))
            covers.append([row, True])
            after = {"provider": a["provider"], "support_level": a["level"]}
            after["review_at"] = a["review_at"]
            self._event(
                d, step, "assign_cover", d["stage"], before={"covers": previous}, after=after
            )
        elif step.kind == "plan_holder":
            before = {"plan_holder_id": d["plan_holder"]}
            d["plan_holder"] = self.people[a["login"]][0]
            row = (did, d["plan_holder"], actor_id, _ts(at), None)
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
                    _ts(at),
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
                _ts(at),
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


class BulkChain:
    """The store's side of the bulk path: refs, the hash chain and the INSERT statements."""

    def __init__(self, session: Session, years: range) -> None:
        self.session = session
        self.next_dispute = (session.execute(select(func.max(Dispute.id))).scalar() or 0) + 1
        decision = _table("decision").c.id
        self.next_decision = (session.execute(select(func.max(decision))).scalar() or 0) + 1
        head = session.execute(select(Event.id, Event.hash).order_by(Event.id.desc()).limit(1))
        row = head.first()
        self.event_id, self.prev_hash = (row[0], row[1]) if row else (0, GENESIS)
        self.counters: dict[int, int] = {}
        for year in years:  # read now: later the connection belongs to the inserter
            stored = session.get(Setting, f"ref_seq:{year}")
            if stored is not None:
                self.counters[year] = int(stored.value)
            else:  # as Ledger.next_ref starts a year it has no counter for
                self.counters[year] = session.execute(
                    select(func.count()).where(Dispute.ref.like(f"D-{year}-%"))
                ).scalar_one()
        dialect = session.get_bind().dialect
        self.sql = {}
        for name, with_id in BULK_TABLES.items():
            columns = [c.name for c in _table(name).columns if with_id or c.name != "id"]
            compiled = sa_insert(_table(name)).compile(dialect=dialect, column_keys=columns)
            # Our tuples are in table-column order: the statement must be too.
            assert list(compiled.positiontup or columns) == columns, name
            self.sql[name] = str(compiled)

    def context(self, policy_text: str, now: datetime) -> BulkContext:
        people = {
            login: (pid, tuple(roles.split()))
            for pid, login, roles in self.session.execute(
                select(Person.id, Person.login, Person.roles)
            )
        }
        agency = _table("agency")
        agencies = {
            code: aid for code, aid in self.session.execute(select(agency.c.code, agency.c.id))
        }
        return BulkContext(policy_text, now, people, agencies)

    def take(self, batch: BulkBatch) -> list[tuple[str, list[tuple[Any, ...]]]]:
        """A batch as (INSERT, rows): refs given, events chained in time order."""
        refs = []
        for year in batch.years:
            self.counters[year] += 1
            refs.append(f"D-{year}-{self.counters[year]:04d}")
        rows = dict(batch.rows)
        rows["dispute"] = [
            (r[0], ref, *r[2:]) for r, ref in zip(rows["dispute"], refs, strict=True)
        ]
        batch.events.sort(key=lambda e: e[0])
        events = rows["event"] = []
        first = batch.first_dispute
        for at, actor, action, dispute_id, stage, before, after in batch.events:
            self.event_id += 1
            ref = refs[dispute_id - first]
            digest = event_hash(
                id=self.event_id,
                at=at,
                actor=actor,
                action=action,
                dispute_id=dispute_id,
                dispute_ref=ref,
                stage=stage,
                before=before,
                after=after,
                prev_hash=self.prev_hash,
            )
            row = (self.event_id, _ts(at), actor, action, dispute_id, ref, stage, before, after)
            events.append((*row, self.prev_hash, digest))
            self.prev_hash = digest
        return [(self.sql[name], rows[name]) for name in BULK_TABLES if rows[name]]

    def save_counters(self) -> None:
        """Later Ledger.open_dispute refs continue after the highest number used."""
        for year, number in self.counters.items():
            row = self.session.get(Setting, f"ref_seq:{year}")
            if row is None:
                self.session.add(Setting(key=f"ref_seq:{year}", value=str(number)))
            else:
                row.value = str(max(int(row.value), number))
                self.session.add(row)
        self.session.flush()


def make_batch(context: BulkContext, job: BulkJob) -> BulkBatch:
    """A job's rows. Pure: it could run in a worker process with the same result."""
    maker = RowMaker(context, job)
    planner = Planner(random.Random(job.seed), maker.policy, context.now)
    rng, now = planner.rng, planner.now
    types = [t.value for t in DisputeType]
    for age in job.ages:
        spec = Spec("closed" if rng.random() < 0.8 else "withdrawn", planner.stage())
        start = now - timedelta(days=age)
        risk = planner.risk()
        maker.add(planner.plan(spec, rng.choice(types), risk, start=start, rich=False, repeat=0.12))
    combos = [Spec("open", s, c) for s in range(4) for c in CLOCKS]
    combos.append(Spec("open", 4))
    for i in job.live:
        if i < len(combos):
            spec = combos[i]
        elif rng.random() < 0.2:
            spec = Spec("decided", planner.stage())
        else:
            stage = planner.stage()
            spec = Spec("open", stage, planner.clock(stage))
        end = now if spec.status == "open" else now - timedelta(hours=rng.uniform(1, 96))
        risk = planner.risk()
        maker.add(planner.plan(spec, rng.choice(types), risk, end=end, rich=False, repeat=0.12))
    return maker.batch()


def _jobs(
    rng: random.Random, seed: int, count: int, live: int, first_dispute: int, first_decision: int
) -> list[BulkJob]:
    """Closed and withdrawn disputes over the past two years, oldest first, then live ones."""
    ages = sorted((rng.uniform(35, 730) for _ in range(count - live)), reverse=True)
    parts = [{"ages": tuple(ages[i : i + BATCH])} for i in range(0, len(ages), BATCH)]
    parts += [{"live": tuple(range(i, min(live, i + BATCH)))} for i in range(0, live, BATCH)]
    jobs = []
    for n, part in enumerate(parts):
        job = BulkJob(f"{seed}:bulk:{n}", first_dispute, first_decision, **part)
        first_dispute += job.count
        first_decision += 2 * job.count
        jobs.append(job)
    return jobs


class Inserter(threading.Thread):
    """Runs the INSERTs of one batch while the next batch is made.

    SQLite releases the GIL while it steps a statement, so the B-tree work
    overlaps the Python that makes rows. Only this thread uses the connection
    until ``finish``.
    """

    def __init__(self, connection: Connection) -> None:
        super().__init__(name="panel-tui-demo-inserter", daemon=True)
        self.connection = connection
        self.jobs: queue.Queue[list[tuple[str, list[tuple[Any, ...]]]] | None] = queue.Queue(2)
        self.error: BaseException | None = None

    def run(self) -> None:
        while (batch := self.jobs.get()) is not None:
            if self.error is not None:
                continue  # drain: the main thread will raise it
            try:
                for sql, rows in batch:
                    self.connection.exec_driver_sql(sql, rows)
            except BaseException as exc:  # handed to the main thread
                self.error = exc

    def put(self, batch: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        if self.error is not None:
            raise self.error
        self.jobs.put(batch)

    def finish(self) -> None:
        self.jobs.put(None)
        self.join()
        if self.error is not None:
            raise self.error


def _run_bulk(
    store: Store,
    planner: Planner,
    seed: int,
    policy_text: str,
    counts: tuple[int, int],
    progress: Callable[[str], None],
) -> None:
    """``counts`` disputes, of which that many live, in one write transaction."""
    count, live = counts
    year = planner.now.year
    with store.write() as session:
        chain = BulkChain(session, range(year - 3, year + 1))
        context = chain.context(policy_text, planner.now)
        jobs = _jobs(planner.rng, seed, count, live, chain.next_dispute, chain.next_decision)
        inserter = Inserter(session.connection())
        inserter.start()
        done = 0
        try:
            for job in jobs:
                batch = make_batch(context, job)
                inserter.put(chain.take(batch))
                done += len(batch.years)
                progress(f"bulk: {done:,} of {count:,} disputes")
        finally:
            inserter.finish()
        chain.save_counters()


# --- the entry point ------------------------------------------------------------------
def demo_policy_text() -> str:
    """The default policy, except that ``--as LOGIN`` is allowed (a demo has no real users)."""
    text = default_policy_text()
    changed = text.replace("allow_override = false", "allow_override = true")
    if changed == text:
        raise StoreError("the default policy no longer has 'allow_override = false' to change")
    return changed


def build_demo(
    target: str,
    *,
    disputes: int = BASE_DISPUTES,
    seed: int = 7,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> Store:
    """Create a new demo store at ``target`` (a path or URL) and fill it from ``seed``."""
    say = progress or (lambda _message: None)
    now = utc(now) if now is not None else datetime.now(UTC)
    path = sqlite_path(to_url(target))
    if path is not None and path.exists():
        raise StoreError(
            f"{path} already exists: the demo builds a new store. "
            "Delete it first (or use `panel-tui demo --force`)."
        )
    bulk = disputes > BULK_THRESHOLD
    if bulk and path is None:
        raise StoreError(
            f"a demo of more than {BULK_THRESHOLD:,} disputes is written in bulk to a SQLite "
            "file: give a file path."
        )
    policy_text = demo_policy_text()
    rng = random.Random(seed)
    planner = Planner(rng, parse_policy(policy_text, source="the demo policy"), now)
    plans = base_plans(planner, min(disputes, BASE_DISPUTES) if bulk else disputes)
    earliest = min((p.steps[0].at for p in plans), default=now)
    if bulk:
        earliest = min(earliest, now - timedelta(days=731))
    founded = earliest - timedelta(days=1)
    say(f"creating the demo store at {path or target}")
    store = init_store(
        target, ADMIN_LOGIN, "Demo Administrator", kind="demo", policy_text=policy_text, at=founded
    )
    try:
        admin = Admin(store, ADMIN_LOGIN)
        for n, (code, name, kind) in enumerate(DEMO_AGENCIES, 1):
            admin.add_agency(code, name, kind, at=founded + timedelta(minutes=n))
        for n, (login, display, roles, agency) in enumerate(DEMO_PEOPLE, 1):
            admin.add_person(
                login, display, roles, agency, at=founded + timedelta(hours=1, minutes=n)
            )
        say(f"writing {len(plans)} disputes through the ledger")
        _run_ledger(store, plans, say)
        if bulk:
            rest = disputes - len(plans)
            base_live = sum(
                1 for p in plans if not any(s.kind in ("accept", "withdraw") for s in p.steps)
            )
            live = min(rest, max(round(disputes * 0.05) - base_live, 20))
            say(f"bulk: adding {rest:,} disputes in one transaction")
            _run_bulk(store, planner, seed, policy_text, (rest, live), say)
            _checkpoint(store)
    except BaseException:
        store.close()
        if path is not None:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
        raise
    say("demo store ready")
    return store


def _checkpoint(store: Store) -> None:
    """Fold the big transaction's WAL back into the file, so the WAL does not stay huge."""
    if not store.is_sqlite:
        return
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


__all__ = ["ADMIN_LOGIN", "DEMO_AGENCIES", "DEMO_LOGIN", "DEMO_PEOPLE", "build_demo"]
