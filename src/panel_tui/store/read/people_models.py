"""People and agencies as plain read models: what screens and commands show."""

from __future__ import annotations

from dataclasses import dataclass


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
