"""The ledger's write path: one transaction per change, rights and state checked.

Every operation runs in one IMMEDIATE write transaction that also appends its
event to the hash chain. A refusal by a rule (rights, state, a stale write)
rolls the change back and records only a "refused" event; invalid input writes
nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col

from panel_tui.rules import rights
from panel_tui.rules.enums import Action
from panel_tui.rules.errors import (
    DomainError,
    InvalidInputError,
    NotFoundError,
    RightsError,
    StaleWriteError,
    StoreBusyError,
    StoreError,
)
from panel_tui.rules.policy import RUNG_ACTIONS, Policy
from panel_tui.store.audit import append_event
from panel_tui.store.db import Store
from panel_tui.store.engine import (
    SQLITE_FULL,
    SQLITE_READONLY,
    is_busy,
    sqlite_code,
)
from panel_tui.store.files import read_only_message
from panel_tui.store.identity import os_login
from panel_tui.store.lookup import find_dispute
from panel_tui.store.models import Agency, Dispute, Event, Person

T = TypeVar("T")

#: Events that do not change a dispute's version, so never the cause of a stale write.
UNVERSIONED_ACTIONS = ("refused", "add_note")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """What an operation body gets: the session, who acts, when, under which policy."""

    session: Session
    actor: Person
    at: datetime
    policy: Policy
    #: The OS login that really acts (recorded on events where it is not ``actor``).
    real_login: str | None = None

    def event(
        self,
        action: str,
        dispute: Dispute | None = None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        stage: int | None = None,
    ) -> Event:
        return append_event(
            self.session,
            at=self.at,
            actor=self.actor.login,
            action=action,
            dispute_id=dispute.id if dispute else None,
            dispute_ref=dispute.ref if dispute else None,
            stage=stage if stage is not None else (dispute.current_stage if dispute else None),
            before=before,
            after=after,
            real_actor=self.real_login,
        )

    def agency(self, code: str, field: str) -> Agency:
        code = (code or "").strip().upper()
        found = (
            self.session.execute(select(Agency).where(col(Agency.code) == code)).scalars().first()
        )
        if found is None:
            raise InvalidInputError(f"unknown agency '{code}'", field=field)
        return found

    def person(self, login: str, field: str) -> Person:
        found = (
            self.session.execute(select(Person).where(col(Person.login) == login)).scalars().first()
        )
        if found is None or not found.active:
            raise InvalidInputError(f"unknown or inactive person '{login}'", field=field)
        return found

    def capacity(self, action: Action, dispute: Dispute | None = None) -> str:
        """The role in which the actor takes ``action`` (the first that grants it; for
        a rung's action, the first that the dispute's current rung grants)."""
        granted = self.policy.roles_for(action)
        if dispute is not None and action.value in RUNG_ACTIONS:
            granted = self.policy.rung_roles(action, dispute.current_stage, dispute.dispute_type)
        return next((r for r in self.actor.role_list if r in granted), "")


#: Rules a replay of a recorded dispute log does not apply: the log records who
#: decided and accepted at the time (kept as notes), not people of this store.
HISTORY_EXEMPT = (rights.RULE_RUNG, rights.RULE_RECEIVING_AGENCY)


class LedgerBase:
    """Shared machinery of the ledger; the operations live in the modules beside it."""

    #: Set by the CSV import, which replays a log as the importer (see HISTORY_EXEMPT).
    replaying_history = False
    #: Set by the imports: records kept before the impact on the person was asked
    #: (CSV logs, exports older than 0011) escalate without one (ladder.py).
    records_may_lack_impact = False
    #: Set where an action's right is borrowed for another purpose (the panel's
    #: agenda: who may decide may order the agenda, whatever rung each item is on).
    rights_by_role_only = False

    def __init__(
        self,
        store: Store,
        login: str,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.login = login
        self.clock = clock
        # Who really acts, whatever login is claimed: taken from the OS here, in the
        # store, so that no caller can leave it out of the events it writes.
        self.real_login = os_login()
        self._batch: Session | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run every operation inside one write transaction: all of them land, or none.

        Used by import (validate everything, write nothing on a bad row) and the demo.
        A refusal inside a batch rolls the whole batch back; no refusal event is kept.
        """
        if self._batch is not None:
            raise RuntimeError("batches do not nest")
        with self.store.write() as session:
            self._batch = session
            try:
                yield
            finally:
                self._batch = None

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        if self._batch is not None:
            with self._batch.begin_nested():
                yield self._batch
        else:
            with self.store.write() as session:
                yield session

    # --- lookup helpers -----------------------------------------------------
    find_dispute = staticmethod(find_dispute)

    def person_acting(self, session: Session) -> Person:
        """The person ``login`` names, refused if not a user or deactivated (every write asks)."""
        person = (
            session.execute(select(Person).where(col(Person.login) == self.login)).scalars().first()
        )
        if person is None:
            raise NotFoundError(
                f"{self.login} is not a user of this store.",
                hint="An administrator can add you with `panel-tui users add`.",
            )
        if not person.active:  # checked on every write: a running app is refused too
            raise NotFoundError(
                f"{self.login} has been deactivated on this store: nothing was saved.",
                hint="An administrator can reactivate you with `panel-tui users reactivate`.",
            )
        return person

    @staticmethod
    def _check_version(session: Session, dispute: Dispute, expected: int | None) -> None:
        if expected is None or dispute.version == expected:
            return
        if not 1 <= expected <= dispute.version:  # a typing mistake, not someone else's change
            raise InvalidInputError(
                f"{dispute.ref} has no version {expected}: it is at version {dispute.version}",
                field="expected_version",
            )
        # Name the last change: refusals and notes leave the version as it was.
        last = session.execute(
            select(col(Event.actor), col(Event.at))
            .where(
                col(Event.dispute_id) == dispute.id, col(Event.action).not_in(UNVERSIONED_ACTIONS)
            )
            .order_by(col(Event.id).desc())
            .limit(1)
        ).first()
        raise StaleWriteError(
            f"Dispute {dispute.ref}",
            changed_by=last[0] if last else None,
            changed_at=last[1] if last else None,
            current_version=dispute.version,
        )

    # --- the transaction template ---------------------------------------------
    def run(
        self,
        action: Action,
        ref: str | None,
        body: Callable[[Context, Dispute | None], T],
        *,
        expected_version: int | None = None,
        at: datetime | None = None,
        asked: Mapping[str, Any] | None = None,
    ) -> T:
        """Check rights and version, run ``body``, all in one write transaction.

        ``asked`` is what the operation was asked to do (its arguments): a refusal
        records it, so the audit trail shows what was refused, not only that it was.
        """
        moment = at or self.clock()
        if moment.tzinfo is None or moment.utcoffset() is None:
            # astimezone() would silently read a naive time as this machine's local time.
            raise InvalidInputError("give the time with its time zone", field="at")
        when = moment.astimezone(UTC)
        if self._batch is not None:
            try:
                with self._transaction() as session:
                    return self._apply(action, ref, body, session, when, expected_version)
            except OperationalError as exc:
                raise write_refused(exc, self.store.path) from None
        try:
            with self.store.write() as session:
                return self._apply(action, ref, body, session, when, expected_version)
        except StaleDataError:
            err = self._stale_after_race(ref)
            self.record_refusal(action, ref, err, when, _asking(asked, expected_version))
            raise err from None
        except (InvalidInputError, NotFoundError):
            raise  # bad input writes nothing
        except DomainError as err:
            self.record_refusal(action, ref, err, when, _asking(asked, expected_version))
            raise
        except OperationalError as exc:
            raise write_refused(exc, self.store.path) from None

    def on_dispute(
        self,
        action: Action,
        ref: str,
        body: Callable[[Context, Dispute], T],
        expected_version: int | None = None,
        at: datetime | None = None,
        /,
        **asked: Any,
    ) -> T:
        """The form of an operation on one dispute: ``body`` changes dispute ``ref`` as
        ``action`` through ``run`` (one transaction, the rights and version checked);
        ``asked`` is what the operation was asked, as a refusal records it.

        What an operation says itself is only what is its own: its input checks
        (before this call: bad input opens no transaction), its action, what it was
        asked, and its change in ``body``. Whether the dispute's state takes the action
        (live only, not withdrawn) is the rights' to say (rules/rights.py), before it.
        """

        def on_the_dispute(ctx: Context, dispute: Dispute | None) -> T:
            assert dispute is not None  # run found it by its ref, or refused the ref
            return body(ctx, dispute)

        return self.run(
            action, ref, on_the_dispute, expected_version=expected_version, at=at, asked=asked
        )

    def _apply(
        self,
        action: Action,
        ref: str | None,
        body: Callable[[Context, Dispute | None], T],
        session: Session,
        when: datetime,
        expected_version: int | None,
    ) -> T:
        policy = self.store.policy(session)
        actor = self.person_acting(session)
        dispute = self.find_dispute(session, ref) if ref is not None else None
        if dispute is not None:
            self._check_version(session, dispute, expected_version)
        verdict = rights.may(
            policy,
            self.actor_of(session, actor),
            action,
            dispute_facts(session, policy, dispute, when)
            if dispute is not None and not self.rights_by_role_only
            else None,
        )
        if not verdict and not (self.replaying_history and verdict.rule in HISTORY_EXEMPT):
            verdict.raise_if_refused()
        result = body(Context(session, actor, when, policy, self.real_login), dispute)
        session.flush()
        return result

    @staticmethod
    def actor_of(session: Session, person: Person) -> rights.Actor:
        agency = session.get(Agency, person.agency_id) if person.agency_id else None
        return rights.Actor(person.login, person.role_list, agency.code if agency else None)

    def _stale_after_race(self, ref: str | None) -> StaleWriteError:
        with self.store.read() as session:
            dispute = self.find_dispute(session, ref) if ref else None
            last = session.execute(
                select(col(Event.actor), col(Event.at)).order_by(col(Event.id).desc()).limit(1)
            ).first()
        return StaleWriteError(
            f"Dispute {ref}" if ref else "The record",
            changed_by=last[0] if last else None,
            changed_at=last[1] if last else None,
            current_version=dispute.version if dispute else 0,
        )

    def record_refusal(
        self,
        action: Action | str,
        ref: str | None,
        err: DomainError,
        when: datetime,
        asked: dict[str, Any],
    ) -> None:
        """Append the refusal to the audit trail; the refused change itself is gone."""
        try:
            with self.store.write() as session:
                dispute = None
                if ref:
                    dispute = (
                        session.execute(
                            select(Dispute).where(col(Dispute.ref) == ref.strip().upper())
                        )
                        .scalars()
                        .first()
                    )
                append_event(
                    session,
                    at=when,
                    actor=self.login,
                    real_actor=self.real_login,
                    action="refused",
                    dispute_id=dispute.id if dispute else None,
                    dispute_ref=dispute.ref if dispute else None,
                    stage=dispute.current_stage if dispute else None,
                    after={
                        "action": str(action),
                        "rule": refusal_rule(err),
                        "reason": err.message,
                        "asked": asked,
                    },
                )
        except OperationalError:
            pass  # the refusal itself still reaches the user

    def next_ref(self, session: Session, year: int) -> str:
        """D-YYYY-NNNN from a per-year counter, inside the write transaction."""
        from panel_tui.store.models import Setting

        key = f"ref_seq:{year}"
        row = session.get(Setting, key)
        if row is None:
            # The highest number in use, not a count: refs may have gaps.
            prefix = f"D-{year}-"
            highest = session.execute(
                select(func.max(cast(func.substr(Dispute.ref, len(prefix) + 1), Integer))).where(
                    col(Dispute.ref).like(f"{prefix}%")
                )
            ).scalar_one()
            row = Setting(key=key, value=str(highest or 0))
            session.add(row)
        number = int(row.value) + 1
        row.value = str(number)
        return f"D-{year}-{number:04d}"


