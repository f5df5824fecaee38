"""Times, dates and durations as people type them: one grammar for the app and the CLI.

**Durations** (``queue --due-within``, and the offsets below): a whole number
and a unit, or several in this order: ``2w``, ``14d``, ``36h``, ``90m``,
``1d12h``, ``1w2d``. A number alone counts days: ``14`` is ``14d``. Upper and
lower case are the same. At most ``MAX_SPAN`` (3,650 days, about ten years).

**Times** (``--at``, ``--until``, ``--from``, ``--to``, cover ``--review``):
- ISO 8601: ``2026-11-24T09:00``, ``2026-11-24 09:00``, ``2026-11-24T09:00Z``,
  ``2026-11-24``; a time without an offset is local time, a date alone its midnight;
- ``now``; ``today``, ``tomorrow`` or ``yesterday``, with an optional ``HH:MM``
  (``tomorrow 09:00``; midnight without one);
- ``+DURATION`` or ``-DURATION`` from now: ``+24h``, ``-2d``, ``+3h30m``, ``+14``.

**Dates** (decision review date, acceptance start date):
- ``YYYY-MM-DD``; ``today``, ``tomorrow``, ``yesterday``;
- ``+DURATION`` or ``-DURATION`` from today, counting whole days:
  ``+14`` and ``+14d`` are a fortnight from today, ``+2w`` too; ``+1d12h`` is tomorrow.

Every time and date lies within ``MAX_SPAN`` of now, either way: anything
further is a typing mistake, and it would overflow the clocks' arithmetic.
Each refusal is an ``InvalidInputError`` naming the field and the grammar.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from panel_tui.rules.errors import InvalidInputError

T = TypeVar("T")

#: The furthest a duration, an offset, a time or a date may reach from now.
MAX_SPAN = timedelta(days=3650)
MAX_SPAN_TEXT = "3650 days (about ten years)"

#: One-line summaries for help texts and hints (the module docstring has the whole grammar).
DURATION_HELP = "a duration: 90m, 24h, 2d, 1d12h, 2w; a number alone counts days"
TIME_HELP = (
    "ISO 8601 (2026-11-24T09:00, local unless it has an offset), now, 'tomorrow 09:00', +24h, -2d"
)
DATE_HELP = "YYYY-MM-DD, today, tomorrow, or days from today: +14 (= +14d), +2w"

_UNITS = (timedelta(weeks=1), timedelta(days=1), timedelta(hours=1), timedelta(minutes=1))
_DURATION = re.compile(r"(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?", re.ASCII)
_DAYS_ALONE = re.compile(r"[0-9]+", re.ASCII)
# More digits than this cannot be within MAX_SPAN in any unit; checked before int()
# so a 5,000-digit number is refused as out of range, not by Python's int limit.
_MAX_DIGITS = 7
_DAY_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}


def _too_far(text: str, field: str) -> InvalidInputError:
    return InvalidInputError(f"'{_shown(text)}' is too far: at most {MAX_SPAN_TEXT}", field=field)


def _shown(text: str) -> str:
    """What the user typed, cut short enough for a one-line message."""
    return text if len(text) <= 40 else text[:37] + "..."


def parse_duration(text: str, field: str = "duration") -> timedelta:
    """A duration of at most MAX_SPAN; see the module docstring for the grammar."""
    return _duration(text.strip().lower(), text, field)


def _duration(raw: str, text: str, field: str) -> timedelta:
    """``raw`` read as a duration; refusals quote ``text``, what the person typed."""
    if _DAYS_ALONE.fullmatch(raw):
        parts: tuple[str | None, ...] = (None, raw, None, None)
    else:
        match = _DURATION.fullmatch(raw)
        if not raw or match is None or not any(match.groups()):
            raise InvalidInputError(f"'{_shown(text)}' is not {DURATION_HELP}", field=field)
        parts = match.groups()
    if any(p is not None and len(p.lstrip("0")) > _MAX_DIGITS for p in parts):
        raise _too_far(text, field)
    total = timedelta()
    for part, unit in zip(parts, _UNITS, strict=True):
        if part is not None:
            total += int(part) * unit
    if total > MAX_SPAN:
        raise _too_far(text, field)
    return total


def _offset(raw: str, text: str, field: str) -> timedelta | None:
    """``+DURATION`` / ``-DURATION`` as a signed timedelta; None if ``raw`` is not one."""
    if len(raw) > 1 and raw[0] in "+-":
        delta = _duration(raw[1:], text, field)
        return delta if raw[0] == "+" else -delta
    return None


def _read(parse: Callable[[str], T], raw: str, refusal: str, field: str) -> T:
    """``parse(raw)``, or the ``refusal`` naming ``field`` if it is not what parse reads."""
    try:
        return parse(raw)
    except ValueError:
        raise InvalidInputError(refusal, field=field) from None


def _local(moment: datetime) -> datetime:
    """A naive time typed by a person is their local time."""
    return moment.astimezone() if moment.tzinfo is None else moment


def _within_span(moment: datetime, now: datetime, text: str, field: str) -> datetime:
    if abs(moment - now) > MAX_SPAN:
        raise _too_far(text, field)
    return moment


def parse_time(text: str, field: str = "at", *, now: datetime | None = None) -> datetime:
    """An aware UTC instant within MAX_SPAN of ``now``; the grammar is in the docstring."""
    now = now or datetime.now(UTC)
    raw = text.strip()
    lowered = raw.lower()
    if lowered == "now":
        return now
    delta = _offset(lowered, text, field)
    if delta is not None:
        return now + delta
    for word, days in _DAY_WORDS.items():
        if lowered.startswith(word):
            rest = lowered[len(word) :].strip() or "00:00"
            expected = f"'{_shown(text)}': expected '{word} HH:MM'"
            clock = _read(time.fromisoformat, rest, expected, field)
            day = now.astimezone().date() + timedelta(days=days)
            return _local(datetime.combine(day, clock)).astimezone(UTC)
    typed = _read(
        datetime.fromisoformat, raw, f"'{_shown(text)}' is not a time: use {TIME_HELP}", field
    )
    try:
        moment = _local(typed).astimezone(UTC)
    except (OverflowError, ValueError):  # years 1 and 9999 cannot move to UTC
        raise _too_far(text, field) from None
    return _within_span(moment, now, text, field)


def parse_date(text: str, field: str = "date", *, today: date | None = None) -> date:
    """A calendar date within MAX_SPAN of ``today``; the grammar is in the docstring."""
    today = today or datetime.now().astimezone().date()
    raw = text.strip().lower()
    if raw in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[raw])
    delta = _offset(raw, text, field)
    if delta is not None:
        return today + timedelta(days=delta.days if delta >= timedelta() else -(-delta).days)
    day = _read(date.fromisoformat, raw, f"'{_shown(text)}' is not a date: use {DATE_HELP}", field)
    if abs(day - today) > MAX_SPAN:
        raise _too_far(text, field)
    return day
