"""Demo data: a realistic, deterministic store built from a seed.

The first disputes (60 by default) are written through the real Ledger with
explicit past times, so the demo exercises every rule: every type, risk, stage
and clock state, interim cover, provisional packages with contact logs,
decisions, final determinations by the named authority, acceptances and
withdrawals. Bigger demos (``disputes > 1000``) add the rest in bulk, a write
transaction per 50,000 disputes: rows are made in batches of 5,000 (each batch
with its own seed; by worker processes when there are many), the events of the
hash chain are computed here exactly as the Ledger would have written them, and
Core-compiled INSERTs go to the driver's executemany on a second thread while
the next batch is chained. One transaction per operation (an fsync on every
commit) would take many minutes.

The package: ``texts`` (agencies, people and phrases), ``plan`` (steps, plans,
specs, weights), ``planner`` (a dispute's life from a seed), ``history`` (the
Ledger path), ``rows``, ``batches`` and ``bulk`` (the bulk path) and ``build``
(the entry point); ``quick`` builds a small demo with the standard library alone, held
equal to the Ledger's by tests. Import from here: the names load on first use,
so ``quick`` runs without SQLAlchemy (the bulk and Ledger paths import it).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from panel_tui.store.demo.batches import make_batch
    from panel_tui.store.demo.build import (
        BASE_DISPUTES,
        BULK_THRESHOLD,
        build_demo,
        demo_policy_text,
    )
    from panel_tui.store.demo.bulk import BATCH, BulkChain, Inserter
    from panel_tui.store.demo.history import base_plans
    from panel_tui.store.demo.plan import Plan, Spec, Step
    from panel_tui.store.demo.planner import Planner
    from panel_tui.store.demo.rows import BULK_TABLES, BulkBatch, BulkContext, BulkJob, RowMaker
    from panel_tui.store.demo.texts import ADMIN_LOGIN, DEMO_AGENCIES, DEMO_LOGIN, DEMO_PEOPLE

#: Each exported name and the module that defines it.
_WHERE = {
    "ADMIN_LOGIN": "panel_tui.store.demo.texts",
    "BASE_DISPUTES": "panel_tui.store.demo.build",
    "BATCH": "panel_tui.store.demo.bulk",
    "BULK_TABLES": "panel_tui.store.demo.rows",
    "BULK_THRESHOLD": "panel_tui.store.demo.build",
    "BulkBatch": "panel_tui.store.demo.rows",
    "BulkChain": "panel_tui.store.demo.bulk",
    "BulkContext": "panel_tui.store.demo.rows",
    "BulkJob": "panel_tui.store.demo.rows",
    "DEMO_AGENCIES": "panel_tui.store.demo.texts",
    "DEMO_LOGIN": "panel_tui.store.demo.texts",
    "DEMO_PEOPLE": "panel_tui.store.demo.texts",
    "Inserter": "panel_tui.store.demo.bulk",
    "Plan": "panel_tui.store.demo.plan",
    "Planner": "panel_tui.store.demo.planner",
    "RowMaker": "panel_tui.store.demo.rows",
    "Spec": "panel_tui.store.demo.plan",
    "Step": "panel_tui.store.demo.plan",
    "base_plans": "panel_tui.store.demo.history",
    "build_demo": "panel_tui.store.demo.build",
    "demo_policy_text": "panel_tui.store.demo.build",
    "make_batch": "panel_tui.store.demo.batches",
}

__all__ = [
    "ADMIN_LOGIN",
    "BASE_DISPUTES",
    "BATCH",
    "BULK_TABLES",
    "BULK_THRESHOLD",
    "DEMO_AGENCIES",
    "DEMO_LOGIN",
    "DEMO_PEOPLE",
    "BulkBatch",
    "BulkChain",
    "BulkContext",
    "BulkJob",
    "Inserter",
    "Plan",
    "Planner",
    "RowMaker",
    "Spec",
    "Step",
    "base_plans",
    "build_demo",
    "demo_policy_text",
    "make_batch",
]


def __getattr__(name: str) -> Any:
    """``from panel_tui.store.demo import X``: X's module is imported now, not before."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)
