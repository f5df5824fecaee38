"""Every text the store writes passes ``rules.text.check_text``: one guard, at flush.

Each entry point (command-line arguments, JSON and CSV import, the app's forms
and dialogs, agency and user names, logins) ends in an ORM flush, so checking
there means no new field or new command can forget it. Only values that are
new or changed are checked: a row an older store already holds with a control
character in it can still be escalated or closed (output escapes what it
holds, see ``rules.text.visible``).

Long texts (TEXT columns and any column longer than ``ONE_LINE_MAX``) may hold
newlines and tabs; shorter columns are one line. Logins and agency codes are
identifiers and refuse every invisible format character too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text, TypeDecorator, event, inspect
from sqlalchemy.orm import Session

from panel_tui.rules.text import check_text

#: Columns up to this length hold one line (names, codes, the consent basis).
ONE_LINE_MAX = 200
#: Tables whose text the store writes itself (canonical JSON, policy TOML).
UNCHECKED_TABLES = frozenset({"event", "setting", "alembic_version"})
#: (table, column) that name someone or something: no invisible characters at all.
IDENTIFIERS = frozenset({("person", "login"), ("agency", "code"), ("dispute", "person_ref")})
#: Column → the name the user typed it under, where the two differ.
FIELD_NAMES = {"display_name": "name", "withdrawn_reason": "reason"}


def _text_type(column: Any) -> String | None:
    """The column's string type (SQLModel wraps it in a TypeDecorator), or None."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl
    return kind if isinstance(kind, String) else None  # Text is a String too


def _multiline(kind: String) -> bool:
    return isinstance(kind, Text) or (kind.length or 0) > ONE_LINE_MAX


def check_row(row: object, *, changed_only: bool) -> None:
    """Refuse a row whose new or changed text holds what ``check_text`` refuses."""
    state = inspect(row)
    table = state.mapper.local_table
    if table.name in UNCHECKED_TABLES:
        return
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        kind = _text_type(column)
        if kind is None:
            continue
        if changed_only and not state.attrs[attr.key].history.has_changes():
            continue
        value = getattr(row, attr.key)
        if isinstance(value, str):
            check_text(
                value,
                FIELD_NAMES.get(attr.key, attr.key),
                multiline=_multiline(kind),
                identifier=(table.name, column.name) in IDENTIFIERS,
            )


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    for row in session.new:
        check_row(row, changed_only=False)
    for row in session.dirty:
        check_row(row, changed_only=True)


def install() -> None:
    """Guard every ORM session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
