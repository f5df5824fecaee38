"""Event content and its hash, with the standard library only.

What an event says (``EventContent``), its canonical JSON and its SHA-256:
the audit chain (``audit``) appends and verifies with these, and the quick
demo builder (``demo/quick.py``) chains its events with them without loading
SQLAlchemy, so the demo is on screen within a second of launch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from panel_tui.store.models import Event

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Stable JSON: sorted keys, no spaces, dates as ISO text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in an event")


@dataclass(frozen=True)
class EventContent:
    """What an event says, and all that its hash covers: every column of ``event`` but
    the hash itself (a test holds the two equal). The row and the hash are both built
    from here, so a field cannot be stored without being hashed, or hashed differently."""

    id: int
    at: datetime
    actor: str
    action: str
    dispute_id: int | None
    dispute_ref: str | None
    stage: int | None
    before: str
    after: str
    prev_hash: str
    #: The rows the event's operation wrote (store/rebuild): what verify rebuilds the
    #: tables from. Empty in events from before schema 0004, which hash as they always did.
    rows: str = ""
    #: The OS login that acted, where it was not ``actor`` (identity override, schema
    #: 0006): None otherwise, and then not hashed, so every older event hashes as before.
    real_actor: str | None = None

    def digest(self) -> str:
        """SHA-256 over the canonical JSON of the content; ``at`` to the microsecond."""
        content: dict[str, Any] = {key: getattr(self, name) for name, key in _HASHED_KEYS}
        content["at"] = self.at.isoformat(timespec="microseconds")
        if not self.rows:
            del content["rows"]
        if self.real_actor is None:
            del content["real_actor"]
        return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()

    def row(self) -> Event:
        """The ``event`` row: this content and its hash."""
        from panel_tui.store.models import Event  # the ORM only when a row is made

        return Event(**{n: getattr(self, n) for n in HASHED_COLUMNS}, hash=self.digest())


#: The ``event`` columns a hash covers, in table order (SELECTed in this order too).
HASHED_COLUMNS = tuple(f.name for f in fields(EventContent))
#: Each hashed column and its key in the hashed JSON: ``prev_hash`` is "prev" there
#: (kept: stored hashes depend on it).
_HASHED_KEYS = tuple((name, "prev" if name == "prev_hash" else name) for name in HASHED_COLUMNS)


def event_hash(**content: Any) -> str:
    """The hash of an event with this content (keyword per column, as ``EventContent``)."""
    return EventContent(**content).digest()
