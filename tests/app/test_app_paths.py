"""Real user paths through the app, asserting on the store and on what the screen shows."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from backends import target_of
from helpers import (
    open_panel,
    queue_ready,
    screen_text,
    type_text,
    wait_for,
    wait_notice,
    wait_text,
)
from storefix import NOW, form
from textual.widgets import Input, Select, Static, TextArea

from panel_tui.rules.errors import TransitionError
from panel_tui.rules.forms import form_errors
from panel_tui.screens.detail import DisputeScreen
from panel_tui.screens.form import DisputeFormScreen
from panel_tui.screens.modals import FormModal
from panel_tui.screens.queue import QueueScreen
from panel_tui.store.ledger import Ledger
from panel_tui.store.ledger.agenda import PanelAgenda
from panel_tui.store.read import orm_detail, orm_queries
from panel_tui.store.read.agenda import agenda
from panel_tui.store.read.queue_models import QueueFilter, Section
from panel_tui.widgets.queue_view import QueueView

SIZE = (80, 24)


@pytest.mark.backend
async def test_triage_breached_dispute_and_escalate_with_reason(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("2")  # Breached
        await wait_text(pilot, "1 dispute · Breached")
        assert "✖ BREACHED 5h" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_text(pilot, "D-2026-0001 person P-1001")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea))  # the breach reason
        await wait_text(pilot, "This stage is BREACHED")
        await pilot.press("ctrl+s")  # nothing typed: every problem is said, beside its field
        await wait_text(pilot, "✖ this stage is breached: a breached stage is escalated with")
        await wait_text(pilot, "The impact on the person is required")
        await type_text(pilot, "APS duty line unstaffed overnight")
        await pilot.press("tab")  # out of the text area, into the note
        assert app.focused is app.screen.query_one("#f-note", TextArea)
        await type_text(pilot, "supervisor call at 10")
        await pilot.press("tab")
        await type_text(pilot, "no APS visit overnight")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
        await wait_text(pilot, "stage 1 · plan holder")
    detail = orm_detail.dispute_detail(store, "D-2026-0001", NOW)
    assert detail.stage == 1
    assert detail.stages[0].breach_reason == "APS duty line unstaffed overnight"
    assert detail.stages[1].note == "supervisor call at 10"
    assert detail.stages[1].impact == "no APS visit overnight"
    assert detail.events[-1].action == "escalate" and detail.events[-1].actor == "duty"


@pytest.mark.backend
async def test_form_shows_each_message_then_opens_the_dispute(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeFormScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one("#f-person_ref", Input).has_focus)
        await type_text(pilot, "J Smith")  # a name, not a pseudonymous reference
        await pilot.press("ctrl+s")
        expected = form_errors(screen.values())
        assert {"person_ref", "dispute_type", "problem_statement"} <= set(expected)
        for field, message in expected.items():
            box = screen.query_one(f"#err-{field.replace('.', '-')}", Static)
            shown = str(box.render())
            assert box.display and shown.startswith("✖"), field
            if field not in ("dispute_type", "risk", "raising_agency", "responding_agencies"):
                assert message in shown, field
        assert "choose one" in str(screen.query_one("#err-risk", Static).render())
        assert "problem(s): fix the fields marked ✖" in screen_text(app)
        assert "✖ letters, digits and - _ . / only" in screen_text(app)

        # Fix it: type where typing goes, choose in the selects.
        good = form("P-2001", risk="critical", interim_risk_actions="")
        person = screen.query_one("#f-person_ref", Input)
        person.focus()
        person.value = ""
        await type_text(pilot, good["person_ref"])
        for name in ("dispute_type", "risk", "raising_agency"):
            screen.query_one(f"#f-{name}", Select).value = good[name]
        for name in (
            "responding_agencies",
            "consent_basis",
            "problem_statement",
            "proposed_pathway",
            "rule_conflict",
            "evidence_summary",
            "requested_decision",
        ):
            screen.query_one(f"#f-{name}").focus()  # an Input, or a TextArea for paragraphs
            value = good[name]
            await type_text(pilot, ", ".join(value) if isinstance(value, list) else value)
        for key in good["evidence"]:
            screen.query_one(f"#ev-{key}").focus()
            await pilot.press("space")
        await pilot.press("ctrl+s")  # critical risk without interim actions: refused
        await wait_text(pilot, "critical risk requires interim risk actions")
        screen.query_one("#f-interim_risk_actions", TextArea).focus()
        await type_text(pilot, "CBH crisis team visits daily")
        await pilot.press("enter")  # a second line: enter does not submit
        await type_text(pilot, "APS on call overnight")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await wait_text(pilot, "D-2026-0008")
        view = app.screen.query_one(QueueView)
        await wait_for(
            pilot, lambda: view.cursor_row is not None and view.cursor_row.ref == "D-2026-0008"
        )
    page = orm_queries.queue_page(store, QueueFilter(section=Section.ALL_OPEN), NOW)
    new = next(r for r in page.rows if r.ref == "D-2026-0008")
    assert new.person_ref == "P-2001" and new.risk == "critical"
    assert orm_detail.dispute_detail(store, "D-2026-0008", NOW).interim_risk_actions == (
        "CBH crisis team visits daily\nAPS on call overnight"
    )


async def test_a_left_form_comes_back_as_a_draft_with_its_paragraphs(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeFormScreen))
        await wait_for(pilot, lambda: app.screen.query_one("#f-person_ref", Input).has_focus)
        await type_text(pilot, "P-3001")
        app.screen.query_one("#f-problem_statement", TextArea).focus()
        await type_text(pilot, "Discharge stalled.")
        await pilot.press("enter")
        await type_text(pilot, "Both sides cite criterion 4.2.")
        await pilot.press("escape")  # leave: the draft is kept
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeFormScreen))
        form_screen = app.screen
        problem = form_screen.query_one("#f-problem_statement", TextArea)
        await wait_for(pilot, lambda: problem.text != "")
        assert problem.text == "Discharge stalled.\nBoth sides cite criterion 4.2."
        assert form_screen.query_one("#f-person_ref", Input).value == "P-3001"


@pytest.mark.backend
async def test_run_a_panel_and_record_two_decisions(make_app, store) -> None:
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(pilot)
        await wait_text(pilot, "item 1 of 2 · 0 decided")
        await pilot.press("1")
        await type_text(pilot, "MCO funds the ACT place from Monday")
        app.screen.query_one("#p-receiving", Select).value = "MCO"  # chosen, never guessed
        await pilot.press("ctrl+s")
        await wait_text(pilot, "1 decided")
        await wait_text(pilot, "D-2026-0005 eligibility")  # moved on to the next item
        await pilot.press("2")
        await type_text(pilot, "Joint plan: CBH clinical, MCO funding")
        app.screen.query_one("#p-receiving", Select).value = "MCO"  # chosen, never guessed
        await pilot.press("ctrl+s")
        await wait_text(pilot, "2 decided")
        await pilot.press("S")
        await wait_text(pilot, "Panel minutes, 2026-03-10")
        await pilot.press("m")
        await pilot.pause(0.2)
    entries = agenda(store, NOW.date(), NOW)
    outcomes = {e.ref: [d.outcome for d in e.decisions] for e in entries}
    assert outcomes == {"D-2026-0004": ["assigned"], "D-2026-0005": ["joint"]}
    d4 = orm_detail.dispute_detail(store, "D-2026-0004", NOW).decisions[-1]
    assert d4.decided_by_login == "chair" and d4.receiving_agency == "MCO"
    assert d4.review_date == (NOW + timedelta(days=28)).date()


@pytest.mark.backend
async def test_not_upheld_in_panel_mode_names_the_agency_whose_arrangement_stands(
    make_app, store
) -> None:  # noqa: ANN001
    """By hand, "not upheld" was refused as if the panel had to find someone new to take the
    person on: the refusal now says which agency to name, and named, it is recorded."""
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(pilot)
        await pilot.press("3")
        await type_text(pilot, "CBH keeps the person; the criteria are met there")
        await pilot.press("ctrl+s")
        await wait_text(pilot, "name the agency whose")  # (arrangement stands: next line)
        app.screen.query_one("#p-receiving", Select).value = "CBH"
        await pilot.press("ctrl+s")
        await wait_text(pilot, "1 decided")
    decided = orm_detail.dispute_detail(store, "D-2026-0004", NOW).decisions[-1]
    assert (decided.outcome, decided.receiving_agency) == ("not_upheld", "CBH")


def _to_the_final_authority_on_todays_agenda(store, ref: str) -> None:  # noqa: ANN001
    """The panel could not agree; the chair escalates and keeps it on today's agenda."""
    chair = Ledger(store, "chair", clock=lambda: NOW - timedelta(hours=1))
    chair.record_decision(ref, "no_agreement", "CBH and MCO both decline the placement", NOW.date())
    chair.escalate(ref, "to the program manager", impact="the person waits without agreed support")
    PanelAgenda(store, "chair", clock=lambda: NOW).add(NOW.date(), ref)


