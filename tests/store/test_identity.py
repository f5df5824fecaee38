"""Who is acting: the OS login from the password database; --as only where policy allows."""

from __future__ import annotations

import os
import pwd
import sqlite3
import subprocess
import sys

import pytest

from panel_tui.rules.errors import RightsError, TransitionError
from panel_tui.rules.policy import default_policy_text
from panel_tui.store.audit import ChainReport, verify_chain
from panel_tui.store.identity import acting_login, os_display_name, os_login

REAL_LOGIN = pwd.getpwuid(os.getuid()).pw_name


def verify(world) -> ChainReport:
    with world.store.engine.connect() as connection:
        return verify_chain(connection)


def test_os_login_comes_from_the_password_database() -> None:
    assert os_login() == REAL_LOGIN
    assert os_display_name()


def test_user_and_logname_in_the_environment_are_ignored() -> None:
    env = dict(os.environ, USER="someone-else", LOGNAME="someone-else", USERNAME="someone-else")
    result = subprocess.run(
        [sys.executable, "-c", "from panel_tui.store.identity import os_login; print(os_login())"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=60,
    )
    assert result.stdout.strip() == REAL_LOGIN != "someone-else"


@pytest.mark.backend
def test_without_as_you_act_as_your_login(world) -> None:
    assert acting_login(world.store, None) == REAL_LOGIN
    assert acting_login(world.store, "") == REAL_LOGIN
    assert acting_login(world.store, REAL_LOGIN) == REAL_LOGIN  # naming yourself is fine


@pytest.mark.backend
def test_as_is_refused_on_a_store_whose_policy_does_not_allow_it(world) -> None:
    assert world.store.policy().identity.allow_override is False
    with pytest.raises(RightsError) as info:
        acting_login(world.store, "supervisor")
    assert "--as supervisor refused" in info.value.message
    assert "act as your OS login" in str(info.value)


@pytest.mark.backend
def test_as_is_honoured_once_the_policy_allows_override(world) -> None:
    allowing = default_policy_text().replace("allow_override = false", "allow_override = true")
    world.admin().set_policy(allowing)
    assert acting_login(world.store, "supervisor") == "supervisor"
    event = world.last_event()
    assert (event["actor"], event["action"]) == ("admin", "set_policy")
    assert event["after"] == {"allow_override": True}


# --- the real login beside a claimed one (event.real_actor) -------------------------


@pytest.mark.backend
def test_acting_as_someone_else_records_the_real_login_on_the_event(world) -> None:
    ref = world.open("duty_lead")
    opened = world.last_event()
    assert (opened["actor"], opened["real_actor"]) == ("duty_lead", REAL_LOGIN)
    accept = world.ledger("duty_lead").confirm_acceptance
    world.refused(TransitionError, lambda: accept(ref, "a start plan for them", world.review()))
    refusal = world.last_event()
    assert (refusal["action"], refusal["actor"], refusal["real_actor"]) == (
        "refused",
        "duty_lead",
        REAL_LOGIN,
    )
    assert verify(world).ok


@pytest.mark.backend
def test_acting_as_yourself_records_no_second_login(world) -> None:
    world.admin().add_person(REAL_LOGIN, "The real person", ["duty_lead"], agency="CBH")
    world.open(REAL_LOGIN)
    opened = world.last_event()
    assert (opened["actor"], opened["real_actor"]) == (REAL_LOGIN, None)


@pytest.mark.parametrize("forged", [None, "chair"])
def test_removing_or_changing_the_real_login_breaks_the_chain(world, forged) -> None:
    world.open("duty_lead")
    target = world.last_event()["id"]
    with sqlite3.connect(world.path) as conn:
        conn.execute("DROP TRIGGER event_no_update")
        conn.execute("UPDATE event SET real_actor = ? WHERE id = ?", (forged, target))
    report = verify(world)
    assert not report.ok
    assert report.first_bad_id == target
    assert "content does not match" in (report.problem or "")