def dispute_facts(
    session: Session, policy: Policy, dispute: Dispute, at: datetime
) -> rights.DisputeFacts:
    """What the rights depend on, read inside the transaction that acts on them."""
    from panel_tui.rules.clocks import liaison_of, utc
    from panel_tui.rules.enums import PackageStatus, Stage, Status
    from panel_tui.store.models import Decision, ProvisionalPackage, StageRecord

    receiving = None
    if dispute.status == Status.DECIDED.value:
        receiving = session.execute(
            select(col(Agency.code))
            .join(Decision, col(Decision.receiving_agency_id) == col(Agency.id))
            .where(col(Decision.dispute_id) == dispute.id)
            .order_by(col(Decision.id).desc())
            .limit(1)
        ).scalar_one_or_none()
    stage3 = session.execute(
        select(StageRecord).where(
            col(StageRecord.dispute_id) == dispute.id,
            col(StageRecord.stage) == int(Stage.FINAL_AUTHORITY),
        )
    ).scalar_one_or_none()
    live = Status(dispute.status).is_live
    package = session.execute(
        select(col(ProvisionalPackage.ends_at)).where(
            col(ProvisionalPackage.dispute_id) == dispute.id,
            col(ProvisionalPackage.status) == PackageStatus.ACTIVE.value,
        )
    ).first()
    return rights.DisputeFacts(
        ref=dispute.ref,
        dispute_type=dispute.dispute_type,
        status=dispute.status,
        stage=dispute.current_stage,
        receiving_agency=receiving,
        liaison=live and liaison_of(policy, dispute, stage3, at),
        active_package=package is not None,
        package_expired=package is not None and utc(package.ends_at) <= utc(at),
    )


