"""The minimum evidence set as a checklist: present, absent (with its note), or never stated."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from panel_tui.store.readmodels import EvidenceView


def evidence_text(items: list[EvidenceView]) -> Text:
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
            text.append(f": {item.note}", style="dim")
    return text


class EvidenceChecklist(Static):
    def show(self, items: list[EvidenceView]) -> None:
        self.update(evidence_text(items))
