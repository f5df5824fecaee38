"""Demo data: a realistic, deterministic store built from a seed.

The first disputes (60 by default) are written through the real Ledger with
explicit past times, so the demo exercises every rule: every type, risk, stage
and clock state, interim cover, provisional packages with contact logs,
decisions, final determinations by the named authority, acceptances and
withdrawals. Bigger demos (``disputes > 1000``) add the rest in bulk, in one
write transaction: rows are made in batches of 5,000 (each batch with its own
seed), the events of the hash chain are computed here exactly as the Ledger
would have written them, and Core-compiled INSERTs go to the driver's
executemany on a second thread while the next batch is made. One transaction
per operation (an fsync on every commit) would take many minutes.

The package: ``texts`` (agencies, people and phrases), ``plan`` (steps, plans,
specs, weights), ``planner`` (a dispute's life from a seed), ``history`` (the
Ledger path), ``rows`` and ``bulk`` (the bulk path) and ``build`` (the entry
point). Import from here.
"""

from panel_tui.store.demo.build import BASE_DISPUTES, BULK_THRESHOLD, build_demo, demo_policy_text
from panel_tui.store.demo.bulk import BATCH, BulkChain, Inserter, make_batch
from panel_tui.store.demo.history import base_plans
from panel_tui.store.demo.plan import Plan, Spec, Step
from panel_tui.store.demo.planner import Planner
from panel_tui.store.demo.rows import BULK_TABLES, BulkBatch, BulkContext, BulkJob, RowMaker
from panel_tui.store.demo.texts import ADMIN_LOGIN, DEMO_AGENCIES, DEMO_LOGIN, DEMO_PEOPLE

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
