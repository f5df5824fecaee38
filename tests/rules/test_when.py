"""The one grammar for times, dates and durations (rules/when.py), as the app and CLI use it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.when import MAX_SPAN, parse_date, parse_duration, parse_time

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
MAX_DAYS = MAX_SPAN.days


@pytest.mark.parametrize(
    ("text", "days"),
    [("+14", 14), ("+14d", 14), ("+2w", 14), ("today", 0), ("tomorrow", 1), ("+1d12h", 1)],
)
def test_the_app_and_the_cli_forms_are_both_dates(text: str, days: int) -> None:
    # +14 was the app's only offset; today, tomorrow and +1d12h only the CLI's.
    assert parse_date(text, "review", today=TODAY) == TODAY + timedelta(days=days)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("90m", timedelta(minutes=90)),
        ("24h", timedelta(hours=24)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("14", timedelta(days=14)),
        ("1w2d", timedelta(days=9)),
        ("3H30M", timedelta(hours=3, minutes=30)),
        ("0m", timedelta()),
    ],
)
def test_durations(text: str, delta: timedelta) -> None:
    assert parse_duration(text) == delta
    assert parse_time(f"+{text}", now=NOW) == NOW + delta
    assert parse_time(f"-{text}", now=NOW) == NOW - delta


@pytest.mark.parametrize(
    "text", ["99999999d", "3651d", "9" * 5000, "522w", "87601h", "5256001m", "3650d1m"]
)
def test_a_span_beyond_ten_years_is_a_clear_refusal(text: str) -> None:
    for parse in (
        lambda: parse_duration(text, "--due-within"),
        lambda: parse_time(f"+{text}", "--at", now=NOW),
        lambda: parse_date(f"+{text}", "--review", today=TODAY),
    ):
        with pytest.raises(InvalidInputError, match="too far: at most 3650 days"):
            parse()


@pytest.mark.parametrize(
    "text", ["9999-12-31", "0001-01-01T00:00", "2037-01-01T00:00+14:00", "1990-01-01"]
)
def test_absolute_times_and_dates_stay_within_ten_years(text: str) -> None:
    with pytest.raises(InvalidInputError, match="too far"):
        parse_time(text, "--at", now=NOW)
    with pytest.raises(InvalidInputError, match="too far"):
        parse_date(text[:10], "--review", today=TODAY)


def test_the_longest_span_itself_is_allowed() -> None:
    assert parse_duration("3650d") == MAX_SPAN
    assert parse_date("+3650", today=TODAY) == TODAY + MAX_SPAN
    assert parse_date("-3650d", today=TODAY) == TODAY - MAX_SPAN


@pytest.mark.parametrize(
    "text", ["", " ", "+", "soon", "1.5d", "d", "12x", "+-1d", "1h1d", "١٢d", "tomorrow noon"]
)
def test_what_is_not_in_the_grammar_names_the_field(text: str) -> None:
    with pytest.raises(InvalidInputError, match="field '--x'"):
        parse_duration(text, "--x")
    with pytest.raises(InvalidInputError, match="field '--x'"):
        parse_time(text, "--x", now=NOW)
    with pytest.raises(InvalidInputError, match="field '--x'"):
        parse_date(text, "--x", today=TODAY)


def test_a_naive_time_is_local_and_words_take_a_clock() -> None:
    local = datetime(2026, 11, 25, 9, 0).astimezone()
    assert parse_time("2026-11-25T09:00", now=NOW) == local.astimezone(UTC)
    assert parse_time("tomorrow 09:00", now=NOW) == local.astimezone(UTC)
    assert parse_time("2026-11-25T09:00Z", now=NOW) == datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert parse_time("now", now=NOW) == NOW


units = st.tuples(*(st.one_of(st.none(), st.integers(0, 600)) for _ in range(4)))


@given(units)
def test_any_duration_written_in_the_grammar_reads_back(parts: tuple[int | None, ...]) -> None:
    text = "".join(f"{n}{u}" for n, u in zip(parts, "wdhm", strict=True) if n is not None)
    expected = sum(
        (n * unit for n, unit in zip(parts, (7 * 1440, 1440, 60, 1), strict=True) if n),
        0,
    )
    if not text:
        with pytest.raises(InvalidInputError):
            parse_duration(text)
    elif expected > MAX_DAYS * 1440:
        with pytest.raises(InvalidInputError, match="too far"):
            parse_duration(text)
    else:
        assert parse_duration(text) == timedelta(minutes=expected)


@given(st.integers(-MAX_DAYS, MAX_DAYS))
def test_a_day_offset_is_the_same_date_in_every_spelling(days: int) -> None:
    sign = "+" if days >= 0 else "-"
    n = abs(days)
    spelled = {parse_date(f"{sign}{n}{unit}", today=TODAY) for unit in ("", "d")}
    spelled.add(parse_date((TODAY + timedelta(days=days)).isoformat(), today=TODAY))
    assert spelled == {TODAY + timedelta(days=days)}


@given(
    st.datetimes(
        min_value=datetime(2017, 1, 1), max_value=datetime(2036, 1, 1), timezones=st.just(UTC)
    )
)
def test_an_iso_time_reads_back_or_is_refused_as_too_far(moment: datetime) -> None:
    text = moment.isoformat()
    if abs(moment - NOW) <= MAX_SPAN:
        assert parse_time(text, now=NOW) == moment
    else:
        with pytest.raises(InvalidInputError, match="too far"):
            parse_time(text, now=NOW)


@given(st.text(max_size=60))
@example("+" + "9" * 5000)
@example("2026-11-24T09:00+25:00")
@example("tomorrow 25:00")
def test_any_text_is_a_value_in_range_or_one_clear_refusal(text: str) -> None:
    for parse in (
        lambda: parse_duration(text, "f"),
        lambda: parse_time(text, "f", now=NOW),
        lambda: parse_date(text, "f", today=TODAY),
    ):
        try:
            value = parse()
        except InvalidInputError as exc:
            assert "field 'f'" in str(exc)
            assert "\n" not in str(exc).replace(text, "")
            continue
        if isinstance(value, timedelta):
            assert timedelta() <= value <= MAX_SPAN
        elif isinstance(value, datetime):
            assert value.tzinfo is not None and abs(value - NOW) <= MAX_SPAN + timedelta(days=2)
        else:
            assert abs(value - TODAY) <= MAX_SPAN


def test_a_refused_offset_quotes_everything_typed() -> None:
    with pytest.raises(InvalidInputError, match=r"'\+99999999d' is too far"):
        parse_time("+99999999d", "--at", now=NOW)
    with pytest.raises(InvalidInputError, match=r"'-soon' is not a duration"):
        parse_date("-soon", "--review", today=TODAY)
