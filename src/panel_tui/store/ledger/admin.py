"""Administration: creating a store, agencies, people and the installed policy."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from panel_tui.rules.enums import Action
from panel_tui.rules.errors import InvalidInputError, StoreError, TransitionError
from panel_tui.rules.limits import SHORT_MAX, bounded_text
from panel_tui.rules.policy import (
    KNOWN_ROLES,
    OVERRIDE_KINDS,
    Policy,
    check_policy_text,
    parse_policy,
    protection_errors,
)
from panel_tui.store.audit import append_event
from panel_tui.store.constants import DEFAULT_KIND, KIND_KEY, POLICY_KEY, STORE_ID_KEY
from panel_tui.store.db import Store
from panel_tui.store.identity import os_login
from panel_tui.store.ledger.base import Context, LedgerBase
from panel_tui.store.models import Agency, Person, Setting

#: The rule that refuses a change leaving nobody active able to administer the store.
KEEP_ADMINISTRATOR = "rights.keep_administrator"


def _set(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        session.add(row)


def init_store(
    target: str | None,
    admin_login: str,
    admin_name: str,
    *,
    kind: str = "real",
    policy_text: str | None = None,
    at: datetime | None = None,
    existing_ok: bool = False,
) -> Store:
    """Create a store and make ``admin_login`` its administrator.

    ``existing_ok`` (PostgreSQL's init): a store that already has people is left as
    it is (after its migration, if it needed one), marked ``initialised_before``.
    """
    if kind not in ("real", *OVERRIDE_KINDS):
        raise InvalidInputError(f"'{kind}' is not a kind of store (real, test, demo)", field="kind")
    if policy_text is not None:
        check_policy_text(policy_text)
        _refuse_unprotected(parse_policy(policy_text, source="the policy file"), kind)
    store = Store.open(target, create=True)
    from panel_tui.store.ledger.base import utc_now

    when = at or utc_now()
    with store.write() as session:
        people = session.execute(select(func.count()).select_from(Person)).scalar_one()
        if people and existing_ok:
            store.initialised_before = True
            return store  # a PostgreSQL store's owner re-runs init to migrate or grant
        if people:
            store.close()
            raise StoreError(f"{store.label} is already initialised (it has {people} people).")
        _set(session, KIND_KEY, kind)
        store_id = uuid.uuid4().hex
        _set(session, STORE_ID_KEY, store_id)
        if policy_text is not None:
            _set(session, POLICY_KEY, policy_text)
        session.add(Person(login=admin_login, display_name=admin_name, roles="admin"))
        append_event(
            session,
            at=when,
            actor=admin_login,
            real_actor=os_login(),  # who ran init, where the administrator named is not them
            action="init",
            after={
                "kind": kind,
                "store_id": store_id,
                "admin": admin_login,
                "policy": "custom" if policy_text else "default",
            },
        )
    return store


def _refuse_unprotected(policy: Policy, kind: str) -> None:
    """A policy may not switch off what protects the record (rules.policy.protection_errors)."""
    problems = protection_errors(policy, kind)
    if problems:
        key, _, message = problems[0].partition(": ")
        raise InvalidInputError(message, field=key)


def _check_roles(roles: Iterable[str]) -> list[str]:
    cleaned = [r.strip() for r in roles if r.strip()]
    for role in cleaned:
        if role not in KNOWN_ROLES:
            raise InvalidInputError(
                f"unknown role '{role}' (known: {', '.join(sorted(KNOWN_ROLES))})", field="roles"
            )
    if not cleaned:
        raise InvalidInputError("give at least one role", field="roles")
    return cleaned


class Admin(LedgerBase):
    """Changes to agencies, people and policy: the ``administer`` right."""

    def _administer(
        self, body: Callable[[Context], None], at: datetime | None, /, **asked: Any
    ) -> None:
        """The form of an administrator's change: ``body`` run with the ``administer``
        right, on no dispute; ``asked`` is what it was asked, as a refusal records it."""
        self.run(Action.ADMINISTER, None, lambda ctx, _: body(ctx), at=at, asked=asked)

    def add_agency(
        self, code: str, name: str, kind: str = "", *, at: datetime | None = None
    ) -> None:
        code = (code or "").strip().upper()
        if not code.isalnum() or not 2 <= len(code) <= 16:
            raise InvalidInputError("2–16 letters or digits, e.g. CBH", field="code")
        if not bounded_text(name, "name", SHORT_MAX):
            raise InvalidInputError("required", field="name")
        bounded_text(kind, "kind", SHORT_MAX)

        def body(ctx: Context) -> None:
            exists = ctx.session.execute(select(Agency).where(col(Agency.code) == code)).first()
            if exists:
                raise InvalidInputError(f"agency {code} already exists", field="code")
            ctx.session.add(Agency(code=code, name=name.strip(), kind=kind.strip()))
            ctx.event("add_agency", after={"code": code, "name": name.strip(), "kind": kind})

        self._administer(body, at, code=code, name=name, kind=kind)

    def add_person(
        self,
        login: str,
        display_name: str,
        roles: Iterable[str],
        agency: str | None = None,
        *,
        at: datetime | None = None,
    ) -> None:
        login = (login or "").strip()
        if not login or any(c.isspace() for c in login) or len(login) > 64:
            raise InvalidInputError("a login without spaces, at most 64 characters", field="login")
        role_list = _check_roles(roles)
        bounded_text(display_name, "name", SHORT_MAX)

        def body(ctx: Context) -> None:
            exists = ctx.session.execute(select(Person).where(col(Person.login) == login)).first()
            if exists:
                raise InvalidInputError(f"user {login} already exists", field="login")
            agency_row = ctx.agency(agency, "agency") if agency else None
            ctx.session.add(
                Person(
                    login=login,
                    display_name=(display_name or login).strip(),
                    roles=" ".join(role_list),
                    agency_id=agency_row.id if agency_row else None,
                )
            )
            ctx.event(
                "add_person",
                after={
                    "login": login,
                    "roles": role_list,
                    "agency": agency_row.code if agency_row else None,
                },
            )

        self._administer(
            body, at, login=login, display_name=display_name, roles=role_list, agency=agency
        )

    # --- a person's lifecycle: roles and agency, leaving, coming back ------------------
    def set_person(
        self,
        login: str,
        *,
        roles: Iterable[str] | None = None,
        agency: str | None = None,
        display_name: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Change a person's roles, agency (``""`` for none) or name; one audited event."""
        role_list = _check_roles(roles) if roles is not None else None
        if display_name is not None:
            bounded_text(display_name, "name", SHORT_MAX)
        if role_list is None and agency is None and display_name is None:
            raise InvalidInputError("give --roles, --agency or --name to change", field="login")

        def body(ctx: Context) -> None:
            person = _person(ctx, login)
            before = _person_state(ctx, person)
            if role_list is not None:
                person.roles = " ".join(role_list)
            if agency is not None:
                person.agency_id = ctx.agency(agency, "agency").id if agency else None
            if display_name is not None:
                person.display_name = display_name.strip() or person.login
            ctx.session.add(person)
            ctx.session.flush()
            after = _person_state(ctx, person)
            if after == before:
                raise InvalidInputError("nothing changed", field="login")
            _keep_an_administrator(ctx)
            ctx.event("set_person", before=before, after=after)

        self._administer(
            body, at, login=login, roles=role_list, agency=agency, display_name=display_name
        )

    def deactivate(self, login: str, reason: str, *, at: datetime | None = None) -> None:
        """A leaver: refused from their next action on; their history stays."""
        why = bounded_text(reason, "reason", SHORT_MAX)
        if not (why or "").strip():
            raise InvalidInputError("say why (e.g. left the service on 2026-11-30)", field="reason")

        def body(ctx: Context) -> None:
            person = _person(ctx, login)
            if not person.active:
                raise InvalidInputError(f"{person.login} is already inactive", field="login")
            person.active = False
            ctx.session.add(person)
            ctx.session.flush()
            _keep_an_administrator(ctx)
            ctx.event(
                "deactivate_person",
                before={"login": person.login, "active": True},
                after={"login": person.login, "active": False, "reason": why.strip()},
            )

        self._administer(body, at, login=login, reason=reason)

    def reactivate(self, login: str, *, at: datetime | None = None) -> None:
        def body(ctx: Context) -> None:
            person = _person(ctx, login)
            if person.active:
                raise InvalidInputError(f"{person.login} is already active", field="login")
            person.active = True
            ctx.session.add(person)
            ctx.event(
                "reactivate_person",
                before={"login": person.login, "active": False},
                after={"login": person.login, "active": True},
            )

        self._administer(body, at, login=login)

    def set_policy(self, policy_text: str, *, at: datetime | None = None) -> None:
        check_policy_text(policy_text)  # valid TOML may still hide a U+202E in a comment
        policy = parse_policy(policy_text, source="the policy file")

        def body(ctx: Context) -> None:
            kind = ctx.session.get(Setting, KIND_KEY)
            _refuse_unprotected(policy, kind.value if kind else DEFAULT_KIND)
            administer = set(policy.roles_for(Action.ADMINISTER))
            holders = [
                p.login
                for p in ctx.session.execute(select(Person).where(col(Person.active))).scalars()
                if administer & set(p.role_list)
            ]
            if not holders:
                raise TransitionError(
                    f"no active user holds {', '.join(sorted(administer))}: nobody could "
                    "administer the store after this policy; nothing was changed.",
                    hint="Give someone that role first.",
                    rule=KEEP_ADMINISTRATOR,
                )
            before = ctx.session.get(Setting, POLICY_KEY)
            _set(ctx.session, POLICY_KEY, policy_text)
            ctx.event(
                "set_policy",
                before={"custom": before is not None},
                after={"allow_override": policy.identity.allow_override},
            )

        self._administer(body, at, policy_text=policy_text)


def _person(ctx: Context, login: str) -> Person:
    found = (
        ctx.session.execute(select(Person).where(col(Person.login) == (login or "").strip()))
        .scalars()
        .first()
    )
    if found is None:
        raise InvalidInputError(f"no user {login}", field="login")
    return found


def _person_state(ctx: Context, person: Person) -> dict[str, object]:
    agency = ctx.session.get(Agency, person.agency_id) if person.agency_id else None
    return {
        "login": person.login,
        "name": person.display_name,
        "roles": list(person.role_list),
        "agency": agency.code if agency else None,
        "active": person.active,
    }


def _keep_an_administrator(ctx: Context) -> None:
    """Refuse a change that leaves no active person able to administer."""
    administer = set(ctx.policy.roles_for(Action.ADMINISTER))
    people = ctx.session.execute(select(Person).where(col(Person.active))).scalars()
    if not any(administer & set(p.role_list) for p in people):
        raise TransitionError(
            "this would leave nobody active who can administer the store; nothing was changed.",
            hint=f"Give someone else {' or '.join(sorted(administer))} first.",
            rule=KEEP_ADMINISTRATOR,
        )
