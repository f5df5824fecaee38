"""The policy: ladder windows, clock thresholds and the decision-rights map.

A TOML file validated with pydantic. The shipped default is DOMAIN.md's table
(``default_policy.toml`` beside this module). Errors name the offending key.
"""

from __future__ import annotations

import math
import tomllib
from datetime import timedelta
from functools import cache
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
from panel_tui.rules.enums import Action, DisputeType, ReviewTrigger, Risk, Stage
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.policy_text import default_policy_text

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


class ReviewsPolicy(_Strict):
    """Days after a review trigger by which the dispute's review is due (0: that day)."""

    risk_raised: int = Field(1, ge=0, le=365)
    services_refused: int = Field(3, ge=0, le=365)
    critical_incident: int = Field(0, ge=0, le=365)

    def days_after(self, trigger: ReviewTrigger) -> int:
        return int(getattr(self, ReviewTrigger(trigger).value))


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


#: In a rung's lists, the rung's named authority: [ladder]'s role on rungs 0–2,
#: [final_authority]'s role for the dispute's type on rung 3.
NAMED_AUTHORITY = "named_authority"

#: Actions whose right depends on the rung: [rungs] says who, not [rights].
RUNG_ACTIONS = ("escalate", "record_decision")


def _check_roles(roles: tuple[str, ...]) -> tuple[str, ...]:
    for role in roles:
        _check_role(role)
    return roles


def _check_rung_roles(roles: tuple[str, ...]) -> tuple[str, ...]:
    for role in roles:
        if role != NAMED_AUTHORITY:
            _check_role(role)
    return roles


_Roles = Annotated[tuple[str, ...], AfterValidator(_check_roles)]
_RungRoles = Annotated[tuple[str, ...], AfterValidator(_check_rung_roles)]


#: Who records a review by default; a review trigger may also come from the frontline or
#: the commissioner liaison (the default policy's lists, for policies installed before).
_REVIEWERS = (
    "duty_lead",
    "supervisor",
    "panel_chair",
    "program_manager",
    "clinical_lead",
    "integration_lead",
)


class Rights(_Strict):
    """Action → roles. Every action must be listed (an empty list means nobody).

    ``escalate`` and ``record_decision`` depend on the rung and are set in
    [rungs]; a policy written before that may still list them here: they are
    accepted, not read, and ``policy check`` says so (see ``policy_warnings``).
    """

    open: _Roles
    edit_form: _Roles
    record_evidence: _Roles
    escalate: _Roles | None = None
    assign_cover: _Roles
    authorise_provisional: _Roles
    log_contact: _Roles
    record_decision: _Roles | None = None
    final_determination: _Roles
    confirm_acceptance: _Roles
    withdraw: _Roles
    assign_plan_holder: _Roles
    add_note: _Roles
    administer: _Roles
    # Added after the first policies were installed: a stored policy without them
    # gets these defaults (the default policy's lists).
    record_sync: _Roles = ("frontline", "duty_lead", "supervisor")
    record_pathway: _Roles = ("duty_lead", "supervisor")
    review_trigger: _Roles = ("frontline", *_REVIEWERS, "commissioner_liaison")
    rerate_risk: _Roles = ("duty_lead", "supervisor", "panel_chair")
    record_review: _Roles = _REVIEWERS


class Rung(_Strict):
    """Who may act on one rung: escalate from it, and record its decision."""

    escalate: _RungRoles
    decide: _RungRoles = ()


class FinalRung(_Strict):
    """Rung 3: who may escalate to commissioner liaison. The decision there is the
    final determination by [final_authority]'s role for the dispute's type."""

    escalate: _RungRoles


class Rungs(_Strict):
    """Decision rights by rung of the ladder (stages 0–3)."""

    frontline: Rung = Rung(
        escalate=("frontline", "duty_lead", "supervisor"), decide=("supervisor",)
    )
    supervisor: Rung = Rung(escalate=("duty_lead", "supervisor"), decide=("supervisor",))
    panel: Rung = Rung(
        escalate=("duty_lead", "supervisor", "panel_chair"), decide=(NAMED_AUTHORITY,)
    )
    final_authority: FinalRung = FinalRung(escalate=("duty_lead", "supervisor", NAMED_AUTHORITY))

    def of(self, stage: Stage | int) -> Rung | FinalRung | None:
        """The rung of a ladder stage; None for commissioner liaison (nothing above it)."""
        stage = Stage(stage)
        if stage not in _LADDERED:
            return None
        return getattr(self, stage.name.lower())


_VIEW = Annotated[str | None, Field(default=None, pattern=r"^[a-z_]{1,40}$")]


