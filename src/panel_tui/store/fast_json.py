"""``event_hash.canonical``'s text, made by orjson: for the bulk demo's millions of events.

An event's hash covers its canonical JSON, so that text must never change:
``canonical`` (the standard library's encoder) is what defines it, and this
module only makes the same text faster. orjson sorts keys the same way and
writes the same separators, numbers, dates and string escapes for what the demo
encodes (str, int, bool, None, dates and times, lists and dicts); it writes
UTF-8 where ``canonical`` writes ``\\uXXXX`` (non-ASCII, and DEL), which is
put right here. Anything orjson refuses (a key that is a str subclass, an int
past 64 bits, a lone surrogate) goes to ``canonical``. Not for floats: orjson writes
1e-05 as 0.00001 and NaN as null (the demo encodes none). Tests hold the two equal on
every event a demo writes and on generated values, hostile text included.

The C encoder of the standard library was a third of the time making the bulk
demo's rows (sorting each dict's items into a new list, escaping each key
again); orjson does the same in a sixth of that.
"""

from __future__ import annotations

import codecs
from typing import Any

import orjson

from panel_tui.store.event_hash import canonical

_ERRORS = "panel-tui-json-escape"


def _escape(error: UnicodeError) -> tuple[str, int]:
    """Characters past ASCII as JSON writes them: ``\\uXXXX``, a surrogate pair past
    the Basic Multilingual Plane (the standard library's ``ensure_ascii``)."""
    assert isinstance(error, UnicodeEncodeError)
    out = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            code -= 0x10000
            out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
    return "".join(out), error.end


codecs.register_error(_ERRORS, _escape)
_SORTED = orjson.OPT_SORT_KEYS


def canonical_fast(value: Any) -> str:
    """``canonical(value)``, the same text."""
    try:
        data = orjson.dumps(value, option=_SORTED)
    except TypeError:  # orjson.JSONEncodeError: a value it does not take as it is
        return canonical(value)
    if not data.isascii():  # only inside strings: JSON's own text is ASCII
        data = data.decode("utf-8").encode("ascii", _ERRORS)
    text = data.decode("ascii")
    # DEL is ASCII but not printable: ``canonical`` escapes it, orjson does not.
    return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
