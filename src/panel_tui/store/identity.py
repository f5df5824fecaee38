"""Who is acting: the OS login of the process, from the password database.

$USER is not trusted (anyone can set it). ``--as LOGIN`` is honoured only when
the store's policy allows identity override (demo and test stores).
"""

from __future__ import annotations

import os
import pwd
from typing import TYPE_CHECKING

from panel_tui.rules.errors import RightsError

if TYPE_CHECKING:  # the app's quick start asks for os_login() before the ORM is loaded
    from panel_tui.store.db import Store


def os_login() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def os_display_name() -> str:
    entry = pwd.getpwuid(os.getuid())
    gecos = entry.pw_gecos.split(",")[0].strip()
    return gecos or entry.pw_name


def acting_login(store: Store, as_login: str | None) -> str:
    """The login to act as (see ``identity``)."""
    return identity(store, as_login)[0]


def identity(store: Store, as_login: str | None) -> tuple[str, str]:
    """(acting login, real OS login): the one function that decides who acts.

    ``--as`` is refused unless the store is a demo or test store whose policy
    allows identity override; where it is honoured, events record the real
    login beside the claimed one.
    """
    from panel_tui.rules.policy import OVERRIDE_KINDS  # pydantic: not at the quick start

    me = os_login()
    if not as_login or as_login == me:
        return me, me
    if not store.policy().identity.allow_override or store.kind() not in OVERRIDE_KINDS:
        raise RightsError(
            f"--as {as_login} refused: this store does not allow acting as someone else.",
            hint="Only demo and test stores allow identity override; you act as your OS login.",
        )
    return as_login, me
