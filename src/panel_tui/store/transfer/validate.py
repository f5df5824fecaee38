"""Checks shared by both importers: times, dates, choices, names, refusals.

Each helper either returns the clean value or raises an ``InvalidInputError``
naming the imported dispute (its 1-based row) and the field, so a bad import
says exactly what to fix and writes nothing. ``with_row`` relabels a refusal
raised while replaying with the row and step it came from.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from panel_tui.rules.errors import DomainError, InvalidInputError, StaleWriteError


def parse_time(value: Any, row: int | None, name: str, *, required: bool = True) -> datetime | None:
    if value in (None, ""):
        if required:
            raise InvalidInputError("required: a time with its offset", field=name, row=row)
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInputError(
            f"'{value}' is not an ISO-8601 time (e.g. 2026-03-02T09:00:00+00:00)",
            field=name,
            row=row,
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError(
            f"'{value}' has no time zone: give its offset, e.g. +00:00", field=name, row=row
        )
    return moment.astimezone(UTC)


def parse_present(value: Any, row: int | None, name: str) -> bool:
    """An evidence item's ``present``: true or false (absent when never stated).

    ``bool("no")`` is True, so a text here is refused rather than read as present.
    """
    if value is None or isinstance(value, bool):
        return bool(value)
    raise InvalidInputError(f"must be true or false, not {value!r}", field=name, row=row)


def parse_date(value: Any, row: int | None, name: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInputError(
            f"'{value}' is not a date (YYYY-MM-DD)", field=name, row=row
        ) from None


def parse_choice(value: Any, options: tuple[str, ...], row: int | None, name: str) -> str:
    text = str(value or "").strip()
    if text not in options:
        raise InvalidInputError(f"must be one of: {', '.join(options)}", field=name, row=row)
    return text


def with_row(err: DomainError, row: int, where: str, ref: str | None = None) -> DomainError:
    """The same refusal, saying which imported dispute and step it came from."""
    if isinstance(err, InvalidInputError):
        message = err.message
        if err.field and message.startswith(f"field '{err.field}': "):
            message = message[len(f"field '{err.field}': ") :]
        return InvalidInputError(
            message, field=f"{where}.{err.field}" if err.field else where, row=row
        )
    label = f"row {row} ({where}{', ' + ref if ref else ''})"
    if isinstance(err, StaleWriteError):
        return DomainError(f"{label}: {err.message}", hint=err.hint)
    return type(err)(f"{label}: {err.message}", hint=err.hint)


def known_values(doc: dict[str, Any], key: str, ident: str, store_values: set[str]) -> set[str]:
    items = doc.get(key) or []
    if not isinstance(items, list):
        raise InvalidInputError("must be a list", field=key)
    found = set(store_values)
    for i, item in enumerate(items):
        value = item.get(ident) if isinstance(item, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(f"each entry needs a '{ident}'", field=f"{key}[{i}]")
        found.add(str(item[ident]).strip().upper() if key == "agencies" else str(item[ident]))
    return found
