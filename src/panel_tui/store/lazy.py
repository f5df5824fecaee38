"""A Store opened on first use, by whichever thread asks first; the others wait for it.

The app starts on a quick read of the store (``read/quick_queue.py``) and opens the
Store in a thread worker after the first paint. A screen that needs the store
sooner simply waits for the same opening: there is only ever one Store.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from panel_tui.store.db import Store


class LazyStore:
    def __init__(self, target: str | None) -> None:
        self._target = target
        self._store: Store | None = None
        self._lock = threading.Lock()

    @classmethod
    def ready(cls, store: Store) -> LazyStore:
        """One already open (tests, and stores that needed a migration first)."""
        lazy = cls(store.url)
        lazy._store = store
        return lazy

    @property
    def is_open(self) -> bool:
        return self._store is not None

    def get(self) -> Store:
        """The Store, opening it now if nobody has (a failed open is tried again next time)."""
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                from panel_tui.store.db import Store

                self._store = Store.open(self._target)
            return self._store
