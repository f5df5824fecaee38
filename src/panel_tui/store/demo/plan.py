"""The shape of a demo plan: steps, plans, specs, and the weights that pick them.

A ``Spec`` says what a dispute should end up as (status, stage, clock state,
risk); a ``Plan`` is its form and timeline of ``Step``s, each a Ledger
operation at a time, made by a person. The weights set the demo's mix of
stages, risks, outcomes and clock states; ``stage_windows`` looks every policy
window up once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from panel_tui.rules.enums import Risk
from panel_tui.rules.policy import Policy

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
    expired: bool = False  # a package past its deadline, its next step not yet taken


def stage_windows(policy: Policy) -> dict[tuple[str, int], timedelta | None]:
    """Every (risk, stage) window, looked up once: the bulk path asks hundreds of thousands."""
    return {(r.value, s): policy.window(r, s) for r in Risk for s in range(5)}
