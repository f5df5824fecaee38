"""The panel's minutes as Markdown, with whatever people typed kept as plain text.

Rationales and pathways are free text, now often of several lines: each line
is escaped so that a "- ", "#" or "1." someone typed cannot become a bullet or a
heading, and kept as a line of its own (a hard break inside the list item).
"""

from __future__ import annotations

import re
from datetime import UTC, date

from panel_tui.store.read.agenda import AgendaEntry

#: Characters Markdown reads as markup anywhere in a line (& starts an entity).
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
#: What starts a block at the beginning of a line: any punctuation, or "1." / "1)".
_LINE_START = re.compile(r"^([!-/:-@\[-`{-~])|^(\d+)([.)])")


def plain(text: str) -> str:
    """``text`` as Markdown that shows exactly what was typed, line for line."""
    lines = []
    for line in text.strip().splitlines() or [""]:
        line = _INLINE.sub(r"\\\1", line.strip())
        lines.append(_LINE_START.sub(_escape_start, line))
    # Two spaces then a newline is a hard line break; the indent keeps it in the item.
    return "  \n  ".join(lines)


def _escape_start(match: re.Match[str]) -> str:
    if match.group(1):  # a backslash there is already an escape
        return match.group(1) if match.group(1) == "\\" else "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def minutes_markdown(panel_date: date, entries: list[AgendaEntry], chair: str) -> str:
    """The panel's minutes: what was decided, by whom, why, and what is still open."""
    lines = [f"# Panel minutes, {panel_date.isoformat()}", "", f"Chair: {plain(chair)}", ""]
    decided = [e for e in entries if e.decisions]
    lines.append(f"{len(decided)} of {len(entries)} agenda items decided.")
    lines.append("")
    for e in entries:
        lines.append(f"## {e.ref} — {e.dispute_type}, {e.risk} risk, {e.agencies}")
        lines.append("")
        if not e.decisions:
            lines.append(f"- Not decided at this panel (status: {e.status}, stage {e.stage}).")
        for x in e.decisions:
            to = f" → {x.receiving_agency}" if x.receiving_agency else ""
            lines.append(f"- **{x.outcome.replace('_', ' ')}**{to} {plain(x.pathway)}".rstrip())
            lines.append(f"- Rationale: {plain(x.rationale)}")
            lines.append(
                f"- Decided by {plain(x.decided_by)} at {x.decided_at.astimezone(UTC):%H:%M} UTC; "
                f"review {x.review_date.isoformat()}"
            )
        lines.append("")
    return "\n".join(lines)
