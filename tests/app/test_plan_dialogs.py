"""Case synchronisations and consent's scope recorded from a dispute's detail (issue 12),
as `panel-tui sync` and `panel-tui consent` record them, in a real 80x24 terminal.

Offered only to the roles the policy allows (and a synchronisation only once a plan
holder can convene it); what the store refuses is shown in the dialog; bad input is
shown beside its field and writes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from backends import store_sql
from helpers import dispute_shown, screen_text, type_text, wait_for, wait_text
from storefix import NOW
from textual.widgets import Select, Static

from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.help import HelpScreen
from panel_tui.screens.modals import FormModal
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.admin import Admin
from panel_tui.store.read import orm_detail

pytestmark = pytest.mark.backend  # what the dialogs write: on PostgreSQL too (tests/backends.py)

SIZE = (80, 24)
REF = "D-2026-0002"


def rows(store, sql: str) -> list[tuple]:  # noqa: ANN001
    return store_sql(store, sql)


def syncs(store) -> list[tuple]:  # noqa: ANN001
    return rows(store, "SELECT trigger, participants, outcome, next_due FROM casesync")


def scopes(store) -> list[tuple]:  # noqa: ANN001
    return rows(store, "SELECT agencies, purpose, review_date FROM consentscope")


def errors(modal: FormModal) -> dict[str, str]:
    return {
        (box.id or "")[4:]: str(box.render())
        for box in modal.query(".error").results(Static)
        if box.display
    }


def held_by_duty(store) -> None:  # noqa: ANN001
    Ledger(store, "duty").assign_plan_holder(REF, "duty", at=NOW - timedelta(hours=1))


def offered(app, name: str) -> bool:  # noqa: ANN001
    """Whether the detail offers action ``name`` now (its key would open the dialog)."""
    screen = app.screen
    return isinstance(screen, DisputeScreen) and bool(screen.check_action("act", (name,)))


async def dialog(pilot, key: str) -> FormModal:  # noqa: ANN001
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))
    modal = pilot.app.screen
    await wait_for(pilot, lambda: modal.is_mounted)
    return modal


#: The key that opens each plan dialog from the dispute's detail.
KEYS = {"sync": "s", "consent": "C"}


async def detail_dialog(pilot, action: str) -> FormModal:  # noqa: ANN001
    """Wait for the dispute's detail to offer ``action`` ("sync", "consent"), and open it."""
    await dispute_shown(pilot, REF)
    await wait_for(pilot, lambda: offered(pilot.app, action))
    return await dialog(pilot, KEYS[action])


async def test_a_synchronisation_is_recorded_from_the_detail(make_app, store) -> None:
    held_by_duty(store)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        modal = await detail_dialog(pilot, "sync")
        assert "Case synchronisation on D-2026-0002" in screen_text(app)
        assert modal.values()["trigger"] == ""  # what made it necessary is chosen, never assumed
        modal.query_one("#f-trigger", Select).value = "housing"
        modal.query_one("#f-participants").focus()
        await type_text(pilot, "Dana Duty (CBH), MCO care manager")
        modal.query_one("#f-outcome").focus()
        await type_text(pilot, "tenancy officer visits Monday")
        modal.query_one("#f-next").value = "+7d"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_for(pilot, lambda: len(syncs(store)) == 1)
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.detail and screen.detail.syncs))
    assert [s[:3] for s in syncs(store)] == [
        ("housing", "Dana Duty (CBH), MCO care manager", "tenancy officer visits Monday")
    ]
    plan = orm_detail.dispute_detail(store, REF, NOW).plan
    assert plan is not None and plan.next_sync_due == NOW + timedelta(days=7)
    assert rows(store, "SELECT actor FROM event WHERE action = 'record_sync'") == [("duty",)]


async def test_consent_is_recorded_from_the_detail(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        modal = await detail_dialog(pilot, "consent")
        await wait_text(pilot, "No scope recorded yet")
        assert modal.values()["agencies"] == ""  # consent is never assumed
        modal.query_one("#f-agencies").focus()
        await type_text(pilot, "cbh, MCO")
        modal.query_one("#f-purpose").focus()
        await type_text(pilot, "care coordination")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_for(pilot, lambda: len(scopes(store)) == 1)
        # The next dialog starts from the scope in force.
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.detail and screen.detail.consent))
        again = await dialog(pilot, "C")
        await wait_text(pilot, "In force: CBH, MCO for care coordination")
        assert again.values()["agencies"] == "CBH, MCO"
    review = (NOW.astimezone().date() + timedelta(days=90)).isoformat()
    assert scopes(store) == [("CBH MCO", "care coordination", review)]


