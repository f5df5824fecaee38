"""What every command needs: the store, who is acting, and the instant to read at."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from panel_tui.cli.timeparse import parse_time

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
