"""Export a store to a stable JSON document, and import it (or a CSV log) back.

Imports never write rows directly: each dispute is *replayed* through the real
ledger operations at its recorded times, so every rule, right and clock is
checked again and the audit chain records it all. Everything is validated
first, then replayed in ONE write transaction: a bad row names itself and the
field, and nothing is written.

The package: ``export`` (the JSON document), ``validate`` (checks both
importers share), ``replay`` (steps replayed through the Ledger),
``import_json`` (the export format back in) and ``csv_log`` (an existing
dispute log as CSV; its docstring describes the columns). Import from here.
"""

from panel_tui.store.transfer.csv_log import (
    CSV_COLUMNS,
    CSV_EXAMPLE,
    EVIDENCE_COLUMNS,
    import_csv,
    read_csv,
)
from panel_tui.store.transfer.export import (
    BATCH,
    FORMAT,
    VERSION,
    export_store,
    iter_export_disputes,
)
from panel_tui.store.transfer.import_json import import_export
from panel_tui.store.transfer.replay import ImportResult

__all__ = [
    "BATCH",
    "CSV_COLUMNS",
    "CSV_EXAMPLE",
    "EVIDENCE_COLUMNS",
    "FORMAT",
    "VERSION",
    "ImportResult",
    "export_store",
    "import_csv",
    "import_export",
    "iter_export_disputes",
    "read_csv",
]
