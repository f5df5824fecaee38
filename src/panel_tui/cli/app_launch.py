"""The command line's one way into the app: the only module of cli/ that imports it.

Everything else in cli/ is headless and never loads Textual (import-linter's
contract in pyproject.toml; tests/cli/test_cli_queue_paths.py checks what a process
really loads). Textual is imported here inside the functions, when the app opens.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from panel_tui.store.db import Store
    from panel_tui.store.lazy import LazyStore
    from panel_tui.store.read.quick_queue import StoreHead


def run(
    store: Store | LazyStore, login: str, *, demo: bool = False, head: StoreHead | None = None
) -> int:
    """Run the app on ``store`` as ``login``; its exit code."""
    from panel_tui.app import run_app

    return run_app(store, login, demo=demo, head=head)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the app starts; the app resumes it once its
    store is open (app.py ``resume_collection``), and on exit it is as it was.

    Starting allocates some 100,000 objects that live as long as the app (Textual,
    our modules, the widgets; then the ORM in the opening worker), and the
    collector's young generations walked each of them again: about a sixth of the
    CPU of importing the app. What is cyclic garbage by then (about 700 objects,
    200 KB, the ORM's included) is frozen with the rest (app.py ``freeze_once``).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


#: The options of a plain launch, ``panel-tui [--db X] [--as Y]``, by their namespace names.
LAUNCH_OPTIONS = {"--db": "db", "--as": "as_login"}


def plain_launch(words: Sequence[str]) -> SimpleNamespace | None:
    """``panel-tui [--db X] [--as Y]`` read without argparse, as argparse reads it; None
    for anything else (a command, help, an abbreviation, a value like an option), which
    the parser then reads with its messages. Opening the app is the common case, and
    importing argparse cost its first paint about 2 ms (tests/cli hold the two equal)."""
    found: dict[str, str | None] = dict.fromkeys(LAUNCH_OPTIONS.values())
    given: set[str] = set()
    rest = list(words)
    while rest:
        option, equals, joined = rest.pop(0).partition("=")
        if option not in LAUNCH_OPTIONS or option in given:
            return None
        value = joined if equals else (rest.pop(0) if rest else "")
        if not value or value.startswith("-"):
            return None
        given.add(option)
        found[LAUNCH_OPTIONS[option]] = value
    return SimpleNamespace(**found)


def open_app(args: argparse.Namespace | SimpleNamespace) -> int:
    """Open the app; quickly, without the ORM, on a store that needs no migration."""
    with collector_paused():
        return _open_app(args)


def _open_app(args: Any) -> int:
    from panel_tui.store.constants import DEMO_LOGIN
    from panel_tui.store.read.quick_queue import peek

    as_login = getattr(args, "as_login", None)
    head = None if as_login else peek(getattr(args, "db", None))
    if head is not None:
        from panel_tui.store.identity import os_login
        from panel_tui.store.lazy import LazyStore

        demo = head.kind == "demo"
        login = DEMO_LOGIN if demo else os_login()
        return run(LazyStore(getattr(args, "db", None)), login, demo=demo, head=head)

    # New, older or foreign files and database URLs: open (and migrate) first; --as
    # needs the policy's leave.
    from panel_tui.cli.common import acting, open_store

    store = open_store(args)
    demo = store.kind() == "demo"
    login = acting(store, args)
    if demo and not as_login:
        login = DEMO_LOGIN
    return run(store, login, demo=demo)
