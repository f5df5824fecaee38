"""The store's own names and defaults, with no imports at all.

Setting keys, store kinds and the demo's login are read by the ORM side
(``db.py``, ``ledger/admin.py``), by the stdlib reader of the app's first paint
(``read/sqlite3_queue.py``) and by the demo; they live here so that none of
those has to import another for a string.
"""

from __future__ import annotations

#: The ``setting`` row holding the installed policy (TOML text).
POLICY_KEY = "policy"
#: The ``setting`` row holding what kind of store this is: "real", "demo" or "test".
KIND_KEY = "store_kind"
#: The ``setting`` row holding a random id made when the store is created: what is kept
#: outside the store (the app's drafts) names it.
STORE_ID_KEY = "store_id"
#: A store without a kind setting is a real one.
DEFAULT_KIND = "real"
#: A demo store opens as its duty lead (the person is made in demo/texts.py).
DEMO_LOGIN = "duty"
