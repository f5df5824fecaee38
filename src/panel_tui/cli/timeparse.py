"""Times and durations as people type them on the command line.

``--at`` accepts ISO 8601 (a time without an offset is local time), ``now``,
``today HH:MM``, ``tomorrow HH:MM``, or an offset from now such as ``+24h`` or
``-2d``. Durations: ``90m``, ``24h``, ``2d``, ``1d12h``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from panel_tui.rules.errors import InvalidInputError

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str, field: str = "duration") -> timedelta:
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or not match or not any(match.groups()):
        raise InvalidInputError(
            f"'{text}' is not a duration like 90m, 24h, 2d or 1d12h", field=field
        )
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _local(moment: datetime) -> datetime:
    """A naive time typed by a person is their local time."""
    return moment.astimezone() if moment.tzinfo is None else moment


def parse_time(text: str, field: str = "at", *, now: datetime | None = None) -> datetime:
    """An aware UTC instant from what a person typed."""
    now = now or datetime.now(UTC)
    raw = text.strip()
    lowered = raw.lower()
    if lowered == "now":
        return now
    if lowered[:1] in "+-" and len(lowered) > 1:
        delta = parse_duration(lowered[1:], field)
        return now + delta if lowered[0] == "+" else now - delta
    for word, days in (("today", 0), ("tomorrow", 1), ("yesterday", -1)):
        if lowered.startswith(word):
            rest = lowered[len(word) :].strip() or "00:00"
            try:
                clock = time.fromisoformat(rest)
            except ValueError:
                raise InvalidInputError(f"'{text}': expected '{word} HH:MM'", field=field) from None
            day = now.astimezone().date() + timedelta(days=days)
            return _local(datetime.combine(day, clock)).astimezone(UTC)
    try:
        return _local(datetime.fromisoformat(raw)).astimezone(UTC)
    except ValueError:
        raise InvalidInputError(
            f"'{text}' is not a time: use ISO 8601 (2026-11-24T09:00), now, "
            "tomorrow 09:00, or +24h",
            field=field,
        ) from None


def parse_date(text: str, field: str = "date", *, today: date | None = None) -> date:
    raw = text.strip().lower()
    today = today or datetime.now().astimezone().date()
    if raw == "today":
        return today
    if raw == "tomorrow":
        return today + timedelta(days=1)
    if raw[:1] == "+":
        return today + timedelta(days=parse_duration(raw[1:], field).days)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError(
            f"'{text}' is not a date: use YYYY-MM-DD, today, tomorrow or +14d", field=field
        ) from None
