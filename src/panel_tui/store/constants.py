"""The store's own names and defaults, with no imports at all.

Setting keys, store kinds and the demo's login are read by the ORM side
(``db.py``, ``ledger/admin.py``), by the stdlib reader of the app's first paint
(``read/queue_sql.py``) and by the demo; they live here so that none of
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

#: The statuses of the live sections and of Closed, as SQL: the partial indexes of
#: migration 0009 hold just these rows, and a query uses one only when its WHERE
#: repeats the same condition word for word (constants, not bound parameters).
LIVE_WHERE = "status IN ('open', 'decided')"
DONE_WHERE = "status IN ('closed', 'withdrawn')"
#: Always true of a live dispute, and the first column of the live order's index
#: (migration 0009): with it in the WHERE, SQLite walks that index in order for a
#: page instead of reading every live row through the status index and sorting.
LIVE_ORDER_TERM = "(current_due_at IS NULL) IN (0, 1)"
#: What a resolved dispute always has (the ledger sets it with the status, import
#: requires it): said in Closed's WHERE, it steers SQLite onto the closed order's
#: index, which it otherwise leaves for the status index and a sort of every match.
DONE_ORDER_TERM = "resolved_at IS NOT NULL"
#: The indexes each section's rows are read in order along.
LIVE_ORDER_INDEX = "ix_dispute_live_order"
DONE_ORDER_INDEX = "ix_dispute_closed_order"
