"""What every command needs: the store, who is acting, the instant to read at, its input."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.when import parse_time

if TYPE_CHECKING:  # building the parser must not load the ORM: the app opens without it
    from panel_tui.store.db import Store

#: JSON nested deeper than this is refused: no form or export comes close (an export
#: is 5 deep), and Python's parser gives up somewhere past a few thousand.
MAX_JSON_DEPTH = 32


def open_store(args: argparse.Namespace) -> Store:
    from panel_tui.store.db import Store

    return Store.open(args.db)


def acting(store: Store, args: argparse.Namespace) -> str:
    from panel_tui.store.identity import acting_login

    return acting_login(store, getattr(args, "as_login", None))


def read_instant(args: argparse.Namespace) -> datetime:
    at = getattr(args, "at", None)
    return parse_time(at, "--at") if at else datetime.now(UTC)


def read_input(source: str, field: str, *, stdin: bool = True) -> str:
    """The text of the file ``source`` (``-``: standard input, where ``stdin``), without a
    byte-order mark if it has one; a clear refusal naming ``field`` if it cannot be read
    or is not UTF-8. Through the service account only ``-`` is accepted
    (service.refuse_path)."""
    from panel_tui.service import refuse_path

    refuse_path(source, field)
    try:
        if stdin and source == "-":
            text = sys.stdin.read()
        else:
            text = Path(source).read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or "not a file name"
        raise InvalidInputError(f"cannot read {source[:80]}: {reason}", field=field) from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"{source} is not UTF-8 text", field=field) from None
    return text.removeprefix("\ufeff")


def parse_json(text: str, field: str) -> Any:
    """JSON a person gave us, or one clear InvalidInputError (never a traceback)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}", field=field
        ) from None
    except RecursionError:
        raise InvalidInputError(
            f"not accepted: JSON nested deeper than {MAX_JSON_DEPTH} levels", field=field
        ) from None
    except ValueError:  # Python's limit on int(): a number of more than 4,300 digits
        raise InvalidInputError(
            f"not accepted: a number of more than {sys.get_int_max_str_digits():,} digits "
            "(no field takes one)",
            field=field,
        ) from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise InvalidInputError(
            f"not accepted: JSON nested deeper than {MAX_JSON_DEPTH} levels", field=field
        )
    return data


def _depth(data: Any) -> int:
    """How deeply lists and objects nest (iteratively: the input may be hostile)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, level = todo.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level)
            if level <= MAX_JSON_DEPTH:
                todo.extend((v, level + 1) for v in value)
    return deepest
