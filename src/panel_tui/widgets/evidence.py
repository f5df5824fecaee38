"""The minimum evidence set as a checklist: present, absent (with its note), or never stated."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Checkbox

from panel_tui.rules.text import visible
from panel_tui.store.read.dispute_models import EvidenceView
from panel_tui.widgets.stage_ladder import DetailSection


def evidence_text(items: Sequence[EvidenceView]) -> Text:
    text = Text()
    for i, item in enumerate(items):
        if i:
            text.append("\n")
        if item.present:
            text.append("[x] ", style="green bold")
        elif item.present is None:
            text.append("[?] ", style="yellow bold")
        else:
            text.append("[ ] ", style="red bold")
        text.append(item.label)
        state = "present" if item.present else ("not stated" if item.present is None else "ABSENT")
        text.append(f" — {state}", style="dim" if item.present else "bold")
        if item.note:
            text.append(f": {visible(item.note)}", style="dim")
    return text


class EvidenceChecklist(DetailSection):
    def show(self, items: list[EvidenceView]) -> None:
        self.show_source(tuple(items), evidence_text)


class StateCheckbox(Checkbox):
    """A checkbox whose state is a character, not a colour: X when ticked, blank when not.

    Textual's draws X either way and tells them apart by colour only, which is
    lost under NO_COLOR, on a monochrome terminal and to many eyes.
    """

    # Textual declares BUTTON_INNER a plain class attribute; a property reads self.value.
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 (Textual's name)
        return "X" if self.value else " "
