"""The demo planner: what happens to each dispute, and when.

A ``Planner`` turns a ``Spec`` into a ``Plan``: the dispute's form (realistic
texts from ``texts``) and its timeline (open, escalations, cover, plan holder,
provisional package and contacts, notes, decision, acceptance or withdrawal),
all drawn from one ``random.Random`` and relative to ``now``. Both the Ledger
path and the bulk path replay these plans, so a seed always gives the same demo.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from panel_tui.rules.enums import ContactOutcome, DisputeType, EvidenceKey
from panel_tui.rules.policy import Policy
from panel_tui.store.demo.plan import (
    CLOCKS,
    CLOCKS_CUM,
    COVER_PROBABILITY,
    OUTCOMES,
    OUTCOMES_CUM,
    RISKS,
    RISKS_CUM,
    STAGES_CUM,
    H,
    Plan,
    Spec,
    Step,
    stage_windows,
)
from panel_tui.store.demo.texts import (
    ABSENT_NOTES,
    BREACH_REASONS,
    CONSENT,
    CONTACT_NOTES,
    CONTACT_OUTCOMES,
    COVER_LEVELS,
    DEMO_AGENCIES,
    DEMO_PEOPLE,
    ESCALATION_IMPACTS,
    ESCALATION_NOTES,
    INTERIM,
    NOTES,
    PACKAGE_ACTIONS,
    PATHWAYS,
    PLAN_STATE,
    PROBLEMS,
    RAISERS,
    RATIONALES,
    REQUESTED,
    RESPONDERS,
    RISK_LEVEL,
    RISK_TOOLS,
    RULE_CONFLICTS,
    START_PLANS,
    TRIGGERS,
    WEEKDAYS,
    WITHDRAW_REASONS,
)


class Planner:
    """Deterministic plans from one random.Random; every time is relative to ``now``."""

    def __init__(self, rng: random.Random, policy: Policy, now: datetime) -> None:
        self.rng, self.policy, self.now = rng, policy, now
        self.windows = stage_windows(policy)
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
        impact = ESCALATION_IMPACTS[k]  # by rung, not drawn: the demo's draws stay as they were
        args = {"note": note, "breach_reason": reason, "impact": impact}
        steps.append(Step(at, actor, "escalate", args))
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
        if spec.expiring or spec.expired or (spec.status == "open" and rng.random() < 0.35):
            # Expired: its deadline passed 6–44 hours ago and nobody took the next step.
            left = timedelta(hours=rng.uniform(6, 44)) * (-1 if spec.expired else 1)
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
