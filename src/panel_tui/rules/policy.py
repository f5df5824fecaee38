"""The policy: ladder windows, clock thresholds and the decision-rights map.

A TOML file validated with pydantic. The shipped default is DOMAIN.md's table
(``default_policy.toml`` beside this module). Errors name the offending key.
"""

from __future__ import annotations

import math
import tomllib
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from panel_tui.rules.clocks import DEFAULT_WARNING_FRACTION
from panel_tui.rules.enums import Action, DisputeType, Risk, Stage
from panel_tui.rules.errors import InvalidInputError

#: Roles a person can hold. "oversight" can read everything and change nothing.
KNOWN_ROLES = frozenset(
    {
        "admin",
        "duty_lead",
        "supervisor",
        "panel_chair",
        "frontline",
        "program_manager",
        "clinical_lead",
        "integration_lead",
        "commissioner_liaison",
        "oversight",
    }
)

_LADDERED = (Stage.FRONTLINE, Stage.SUPERVISOR, Stage.PANEL, Stage.FINAL_AUTHORITY)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_role(role: str) -> str:
    if role not in KNOWN_ROLES:
        raise ValueError(f"unknown role '{role}' (known: {', '.join(sorted(KNOWN_ROLES))})")
    return role


class ClockPolicy(_Strict):
    warning_fraction: float = Field(DEFAULT_WARNING_FRACTION, gt=0, lt=1)
    liaison_after_days: float = Field(14, gt=0, le=3650, allow_inf_nan=False)


#: The longest provisional package a policy may set: longer is a typo, and the
#: end date must still be a date the clocks can compute.
MAX_PROVISIONAL_DAYS = 365


class ProvisionalPolicy(_Strict):
    min_days: int = Field(7, ge=1, le=MAX_PROVISIONAL_DAYS)
    max_days: int = Field(14, ge=1, le=MAX_PROVISIONAL_DAYS)

    @model_validator(mode="after")
    def _ordered(self) -> ProvisionalPolicy:
        if self.max_days < self.min_days:
            raise ValueError("max_days must not be less than min_days")
        return self


class IdentityPolicy(_Strict):
    allow_override: bool = False


#: The longest window a policy may set: longer is a typo, and the clocks must
#: still be able to add it to a date.
MAX_WINDOW_HOURS = 24 * 365


def _window_hours(value: float) -> float:
    # Checked per item so the error names the item (windows.high[1]); NaN and
    # infinity would pass a plain "> 0" test and break the clocks later.
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"a window must be more than 0 hours, got {value}")
    if value > MAX_WINDOW_HOURS:
        raise ValueError(f"a window must be at most {MAX_WINDOW_HOURS} hours, got {value}")
    return value


_Hours = Annotated[float, Strict(), AfterValidator(_window_hours)]


class Windows(_Strict):
    """Hours per stage 0–3, by risk."""

    critical: tuple[_Hours, _Hours, _Hours, _Hours]
    high: tuple[_Hours, _Hours, _Hours, _Hours]
    medium: tuple[_Hours, _Hours, _Hours, _Hours]
    low: tuple[_Hours, _Hours, _Hours, _Hours]


class Ladder(_Strict):
    frontline: str = "frontline"
    supervisor: str = "supervisor"
    panel: str = "panel_chair"
    commissioner_liaison: str = "commissioner_liaison"

    _role = field_validator("*")(classmethod(lambda cls, v: _check_role(v)))


class FinalAuthority(_Strict):
    eligibility: str
    funding: str
    safeguarding: str
    capacity: str

    _role = field_validator("*")(classmethod(lambda cls, v: _check_role(v)))