async def _panel_at_final_item(pilot) -> None:  # noqa: ANN001
    await open_panel(pilot)
    await wait_text(pilot, "Final determination")


@pytest.mark.backend
async def test_the_named_authority_makes_a_final_determination_in_panel_mode(
    make_app, store
) -> None:
    """No agreement at the panel, escalated, then decided by the program manager at the panel."""
    _to_the_final_authority_on_todays_agenda(store, "D-2026-0004")
    app = make_app("pm")
    async with app.run_test(size=SIZE) as pilot:
        await _panel_at_final_item(pilot)
        await pilot.press("1")
        await type_text(pilot, "MCO funds the ACT place: criterion 4.2 does not apply")
        app.screen.query_one("#p-receiving", Select).value = "MCO"  # chosen, never guessed
        await pilot.press("ctrl+s")
        await wait_notice(pilot, "final determination")
    final = orm_detail.dispute_detail(store, "D-2026-0004", NOW).decisions[-1]
    assert (final.kind, final.outcome, final.decided_by_login) == ("final", "assigned", "pm")
    assert final.receiving_agency == "MCO"


@pytest.mark.backend
async def test_the_panel_chair_cannot_decide_an_item_with_the_final_authority(
    make_app, store
) -> None:
    _to_the_final_authority_on_todays_agenda(store, "D-2026-0004")
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await _panel_at_final_item(pilot)
        await wait_for(pilot, lambda: "Record" not in screen_text(app).splitlines()[-1])
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
    assert (
        orm_detail.dispute_detail(store, "D-2026-0004", NOW).decisions[-1].outcome == "no_agreement"
    )


