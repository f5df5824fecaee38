"""Every record under the audit chain: events carry the rows they wrote; verify rebuilds them.

Each event stores, beside its human-readable ``before``/``after``, the rows its
operation wrote (``Event.rows``: inserted rows in full, the changed columns of
updated ones, deleted keys), hash-chained with the rest of the event. Rebuilding
the tables is then a pure fold over the events (``fold``), compared with the
tables by plain SELECTs (``verify``). ``registry`` lists the covered tables:
a new record type is one ``Covered`` entry there. ``capture`` collects what an
ORM transaction wrote; ``baseline`` snapshots rows no event proves (migration
0004 brought existing stores over that way).
"""
