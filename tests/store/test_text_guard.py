"""Every text the store writes is checked for control characters, whoever sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from hostile import CLEAR, HOSTILE, OSC8, RLO, TITLE

from panel_tui.rules.errors import InvalidInputError
from panel_tui.store.sqlite_driver import sqlite as sqlite3

if TYPE_CHECKING:
    from tests.store.conftest import World


def _attempts(world: World, ref: str, payload: str) -> dict[str, Callable[[], Any]]:
    admin, duty, sup = world.admin(), world.ledger("duty_lead"), world.ledger("supervisor")
    bad = f"looks fine {payload} really"
    return {
        "agency name": lambda: admin.add_agency("EVL", f"Evil {bad}"),
        "agency code": lambda: admin.add_agency(f"EV{payload}", "Evil"),
        "user name": lambda: admin.add_person("mallory", f"Mal {bad}", ["frontline"]),
        "login": lambda: admin.add_person(f"mal{payload}", "Mal", ["frontline"]),
        "form field": lambda: duty.open_dispute(world.form(rule_conflict=bad)),
        "edit": lambda: duty.edit_form(ref, {"evidence_summary": bad}),
        "evidence note": lambda: duty.record_evidence(ref, "risk_screen", False, note=bad),
        "note": lambda: duty.add_note(ref, bad),
        "cover": lambda: duty.assign_cover(ref, "CBH", bad),
        "escalation note": lambda: sup.escalate(
            ref, bad, impact="the person waits without agreed support"
        ),
        "rationale": lambda: sup.record_decision(
            ref, "assigned", bad, world.review(), receiving_agency="MCO"
        ),
        "pathway": lambda: sup.record_decision(
            ref, "assigned", "a fine rationale", world.review(), receiving_agency="MCO", pathway=bad
        ),
        "withdraw": lambda: duty.withdraw(ref, bad),
    }


@pytest.mark.parametrize("payload", [CLEAR, TITLE, OSC8, "\x00", RLO])
def test_hostile_text_is_refused_at_every_write_and_writes_nothing(
    world: World, payload: str
) -> None:
    ref = world.open()
    for what, attempt in _attempts(world, ref, payload).items():
        err = world.refused(InvalidInputError, attempt)
        assert err.field, what
        if what != "agency code":  # refused earlier: letters and digits only
            assert "U+" in str(err), what


@pytest.mark.backend
def test_the_refusal_names_the_field_as_the_user_knows_it(world: World) -> None:
    ref = world.open()
    err = world.refused(InvalidInputError, lambda: world.ledger("duty_lead").add_note(ref, CLEAR))
    assert err.field == "text"
    err = world.refused(
        InvalidInputError, lambda: world.admin().add_person("ok", HOSTILE["nul"], ["frontline"])
    )
    assert err.field == "name"


@pytest.mark.backend
def test_newlines_are_kept_in_long_texts_and_refused_in_names(world: World) -> None:
    ref = world.open()
    world.ledger("duty_lead").add_note(ref, "first\n\tsecond")
    assert world.sql("SELECT text FROM note")[0]["text"] == "first\n\tsecond"
    world.refused(
        InvalidInputError, lambda: world.admin().add_agency("NEW", "Two\nlines"), match="newline"
    )


def test_a_row_holding_old_hostile_text_can_still_move_on(world: World) -> None:
    """Only new or changed text is checked: an older store's rows are not stuck."""
    ref = world.open()
    conn = sqlite3.connect(world.path)
    conn.execute("UPDATE dispute SET problem_statement = ? WHERE ref = ?", (CLEAR, ref))
    conn.commit()
    conn.close()
    world.ledger("supervisor").escalate(
        ref, "moving up", impact="the person waits without agreed support"
    )
    assert world.dispute(ref)["current_stage"] == 1
    assert world.dispute(ref)["problem_statement"] == CLEAR
