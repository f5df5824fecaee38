"""Decision rights: who may do what, on which rung, for which agency. Data (the
policy's map), checked here.

``may`` is the one answer to "may this person take this action on this dispute
now, and if not, why": the store raises its refusal, the screens offer only what
it allows. It checks, in order:

1. the role: does any role the person holds take this action at all
   ([rights], or for escalate and decide any rung of [rungs]);
2. the dispute's state: is the action possible at its status and stage now
   (rules/lifecycle.py);
3. the rung: escalating from, or deciding on, the dispute's current rung needs a
   role that rung lists ([rungs]); the final determination needs the named
   authority for the dispute's type ([final_authority]);
4. the agency: acceptance is confirmed only by people of the agency the decision
   names as receiving (for a not-upheld outcome, the agency whose arrangement
   stands) — the receiving team confirms, never the other side.

Every refusal names its rule (``Verdict.rule``), which the audit trail records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from panel_tui.rules.enums import Action, DisputeType, Stage
from panel_tui.rules.errors import DomainError, RightsError, TransitionError

if TYPE_CHECKING:
    from panel_tui.rules.policy import Policy

ACTION_LABELS = {
    Action.OPEN: "open a dispute",
    Action.EDIT_FORM: "edit the dispute form",
    Action.RECORD_EVIDENCE: "record evidence",
    Action.ESCALATE: "escalate",
    Action.ASSIGN_COVER: "assign interim cover",
    Action.AUTHORISE_PROVISIONAL: "authorise provisional support",
    Action.LOG_CONTACT: "log a contact attempt",
    Action.RECORD_DECISION: "record a decision",
    Action.FINAL_DETERMINATION: "make a final determination",
    Action.CONFIRM_ACCEPTANCE: "confirm acceptance",
    Action.WITHDRAW: "withdraw a dispute",
    Action.ASSIGN_PLAN_HOLDER: "assign the plan holder",
    Action.RECORD_SYNC: "record a case synchronisation",
    Action.ADD_NOTE: "add a note",
    Action.ADMINISTER: "administer the store",
    Action.RECORD_PATHWAY: "record a provisional package's funded pathway",
    Action.REVIEW_TRIGGER: "record a review trigger",
    Action.RERATE_RISK: "re-rate the risk",
    Action.RECORD_REVIEW: "record a review",
}

#: The rule names a refusal carries (and the audit trail records).
RULE_ROLE = "rights.role"
RULE_STATE = "lifecycle.state"
RULE_RUNG = "rights.rung"
RULE_FINAL_AUTHORITY = "rights.final_authority"
RULE_RECEIVING_AGENCY = "rights.receiving_agency"


@dataclass(frozen=True)
class Actor:
    """Who asks: login, roles and agency (an agency code, or None)."""

    login: str
    roles: tuple[str, ...]
    agency: str | None = None


@dataclass(frozen=True)
class DisputeFacts:
    """What of a dispute the rights depend on, as it stands now."""

    ref: str
    dispute_type: str
    status: str
    stage: int
    #: the receiving agency of the decision awaiting acceptance, if one is
    receiving_agency: str | None = None
    #: whether commissioner liaison has been triggered (escalate goes there)
    liaison: bool = False
    #: whether a provisional package is active (contacts are logged against it)
    active_package: bool = False
    #: whether that package is past its hard deadline (its next step is due)
    package_expired: bool = False


@dataclass(frozen=True)
class Verdict:
    """Allowed, or refused by ``rule`` for ``reason`` (with what to do next)."""

    allowed: bool
    rule: str = ""
    reason: str = ""
    hint: str | None = None
    #: "rights" (who) or "state" (when): the error class the store raises
    kind: str = "rights"

    def __bool__(self) -> bool:
        return self.allowed

    def error(self) -> DomainError:
        cls = TransitionError if self.kind == "state" else RightsError
        return cls(self.reason, hint=self.hint, rule=self.rule)

    def raise_if_refused(self) -> None:
        if not self.allowed:
            raise self.error()


ALLOWED = Verdict(True)

#: Actions only a live (open or decided) dispute takes, as "Cannot ... REF" says them.
_LIVE_ONLY = {
    Action.EDIT_FORM: "edit the form of",
    Action.RECORD_EVIDENCE: "record evidence on",
    Action.ASSIGN_COVER: "assign interim cover to",
    Action.AUTHORISE_PROVISIONAL: "start a provisional package on",
    Action.WITHDRAW: "withdraw",
    Action.ASSIGN_PLAN_HOLDER: "assign a plan holder to",
    Action.RERATE_RISK: "re-rate the risk of",
    Action.RECORD_SYNC: "record a case synchronisation on",
}

#: Actions a live or closed dispute takes (a closed dispute's decision is still reviewed).
_NOT_WITHDRAWN = {
    Action.REVIEW_TRIGGER: "record a review trigger on",
    Action.RECORD_REVIEW: "record a review of",
}


def may(
    policy: Policy, actor: Actor, action: Action | str, dispute: DisputeFacts | None = None
) -> Verdict:
    """Whether ``actor`` may take ``action`` on ``dispute`` now; if not, which rule says no."""
    action = Action(action)
    label = ACTION_LABELS[action]
    held = set(actor.roles)
    if not held & policy.roles_for(action):
        who = ", ".join(sorted(policy.roles_for(action))) or "nobody"
        return Verdict(
            False,
            RULE_ROLE,
            f"{actor.login} ({', '.join(actor.roles) or 'no roles'}) may not {label}: "
            f"the policy allows {who}.",
            "Ask someone who holds one of those roles, or an administrator to change your roles.",
        )
    if dispute is None:
        return ALLOWED
    state = _state(action, dispute)
    if state is not None:
        return state
    if action in (Action.ESCALATE, Action.RECORD_DECISION):
        rung_roles = policy.rung_roles(action, dispute.stage, dispute.dispute_type)
        if not held & rung_roles:
            stage = Stage(dispute.stage)
            who = ", ".join(sorted(rung_roles)) or "nobody"
            verb = "escalate from" if action is Action.ESCALATE else "record a decision at"
            return Verdict(
                False,
                RULE_RUNG,
                f"{actor.login} ({', '.join(actor.roles)}) may not {verb} the {stage.label} "
                f"stage of {dispute.ref}: the policy's rung {int(stage)} allows {who}.",
                f"Ask a person with the {who} role." if rung_roles else None,
            )
    if action is Action.FINAL_DETERMINATION:
        needed = policy.authority_role(Stage.FINAL_AUTHORITY, dispute.dispute_type)
        if needed not in held:
            return Verdict(
                False,
                RULE_FINAL_AUTHORITY,
                f"{actor.login} may not {label} on a {DisputeType(dispute.dispute_type).value} "
                f"dispute: the policy names the {needed} as its final authority.",
                f"Ask a person with the {needed} role.",
            )
    receiving = dispute.receiving_agency
    other_agency = (actor.agency or "").upper() != (receiving or "").upper()
    if action is Action.CONFIRM_ACCEPTANCE and receiving and other_agency:
        of = f"of {actor.agency}" if actor.agency else "of no agency"
        return Verdict(
            False,
            RULE_RECEIVING_AGENCY,
            f"{actor.login} ({of}) may not confirm acceptance of {dispute.ref}: the "
            f"decision names {dispute.receiving_agency} as receiving, and only its team "
            "confirms that it takes the person on.",
            f"Ask a person of {dispute.receiving_agency} with one of the roles "
            f"{', '.join(sorted(policy.roles_for(action)))}.",
        )
    return ALLOWED


def _state(action: Action, d: DisputeFacts) -> Verdict | None:
    """The lifecycle's answer for this action at the dispute's status and stage."""
    from panel_tui.rules import lifecycle  # pydantic-backed: not on the app's first paint
    from panel_tui.rules.enums import Status

    status = Status(d.status)
    try:
        if action is Action.ESCALATE:
            lifecycle.check_escalate_state(d.ref, status, Stage(d.stage))
        elif action in (Action.RECORD_DECISION, Action.FINAL_DETERMINATION):
            lifecycle.check_decision(
                d.ref, status, Stage(d.stage), final=action is Action.FINAL_DETERMINATION
            )
        elif action is Action.CONFIRM_ACCEPTANCE:
            lifecycle.check_acceptance(d.ref, status, "decided" if d.receiving_agency else None)
        elif action is Action.LOG_CONTACT:
            lifecycle.check_live(d.ref, status, "log a contact on")
            if not d.active_package:
                raise TransitionError(
                    f"{d.ref} has no active provisional package to log a contact against.",
                    hint="Start one first (authorise provisional support).",
                )
            if d.package_expired:
                raise lifecycle.expired_package_error(d.ref, "log a contact on it")
        elif action is Action.RECORD_PATHWAY:
            lifecycle.check_live(d.ref, status, "record a funded pathway on")
            if not d.active_package:
                raise TransitionError(
                    f"{d.ref} has no provisional package awaiting its funded pathway.",
                )
        elif action in _NOT_WITHDRAWN:
            if status is Status.WITHDRAWN:
                raise TransitionError(f"Cannot {_NOT_WITHDRAWN[action]} {d.ref}: it was withdrawn.")
        elif action in _LIVE_ONLY:
            lifecycle.check_live(d.ref, status, _LIVE_ONLY[action])
    except TransitionError as err:
        return Verdict(False, err.rule or RULE_STATE, err.message, err.hint, kind="state")
    return None


def allowed(
    policy: Policy,
    action: Action | str,
    roles: Iterable[str],
    dispute_type: DisputeType | str | None = None,
) -> bool:
    """Whether someone holding ``roles`` may take ``action`` on some dispute of this type.

    Without a dispute's state: for what a person may ever do. ``may`` answers for
    one dispute now.
    """
    action = Action(action)
    held = set(roles)
    if not held & policy.roles_for(action):
        return False
    if action is Action.FINAL_DETERMINATION and dispute_type is not None:
        return policy.authority_role(3, dispute_type) in held
    return True


def require(
    policy: Policy,
    action: Action | str,
    login: str,
    roles: Iterable[str],
    dispute_type: DisputeType | str | None = None,
) -> None:
    """Raise RightsError, saying who may, unless ``roles`` allow ``action`` at all."""
    roles = tuple(roles)
    if allowed(policy, action, roles, dispute_type):
        return
    verdict = may(policy, Actor(login, roles), action)
    if verdict:  # the role holds it, the type's final authority does not
        needed = policy.authority_role(3, dispute_type or "eligibility")
        verdict = Verdict(
            False,
            RULE_FINAL_AUTHORITY,
            f"{login} may not {ACTION_LABELS[Action(action)]} on a "
            f"{DisputeType(dispute_type).value if dispute_type else ''} dispute: "
            f"the policy names the {needed} as its final authority.",
            f"Ask a person with the {needed} role.",
        )
    verdict.raise_if_refused()


def writable_actions(policy: Policy, roles: Iterable[str]) -> frozenset[Action]:
    """Actions these roles may take at all (screens hide the rest)."""
    held = set(roles)
    return frozenset(a for a in Action if held & policy.roles_for(a))


def rights_in_words(policy: Policy) -> list[str]:
    """The decision rights as sentences a panel chair can check against the policy."""
    return _ladder_in_words(policy) + _rules_in_words(policy) + _other_rights_in_words(policy)


def _roles_in_words(names: Iterable[str]) -> str:
    names = sorted(names)
    return ", ".join(names) if names else "nobody"


def _ladder_in_words(policy: Policy) -> list[str]:
    """One sentence a rung: who decides on it, and who may escalate from it to where."""
    roles = _roles_in_words
    lines = []
    for stage in (Stage.FRONTLINE, Stage.SUPERVISOR, Stage.PANEL, Stage.FINAL_AUTHORITY):
        rung = policy.rungs.of(stage)
        assert rung is not None
        escalate = roles(
            policy.authority_role(stage, "eligibility") if r == "named_authority" else r
            for r in rung.escalate
            if not (stage is Stage.FINAL_AUTHORITY and r == "named_authority")
        )
        if stage is Stage.FINAL_AUTHORITY:
            fa = policy.final_authority
            decide = (
                f"the named final authority decides: eligibility {fa.eligibility}, funding "
                f"{fa.funding}, safeguarding {fa.safeguarding}, capacity {fa.capacity}"
            )
            if "named_authority" in rung.escalate:
                escalate += ", and that dispute type's final authority"
            target = "commissioner liaison (when triggered)"
        else:
            decide = "the decision is recorded by " + roles(
                policy.rung_roles(Action.RECORD_DECISION, stage, "eligibility")
            )
            target = f"stage {int(stage) + 1} ({Stage(stage + 1).label})"
        lines.append(
            f"Stage {int(stage)} ({stage.label}): {decide}; {escalate} may escalate to {target}."
        )
    return lines


def _rules_in_words(policy: Policy) -> list[str]:
    """The rules beside the ladder: liaison, impact, acceptance, reviews, packages, syncs."""
    roles = _roles_in_words
    rv = policy.reviews
    return [
        f"Once commissioner liaison is triggered (stage 3 breached, or open more than "
        f"{policy.clock.liaison_after_days:g} days), escalating from any stage goes to "
        "stage 4 (commissioner liaison), by the roles of the stage the dispute is on.",
        "Every escalation records the impact on the person of the delay so far; without "
        "it the escalation is refused. A breached stage is escalated with the reason it "
        "breached.",
        "Acceptance is confirmed only by people of the agency the decision names as "
        f"receiving, holding one of: {roles(policy.roles_for(Action.CONFIRM_ACCEPTANCE))}. "
        "For a not-upheld outcome that is the agency whose arrangement stands.",
        "A review trigger, recorded with a note, brings the dispute's next review forward to "
        f"the day it is recorded plus: risk raised {rv.risk_raised}, services refused "
        f"{rv.services_refused}, critical incident {rv.critical_incident} days (never later "
        "than it was). Re-rating the risk tightens the current stage's clock to the new "
        "risk's window from that moment, never later; raising it is a risk-raised trigger.",
        f"An expired provisional package (past its hard deadline) needs its next step: a "
        f"funded pathway recorded ({roles(policy.roles_for(Action.RECORD_PATHWAY))}) or an "
        "escalation.",
        "A case synchronisation is recorded only while the dispute has a plan holder "
        f"({roles(policy.roles_for(Action.RECORD_SYNC))}). A review trigger, or the risk "
        "raised, makes the plan holder's next synchronisation due at once.",
    ]


def _other_rights_in_words(policy: Policy) -> list[str]:
    """Every other action and who may take it (the ladder's and acceptance are above)."""
    said = ("escalate", "record_decision", "final_determination")
    return [
        f"{ACTION_LABELS[action].capitalize()}: {_roles_in_words(policy.roles_for(action))}."
        for action in Action
        if action.value not in said and action is not Action.CONFIRM_ACCEPTANCE
    ]
