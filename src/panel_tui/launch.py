"""The ``panel-tui`` console script: a service-mode command goes to sudo before anything loads.

On a host whose site config says service mode, a user's ``panel-tui`` only
re-executes itself through ``sudo -u ACCOUNT`` (``service.py``); the process
that does the work is the one sudo starts. Deciding that needs the standard
library and the site config alone, so it happens here, before the command
line's parser and output modules (most of ``panel_tui.cli``'s import time)
are loaded for nothing.
"""

from __future__ import annotations

import sys


def main() -> int:
    from panel_tui.rules.errors import DomainError, StoreError
    from panel_tui.service import reexec_through_sudo

    try:
        reexec_through_sudo(sys.argv[1:])  # does not return when it hands over to sudo
    except (DomainError, StoreError) as exc:
        sys.stderr.write(f"panel-tui: {exc}\n")
        return exc.exit_code
    from panel_tui.cli import main as cli_main

    return cli_main()
