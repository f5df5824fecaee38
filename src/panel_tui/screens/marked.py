"""One note on several marked disputes: each a separate write the store checks and audits.

The queue marks disputes with ``space``; ``N`` asks for the note once and adds it
to each marked dispute through the ledger, one transaction and one event per
dispute, so the store checks the right to add a note on each (a closed dispute,
or one the person may not touch, is refused and named) and the audit trail
shows each note where it belongs. A note the store refuses as text (empty,
control characters, too long) is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from panel_tui.rules.errors import DomainError, InvalidInputError
from panel_tui.rules.wording import counted
from panel_tui.screens.base import AppScreen
from panel_tui.screens.modals import Field, FormModal


@dataclass
class MarkedResult:
    written: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (ref, why)


def note_on_marked(
    screen: AppScreen, marked: dict[int, str], done: Callable[[MarkedResult | None], None]
) -> None:
    refs = sorted(marked.values())

    def submit(values: dict[str, str]) -> MarkedResult:
        ledger = screen.panel.ledger()
        result = MarkedResult()
        for ref in refs:
            try:
                ledger.add_note(ref, values["text"])
            except InvalidInputError:
                if not result.written:
                    raise  # the text itself: nothing was written, the dialog says why
                result.refused.append((ref, "refused"))
            except DomainError as exc:
                result.refused.append((ref, str(exc)))
            else:
                result.written.append(ref)
        return result

    shown = ", ".join(refs[:6]) + (f" and {len(refs) - 6} more" if len(refs) > 6 else "")
    screen.app.push_screen(
        FormModal(
            f"Note on {counted(len(refs), 'dispute')}",
            [Field("text", "Note (added to each, as its own audited event)", long=True)],
            submit,
            intro=shown,
        ),
        done,
    )


def summary(result: MarkedResult) -> tuple[str, bool]:
    """What to tell the person, and whether anything was refused."""
    parts = []
    if result.written:
        parts.append(f"Note added to {len(result.written)}: {', '.join(result.written)}.")
    for ref, why in result.refused:
        parts.append(f"{ref} refused: {why}")
    return " ".join(parts) or "Nothing written.", bool(result.refused)
