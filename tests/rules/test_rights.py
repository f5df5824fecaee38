"""Decision rights: the default map, role by role and action by action."""

from __future__ import annotations

import itertools
import tomllib

import pytest

from panel_tui.rules.enums import Action, DisputeType
from panel_tui.rules.errors import DomainError, RightsError
from panel_tui.rules.policy import KNOWN_ROLES, default_policy, default_policy_text, parse_policy
from panel_tui.rules.rights import (
    ACTION_LABELS,
    allowed,
    require,
    rights_in_words,
    writable_actions,
)

# The map read straight from the TOML text, independently of the policy models.
RAW = tomllib.loads(default_policy_text())
RIGHTS: dict[str, set[str]] = {action: set(roles) for action, roles in RAW["rights"].items()}
FINAL_AUTHORITY: dict[str, str] = RAW["final_authority"]
# Escalate and decide are set per rung: who may at all is anyone a rung names
# ("named_authority": the ladder's role, or any type's final authority on rung 3).
RUNG_NAMED = {
    "frontline": {RAW["ladder"]["frontline"]},
    "supervisor": {RAW["ladder"]["supervisor"]},
    "panel": {RAW["ladder"]["panel"]},
    "final_authority": set(FINAL_AUTHORITY.values()),
}
for _action, _key in (("escalate", "escalate"), ("record_decision", "decide")):
    RIGHTS[_action] = {
        expanded
        for rung, lists in RAW["rungs"].items()
        for role in lists.get(_key, ())
        for expanded in (RUNG_NAMED[rung] if role == "named_authority" else {role})
    }

ROLES = sorted(KNOWN_ROLES)
#: Said rung by rung in words, not as a list of roles.
RUNG_ACTIONS = ("escalate", "record_decision", "final_determination")


def test_the_toml_map_covers_every_action() -> None:
    assert set(RIGHTS) == {action.value for action in Action}


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_action_follows_the_map(role: str, action: Action) -> None:
    expected = role in RIGHTS[action.value]
    assert allowed(default_policy(), action, [role]) is expected
    assert allowed(default_policy(), action.value, (role,)) is expected
    if expected:
        require(default_policy(), action, "someone", [role])
    else:
        with pytest.raises(RightsError):
            require(default_policy(), action, "someone", [role])


@pytest.mark.parametrize("role", ROLES)
def test_writable_actions_match_the_map(role: str) -> None:
    expected = {Action(a) for a, roles in RIGHTS.items() if role in roles}
    assert writable_actions(default_policy(), [role]) == expected


def test_oversight_may_change_nothing() -> None:
    assert writable_actions(default_policy(), ["oversight"]) == frozenset()
    assert writable_actions(default_policy(), []) == frozenset()


def test_roles_combine() -> None:
    policy = default_policy()
    assert not allowed(policy, Action.ADMINISTER, ["supervisor"])
    assert allowed(policy, Action.ADMINISTER, ["supervisor", "admin"])
    assert writable_actions(policy, ["admin", "panel_chair"]) == {
        Action(a) for a, roles in RIGHTS.items() if roles & {"admin", "panel_chair"}
    }


def test_no_roles_may_do_nothing() -> None:
    for action in Action:
        assert not allowed(default_policy(), action, [])


def test_roles_may_be_any_iterable() -> None:
    assert allowed(default_policy(), Action.ESCALATE, iter(["panel_chair"]))
    assert allowed(default_policy(), Action.ESCALATE, {"panel_chair"})


def test_unknown_action_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        allowed(default_policy(), "teleport", ["admin"])


# --- the final determination -----------------------------------------------------


@pytest.mark.parametrize("dispute_type", list(DisputeType), ids=[t.value for t in DisputeType])
@pytest.mark.parametrize("role", ROLES)
def test_final_determination_needs_the_named_authority(
    role: str, dispute_type: DisputeType
) -> None:
    expected = role == FINAL_AUTHORITY[dispute_type.value]
    assert allowed(default_policy(), Action.FINAL_DETERMINATION, [role], dispute_type) is expected
    assert allowed(default_policy(), "final_determination", [role], dispute_type.value) is expected


def test_clinical_lead_may_determine_funding_not_eligibility() -> None:
    policy = default_policy()
    roles = ["clinical_lead"]
    assert allowed(policy, Action.FINAL_DETERMINATION, roles, DisputeType.FUNDING)
    assert not allowed(policy, Action.FINAL_DETERMINATION, roles, DisputeType.ELIGIBILITY)
    assert not allowed(policy, Action.FINAL_DETERMINATION, roles, DisputeType.SAFEGUARDING)
    assert not allowed(policy, Action.FINAL_DETERMINATION, roles, DisputeType.CAPACITY)
    # Without a dispute type only the rights map is consulted.
    assert allowed(policy, Action.FINAL_DETERMINATION, roles)


def test_holding_several_authority_roles_covers_each_type() -> None:
    roles = ["clinical_lead", "integration_lead"]
    covered = {
        t for t in DisputeType if allowed(default_policy(), Action.FINAL_DETERMINATION, roles, t)
    }
    assert covered == {DisputeType.FUNDING, DisputeType.CAPACITY}


def test_dispute_type_does_not_matter_for_other_actions() -> None:
    for dispute_type in DisputeType:
        assert allowed(default_policy(), Action.ESCALATE, ["frontline"], dispute_type)
        assert not allowed(default_policy(), Action.ESCALATE, ["oversight"], dispute_type)


