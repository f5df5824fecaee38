"""Output for people (Rich tables, local times) and for scripts (stable JSON, CSV).

Text from the store is never trusted to be harmless: tables and lines show it
through ``rules.text.visible`` (control characters escaped) and as plain Rich
Text (a ``[link=…]`` in a name is not markup); CSV cells go through
``csv_cell`` (no formulas); JSON escapes control characters itself.

What is printed for people (tables, lines, errors) is written in ASCII where the
terminal cannot show the glyphs (a Linux console, a non-UTF-8 locale: the app's
own test, ``rules.glyphs``); JSON, CSV and Markdown are data and stay as they are.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any, cast

from panel_tui.rules.glyphs import ascii_terminal, translate
from panel_tui.rules.text import csv_cell, visible

if TYPE_CHECKING:  # Rich loads only when a table is printed
    from rich.console import Console


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def local(moment: datetime | None) -> str:
    """A time as the reader's local clock shows it."""
    return moment.astimezone().strftime("%a %d %b %H:%M") if moment else "—"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit_json(data: Any, indent: int | None = 2) -> None:
    """``data`` as JSON, keys sorted; ``indent=None`` writes it compact, on one line.

    Compact JSON is written by the json module's C encoder; any indent makes it
    use the pure-Python one, about 2.7 times slower on 50,000 queue rows.
    """
    # One write: json.dump writes each token separately, a syscall apiece when
    # stdout is unbuffered (PYTHONUNBUFFERED, some pipes): 0.15 s for 1,000 rows.
    separators = (",", ":") if indent is None else None
    text = json.dumps(
        data, indent=indent, separators=separators, sort_keys=True, default=_json_default
    )
    sys.stdout.write(text + "\n")


def emit_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow(
            [
                ""
                if v is None
                else _json_default(v)
                if isinstance(v, datetime | date | timedelta)
                else csv_cell(v)
                for v in row
            ]
        )
    sys.stdout.write(buffer.getvalue())


#: A pipe or a file has no width: rows are printed whole (Rich would assume 80 columns and
#: fold every cell, "Agenc ies", which neither grep nor ``less -S`` can put back).
UNBOUNDED = 10_000


def for_people(text: str) -> str:
    """``text`` as the reader's terminal can show it: in ASCII where its font lacks the
    glyphs (✖ ▲ ✓ →, box corners), else as it is."""
    return translate(text) if ascii_terminal() else text


class AsciiStream(io.TextIOBase):
    """A text stream that writes ``rules.glyphs.translate(text)`` to ``stream`` (one
    character for one: Rich's measures stay right)."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(translate(text)))

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return bool(self._stream.isatty())

    def fileno(self) -> int:
        return int(self._stream.fileno())


def console(pipe_width: int | None = UNBOUNDED) -> Console:
    """A console as wide as the terminal, or (to a pipe or a file, with no ``COLUMNS``)
    ``pipe_width`` wide (as wide as what is printed; None: Rich's 80, for prose that
    wraps); in ASCII where the terminal cannot show the glyphs."""
    from rich.console import Console

    # Rich asks only for write, flush, isatty and fileno: a typed IO is more.
    stream = cast("IO[str]", AsciiStream(sys.stdout)) if ascii_terminal() else None
    if sys.stdout.isatty() or os.environ.get("COLUMNS") or pipe_width is None:
        return Console(file=stream)
    return Console(width=pipe_width, file=stream)


def emit_table(
    title: str | None,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    caption: str = "",
    narrow: Callable[[int], Iterable[str]] | None = None,
) -> None:
    """A table; where the terminal is too narrow for it and ``narrow`` is given, the lines
    ``narrow(width)`` makes instead (Rich would fold every cell mid-word: "Agenc ies")."""
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(visible(title)) if title else None,
        caption=Text(visible(caption)) if caption else None,
        show_lines=False,
        expand=False,
    )
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*[Text(visible(v)) for v in row])
    out = console()
    if narrow is not None and _natural_width(out, table) > out.width:
        for line in narrow(out.width):
            sys.stdout.write(for_people(line.rstrip()) + "\n")
        return
    out.print(table)


def _natural_width(out: Console, table: Any) -> int:
    """How wide ``table`` is with room to spare (Rich's own measure stops at the console)."""
    from rich.measure import Measurement

    return Measurement.get(out, out.options.update(max_width=UNBOUNDED), table).maximum


def markup_safe(value: object) -> str:
    """Stored text to put inside a Rich markup string: escaped controls and brackets."""
    from rich.markup import escape

    return escape(visible(value))


def say(message: str) -> None:
    """A line for people on stdout (nothing fancy: scripts may read it)."""
    sys.stdout.write(for_people(visible(message)) + "\n")


def error(message: str) -> None:
    # Messages quote what was typed (an unknown agency code, a login): escaped, and on
    # one line (a newline typed into a value stays in the value), as scripts read it.
    sys.stderr.write(for_people(f"panel-tui: {visible(message, multiline=False)}") + "\n")
