"""Decision rights: who may do what. Data (the policy's map), checked here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from panel_tui.rules.enums import Action, DisputeType
from panel_tui.rules.errors import RightsError

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
    Action.ADD_NOTE: "add a note",
    Action.ADMINISTER: "administer the store",
}


def allowed(
    policy: Policy,
    action: Action | str,
    roles: Iterable[str],
    dispute_type: DisputeType | str | None = None,
) -> bool:
    """Whether someone holding ``roles`` may take ``action``.

    The final determination also needs the named authority's role for the
    dispute's type: a clinical lead cannot determine an eligibility dispute.
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
    """Raise RightsError, saying who may, unless ``roles`` allow ``action``."""
    roles = tuple(roles)
    if allowed(policy, action, roles, dispute_type):
        return
    action = Action(action)
    label = ACTION_LABELS[action]
    if action is Action.FINAL_DETERMINATION and dispute_type is not None:
        needed = policy.authority_role(3, dispute_type)
        raise RightsError(
            f"{login} may not {label} on a {DisputeType(dispute_type).value} dispute: "
            f"the policy names the {needed} as its final authority.",
            hint=f"Ask a person with the {needed} role.",
        )
    who = ", ".join(sorted(policy.roles_for(action))) or "nobody"
    held = ", ".join(roles) or "no roles"
    raise RightsError(
        f"{login} ({held}) may not {label}: the policy allows {who}.",
        hint="Ask someone who holds one of those roles, or an administrator to change your roles.",
    )


def writable_actions(policy: Policy, roles: Iterable[str]) -> frozenset[Action]:
    """Actions these roles may take at all (screens hide the rest)."""
    held = set(roles)
    return frozenset(a for a in Action if held & policy.roles_for(a))
