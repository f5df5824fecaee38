"""SQLite: a trigram index over the live disputes' searched text (issue 13)

The queue's free-text filter is a case-blind substring match over six fields
(``queue_models.TEXT_COLUMNS``). A common word finds a page of matches in the
first few hundred live rows of the urgency order and stops; a rare or absent
one read every live row with six LIKEs before it knew the page was short
(86-120 ms of CPU at 1,000,000 disputes, 50,000 live). ``live_text`` is an
FTS5 trigram index of those six fields for the live (open and decided)
disputes only: the readers ask it first for at most a few thousand candidate
ids, and when a term is that rare read just those rows (``store/read/
live_text.py``), still checked with the same LIKE, so the rows are exactly
the scan's. Closed disputes are never in it (an index over every dispute made
common terms slower: it returned the closed history's matches, and grew the
file by a quarter).

Triggers keep it: a dispute enters it when it is written live, leaves it when
it is closed or withdrawn (and enters again if reopened), and is indexed again
when one of its six fields changes; a write that touches none of them (a
stage move, a note) does not fire them. They fire for every writer alike:
the Ledger, the demo's bulk INSERTs, imports and restores. Existing live
disputes are indexed here.

PostgreSQL keeps the ordered scan (its planner already stops early for a
common term; a pg_trgm index needs an extension a store's owner may not be
allowed to create). A SQLite built without FTS5's trigram tokenizer (before
3.34) gets no index: the readers then scan, as before.

Revision ID: 0014_live_text_index
Revises: 0013_live_order_filters
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0014_live_text_index"
down_revision = "0013_live_order_filters"
branch_labels = None
depends_on = None

TABLE = "live_text"
LIVE = "status IN ('open', 'decided')"
#: queue_models.TEXT_COLUMNS at this revision (a migration does not follow later changes)
COLUMNS = (
    "ref",
    "person_ref",
    "agencies_label",
    "problem_statement",
    "rule_conflict",
    "proposed_pathway",
)


def _has_trigram() -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34 and later)."""
    from sqlalchemy import exc, text

    bind = op.get_bind()
    try:
        bind.execute(
            text("CREATE VIRTUAL TABLE temp.live_text_probe USING fts5(a, tokenize='trigram')")
        )
    except exc.OperationalError:
        return False
    bind.execute(text("DROP TABLE temp.live_text_probe"))
    return True


def _row(prefix: str) -> str:
    return ", ".join(f"{prefix}.{c}" for c in COLUMNS)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite" or not _has_trigram():
        return
    names = ", ".join(COLUMNS)
    op.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5({names}, tokenize='trigram')")
    op.execute(f"INSERT INTO {TABLE} (rowid, {names}) SELECT id, {names} FROM dispute WHERE {LIVE}")
    op.execute(
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON dispute WHEN new.{LIVE} BEGIN "
        f"INSERT INTO {TABLE} (rowid, {names}) VALUES (new.id, {_row('new')}); END"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON dispute WHEN old.{LIVE} BEGIN "
        f"DELETE FROM {TABLE} WHERE rowid = old.id; END"
    )
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("id", *COLUMNS))
    op.execute(
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF id, status, {names} ON dispute "
        f"WHEN (old.{LIVE}) IS NOT (new.{LIVE}) OR (new.{LIVE} AND ({changed})) BEGIN "
        f"DELETE FROM {TABLE} WHERE rowid = old.id; "
        f"INSERT INTO {TABLE} (rowid, {names}) SELECT new.id, {_row('new')} WHERE new.{LIVE}; "
        "END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
