"""Drafts: what a user typed in the dispute form and has not saved, kept outside the store.

There is one draft mechanism. A draft holds only the fields the user changed,
each with the value it started from; it belongs to one store (the store's id,
``Store.identity``) and one dispute (with the version it was read at). It is
written only when something differs from where the user started, and removed
when nothing does. Coming back, it is merged field by field (``merge``): a
field someone else changed since the user started it is a conflict shown to
the user, never overwritten silently. The same merge serves ``ctrl+r`` after a
stale write: what is saved is what is on screen, re-read.

Draft files are private (0600 in a 0700 directory, whatever the umask, through
``store/private_files.py``): they hold what was typed about a person.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from panel_tui.config import drafts_dir
from panel_tui.store.private_files import private_dir, write_private

#: A widget's value: text, a choice's code ("" for none), or a tick.
Value = str | bool


@dataclass
class Draft:
    store: str
    ref: str | None  # None: a new dispute
    version: int | None
    starts: dict[str, Value] = field(default_factory=dict)  # widget id -> value it started at
    values: dict[str, Value] = field(default_factory=dict)  # widget id -> what was typed


@dataclass
class Merged:
    values: dict[str, Value]  # what the form shows now
    theirs: dict[str, Value]  # widget id -> someone else's value, where the user's differs


def merge(
    current: Mapping[str, Value], starts: Mapping[str, Value], mine: Mapping[str, Value]
) -> Merged:
    """Three-way, per field: ``current`` in the store, where the user ``starts``-ed, ``mine``.

    A field the user did not change shows the current value; one only the user
    changed keeps the user's value; one both changed, differently, keeps the
    user's value and is reported with theirs, for the user to choose.
    """
    values: dict[str, Value] = {}
    theirs: dict[str, Value] = {}
    for name, now in current.items():
        start = starts.get(name, now)
        typed = mine.get(name, start)
        if same(typed, start) or same(typed, now):
            values[name] = now
        elif same(now, start):
            values[name] = typed
        else:
            values[name] = typed
            theirs[name] = now
    return Merged(values, theirs)


def same(a: Value, b: Value) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()  # the store keeps the text stripped
    return a == b


def path_for(store_identity: str, ref: str | None) -> Path:
    """One directory per store (named by a hash of its id), one file per dispute."""
    folder = hashlib.sha256(store_identity.encode()).hexdigest()[:16]
    return drafts_dir() / folder / f"{ref or 'new'}.json"


def load(path: Path, store_identity: str, ref: str | None) -> Draft | None:
    """The draft at ``path`` if it is this store's and this dispute's; None otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        draft = Draft(
            store=str(data["store"]),
            ref=data["ref"],
            version=data["version"],
            starts=dict(data["starts"]),
            values=dict(data["values"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # none, or unreadable: a draft is a convenience
    if draft.store != store_identity or draft.ref != ref:
        return None
    return draft


def save(path: Path, draft: Draft) -> None:
    """Write the draft privately; an empty draft removes the file."""
    if not draft.values:
        drop(path)
        return
    data = {
        "store": draft.store,
        "ref": draft.ref,
        "version": draft.version,
        "starts": draft.starts,
        "values": draft.values,
    }
    private_dir(path.parent)  # 0700, whatever the umask
    write_private(path, json.dumps(data))  # 0600 from the first byte


def drop(path: Path) -> None:
    path.unlink(missing_ok=True)