def test_named_authority_also_needs_the_final_determination_right() -> None:
    text = default_policy_text().replace('funding = "clinical_lead"', 'funding = "supervisor"')
    policy = parse_policy(text)
    assert policy.authority_role(3, DisputeType.FUNDING) == "supervisor"
    assert not allowed(policy, Action.FINAL_DETERMINATION, ["supervisor"], DisputeType.FUNDING)
    assert not allowed(policy, Action.FINAL_DETERMINATION, ["clinical_lead"], DisputeType.FUNDING)
    assert allowed(
        policy, Action.FINAL_DETERMINATION, ["supervisor", "clinical_lead"], DisputeType.FUNDING
    )


def test_a_changed_map_is_what_counts() -> None:
    text = default_policy_text().replace('administer = ["admin"]', 'administer = ["oversight"]')
    policy = parse_policy(text)
    assert allowed(policy, Action.ADMINISTER, ["oversight"])
    assert not allowed(policy, Action.ADMINISTER, ["admin"])


# --- require() and its messages --------------------------------------------------


def test_require_returns_quietly_when_allowed() -> None:
    assert require(default_policy(), Action.RECORD_DECISION, "pat", ["panel_chair"]) is None
    assert (
        require(default_policy(), Action.FINAL_DETERMINATION, "kim", ["clinical_lead"], "funding")
        is None
    )


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_require_message_names_the_allowed_roles(action: Action) -> None:
    with pytest.raises(RightsError) as info:
        require(default_policy(), action, "olly", ["oversight"])
    error = info.value
    assert isinstance(error, DomainError) and error.exit_code == 1
    expected = ", ".join(sorted(RIGHTS[action.value]))
    assert error.message == (
        f"olly (oversight) may not {ACTION_LABELS[action]}: the policy allows {expected}."
    )
    assert error.hint and "roles" in error.hint
    assert str(error) == f"{error.message} {error.hint}"


def test_require_message_lists_held_roles_and_says_no_roles() -> None:
    with pytest.raises(RightsError) as info:
        require(default_policy(), Action.ADMINISTER, "sam", ["frontline", "supervisor"])
    assert "sam (frontline, supervisor) may not administer the store" in str(info.value)
    assert "the policy allows admin." in str(info.value)
    with pytest.raises(RightsError, match=r"nobody-yet \(no roles\) may not open a dispute"):
        require(default_policy(), Action.OPEN, "nobody-yet", [])


def test_require_with_an_empty_role_list_says_nobody() -> None:
    # (administer = [] keeps its floor: see test_policy_protection.)
    policy = parse_policy(
        default_policy_text().replace('withdraw = ["duty_lead", "supervisor"]', "withdraw = []")
    )
    with pytest.raises(RightsError, match="the policy allows nobody"):
        require(policy, Action.WITHDRAW, "root", ["duty_lead"])


def test_require_final_determination_names_the_authority() -> None:
    with pytest.raises(RightsError) as info:
        require(
            default_policy(),
            Action.FINAL_DETERMINATION,
            "kim",
            ["clinical_lead"],
            DisputeType.ELIGIBILITY,
        )
    message = str(info.value)
    assert message.startswith("kim may not make a final determination on a")
    assert "eligibility dispute" in message
    assert "program_manager" in message
    assert info.value.hint == "Ask a person with the program_manager role."


def test_require_accepts_a_generator_of_roles() -> None:
    # require() reads the roles twice (check, then message): a generator must still work.
    with pytest.raises(RightsError, match=r"\(frontline\)"):
        require(default_policy(), Action.ADMINISTER, "lee", (r for r in ["frontline"]))
    require(default_policy(), Action.ADMINISTER, "lee", (r for r in ["admin"]))


def test_action_labels_cover_every_action() -> None:
    assert set(ACTION_LABELS) == set(Action)
    assert all(label and label == label.lower() for label in ACTION_LABELS.values())


def test_every_pair_of_roles_is_the_union_of_its_parts() -> None:
    policy = default_policy()
    for a, b in itertools.combinations(ROLES, 2):
        assert writable_actions(policy, [a, b]) == (
            writable_actions(policy, [a]) | writable_actions(policy, [b])
        )


def test_rights_in_words_say_each_rung_then_the_rules_then_every_other_right() -> None:
    """``policy show``'s sentences follow the policy: a right emptied reads "nobody"."""
    text = default_policy_text().replace(
        'rerate_risk = ["duty_lead", "supervisor", "panel_chair"]', "rerate_risk = []"
    )
    policy = parse_policy(text)
    lines = rights_in_words(policy)
    assert [line.split(":")[0] for line in lines[:4]] == [
        "Stage 0 (frontline)",
        "Stage 1 (supervisor)",
        "Stage 2 (panel)",
        "Stage 3 (final authority)",
    ]
    assert lines[3].endswith("may escalate to commissioner liaison (when triggered).")
    assert lines[4].startswith("Once commissioner liaison is triggered")
    assert f"{ACTION_LABELS[Action.RERATE_RISK].capitalize()}: nobody." in lines
    others = [a for a in Action if a.value not in RUNG_ACTIONS + ("confirm_acceptance",)]
    for action in others:
        roles = ", ".join(sorted(policy.roles_for(action))) or "nobody"
        assert f"{ACTION_LABELS[action].capitalize()}: {roles}." in lines
    assert len(lines) == 4 + 6 + len(others)
