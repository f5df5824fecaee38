"""Who is acting: the OS login from the password database; --as only where policy allows."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys

import pytest

from panel_tui.rules.errors import RightsError
from panel_tui.rules.policy import default_policy_text
from panel_tui.store.identity import acting_login, os_display_name, os_login

REAL_LOGIN = pwd.getpwuid(os.getuid()).pw_name


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


def test_without_as_you_act_as_your_login(world) -> None:
    assert acting_login(world.store, None) == REAL_LOGIN
    assert acting_login(world.store, "") == REAL_LOGIN
    assert acting_login(world.store, REAL_LOGIN) == REAL_LOGIN  # naming yourself is fine


def test_as_is_refused_on_a_store_whose_policy_does_not_allow_it(world) -> None:
    assert world.store.policy().identity.allow_override is False
    with pytest.raises(RightsError) as info:
        acting_login(world.store, "supervisor")
    assert "--as supervisor refused" in info.value.message
    assert "act as your OS login" in str(info.value)


def test_as_is_honoured_once_the_policy_allows_override(world) -> None:
    allowing = default_policy_text().replace("allow_override = false", "allow_override = true")
    world.admin().set_policy(allowing)
    assert acting_login(world.store, "supervisor") == "supervisor"
    event = world.last_event()
    assert (event["actor"], event["action"]) == ("admin", "set_policy")
    assert event["after"] == {"allow_override": True}
