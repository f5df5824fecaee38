"""The command line: headless, scriptable; bare ``panel-tui`` opens the app.

Exit codes: 0 done, 1 refused by a rule, 2 bad usage or invalid input.
Textual is imported only when the app opens, so commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from panel_tui.cli.output import error
from panel_tui.cli.parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        if getattr(args, "group", None):
            parser.parse_args([args.group, "--help"])
        handler = open_app
    from panel_tui.rules.errors import DomainError, StoreError

    try:
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


def open_app(args: object) -> int:
    from panel_tui.cli.common import acting, open_store
    from panel_tui.store.demo import DEMO_LOGIN

    store = open_store(args)  # type: ignore[arg-type]
    demo = store.kind() == "demo"
    login = acting(store, args)  # type: ignore[arg-type]
    if demo and not getattr(args, "as_login", None):
        login = DEMO_LOGIN
    from panel_tui.app import run_app

    run_app(store, login, demo=demo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
