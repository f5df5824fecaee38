"""Domain errors: each says what was refused, why, and what to do next."""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """A rule refused an operation. CLI exit code 1."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, rule: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: the rule that refused, as the audit trail names it (e.g. "rights.rung")
        self.rule = rule

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class RightsError(DomainError):
    """The actor's roles do not allow the action."""


class TransitionError(DomainError):
    """The dispute's current state does not allow the action."""


class NotFoundError(DomainError):
    """A referenced record does not exist."""


class StaleWriteError(DomainError):
    """Someone else changed the record since it was read."""

    def __init__(
        self,
        record: str,
        *,
        changed_by: str | None,
        changed_at: datetime | None,
        current_version: int,
    ) -> None:
        who = changed_by or "another user"
        when = f" at {changed_at.isoformat(timespec='seconds')}" if changed_at else ""
        super().__init__(
            f"{record} was changed by {who}{when} since you opened it; nothing was saved.",
            hint="Reload it and apply your change again.",
        )
        self.record = record
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version


class InvalidInputError(DomainError):
    """Input failed validation. CLI exit code 2. ``field`` names what is wrong."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None):
        where = []
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field '{field}'")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(prefix + message)
        self.field = field
        self.row = row


class StoreError(Exception):
    """The store cannot be used (locked, newer schema, network filesystem, corrupt)."""

    exit_code = 2


class StoreBusyError(StoreError):
    """Another writer held the store for longer than the busy timeout: worth retrying.

    Raised by the store where SQLite reports SQLITE_BUSY or SQLITE_LOCKED, so a
    caller that retries keys on this type, never on the wording of a message.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "the store is busy: another user held it for longer than 10 seconds. "
            "Nothing was saved; try again."
        )
