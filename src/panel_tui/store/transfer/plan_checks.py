"""What every part of an exported dispute is checked against before it is replayed.

``PlanChecks`` holds one exported dispute and the checks each of its parts uses:
a login and an agency the import knows, a time after the opening that has already
happened (review and end times may lie ahead), text where text belongs. ``step``
queues a ledger call to replay at its recorded time as its recorded person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from panel_tui.rules.errors import InvalidInputError
from panel_tui.store.transfer.replay import STEP_RANK, ReplayStep, ledger_call, refuse_future
from panel_tui.store.transfer.validate import parse_time


class PlanChecks:
    """One exported dispute, its replay steps so far, and the checks its parts share."""

    opened: datetime
    opener: str

    def __init__(self, i: int, raw: dict[str, Any], logins: set[str], codes: set[str]) -> None:
        self.i, self.raw, self.logins, self.codes = i, raw, logins, codes
        self.steps: list[ReplayStep] = []

    def login(self, value: Any, name: str) -> str:
        text = str(value or "")
        if text not in self.logins:
            raise InvalidInputError(f"unknown login '{text}'", field=name, row=self.i)
        return text

    def when(
        self, value: Any, name: str, required: bool = True, happened: bool = True
    ) -> datetime | None:
        moment = parse_time(value, self.i, name, required=required)
        if moment is not None and moment < self.opened:
            raise InvalidInputError("is before the dispute was opened", field=name, row=self.i)
        if moment is not None and happened:  # review and end times may lie ahead
            refuse_future(moment, self.i, name)
        return moment

    def text(self, value: Any, name: str) -> str:
        # Free text reaches the ledger's str methods: anything else is refused here.
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InvalidInputError("must be text", field=name, row=self.i)
        return value

    def agency(self, value: Any, name: str) -> None:
        if str(value or "").upper() not in self.codes:
            raise InvalidInputError(f"unknown agency '{value}'", field=name, row=self.i)

    def entries(self, key: str) -> list[dict[str, Any]]:
        """The list under ``key`` (absent in older exports: none), each entry an object."""
        found = self.raw.get(key) or []
        if not isinstance(found, list) or not all(isinstance(x, dict) for x in found):
            raise InvalidInputError("must be a list of objects", field=key, row=self.i)
        return found

    def step(
        self,
        kind: str,
        at: Any,
        actor: str,
        where: str,
        method: str,
        *args: Any,
        stage: int = 0,
        **kwargs: Any,
    ) -> None:
        """Replay ``method`` of the ledger as ``actor`` at ``at`` (``stage`` orders the ladder)."""
        run = ledger_call(method, *args, at=at, **kwargs)
        self.steps.append(
            ReplayStep(at, STEP_RANK[kind], stage, len(self.steps), where, actor, run, kind)
        )