def _status(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#panel-status", Static).content)


@pytest.mark.backend
async def test_the_chair_sees_who_records_an_item_with_the_final_authority(make_app, store) -> None:
    _to_the_final_authority_on_todays_agenda(store, "D-2026-0004")
    app = make_app("chair")
    async with app.run_test(size=SIZE) as pilot:
        await _panel_at_final_item(pilot)
        await wait_for(pilot, lambda: "a final determination is recorded by" in _status(app))
        assert "program_manager" in _status(app)
        assert app.screen.query_one("#p-rationale", TextArea).disabled


@pytest.mark.backend
async def test_a_duty_lead_in_panel_mode_is_told_the_panel_is_view_only(make_app, store) -> None:
    """By hand, a duty lead's "2" and rationale were silently dropped (and the letters met
    the agenda: n moved on) under a status line that offered "1–4 outcome, ctrl+s record"."""
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("P")
        await wait_text(pilot, "D-2026-0004 eligibility")
        await wait_for(pilot, lambda: "the decision is recorded by panel_chair" in _status(app))
        assert "1–4 outcome" not in screen_text(app)
        await pilot.press("2")
        await wait_notice(pilot, "Not chosen")
        assert "[joint]" not in screen_text(app)  # the outcome stays where it was
        fields = ("#p-receiving", "#p-pathway", "#p-rationale", "#p-review")
        assert all(app.screen.query_one(f).disabled for f in fields)
    assert agenda(store, NOW.date(), NOW)[0].decisions == []


@pytest.mark.backend
async def test_second_writer_makes_a_stale_notice_and_reload_keeps_input(make_app, store) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("down", "enter")  # D-2026-0002
        await wait_text(pilot, "D-2026-0002 person P-1002")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.focused, TextArea))
        await type_text(pilot, "booked the supervisor call")
        await pilot.press("tab")
        await type_text(pilot, "two missed welfare calls")
        # Someone else changes the dispute meanwhile.
        Ledger(store, "sup", clock=lambda: NOW).edit_form(
            "D-2026-0002", {"requested_decision": "Decide who funds the bed this week"}
        )
        await pilot.press("ctrl+s")
        await wait_text(pilot, "was changed by sup")
        modal = app.screen
        assert modal.query_one("#f-note", TextArea).text == "booked the supervisor call"
        await pilot.press("ctrl+r")
        await wait_notice(pilot, "Reloaded")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DisputeScreen))
    assert orm_detail.dispute_detail(store, "D-2026-0002", NOW).stage == 1


