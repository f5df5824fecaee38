"""The read path: read models, and the readers that fill them.

Two kinds of reader:

* ``quick_queue.py`` reads the queue's page (the app's first paint and the
  ``queue`` command) without SQLAlchemy: ``queue_sql.py``'s SQL text on the bare
  driver, ``sqlite3_queue.py`` (SQLite) or ``psycopg_queue.py`` (PostgreSQL), so
  none of them may import SQLAlchemy;
* ``orm_queries.py`` (the queue, people, agencies) and ``orm_detail.py`` (one
  dispute in full) read through the ORM, in one read transaction each.

The read models say what they show: ``queue_models.py`` (a queue page; cheap to
import), ``dispute_models.py`` (one dispute), ``people_models.py`` (people and
agencies). Nothing here changes the store: that is ``store/ledger/``.
"""
