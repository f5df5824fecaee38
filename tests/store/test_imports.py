"""The store and the command line never import Textual, so headless commands start fast."""

from __future__ import annotations

import json
import subprocess
import sys

STORE_MODULES = (
    "panel_tui.store.ledger",
    "panel_tui.store.read.orm_queries",
    "panel_tui.store.ledger.admin",
    "panel_tui.store.audit",
    "panel_tui.store.identity",
    "panel_tui.store.migrate",
    "panel_tui.cli",
)


def loaded_after_import(*modules: str) -> list[str]:
    code = (
        f"import json, sys, {', '.join(modules)}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


def test_store_and_cli_do_not_import_textual() -> None:
    assert loaded_after_import(*STORE_MODULES) == []


def test_the_check_would_see_textual_if_it_were_imported() -> None:
    assert "textual" in loaded_after_import("panel_tui.store.read.orm_queries", "textual.app")
