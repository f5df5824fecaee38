"""The policy cannot switch off what protects the record: override, administer."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel_tui.rules.errors import InvalidInputError, RightsError, TransitionError
from panel_tui.rules.policy import default_policy_text, parse_policy, protection_errors
from panel_tui.store.identity import acting_login, identity
from panel_tui.store.ledger.admin import Admin, init_store
from panel_tui.store.sqlite_driver import sqlite as sqlite3

OVERRIDE = default_policy_text().replace("allow_override = false", "allow_override = true")
NOBODY = default_policy_text().replace('administer = ["admin"]', "administer = []")


def test_the_fixture_policies_say_what_they_mean() -> None:
    assert parse_policy(OVERRIDE).identity.allow_override
    assert parse_policy(NOBODY).rights.administer == ()


@pytest.mark.parametrize(("kind", "allowed"), [("real", False), ("test", True), ("demo", True)])
def test_identity_override_only_on_demo_and_test_stores(kind: str, allowed: bool) -> None:
    problems = protection_errors(parse_policy(OVERRIDE), kind)
    assert (problems == []) is allowed
    if not allowed:
        assert problems[0].startswith("identity.allow_override:")


def test_a_policy_nobody_can_administer_is_refused_everywhere() -> None:
    for kind in ("real", "test", "demo"):
        assert protection_errors(parse_policy(NOBODY), kind)[0].startswith("rights.administer:")


def test_init_of_a_real_store_refuses_an_override_policy(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        init_store(str(tmp_path / "s.db"), "ada", "Ada", policy_text=OVERRIDE)
    assert info.value.field == "identity.allow_override"
    assert not (tmp_path / "s.db").exists()
    init_store(str(tmp_path / "t.db"), "ada", "Ada", kind="test", policy_text=OVERRIDE).close()


def test_policy_set_on_a_real_store_refuses_override_and_nobody(tmp_path: Path) -> None:
    store = init_store(str(tmp_path / "s.db"), "ada", "Ada")
    try:
        admin = Admin(store, "ada")
        for text, field in ((OVERRIDE, "identity.allow_override"), (NOBODY, "rights.administer")):
            with pytest.raises(InvalidInputError) as info:
                admin.set_policy(text)
            assert info.value.field == field
        assert store.setting("policy") is None  # nothing installed
    finally:
        store.close()


def test_policy_set_refuses_administer_roles_nobody_active_holds(world) -> None:
    only_chairs = default_policy_text().replace(
        'administer = ["admin"]', 'administer = ["commissioner_liaison"]'
    )
    world.sql("SELECT 1")
    conn = sqlite3.connect(world.path)
    with conn:
        conn.execute("UPDATE person SET active = 0 WHERE login = 'commissioner_liaison'")
    conn.close()
    err = world.refused(
        TransitionError, lambda: world.admin().set_policy(only_chairs), match="no active user"
    )
    assert err.rule == "rights.keep_administrator"


def test_a_real_store_whose_policy_was_set_by_hand_still_refuses_as(tmp_path: Path) -> None:
    """Written with SQL past every check: --as is still refused on a real store."""
    store = init_store(str(tmp_path / "s.db"), "ada", "Ada")
    store.close()
    conn = sqlite3.connect(tmp_path / "s.db")
    with conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('policy', ?)", (OVERRIDE,))
    conn.close()
    from panel_tui.store.db import Store

    store = Store.open(str(tmp_path / "s.db"))
    try:
        assert store.policy().identity.allow_override
        with pytest.raises(RightsError):
            acting_login(store, "someone")
    finally:
        store.close()


def test_a_stored_policy_naming_nobody_still_lets_admin_administer(tmp_path: Path) -> None:
    """The lock-out of the issue: administer = [] set by hand no longer locks anyone out."""
    store = init_store(str(tmp_path / "s.db"), "ada", "Ada")
    store.close()
    conn = sqlite3.connect(tmp_path / "s.db")
    with conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('policy', ?)", (NOBODY,))
    conn.close()
    from panel_tui.store.db import Store

    store = Store.open(str(tmp_path / "s.db"))
    try:
        Admin(store, "ada").set_policy(default_policy_text())  # the way back
        assert store.policy().rights.administer == ("admin",)
    finally:
        store.close()


@pytest.mark.backend
def test_identity_returns_the_acting_and_the_real_login(world) -> None:
    acting, real = identity(world.store, None)
    assert acting == real
    world.admin().set_policy(OVERRIDE)  # a test store may
    assert identity(world.store, "supervisor") == ("supervisor", real)
