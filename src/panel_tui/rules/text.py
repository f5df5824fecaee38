"""Text that is safe to keep and to show: what input refuses, how output escapes.

Everything typed into the store ends up on someone's terminal or in someone's
spreadsheet. A terminal obeys control sequences (``ESC[2J`` clears the screen,
``ESC]0;…BEL`` retitles the window, OSC 8 makes a hidden link) and a
spreadsheet runs a cell that starts with ``=`` as a formula. So:

- **Input** (``check_text``): every field refuses C0 and C1 control characters
  (NUL, ESC, BEL, CR … and DEL), bidirectional embeddings, overrides and
  isolates (U+202A–U+202E, U+2066–U+2069, which reorder what is shown, the
  "Trojan Source" trick), the line and paragraph separators U+2028/U+2029,
  the invisible U+200B zero-width space, U+2060 word joiner and U+FEFF byte
  order mark (they make two texts that look alike differ), and lone
  surrogates (they cannot be stored as UTF-8). Long texts (notes, rationales,
  the form's paragraphs) may hold newlines and tabs; one-line fields may not.
  Identifiers (logins, agency codes) refuse every invisible format character
  (Unicode category Cf) too. Zero-width joiners and non-joiners (needed by
  emoji and by scripts such as Persian and Devanagari) and the left-to-right /
  right-to-left marks U+200E/U+200F (needed to show mixed-direction text
  correctly) stay allowed in free text: they cannot move text around.
- **Output** (``visible``): what an older store may still hold is shown in a
  visible escaped form (``\\x1b``, ``\\u202e``) by every path that writes to a
  terminal or a document: CLI tables, Markdown, the app's screens.
- **CSV** (``csv_cell``): a cell that a spreadsheet would run as a formula
  (first character ``=``, ``+``, ``-``, ``@``, tab or CR) gets a leading ``'``,
  as OWASP advises for CSV injection.

No I/O here: the store calls ``check_text`` on every text it writes, the form
validates with it, and every renderer calls ``visible``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from panel_tui.rules.errors import InvalidInputError

#: Reorder the text that follows them: refused everywhere.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Invisible characters with no use in these texts but to make look-alikes.
INVISIBLE = frozenset("\u200b\u2060\ufeff")
#: Line and paragraph separators: some terminals and editors break lines on them.
SEPARATORS = frozenset("\u2028\u2029")

_REFUSED_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 except tab and newline, DEL, C1
    "\u200b\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    "\ud800-\udfff"  # lone surrogates
)


@cache
def _refused(multiline: bool) -> re.Pattern[str]:
    """What is refused in a long text (``multiline``: newline and tab allowed) or a
    one-line field. Compiled when first needed: a class over the surrogates took ``re``
    about 0.6 ms to compile, and the app's first paint needs none of them."""
    return re.compile(f"[{_REFUSED_CLASS}]" if multiline else f"[\t\n{_REFUSED_CLASS}]")


_NAMES = {
    "\x00": "NUL",
    "\x07": "BEL",
    "\x08": "backspace",
    "\t": "a tab",
    "\n": "a newline",
    "\r": "a carriage return",
    "\x1b": "ESC",
    "\x7f": "DEL",
}


def describe_char(char: str) -> str:
    """A name for a refused character that a person can act on."""
    code = f"U+{ord(char):04X}"
    if char in _NAMES:
        return f"{_NAMES[char]} ({code})"
    if char in BIDI_CONTROLS:
        return f"a bidirectional control ({code})"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"a lone surrogate ({code})"
    name = unicodedata.name(char, "")
    return f"{name.lower()} ({code})" if name else f"a control character ({code})"


def first_refused(value: str, *, multiline: bool = False, identifier: bool = False) -> str | None:
    """The first character ``check_text`` would refuse, or None."""
    found = _refused(multiline).search(value)
    if found:
        return found.group()
    if identifier:
        for char in value:
            if unicodedata.category(char) == "Cf":
                return char
    return None


def check_text(
    value: str | None, field: str, *, multiline: bool = False, identifier: bool = False
) -> str | None:
    """``value`` unchanged if it holds nothing a terminal or reader could be tricked by.

    Raises InvalidInputError naming ``field`` and the character otherwise.
    ``multiline`` allows newline and tab (long texts); ``identifier`` also
    refuses every invisible format character (logins, codes).
    """
    if not value:
        return value
    bad = first_refused(value, multiline=multiline, identifier=identifier)
    if bad is not None:
        position = value.index(bad) + 1
        allowed = "" if multiline else " (it takes one line)"
        raise InvalidInputError(
            f"contains {describe_char(bad)} at character {position}{allowed}: control and "
            "invisible characters are refused because terminals and readers act on them",
            field=field,
        )
    return value


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(value: object, *, multiline: bool = True) -> str:
    """``value`` as text that shows every character and obeys none.

    Controls and the other characters ``check_text`` refuses become visible
    escapes (ESC → ``\\x1b``, U+202E → ``\\u202e``). With ``multiline`` (the
    default) newlines and tabs are kept; without it they are escaped too, for
    one-line places such as table cells of a queue. None becomes "".
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    # The common case, with no pattern: every character refused is a control, a format
    # character, a separator or a surrogate, none of which ``isprintable`` passes.
    if text.isprintable():
        return text
    pattern = _refused(multiline)
    if pattern.search(text) is None:  # a newline or tab, kept in a long text
        return text
    return pattern.sub(_escaped, text)


#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a ``'``.

    Numbers stay numbers (``-3`` is data, not a formula); only text is touched.
    Controls are escaped as ``visible`` does, so a cell cannot carry ESC either.
    """
    if not isinstance(value, str):
        return value
    text = visible(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


#: Characters Markdown reads as markup anywhere in a line (& starts an entity).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
#: What starts a block at the beginning of a line: any punctuation, or "1." / "1)".
_MD_LINE_START = re.compile(r"^([!-/:-@\[-`{-~])|^(\d+)([.)])")


def markdown_plain(text: str) -> str:
    """``text`` as Markdown that shows exactly what was typed, line for line.

    Markup characters are backslash-escaped (a typed ``[x](url)`` is not a
    link), a "- ", "#" or "1." at a line's start cannot become a bullet or a
    heading, each line is kept (a hard break, indented to stay in a list
    item), and control characters are shown as ``visible`` shows them.
    """
    lines = []
    for line in visible(text).strip().splitlines() or [""]:
        line = _MD_INLINE.sub(r"\\\1", line.strip())
        lines.append(_MD_LINE_START.sub(_md_escape_start, line))
    # Two spaces then a newline is a hard line break; the indent keeps it in the item.
    return "  \n  ".join(lines)


def _md_escape_start(match: re.Match[str]) -> str:
    if match.group(1):  # a backslash there is already an escape
        return match.group(1) if match.group(1) == "\\" else "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"
