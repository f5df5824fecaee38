"""``canonical_fast`` writes exactly ``canonical``'s text: an event's hash covers it.

The bulk demo encodes its rows and events with orjson (``fast_json``); if one
character came out differently, every hash after it would differ from what
``audit verify`` computes. Generated values cover what the demo encodes and
text an attacker might put in a field (control characters, DEL, non-ASCII,
characters past the Basic Multilingual Plane, lone surrogates).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hostile import HOSTILE
from hypothesis import given
from hypothesis import strategies as st

from panel_tui.store.event_hash import canonical
from panel_tui.store.fast_json import canonical_fast

#: Every kind of character: C0 and C1 controls, DEL, surrogates, past the BMP.
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 1),
    timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5, minutes=-30))]),
)
LEAVES = (
    TEXT
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.booleans()
    | st.none()
    | st.dates()
    | MOMENTS
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(TEXT, inner, max_size=6)
    ),
    max_leaves=30,
)


@given(VALUES)
def test_the_same_text_as_canonical_for_any_value_the_demo_encodes(value: object) -> None:
    assert canonical_fast(value) == canonical(value)


def test_escapes_as_the_standard_library_does() -> None:
    # Each of these is written differently by orjson itself: put right here.
    for text in ("\x7f", "caf\u00e9", "MCO\u2192CBH", "\U0001f600", "a\ud800b", *HOSTILE.values()):
        assert canonical_fast({"k": text, text: [text]}) == canonical({"k": text, text: [text]})
    assert canonical_fast("\x7f\u2192") == '"\\u007f\\u2192"'
    assert canonical_fast("\U0001f600") == '"\\ud83d\\ude00"'


def test_what_orjson_refuses_is_encoded_by_canonical() -> None:
    class Name(str):  # SQLAlchemy's quoted_name is one: orjson takes no str subclass as a key
        pass

    value = {Name("b"): 1, "a": [2**65, date(2026, 1, 2)]}
    expected = '{"a":[36893488147419103232,"2026-01-02"],"b":1}'
    assert canonical_fast(value) == canonical(value) == expected
