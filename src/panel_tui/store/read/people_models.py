"""People and agencies as plain read models: what screens and commands show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict


@dataclass(frozen=True)
class PersonView:
    login: str
    display_name: str
    agency: str | None
    roles: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class AgencyView:
    code: str
    name: str
    kind: str


class PersonEvent(TypedDict):
    """One user event about a person (``users show``): its JSON output is this dict."""

    id: int | None
    at: datetime
    actor: str
    real_actor: str | None  # the OS login behind ``actor`` where they differ
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
