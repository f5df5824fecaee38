"""The command line: headless, scriptable; bare ``panel-tui`` opens the app.

Exit codes: 0 done, 1 refused by a rule, 2 bad usage or invalid input.
Textual is imported only when the app opens, so commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from panel_tui.cli.output import error
from panel_tui.cli.parser import app_arguments, build_parser


def main(argv: Sequence[str] | None = None) -> int:
    from panel_tui.rules.errors import DomainError, StoreError

    try:
        _through_the_service_account(argv)
        args = app_arguments(argv)
        handler = None
        if args is None:  # a command, help, or a mistake: the whole tree says which
            parser = build_parser()
            args = parser.parse_args(argv)
            handler = getattr(args, "handler", None)
            if handler is None and getattr(args, "group", None):
                parser.parse_args([args.group, "--help"])
        handler = handler or open_app
        return int(handler(args) or 0)
    except DomainError as exc:
        error(str(exc))
        return exc.exit_code
    except StoreError as exc:
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        error(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
        return 2
    except Exception as exc:
        # A read that went past the Store's transactions (verify, doctor) met a damaged
        # file: the same one line as everywhere else. Anything else is a bug: raise it.
        from panel_tui.store.db import damaged_store
        from panel_tui.store.engine import is_damaged

        if not is_damaged(exc):
            raise
        store_error = damaged_store()
        error(str(store_error))
        return store_error.exit_code


def _through_the_service_account(argv: Sequence[str] | None) -> None:
    """Service mode (site config): a user's command goes through sudo; under sudo, refuse steering.

    Only the real command line (``argv`` None) re-executes: in-process callers
    (tests) stay in their process.
    """
    from panel_tui.service import reexec_through_sudo, refuse_steering, service_context

    words = list(sys.argv[1:] if argv is None else argv)
    if argv is None:
        reexec_through_sudo(words)  # does not return when it hands over to sudo
    context = service_context()
    if context is not None:
        refuse_steering(words, context)


def open_app(args: object) -> int:
    """Open the app; quickly, without the ORM, on a store that needs no migration."""
    from panel_tui.store.constants import DEMO_LOGIN
    from panel_tui.store.read.sqlite3_queue import peek

    as_login = getattr(args, "as_login", None)
    head = None if as_login else peek(getattr(args, "db", None))
    if head is not None:
        from panel_tui.app import run_app
        from panel_tui.store.identity import os_login
        from panel_tui.store.lazy import LazyStore

        demo = head.kind == "demo"
        login = DEMO_LOGIN if demo else os_login()
        return run_app(LazyStore(getattr(args, "db", None)), login, demo=demo, head=head)

    # New, older or foreign files and database URLs: open (and migrate) first; --as
    # needs the policy's leave.
    from panel_tui.cli.common import acting, open_store

    store = open_store(args)  # type: ignore[arg-type]
    demo = store.kind() == "demo"
    login = acting(store, args)  # type: ignore[arg-type]
    if demo and not as_login:
        login = DEMO_LOGIN
    from panel_tui.app import run_app

    return run_app(store, login, demo=demo)


if __name__ == "__main__":
    sys.exit(main())
