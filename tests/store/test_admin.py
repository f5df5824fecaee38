"""Administration (agencies, people, policy, init) and batches: all of them land, or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from panel_tui.rules.errors import InvalidInputError, RightsError, StoreError, TransitionError
from panel_tui.rules.policy import default_policy_text
from panel_tui.store.audit import verify_chain
from panel_tui.store.ledger.admin import init_store
from panel_tui.store.read.orm_queries import agencies, person

# --- init ------------------------------------------------------------------------------


def test_init_makes_the_login_administrator_and_records_it(tmp_path: Path) -> None:
    store = init_store(str(tmp_path / "s.db"), "ada", "Ada Admin")
    try:
        ada = person(store, "ada")
        assert ada.roles == ("admin",) and ada.display_name == "Ada Admin"
        assert store.kind() == "real"
        assert store.policy().identity.allow_override is False
        with store.engine.connect() as connection:
            assert verify_chain(connection).events == 1
    finally:
        store.close()


@pytest.mark.backend
def test_init_refuses_an_initialised_store(world) -> None:
    world.store.close()
    with pytest.raises(StoreError, match="already initialised"):
        init_store(str(world.path), "eve", "Eve")


def test_init_refuses_a_bad_policy_before_creating_anything(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with pytest.raises(InvalidInputError, match="windows"):
        init_store(str(path), "ada", "Ada", policy_text="[windows]\nhigh = [1, 2]\n")
    assert not path.exists()


def test_init_installs_a_custom_policy(tmp_path: Path) -> None:
    text = default_policy_text().replace("high = [24, 24, 48, 48]", "high = [12, 24, 48, 48]")
    store = init_store(str(tmp_path / "s.db"), "ada", "Ada", kind="demo", policy_text=text)
    try:
        assert store.policy().windows.high[0] == 12 and store.kind() == "demo"
    finally:
        store.close()


# --- agencies and people ----------------------------------------------------------------------


@pytest.mark.backend
def test_add_agency(world) -> None:
    world.admin().add_agency(" aps ", "Adult Protective Services", "safeguarding")
    assert "APS" in [a.code for a in agencies(world.store)]
    event = world.last_event()
    assert (event["actor"], event["action"]) == ("admin", "add_agency")
    assert event["after"]["code"] == "APS" and event["dispute_ref"] is None


@pytest.mark.backend
@pytest.mark.parametrize(
    ("code", "name", "field"),
    [
        ("A", "One letter", "code"),
        ("A-B", "Dash", "code"),
        ("APS", "  ", "name"),
        ("CBH", "Dup", "code"),
    ],
)
def test_add_agency_refuses_bad_input(world, code, name, field) -> None:
    err = world.refused(InvalidInputError, lambda: world.admin().add_agency(code, name))
    assert err.field == field


@pytest.mark.backend
def test_only_an_administrator_adds_agencies(world) -> None:
    world.refused(
        RightsError,
        lambda: world.admin("supervisor").add_agency("APS", "Adult Protective Services"),
        match="may not administer the store",
        actor="supervisor",
    )


@pytest.mark.backend
def test_add_person(world) -> None:
    world.admin().add_person("nina", "Nina Nurse", ["frontline", "duty_lead"], "mco")
    nina = person(world.store, "nina")
    assert nina.roles == ("frontline", "duty_lead") and nina.agency == "MCO"
    assert world.last_event()["after"] == {
        "login": "nina",
        "roles": ["frontline", "duty_lead"],
        "agency": "MCO",
    }
    # and she can work at once
    world.ledger("nina").open_dispute(world.form())


@pytest.mark.backend
@pytest.mark.parametrize(
    ("login", "roles", "agency", "field"),
    [
        ("has space", ["frontline"], None, "login"),
        ("", ["frontline"], None, "login"),
        ("nina", ["wizard"], None, "roles"),
        ("nina", [], None, "roles"),
        ("nina", ["frontline"], "XYZ", "agency"),
        ("supervisor", ["frontline"], None, "login"),  # exists already
    ],
)
def test_add_person_refuses_bad_input(world, login, roles, agency, field) -> None:
    err = world.refused(
        InvalidInputError, lambda: world.admin().add_person(login, "Someone", roles, agency)
    )
    assert err.field == field


# --- policy -------------------------------------------------------------------------------------


@pytest.mark.backend
def test_set_policy_changes_the_clocks_of_new_stages(world) -> None:
    text = default_policy_text().replace("high = [24, 24, 48, 48]", "high = [2, 24, 48, 48]")
    world.admin().set_policy(text)
    ref = world.open()
    assert world.dispute(ref)["current_due_at"].startswith("2026-03-02 11:00")


@pytest.mark.backend
def test_set_policy_refuses_an_invalid_policy_naming_the_key(world) -> None:
    bad = default_policy_text().replace('administer = ["admin"]', 'administer = ["wizard"]')
    err = world.refused(InvalidInputError, lambda: world.admin().set_policy(bad))
    assert err.field == "rights.administer"


@pytest.mark.backend
def test_only_an_administrator_sets_the_policy(world) -> None:
    world.refused(RightsError, lambda: world.admin("duty_lead").set_policy(default_policy_text()))


# --- batches --------------------------------------------------------------------------------------


@pytest.mark.backend
def test_a_batch_lands_whole_on_one_chain(world) -> None:
    duty = world.ledger("duty_lead")
    before = len(world.events())
    with duty.batch():
        first = duty.open_dispute(world.form())
        duty.assign_cover(first, "CBH", "daily call")
        second = duty.open_dispute(world.form(person_ref="P-2002"))
    assert (first, second) == ("D-2026-0001", "D-2026-0002")
    assert [e["action"] for e in world.events()[before:]] == ["open", "assign_cover", "open"]
    with world.store.engine.connect() as connection:
        assert verify_chain(connection).ok


@pytest.mark.backend
def test_a_refusal_in_a_batch_rolls_the_whole_batch_back_and_logs_nothing(world) -> None:
    duty = world.ledger("duty_lead")
    before, events = world.snapshot(), world.events()
    with pytest.raises(TransitionError), duty.batch():
        ref = duty.open_dispute(world.form())
        duty.withdraw(ref, "opened by mistake")
        duty.escalate(
            ref, impact="the person waits without agreed support"
        )  # refused: it is withdrawn
    assert world.snapshot() == before
    assert world.events() == events


@pytest.mark.backend
def test_a_caught_refusal_inside_a_batch_undoes_only_that_operation(world) -> None:
    duty = world.ledger("duty_lead")
    with duty.batch():
        duty.open_dispute(world.form())
        with pytest.raises(InvalidInputError):
            duty.open_dispute(world.form(raising_agency="XYZ"))
        duty.open_dispute(world.form(person_ref="P-2002"))
    assert [r["person_ref"] for r in world.sql("SELECT person_ref FROM dispute ORDER BY id")] == [
        "P-1001",
        "P-2002",
    ]
    assert [e["action"] for e in world.events()[-2:]] == ["open", "open"]
    with world.store.engine.connect() as connection:
        assert verify_chain(connection).ok


@pytest.mark.backend
def test_batches_do_not_nest(world) -> None:
    duty = world.ledger("duty_lead")
    with pytest.raises(RuntimeError, match="do not nest"), duty.batch(), duty.batch():
        pass
