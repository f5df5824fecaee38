"""The command line: headless, scriptable; bare ``panel-tui`` opens the app.

Exit codes: 0 done, 1 refused by a rule, 2 bad usage or invalid input.
Textual is imported only when the app opens (cli/app_launch.py), so commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from panel_tui.cli.app_launch import open_app, plain_launch


def main(argv: Sequence[str] | None = None) -> int:
    from panel_tui.rules.errors import DomainError, StoreError

    try:
        _through_the_service_account(argv)
        args: Any = plain_launch(sys.argv[1:] if argv is None else argv)
        handler = None
        if args is None:  # anything but a plain launch: the parser (argparse) reads it
            from panel_tui.cli.parser import app_arguments, command_parser

            args = app_arguments(argv)
        if args is None:  # a command, help, or a mistake: the whole tree says which
            parser = command_parser(argv)  # queue and show: only their part of the tree
            args = parser.parse_args(argv)
            handler = getattr(args, "handler", None)
            if handler is None and getattr(args, "group", None):
                parser.parse_args([args.group, "--help"])
        handler = handler or open_app
        return int(handler(args) or 0)
    except DomainError as exc:
        _error(str(exc))
        return exc.exit_code
    except StoreError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        _error(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
        return 2
    except Exception as exc:
        # A read that went past the Store's transactions (verify, doctor) met a damaged
        # file: the same one line as everywhere else. Anything else is a bug: raise it.
        from panel_tui.store.db import damaged_store
        from panel_tui.store.engine import is_damaged

        if not is_damaged(exc):
            raise
        store_error = damaged_store()
        _error(str(store_error))
        return store_error.exit_code


def _error(message: str) -> None:
    """``output.error``, loaded only to say one: opening the app prints nothing, and
    cli/output.py (with csv and json) cost its first paint about 1.5 ms of import."""
    from panel_tui.cli.output import error

    error(message)


def _through_the_service_account(argv: Sequence[str] | None) -> None:
    """Service mode (site config): a user's command goes through sudo; under sudo, refuse steering.

    Only the real command line (``argv`` None) re-executes: in-process callers
    (tests) stay in their process.
    """
    from panel_tui.service import (
        reexec_through_sudo,
        refuse_steering,
        refuse_strangers,
        service_context,
    )

    words = list(sys.argv[1:] if argv is None else argv)
    if argv is None:
        reexec_through_sudo(words)  # does not return when it hands over to sudo
    context = service_context()
    if context is not None:
        refuse_steering(words, context)
        if not {"-h", "--help", "--version"} & set(words):
            refuse_strangers(context)


if __name__ == "__main__":
    sys.exit(main())
