"""What every command needs: the store, who is acting, the instant to read at, its input."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.cli.timeparse import parse_time
from panel_tui.rules.errors import InvalidInputError

if TYPE_CHECKING:  # building the parser must not load the ORM: the app opens without it
    from panel_tui.store.db import Store


def open_store(args: argparse.Namespace) -> Store:
    from panel_tui.store.db import Store

    return Store.open(args.db)


def acting(store: Store, args: argparse.Namespace) -> str:
    from panel_tui.store.identity import acting_login

    return acting_login(store, getattr(args, "as_login", None))


def read_instant(args: argparse.Namespace) -> datetime:
    at = getattr(args, "at", None)
    return parse_time(at) if at else datetime.now(UTC)


def read_input(source: str, field: str, *, stdin: bool = True) -> str:
    """The text of the file ``source`` (``-``: standard input, where ``stdin``); a clear
    refusal naming ``field`` if it cannot be read or is not UTF-8."""
    try:
        if stdin and source == "-":
            return sys.stdin.read()
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read {source}: {exc.strerror}", field=field) from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{source} is not UTF-8 text", field=field) from None


def parse_json(text: str, field: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}", field=field
        ) from None
