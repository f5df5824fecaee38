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
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from panel_tui.store.models import Event

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Stable JSON: sorted keys, no spaces, dates as ISO text."""
    return _ENCODER.encode(value)


def json_default(value: Any) -> Any:
    """A date or time in canonical JSON: its ISO text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in an event")


#: One encoder for every call: ``json.dumps`` with these options builds a new one each
#: time, a sixth of the cost of a small event's JSON (the bulk demo encodes millions).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=json_default)


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
        return hashlib.sha256(self.canonical_text().encode("utf-8")).hexdigest()

    def content(self) -> dict[str, Any]:
        """What the hash covers, by its keys in the hashed JSON."""
        content: dict[str, Any] = {key: getattr(self, name) for name, key in _HASHED_KEYS}
        content["at"] = self.at.isoformat(timespec="microseconds")
        if not self.rows:
            del content["rows"]
        if self.real_actor is None:
            del content["real_actor"]
        return content

    def canonical_text(self) -> str:
        """``canonical(self.content())``, written out key by key when every value is a
        plain str, int or None (as stored events' are): a dict, its sort and the
        encoder's setup per event were a fifth of a bulk demo's hashing. Anything else
        (a bool, an enum) goes through ``canonical``, so the text never differs."""
        parts = []
        for name, prefix in _ORDERED_KEYS:
            value = getattr(self, name)
            if (name == "rows" and not value) or (name == "real_actor" and value is None):
                continue  # left out, as ``content`` leaves them out
            if name == "at":
                value = value.isoformat(timespec="microseconds")
            kind = type(value)
            if kind is str:
                parts.append(prefix + encode_basestring_ascii(value))
            elif kind is int:
                parts.append(prefix + int.__repr__(value))
            elif value is None:
                parts.append(prefix + "null")
            else:
                return canonical(self.content())
        return "{" + ",".join(parts) + "}"

    def row(self) -> Event:
        """The ``event`` row: this content and its hash."""
        from panel_tui.store.models import Event  # the ORM only when a row is made

        return Event(**{n: getattr(self, n) for n in HASHED_COLUMNS}, hash=self.digest())


#: The ``event`` columns a hash covers, in table order (SELECTed in this order too).
HASHED_COLUMNS = tuple(f.name for f in fields(EventContent))
#: Each hashed column and its key in the hashed JSON: ``prev_hash`` is "prev" there
#: (kept: stored hashes depend on it).
_HASHED_KEYS = tuple((name, "prev" if name == "prev_hash" else name) for name in HASHED_COLUMNS)
#: Each hashed column in the order of its key in the canonical (sorted) JSON, with the
#: text that opens its entry there.
_ORDERED_KEYS = tuple((name, f'"{key}":') for name, key in sorted(_HASHED_KEYS, key=lambda k: k[1]))


def event_hash(**content: Any) -> str:
    """The hash of an event with this content (keyword per column, as ``EventContent``)."""
    return EventContent(**content).digest()
