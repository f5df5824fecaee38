"""The demo's history path: the first disputes written through the real Ledger.

``base_plans`` makes the default demo's disputes (60 unless asked otherwise):
first the mandatory mix of statuses, stages and clock states the demo must
show, then weighted random ones, with every type and risk present.
``run_ledger`` applies every step of every plan in time order, each as its
recorded person, so refs and the event chain read chronologically and every
rule is exercised.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from panel_tui.rules.enums import DisputeType
from panel_tui.store.demo.plan import CLOCKS, CLOCKS_CUM, RISK_WEIGHTS, Plan, Spec, Step
from panel_tui.store.demo.planner import Planner
from panel_tui.store.demo.texts import DEMO_PEOPLE

if TYPE_CHECKING:  # the quick demo plans without the Ledger (and SQLAlchemy)
    from panel_tui.store.db import Store
    from panel_tui.store.ledger import Ledger


def _mandatory() -> list[Spec]:
    """What the default demo must show, most important first."""
    specs = [Spec("open", s, c) for s in range(4) for c in CLOCKS]
    specs += [Spec("open", 4, risk="low", expiring=True), Spec("open", 4, expired=True)]
    specs += [Spec("open", 3, "breached", "low", True), Spec("open", 2, "breached", "low", True)]
    specs += [Spec("decided", s) for s in (1, 2, 3)]
    specs += [Spec("closed", s) for s in (0, 2, 3, 4)]
    specs += [Spec("withdrawn", 0), Spec("withdrawn", 2)]
    return specs


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
        ledger.escalate(plan.ref, a["note"], a["breach_reason"], impact=a["impact"], at=at)
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


def run_ledger(store: Store, plans: list[Plan], progress: Callable[[str], None]) -> None:
    """Apply every step in time order: refs and the event chain read chronologically."""
    from panel_tui.store.ledger import Ledger

    ledgers = {login: Ledger(store, login) for login, *_ in DEMO_PEOPLE}
    ordered = sorted(
        ((step.at, i, j) for i, plan in enumerate(plans) for j, step in enumerate(plan.steps)),
    )
    for n, (_, i, j) in enumerate(ordered, 1):
        step = plans[i].steps[j]
        _apply(ledgers[step.actor], plans[i], step)
        if n % 200 == 0:
            progress(f"ledger: {n:,} of {len(ordered):,} operations")
