"""Hostile text an older store holds reaches the screen escaped, never raw to the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from backends import store_sql
from helpers import queue_ready, screen_text, wait_text

sys.path.insert(0, str(Path(__file__).parents[1]))  # tests/: the shared hostile strings

from hostile import CLEAR, OSC8, RLO, TITLE, assert_no_raw  # noqa: E402

pytestmark = pytest.mark.backend  # written past the app: the file, or the database's owner

REF = "D-2026-0001"


def _poison(store) -> None:  # noqa: ANN001
    """Write control sequences into the store as an attacker with the file (or the
    database's owner role) could."""
    store_sql(
        store,
        "UPDATE dispute SET problem_statement = ?, agencies_label = ?, rule_conflict = ? "
        "WHERE ref = ?",
        f"Stalled {CLEAR} badly",
        f"CBH{RLO}→APS",
        f"See {OSC8} now",
        REF,
    )
    store_sql(
        store,
        "UPDATE evidenceitem SET note = ? "
        "WHERE dispute_id = (SELECT id FROM dispute WHERE ref = ?)",
        f"pending {TITLE}",
        REF,
    )


def _terminal_output(app) -> str:  # noqa: ANN001
    """What Textual would write to the terminal for the whole screen."""
    update = app.screen._compositor.render_update(full=True)
    return "".join(update.render_segments(app.console))


async def test_queue_and_detail_show_control_characters_escaped(store, make_app) -> None:  # noqa: ANN001
    _poison(store)
    app = make_app("duty")
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_ready(pilot)
        await wait_text(pilot, "CBH\\u202e")  # the queue's agencies column
        assert_no_raw(screen_text(app))
        app.open_dispute(REF)
        await wait_text(pilot, "Stalled \\x1b[2J badly")
        text = screen_text(app)
        assert_no_raw(text)
        assert "\\x1b]8;;https://evil.example/" in text
        assert "pending \\x1b]0;pwned\\x07" in text
        terminal = _terminal_output(app)
        for sequence in (CLEAR, "\x1b]0;pwned", "\x1b]8;;https://evil", RLO):
            assert sequence not in terminal, repr(sequence)