class StartViews(_Strict):
    """The queue section the app opens on, by role (a section's name, e.g. "breached").

    A person with several roles gets the first of theirs listed here; a user's own
    config (``[app] start_view``) wins; without either the app opens on "all_open".
    A name the app does not know is reported when it starts, and "all_open" is used.
    """

    admin: _VIEW = None
    duty_lead: _VIEW = None
    supervisor: _VIEW = None
    panel_chair: _VIEW = None
    frontline: _VIEW = None
    program_manager: _VIEW = None
    clinical_lead: _VIEW = None
    integration_lead: _VIEW = None
    commissioner_liaison: _VIEW = None
    oversight: _VIEW = None

    def for_roles(self, roles: tuple[str, ...]) -> str | None:
        views = (getattr(self, role, None) for role in roles)
        return next((view for view in views if view), None)


class Policy(_Strict):
    clock: ClockPolicy = ClockPolicy()
    provisional: ProvisionalPolicy = ProvisionalPolicy()
    reviews: ReviewsPolicy = ReviewsPolicy()
    identity: IdentityPolicy = IdentityPolicy()
    windows: Windows
    ladder: Ladder = Ladder()
    final_authority: FinalAuthority
    rights: Rights
    rungs: Rungs = Rungs()
    start_view: StartViews = StartViews()

    def window(self, risk: Risk | str, stage: Stage | int) -> timedelta | None:
        """The stage's window for this risk; None for commissioner liaison (no clock)."""
        stage = Stage(stage)
        if stage not in _LADDERED:
            return None
        hours = getattr(self.windows, Risk(risk).value)[int(stage)]
        return timedelta(hours=hours)

    def roles_for(self, action: Action | str) -> frozenset[str]:
        """Roles that may take ``action`` at all: for the rung actions, on any rung
        (the named authorities included), so screens know whom to offer it."""
        action = Action(action)
        if action.value in RUNG_ACTIONS:
            return frozenset().union(
                *(self.rung_roles(action, stage, t) for stage in _LADDERED for t in DisputeType)
            )
        roles = frozenset(getattr(self.rights, action.value))
        if not roles and action is Action.ADMINISTER:
            # A store whose policy (installed before check refused it) names nobody
            # would be locked for good: its administrators keep the right.
            return ADMINISTER_FLOOR
        return roles

    def rung_roles(
        self, action: Action | str, stage: Stage | int, dispute_type: DisputeType | str
    ) -> frozenset[str]:
        """Roles that may escalate from, or record the decision on, this rung."""
        action = Action(action)
        rung = self.rungs.of(stage)
        if rung is None:
            return frozenset()
        if action is Action.ESCALATE:
            listed = rung.escalate
        elif action is Action.RECORD_DECISION and isinstance(rung, Rung):
            listed = rung.decide
        else:
            return frozenset()
        named = self.authority_role(stage, dispute_type)
        return frozenset(named if role == NAMED_AUTHORITY else role for role in listed)

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
    # A hidden character first, then the rest: what parse_policy refuses is always listed.
    hidden = _hidden_character(text)
    problems = [hidden] if hidden else []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [*problems, f"not valid TOML: {exc}"]
    try:
        Policy.model_validate(data)
    except ValidationError as exc:
        problems += [f"{_format_location(e['loc'])}: {e['msg']}" for e in exc.errors()]
    return problems


def check_policy_text(text: str, *, source: str = "the policy file") -> None:
    """Refuse a policy text holding a character ``policy show`` must not print.

    Checked where a policy is installed, not where one is read: a store that
    already holds such a text still opens (``policy show`` escapes it).
    """
    hidden = _hidden_character(text)
    if hidden:
        raise InvalidInputError(f"{source}: {hidden}", field="policy")


def _hidden_character(text: str) -> str | None:
    """A character `policy show` must not print, found in the text (comments too).

    TOML allows U+202E and the other bidirectional and invisible characters in
    strings and comments; the store keeps the text as given and shows it.
    """
    from panel_tui.rules.text import describe_char, first_refused

    unix = text.replace("\r\n", "\n")  # a file saved on Windows is fine
    bad = first_refused(unix, multiline=True)
    if bad is None:
        return None
    line = unix.count("\n", 0, unix.index(bad)) + 1
    return (
        f"line {line}: {describe_char(bad)} is refused (control and invisible characters: "
        "terminals and readers act on them)"
    )


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


def policy_warnings(text: str) -> list[str]:
    """Keys a valid policy has that are no longer read, each with what replaced it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    rights = data.get("rights") if isinstance(data, dict) else None
    if not isinstance(rights, dict):
        return []
    return [
        f"rights.{name}: no longer read; who may {name.replace('_', ' ')} is set per rung "
        "in [rungs] (see `panel-tui policy show --default`)"
        for name in RUNG_ACTIONS
        if name in rights
    ]


@cache
def default_policy() -> Policy:
    return parse_policy(default_policy_text(), source="default policy")