async def test_bad_input_is_shown_beside_each_field_and_writes_nothing(make_app, store) -> None:
    held_by_duty(store)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        modal = await detail_dialog(pilot, "sync")
        modal.query_one("#f-held").value = "tomorrow 09:00"  # not held yet
        modal.query_one("#f-next").value = "-1d"  # due before now
        await pilot.press("ctrl+s")  # and no trigger, nobody, no outcome
        await wait_for(pilot, lambda: len(errors(modal)) == 5)
        found = errors(modal)
        assert found["trigger"] == "✖ choose what made it necessary"
        assert "Who took part is required" in found["participants"]
        assert "recorded once held" in found["held"]
        assert "must be due later" in found["next"]
        await pilot.press("escape")
        await wait_text(pilot, "Leave without saving?")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        modal = await dialog(pilot, "C")
        modal.query_one("#f-agencies").value = "CBH, XYZ"
        modal.query_one("#f-review").value = "-1d"
        await pilot.press("ctrl+s")  # an unknown agency, no purpose, a review in the past
        await wait_for(pilot, lambda: len(errors(modal)) == 3)
        found = errors(modal)
        assert "unknown agency 'XYZ'" in found["agencies"]
        assert "must be in the future" in found["review"]
        assert "3 problems" in screen_text(app)
    assert syncs(store) == [] and scopes(store) == []
    written = (
        "SELECT count(*) FROM event WHERE action IN ('record_sync', 'record_consent', 'refused')"
    )
    assert rows(store, written) == [(0,)]


async def test_a_refusal_by_the_store_is_shown_and_nothing_is_written(make_app, store) -> None:
    held_by_duty(store)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        modal = await detail_dialog(pilot, "sync")
        modal.query_one("#f-trigger", Select).value = "medication"
        modal.query_one("#f-participants").value = "Dana Duty (CBH)"
        modal.query_one("#f-outcome").focus()
        await type_text(pilot, "pharmacy delivers weekly")
        # Meanwhile an administrator takes the duty lead's roles away: the store refuses.
        Admin(store, "root").set_person("duty", roles=["oversight"])
        await pilot.press("ctrl+s")
        await wait_text(pilot, "may not record a case synchronisation")
        assert isinstance(app.screen, FormModal)  # still open, nothing typed lost
        assert modal.values()["outcome"] == "pharmacy delivers weekly"
    assert syncs(store) == []
    refused = rows(store, "SELECT after FROM event WHERE action = 'refused'")
    assert len(refused) == 1 and "record_sync" in refused[0][0]


async def test_offered_only_to_the_roles_the_policy_allows(make_app, store) -> None:
    app = make_app("duty")  # no plan holder yet: nobody to convene a synchronisation
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, REF)
        await wait_for(pilot, lambda: offered(app, "consent"))
        assert not offered(app, "sync")
    held_by_duty(store)
    for login in ("watcher", "chair"):  # oversight and the panel chair change neither
        app = make_app(login)
        async with app.run_test(size=SIZE) as pilot:
            await dispute_shown(pilot, REF)
            assert not offered(app, "sync") and not offered(app, "consent")
            # Keys are handled in order: once help is up, s and C have done what they do.
            await pilot.press("s", "C", "f1")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
            assert isinstance(app.screen_stack[-2], DisputeScreen)  # no dialog opened
    closed = "D-2026-0007"  # withdrawn: neither is recorded on a closed dispute
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, closed)
        await wait_for(pilot, lambda: app.screen.detail.status == "withdrawn")
        assert not offered(app, "sync") and not offered(app, "consent")


async def test_help_lists_both_keys_with_their_binding_ids(make_app, store) -> None:
    held_by_duty(store)
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, REF)
        await wait_for(pilot, lambda: offered(app, "sync"))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = app.screen.rows()
        assert ("s", "Sync", "detail.sync") in rows
        assert ("C", "Consent", "detail.consent") in rows
        await wait_text(pilot, "detail.sync")


async def test_a_holding_period_that_ended_is_shown_until_the_holder_is_confirmed(
    make_app, store
) -> None:
    """[Coordination]: the plan holder holds it for a period; once it has ended the detail
    says so (as `show` does) until someone is assigned again."""
    Ledger(store, "duty").assign_plan_holder(
        REF, "duty", period_ends=NOW - timedelta(hours=2), at=NOW - timedelta(days=3)
    )
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, REF)
        await wait_text(pilot, "HOLDING PERIOD ENDED: re-confirm the plan holder")
    Ledger(store, "duty").assign_plan_holder(REF, "duty", at=NOW - timedelta(minutes=5))
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await dispute_shown(pilot, REF)
        await wait_text(pilot, REF)
        assert "HOLDING PERIOD ENDED" not in screen_text(app)
