"""The empty store's schema as SQL text, for the quick demo (``quick.py``).

``schema.sql`` beside this module holds every statement that makes a new
store as the migrations leave it at ``migrate.HEAD``: the tables, indexes and
triggers in the order they were made, the planner's statistics and the
Alembic version row, one statement a line. The quick demo runs it instead of
the migrations (and SQLAlchemy, a second of imports). A test holds it equal to
a migrated store; after adding a migration, write it again with::

    uv run python -m panel_tui.store.demo.schema

A stale file is never used: the quick demo then creates its store through the
migrations (``Store.open``), only slower.

Each statement is written on one line (``one_line``): SQLAlchemy lays a table out a
column a line, which made the file a few hundred lines of column lists alike in
shape, a generated copy of what the migrations already say. One line a statement
keeps it text (a new migration's diff is a line per table, index or trigger it
makes, and ``grep`` finds a whole table) and the quick demo's start as it was; a
demo store's ``sqlite_master`` then holds the one-line text, differing from a
migrated store's in layout only (a test holds the two schemas equal but for it).
"""

from __future__ import annotations

import re
import sys
import tempfile
from importlib import resources
from pathlib import Path

from panel_tui.store.sqlite_driver import sqlite

#: The first line of ``schema.sql`` names the revision it was written at.
MARK = "-- panel-tui schema at revision "
#: Tables whose rows the migrations write (the rest of a new store is empty).
_ROWS = ("alembic_version", "sqlite_stat1", "sqlite_stat4")
#: What SQL quotes: strings and quoted names, whose spaces and newlines are kept. A
#: pattern, not compiled here: only writing the file needs it, not the quick demo.
_QUOTED = r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])"""


def one_line(sql: str) -> str:
    """``sql`` on one line: each line break outside quotes, with the indent around it,
    becomes one space (none just inside parentheses); quoted text is left as it is."""
    parts = re.split(_QUOTED, sql)
    for i in range(0, len(parts), 2):  # the even parts are outside quotes
        if "--" in parts[i] or "/*" in parts[i]:
            # joined to the next line, a comment would swallow it: refuse, never guess
            raise ValueError(f"a comment in the schema's SQL: {sql[:60]!r}")
        text = re.sub(r"\(\s*\n\s*", "(", parts[i])
        text = re.sub(r"\s*\n\s*\)", ")", text)
        parts[i] = re.sub(r"\s*\n\s*", " ", text)
    return "".join(parts)


def dump(path: Path) -> str:
    """The statements that make a store like the (migrated, empty) one at ``path``."""
    conn = sqlite.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        lines = [
            f"{MARK}{revision}",
            "-- Written by `python -m panel_tui.store.demo.schema` from a migrated store;",
            "-- run in one transaction on a new file in WAL mode (quick.py).",
        ]
        made = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        # A virtual table (the live text index, migration 0014) makes its own tables.
        shadows = {
            name
            for (name,) in conn.execute("SELECT name FROM pragma_table_list WHERE type = 'shadow'")
        }
        for name, sql in made:
            if name.startswith("sqlite_stat") or name in shadows:
                continue  # made by ANALYZE, below; made by their virtual table
            lines.append(f"{one_line(sql)};")
        names = {name for name, _ in made}
        if "sqlite_stat1" in names:
            lines.append("ANALYZE sqlite_master;")  # makes the statistics tables, empty
        for table in _ROWS:
            if table not in names:
                continue
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            quoted = " || ',' || ".join(f"quote({c})" for c in columns)
            for (values,) in conn.execute(
                f"SELECT {quoted} FROM {table} ORDER BY rowid"  # noqa: S608 - names above
            ):
                lines.append(f"INSERT INTO {table} VALUES ({values});")
        return "\n".join(lines) + "\n"
    finally:
        conn.close()


def shipped() -> str:
    """The ``schema.sql`` shipped with this release."""
    return resources.files("panel_tui.store.demo").joinpath("schema.sql").read_text()


def revision_of(script: str) -> str | None:
    """The revision a schema script was written at (its first line), or None."""
    first = script.split("\n", 1)[0]
    return first.removeprefix(MARK) if first.startswith(MARK) else None


def migrated_dump() -> str:
    """``dump`` of a new store made through the migrations, in a scratch directory."""
    from panel_tui.store.db import Store

    with tempfile.TemporaryDirectory(prefix="panel-tui-schema-") as scratch:
        path = Path(scratch) / "empty.db"
        Store.open(str(path), create=True).close()
        return dump(path)


def main() -> int:
    target = Path(__file__).with_name("schema.sql")
    target.write_text(migrated_dump())
    sys.stderr.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
