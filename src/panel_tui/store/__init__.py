"""The ledger's store: every rule enforced, every change audited.

Laid out by direction:

* the foundation, here: ``constants`` (setting keys, no imports), ``files``
  (where the store is, stdlib only), ``engine`` and ``types`` (SQLite
  settings), ``models`` (tables), ``migrate`` and ``migrations/``, ``db``
  (``Store``: opening, policy, transactions), ``audit`` (the hash chain),
  ``identity`` (who is acting), ``lookup`` (finding a dispute by reference),
  ``lazy`` and ``maintenance`` (backups, doctor);
* ``ledger/``: the write path (``Ledger``, ``Admin``, ``PanelAgenda``);
* ``read/``: the read path (the stdlib ``sqlite3`` queue reader, the ORM
  readers, read models, the panel agenda and minutes, the oversight report);
  it never imports ``ledger/``;
* ``transfer/`` (export reads, import replays through the ledger) and
  ``demo/`` (builds demo stores through the ledger and in bulk).

Imports rules/, never Textual, so headless commands start fast.
"""
