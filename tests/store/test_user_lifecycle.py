"""A person's lifecycle: roles and agency change, a leaver deactivated, reactivated."""

from __future__ import annotations

import pytest

from panel_tui.rules.errors import InvalidInputError, NotFoundError, TransitionError
from panel_tui.store.read.orm_queries import person, person_history


@pytest.mark.backend
def test_roles_agency_and_name_change_in_one_audited_event(world) -> None:
    world.admin().set_person("frontline", roles=["supervisor"], agency="MCO", display_name="F. L.")
    row = world.sql("SELECT roles, display_name FROM person WHERE login = 'frontline'")[0]
    assert (row["roles"], row["display_name"]) == ("supervisor", "F. L.")
    event = world.last_event()
    assert event["action"] == "set_person"
    assert event["before"]["roles"] == ["frontline"] and event["after"]["roles"] == ["supervisor"]
    assert event["before"]["agency"] == "CBH" and event["after"]["agency"] == "MCO"
    world.ledger("frontline").escalate(
        world.open(), "now a supervisor", impact="the person waits without agreed support"
    )  # the new role works


@pytest.mark.backend
def test_a_deactivated_person_is_refused_from_the_next_action(world) -> None:
    ref = world.open()
    duty = world.ledger("duty_lead")  # already "running", as an open app would be
    world.admin().deactivate("duty_lead", "left the service")
    err = world.refused(NotFoundError, lambda: duty.add_note(ref, "still here?"))
    assert "deactivated" in str(err)
    event = world.last_event()
    assert event["action"] == "deactivate_person"
    assert event["after"] == {"login": "duty_lead", "active": False, "reason": "left the service"}
    world.admin().reactivate("duty_lead")
    duty.add_note(ref, "back again")
    assert [e["action"] for e in person_history(world.store, "duty_lead")] == [
        "add_person",
        "deactivate_person",
        "reactivate_person",
    ]
    assert person(world.store, "duty_lead").active


@pytest.mark.backend
def test_the_last_active_administrator_cannot_be_removed(world) -> None:
    world.refused(TransitionError, lambda: world.admin().deactivate("admin", "leaving"))
    world.refused(TransitionError, lambda: world.admin().set_person("admin", roles=["oversight"]))
    world.admin().set_person("oversight", roles=["oversight", "admin"])
    world.admin().deactivate("admin", "handed over to oversight")
    assert not person(world.store, "admin").active


@pytest.mark.backend
def test_bad_lifecycle_input_writes_nothing(world) -> None:
    world.refused(InvalidInputError, lambda: world.admin().deactivate("nobody", "x"))
    world.refused(InvalidInputError, lambda: world.admin().deactivate("frontline", "  "))
    world.refused(InvalidInputError, lambda: world.admin().set_person("frontline"))
    world.refused(InvalidInputError, lambda: world.admin().reactivate("frontline"))
    world.refused(
        InvalidInputError, lambda: world.admin().set_person("frontline", roles=["wizard"])
    )
