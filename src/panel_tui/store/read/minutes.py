"""The panel's minutes as Markdown, with whatever people typed kept as plain text.

Rationales and pathways are free text, now often of several lines: each line
is escaped so that a "- ", "#" or "1." someone typed cannot become a bullet or a
heading, and kept as a line of its own (a hard break inside the list item);
control characters are shown escaped (``rules.text``).
"""

from __future__ import annotations

from datetime import UTC, date

from panel_tui.rules.text import markdown_plain as plain
from panel_tui.rules.text import visible
from panel_tui.store.read.agenda import AgendaEntry

__all__ = ["minutes_markdown", "plain"]


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
    return visible("\n".join(lines))  # refs, types and agencies from older stores too