@pytest.mark.backend
async def test_a_dispute_added_by_another_process_appears_by_itself(make_app, store) -> None:
    app = make_app("duty")
    script = (
        "import sys, pathlib; here = pathlib.Path(sys.argv[2]);"
        "sys.path[:0] = [str(here), str(here.parent)];"  # storefix, and the shared form
        "from storefix import form;"
        "from panel_tui.store.db import Store;"
        "from panel_tui.store.ledger import Ledger;"
        "print(Ledger(Store.open(sys.argv[1]), 'sup').open_dispute(form('P-3003')))"
    )
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_text(pilot, "6 disputes")
        done = subprocess.run(
            [sys.executable, "-c", script, target_of(store), str(Path(__file__).parent)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        ref = done.stdout.strip()
        await wait_text(pilot, ref)  # no key pressed
        await wait_text(pilot, "7 disputes")  # the count is read after the page is drawn
        assert app.screen.query_one(QueueView).cursor_row.ref == "D-2026-0001"


@pytest.mark.backend
async def test_a_read_only_user_is_offered_no_write_actions(make_app) -> None:
    app = make_app("watcher")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        assert "no roles" not in screen_text(app) and "watcher (oversight)" in screen_text(app)
        assert "New" not in screen_text(app).splitlines()[-1]
        await pilot.press("enter")
        await wait_text(pilot, "D-2026-0001 person")
        footer = screen_text(app).splitlines()[-1]
        for label in ("Escalate", "Cover", "Decide", "Withdraw", "Note"):
            assert label not in footer
        await pilot.press("e")
        await pilot.pause(0.2)
        assert isinstance(app.screen, DisputeScreen)


@pytest.mark.backend
async def test_an_action_the_store_would_refuse_is_not_offered(make_app, store) -> None:
    app = make_app("duty")  # may withdraw, but D-2026-0007 is already withdrawn
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("7")
        await wait_text(pilot, "D-2026-0007")
        await pilot.press("enter")
        await wait_text(pilot, "D-2026-0007 person")
        footer = screen_text(app).splitlines()[-1]
        assert "Note" in footer and "Withdraw" not in footer  # rights.may: state says no
        await pilot.press("w")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, FormModal)
    # The store still refuses, and says why, if asked anyway.
    with pytest.raises(TransitionError, match="Cannot withdraw D-2026-0007: it is withdrawn"):
        Ledger(store, "duty", clock=lambda: NOW).withdraw("D-2026-0007", "duplicate dispute")
    assert orm_detail.dispute_detail(store, "D-2026-0007", NOW).events[-1].action == "refused"


def _app_with_config(make_app, config: Path, text: str):  # noqa: ANN001, ANN202
    """The duty lead's app with ``text`` as its config file's keymap."""
    from panel_tui.config import load_settings

    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")
    app = make_app("duty")
    app.settings.keymap = load_settings().keymap
    return app


async def test_keys_can_be_rebound_from_the_config_file(make_app, _config) -> None:
    app = _app_with_config(make_app, _config, '[keymap]\n"queue.filter" = "f"\n')
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await pilot.press("f")
        await type_text(pilot, "0005")
        await wait_text(pilot, "1 dispute · All open · /0005")
        await pilot.press("enter", "question_mark")
        await wait_text(pilot, "Keys on this screen")
        assert "Filter" in screen_text(app)


async def test_a_keymap_id_that_names_no_key_is_reported(make_app, _config) -> None:
    keymap = '[keymap]\n"queue.filtr" = "f"\n"detail.escalate" = "E"\n'
    app = _app_with_config(make_app, _config, keymap)
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        await wait_notice(pilot, "names no such key")
        [notice] = [n.message for n in app._notifications if "names no such key" in n.message]
        named = notice.split("names no such key: ")[1].split(". ")[0]
        assert named == "queue.filtr"  # detail.escalate is a real key: not named
        assert str(_config) in notice


def test_every_binding_has_an_id_the_keymap_check_knows() -> None:
    from panel_tui.screens.keys import binding_ids, unknown_ids

    ids = binding_ids()
    assert {"queue.filter", "detail.escalate", "panel.record", "modal.submit", "app.help"} <= ids
    assert unknown_ids({"queue.filtr": "f", "queue.filter": "g", "nope": "x"}) == [
        "nope",
        "queue.filtr",
    ]


async def test_switch_user_on_a_demo_store(make_app) -> None:
    app = make_app("duty")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ready(pilot)
        # A duty lead opens disputes. The footer's keys are drawn a frame or more after the
        # first page (which now comes one round trip sooner): waited for, not assumed.
        await wait_for(pilot, lambda: "New" in screen_text(app).splitlines()[-1])
        app.switch_user("chair")
        await wait_text(pilot, "chair (panel_chair)")
        # The footer follows the header a frame or more later (it failed once under load).
        await wait_for(pilot, lambda: "New" not in screen_text(app).splitlines()[-1])
