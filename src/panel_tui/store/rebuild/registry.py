"""Which tables are under the chain, how their rows are keyed, scoped and named.

A record type joins the chain with one ``Covered`` entry in ``COVERED``: its
table, its primary key, how it is reached from a dispute (or ``GLOBAL``), and
how a finding names one of its rows. Nothing else is needed: the write path
captures every covered row an operation writes (through the ORM, in a
transaction that appends an event), and verify compares them. A column added
to a covered table later names its default in ``defaults``, so rows written
before it existed still verify.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]

#: Settings that change what the store allows: the policy (rights, windows,
#: identity override) and the store kind (a demo store allows ``--as``).
#: Reference counters (``ref_seq:YEAR``) are not covered: the unique refs guard them.
COVERED_SETTINGS = frozenset({"policy", "store_kind"})

#: ``scope`` of a table whose rows belong to no dispute (checked whole, not per dispute range).
GLOBAL = None


@dataclass(frozen=True)
class Covered:
    """One table under the chain."""

    table: str
    key: tuple[str, ...] = ("id",)
    #: The column holding the dispute id (``GLOBAL``: rows belong to no dispute).
    scope: str | None = "dispute_id"
    #: For tables reached through a parent: a FROM clause aliasing the table ``t``
    #: and the expression that gives the dispute id (see contactattempt).
    scope_from: tuple[str, str] | None = None
    #: How a finding names a row, from its values (stored, or expected when deleted);
    #: None: ``#`` and its key (``#12``).
    name: Callable[[Row], str] | None = None
    #: Rows of the table that are covered (None: all of them).
    only: Callable[[Row], bool] | None = None
    #: Columns added to the table after rows were written (by a later migration), with
    #: the value a row holds when no event set it: the migration's default.
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def label(self, row: Row) -> str:
        """How a finding names the row (without the table's name)."""
        if self.name is not None:
            try:
                return self.name(row)
            except (KeyError, TypeError):
                pass
        return "#" + "/".join(str(row.get(k)) for k in self.key)

    def covers(self, row: Row) -> bool:
        return self.only is None or bool(self.only(row))


def _setting_covered(row: Row) -> bool:
    return row.get("key") in COVERED_SETTINGS


COVERED: dict[str, Covered] = {
    c.table: c
    for c in (
        Covered(
            "dispute",
            scope="id",
            name=lambda r: str(r["ref"]),
            defaults={"review_due_on": None},  # migration 0008
        ),
        Covered("disputeagency", key=("dispute_id", "agency_id")),
        Covered("evidenceitem", name=lambda r: f"{r['key']} (#{r['id']})"),
        Covered(
            "stagerecord",
            name=lambda r: f"stage {r['stage']} (#{r['id']})",
            defaults={"impact": None},  # migration 0011
        ),
        Covered("interimcover"),
        Covered(
            "provisionalpackage",
            defaults={"closed_at": None, "pathway": ""},  # migration 0008
        ),
        Covered(
            "contactattempt",
            scope="package_id",
            scope_from=(
                "contactattempt t JOIN provisionalpackage p ON p.id = t.package_id",
                "p.dispute_id",
            ),
        ),
        Covered("decision"),
        Covered("acceptance"),
        Covered(
            "planholderassignment",
            defaults={"period_ends": None, "next_sync_due": None},  # migration 0011
        ),
        Covered("casesync"),
        Covered("consentscope"),
        Covered("note"),
        Covered(
            "panelagendaitem",
            scope=GLOBAL,  # a reorder writes rows of several disputes in one event
            name=lambda r: f"{r['panel_date']} #{r['id']}",
        ),
        # Shift start (0005): where each person last looked, and each alert claimed and sent.
        Covered("seenmark", key=("login",), scope=GLOBAL, name=lambda r: str(r["login"])),
        Covered(
            "alertsent",
            scope=GLOBAL,  # one claim or mark writes alerts of several disputes
            name=lambda r: f"{r['login']} {r['state']} stage {r['stage']} (#{r['id']})",
        ),
        Covered("agency", scope=GLOBAL, name=lambda r: str(r["code"])),
        Covered("person", scope=GLOBAL, name=lambda r: str(r["login"])),
        Covered(
            "setting",
            key=("key",),
            scope=GLOBAL,
            name=lambda r: str(r["key"]),
            only=_setting_covered,
        ),
    )
}


def dispute_scoped() -> list[Covered]:
    return [c for c in COVERED.values() if c.scope is not GLOBAL]


def global_tables() -> list[Covered]:
    return [c for c in COVERED.values() if c.scope is GLOBAL]
