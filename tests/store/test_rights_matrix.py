"""Every role × every action of the decision-rights map, driven through the store.

The expected map is written out here from DOMAIN.md and the shipped policy, so
a change to either the policy file or the store's enforcement shows up. Each
action is tried in one situation (``CASES``): escalate from the frontline rung,
a decision at the panel rung, acceptance of a decision that names CBH (every
person here is of CBH) as receiving. Other rungs and agencies: test_rungs.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from worlds import Situations, World, base_source, world_copy

from panel_tui.rules.enums import Action
from panel_tui.rules.errors import RightsError
from panel_tui.rules.policy import KNOWN_ROLES, default_policy
from panel_tui.rules.rights import ACTION_LABELS

# Written once for both backends: the PostgreSQL run of .ci/run runs them there too.
pytestmark = pytest.mark.backend

EVERYONE_WHO_WORKS_A_CASE = {
    "frontline",
    "duty_lead",
    "supervisor",
    "panel_chair",
    "program_manager",
    "clinical_lead",
    "integration_lead",
    "commissioner_liaison",
}
EXPECTED: dict[Action, set[str]] = {
    Action.OPEN: {"frontline", "duty_lead", "supervisor", "admin"},
    Action.EDIT_FORM: {"frontline", "duty_lead", "supervisor"},
    Action.RECORD_EVIDENCE: {"frontline", "duty_lead", "supervisor"},
    # From the frontline rung ([rungs.frontline]).
    Action.ESCALATE: {"frontline", "duty_lead", "supervisor"},
    # The panel assigns interim coverage with its decision [Under pressure].
    Action.ASSIGN_COVER: {"duty_lead", "supervisor", "panel_chair"},
    Action.AUTHORISE_PROVISIONAL: {"duty_lead", "supervisor"},
    Action.LOG_CONTACT: {"frontline", "duty_lead", "supervisor"},
    # At the panel rung only its chair records the decision ([rungs.panel]).
    Action.RECORD_DECISION: {"panel_chair"},
    # On a funding dispute only its named authority, the clinical lead.
    Action.FINAL_DETERMINATION: {"clinical_lead"},
    Action.CONFIRM_ACCEPTANCE: {"frontline", "duty_lead", "supervisor"},
    Action.WITHDRAW: {"duty_lead", "supervisor"},
    Action.ASSIGN_PLAN_HOLDER: {"duty_lead", "supervisor"},
    # The plan holder's case synchronisation, recorded by those who work the case.
    Action.RECORD_SYNC: {"frontline", "duty_lead", "supervisor"},
    Action.ADD_NOTE: EVERYONE_WHO_WORKS_A_CASE,
    Action.ADMINISTER: {"admin"},
    # An expired package's next step, reviews and their triggers, re-rating (issue 12).
    Action.RECORD_PATHWAY: {"duty_lead", "supervisor"},
    Action.REVIEW_TRIGGER: EVERYONE_WHO_WORKS_A_CASE,
    Action.RERATE_RISK: {"duty_lead", "supervisor", "panel_chair"},
    Action.RECORD_REVIEW: EVERYONE_WHO_WORKS_A_CASE - {"frontline", "commissioner_liaison"},
}

EVENT_NAME = {
    Action.AUTHORISE_PROVISIONAL: "start_provisional",
    Action.ADMINISTER: "add_agency",
}


def _open(world) -> str:
    return world.open()


def _with_package(world) -> str:
    ref = world.open()
    world.ledger("duty_lead").start_provisional(ref, "frontline", "welfare check", days=7)
    return ref


def _with_plan_holder(world) -> str:
    ref = world.open()
    world.ledger("duty_lead").assign_plan_holder(ref, "frontline")
    return ref


def _at_panel(world) -> str:
    ref = world.open()
    world.to_stage(ref, 2)
    return ref


def _at_final(world) -> str:
    ref = world.open(dispute_type="funding")
    world.to_stage(ref, 3)
    return ref


def _decided(world) -> str:
    ref = world.open()
    world.ledger("supervisor").record_decision(
        ref, "not_upheld", "CBH arrangement stands as is", world.review(), receiving_agency="CBH"
    )
    return ref


Setup = Callable[..., str | None]
Attempt = Callable[..., object]

CASES: dict[Action, tuple[Setup, Attempt]] = {
    Action.OPEN: (lambda w: None, lambda w, who, ref: w.ledger(who).open_dispute(w.form())),
    Action.EDIT_FORM: (
        _open,
        lambda w, who, ref: w.ledger(who).edit_form(ref, {"rule_conflict": "another reading"}),
    ),
    Action.RECORD_EVIDENCE: (
        _open,
        lambda w, who, ref: w.ledger(who).record_evidence(ref, "risk_screen", False, "due Fri"),
    ),
    Action.ESCALATE: (
        _open,
        lambda w, who, ref: w.ledger(who).escalate(
            ref, "moving up", impact="the person waits without agreed support"
        ),
    ),
    Action.ASSIGN_COVER: (
        _open,
        lambda w, who, ref: w.ledger(who).assign_cover(ref, "CBH", "daily welfare call"),
    ),
    Action.AUTHORISE_PROVISIONAL: (
        _open,
        lambda w, who, ref: w.ledger(who).start_provisional(ref, "frontline", "check", days=7),
    ),
    Action.LOG_CONTACT: (
        _with_package,
        lambda w, who, ref: w.ledger(who).log_contact(ref, "phone", "reached"),
    ),
    Action.RECORD_DECISION: (
        _at_panel,
        lambda w, who, ref: w.ledger(who).record_decision(
            ref, "assigned", "MCO holds the contract", w.review(), receiving_agency="MCO"
        ),
    ),
    Action.FINAL_DETERMINATION: (
        _at_final,
        lambda w, who, ref: w.ledger(who).record_decision(
            ref,
            "assigned",
            "MCO holds the contract",
            w.review(),
            receiving_agency="MCO",
            final=True,
        ),
    ),
    Action.CONFIRM_ACCEPTANCE: (
        _decided,
        lambda w, who, ref: w.ledger(who).confirm_acceptance(
            ref, "intake visit on Monday", w.now.date()
        ),
    ),
    Action.WITHDRAW: (_open, lambda w, who, ref: w.ledger(who).withdraw(ref, "moved away")),
    Action.ASSIGN_PLAN_HOLDER: (
        _open,
        lambda w, who, ref: w.ledger(who).assign_plan_holder(ref, "frontline"),
    ),
    Action.RECORD_SYNC: (
        _with_plan_holder,
        lambda w, who, ref: w.ledger(who).record_sync(
            ref, "missed_visits", "frontline, duty_lead", "visits moved to mornings"
        ),
    ),
    Action.ADD_NOTE: (_open, lambda w, who, ref: w.ledger(who).add_note(ref, "a note")),
    Action.ADMINISTER: (lambda w: None, lambda w, who, ref: w.admin(who).add_agency("NEW", "New")),
    Action.RECORD_PATHWAY: (
        _with_package,
        lambda w, who, ref: w.ledger(who).record_pathway(ref, "MCO intensive case management"),
    ),
    Action.REVIEW_TRIGGER: (
        _open,
        lambda w, who, ref: w.ledger(who).review_trigger(ref, "services_refused", "door closed"),
    ),
    Action.RERATE_RISK: (
        _open,
        lambda w, who, ref: w.ledger(who).rerate_risk(ref, "critical", "second crisis call"),
    ),
    Action.RECORD_REVIEW: (
        _open,
        lambda w, who, ref: w.ledger(who).record_review(ref, "engaged and stable", w.review()),
    ),
}


def test_every_action_has_a_case_and_an_expectation() -> None:
    assert set(CASES) == set(Action) == set(EXPECTED)


def test_the_shipped_policy_grants_what_domain_md_says() -> None:
    policy = default_policy()
    for action, roles in EXPECTED.items():
        if action is Action.ESCALATE:
            assert policy.rung_roles(action, 0, "funding") == roles
        elif action is Action.RECORD_DECISION:
            assert policy.rung_roles(action, 2, "funding") == roles
        elif action is Action.FINAL_DETERMINATION:
            assert policy.roles_for(action) == {
                "program_manager",
                "clinical_lead",
                "integration_lead",
            }
            assert policy.authority_role(3, "funding") == "clinical_lead"
        else:
            assert policy.roles_for(action) == roles, action


@pytest.mark.parametrize("role", sorted(KNOWN_ROLES))
@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_role_may_or_may_not_take_action_through_the_store(
    situations: Situations, tmp_path: Path, action: Action, role: str
) -> None:
    setup, attempt = CASES[action]
    source, ref = situations.source(setup)  # each situation built once, copied per role
    with world_copy(source, tmp_path) as world:
        _attempt(world, action, role, attempt, ref)


@pytest.fixture(scope="module")
def situations(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Situations]:
    made = Situations(base_source(request), tmp_path_factory)
    yield made
    made.drop()


def _attempt(world: World, action: Action, role: str, attempt: Attempt, ref: str | None) -> None:
    world.advance(minutes=1)
    if role in EXPECTED[action]:
        attempt(world, role, ref)
        event = world.last_event()
        assert event["actor"] == role
        assert event["action"] == EVENT_NAME.get(action, action.value)
        if ref is not None:
            assert event["dispute_ref"] == ref
    else:
        err = world.refused(RightsError, lambda: attempt(world, role, ref), actor=role, ref=ref)
        label = ACTION_LABELS[action]
        assert err.message.startswith(f"{role} ") and f"may not {label}" in err.message
        refused = world.last_event()
        assert refused["after"]["action"] == action.value