class Rights(_Strict):
    """Action → roles. Every action must be listed (an empty list means nobody)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    open: tuple[str, ...]
    edit_form: tuple[str, ...]
    record_evidence: tuple[str, ...]
    escalate: tuple[str, ...]
    assign_cover: tuple[str, ...]
    authorise_provisional: tuple[str, ...]
    log_contact: tuple[str, ...]
    record_decision: tuple[str, ...]
    final_determination: tuple[str, ...]
    confirm_acceptance: tuple[str, ...]
    withdraw: tuple[str, ...]
    assign_plan_holder: tuple[str, ...]
    add_note: tuple[str, ...]
    administer: tuple[str, ...]

    @field_validator("*")
    @classmethod
    def _roles(cls, roles: tuple[str, ...]) -> tuple[str, ...]:
        for role in roles:
            _check_role(role)
        return roles


class Policy(_Strict):
    clock: ClockPolicy = ClockPolicy()
    provisional: ProvisionalPolicy = ProvisionalPolicy()
    identity: IdentityPolicy = IdentityPolicy()
    windows: Windows
    ladder: Ladder = Ladder()
    final_authority: FinalAuthority
    rights: Rights

    def window(self, risk: Risk | str, stage: Stage | int) -> timedelta | None:
        """The stage's window for this risk; None for commissioner liaison (no clock)."""
        stage = Stage(stage)
        if stage not in _LADDERED:
            return None
        hours = getattr(self.windows, Risk(risk).value)[int(stage)]
        return timedelta(hours=hours)

    def roles_for(self, action: Action | str) -> frozenset[str]:
        roles = frozenset(getattr(self.rights, Action(action).value))
        if not roles and Action(action) is Action.ADMINISTER:
            # A store whose policy (installed before check refused it) names nobody
            # would be locked for good: its administrators keep the right.
            return ADMINISTER_FLOOR
        return roles

    def authority_role(self, stage: Stage | int, dispute_type: DisputeType | str) -> str:
        """The role of the named authority on a rung of the ladder."""
        stage = Stage(stage)
        if stage is Stage.FINAL_AUTHORITY:
            return getattr(self.final_authority, DisputeType(dispute_type).value)
        return getattr(self.ladder, stage.name.lower())

    @property
    def liaison_after(self) -> timedelta:
        return timedelta(days=self.clock.liaison_after_days)


def _format_location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    return ".".join(parts) or "(top level)"


def parse_policy(text: str, *, source: str = "policy") -> Policy:
    """Parse and validate policy TOML. Raises InvalidInputError naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{source} is not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = _format_location(first["loc"])
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        elif first["type"] == "missing":
            message = "required key is missing"
        more = len(exc.errors()) - 1
        tail = f" ({more} more problem{'s' if more != 1 else ''})" if more else ""
        raise InvalidInputError(f"{source}: {message}{tail}", field=key) from None


def policy_errors(text: str) -> list[str]:
    """Every problem in a policy text, each naming its key; empty when valid."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [f"not valid TOML: {exc}"]
    try:
        Policy.model_validate(data)
    except ValidationError as exc:
        return [f"{_format_location(e['loc'])}: {e['msg']}" for e in exc.errors()]
    return []


#: Stores where identity override (``--as``) may exist: never a real one.
OVERRIDE_KINDS = frozenset({"demo", "test"})
#: Who administers when a policy names nobody (see ``Policy.roles_for``).
ADMINISTER_FLOOR = frozenset({"admin"})


def protection_errors(policy: Policy, kind: str) -> list[str]:
    """What in ``policy`` would switch off a rule that protects the record, per key.

    A valid policy may still not be installed: identity override only on demo
    and test stores, and somebody must be able to administer.
    """
    problems = []
    if policy.identity.allow_override and kind not in OVERRIDE_KINDS:
        problems.append(
            f"identity.allow_override: only demo and test stores may let people act as "
            f"someone else; this store is {kind}"
        )
    if not policy.rights.administer:
        problems.append(
            "rights.administer: name at least one role; a policy nobody can administer "
            "locks every administrator out for good"
        )
    return problems


def default_policy_text() -> str:
    return resources.files("panel_tui.rules").joinpath("default_policy.toml").read_text("utf-8")


@cache
def default_policy() -> Policy:
    return parse_policy(default_policy_text(), source="default policy")