def _asking(asked: Mapping[str, Any] | None, expected_version: int | None) -> dict[str, Any]:
    """What a refused operation was asked, as its event records it: the values given
    (those left out are not listed) and the version the asker had read."""
    given = {key: value for key, value in (asked or {}).items() if value not in (None, "")}
    if expected_version is not None:
        given["expected_version"] = expected_version
    # As JSON holds it (times as ISO text, anything else as its text): recording a
    # refusal must never fail on a value the operation itself would have refused.
    return json.loads(json.dumps(given, default=_as_text))


def _as_text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def refusal_rule(err: DomainError) -> str:
    """The rule a refusal names in the audit trail: its own, else its kind's."""
    if err.rule:
        return err.rule
    if isinstance(err, StaleWriteError):
        return "version.stale"
    if isinstance(err, RightsError):
        return "rights.role"
    return "lifecycle.state"


def write_refused(exc: OperationalError, path: Path | None = None) -> StoreError:
    """The database's refusal of a write, for people; a busy store is its own type."""
    code = sqlite_code(exc)
    if is_busy(exc):  # SQLITE_BUSY/LOCKED, or PostgreSQL's lock timeout, deadlock, lost link
        return StoreBusyError()
    if code == SQLITE_READONLY:
        return StoreError(read_only_message(path))  # names the file at fault
    if code == SQLITE_FULL:
        return StoreError("the disk holding the store is full: nothing was saved. Free some space.")
    return StoreError(f"the store refused the write ({exc.orig}); nothing was saved.")
