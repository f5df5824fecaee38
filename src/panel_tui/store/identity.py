"""Who is acting: the OS login of the process, from the password database.

$USER is not trusted (anyone can set it). Under the service account (sudo,
``service.py``) the person is the one sudo names, SUDO_UID, believed only
because the real uid is the account's. ``--as LOGIN`` is honoured only when
the store's policy allows identity override (demo and test stores), and never
through the service account.
"""

from __future__ import annotations

import contextlib
import os
import pwd
from typing import TYPE_CHECKING

from panel_tui.rules.errors import RightsError

if TYPE_CHECKING:  # the app's quick start asks for os_login() before the ORM is loaded
    from panel_tui.store.db import Store


def _person() -> pwd.struct_passwd:
    from panel_tui.service import service_context

    context = service_context()
    return pwd.getpwuid(context.uid if context else os.getuid())


def os_login() -> str:
    """The real person: the process's OS login, or who ran it through the service account."""
    return _person().pw_name


def os_display_name() -> str:
    entry = _person()
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
        refusal = RightsError(
            f"--as {as_login} refused: this store does not allow acting as someone else.",
            hint="Only demo and test stores allow identity override; you act as your OS login.",
            rule="identity.override",
        )
        _record_refused_override(store, me, as_login, refusal)
        raise refusal
    return as_login, me


def _record_refused_override(store: Store, me: str, claimed: str, refusal: RightsError) -> None:
    """An attempt to act as someone else is audited like any refusal by a rule: on a
    store shared by the parties to a dispute, it is the attempt oversight most needs
    to see. A user who may not write the store is still refused, just not recorded."""
    from sqlalchemy.exc import OperationalError

    from panel_tui.rules.errors import StoreError
    from panel_tui.store.ledger.base import LedgerBase, utc_now

    with contextlib.suppress(OperationalError, StoreError):
        LedgerBase(store, me).record_refusal(
            "act_as", None, refusal, utc_now(), {"as": claimed[:64]}
        )
