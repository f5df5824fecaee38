"""Exporting the queue as it is on screen (section, filter, sort) to a private file.

Every row of the current view, not only the page in view, in the ``queue``
command's own shapes: JSON with the same keys as ``panel-tui queue --format
json``, CSV with the same columns as ``--format csv`` (cells a spreadsheet would
run as formulas start with ``'``). The file is created owner-only (0600) in the
exports directory (``$PANEL_TUI_EXPORTS``, else the current directory), named by
section and time, and never replaces another file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from panel_tui.cli.reads import QUEUE_COLUMNS, row_json
from panel_tui.rules.clocks import clock_label
from panel_tui.rules.text import csv_cell
from panel_tui.store.private_files import open_private, private_dir
from panel_tui.store.read.queue_models import QueueFilter, QueuePage, QueueRow

PAGE = 1000
FORMATS = ("csv", "json")


def all_rows(fetch: Callable[[int, int], QueuePage]) -> tuple[list[QueueRow], datetime | None]:
    """Every row of a view, page by page, and the instant its clocks were read at."""
    rows: list[QueueRow] = []
    at = None
    while True:
        page = fetch(len(rows), PAGE)
        at = at or page.at
        rows.extend(page.rows)
        if not page.rows or len(rows) >= page.total:
            return rows, at


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def as_csv(rows: list[QueueRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(QUEUE_COLUMNS)
    for r in rows:
        cells = (
            r.ref,
            r.person_ref,
            r.dispute_type,
            r.risk,
            r.agencies,
            r.stage,
            r.status,
            clock_label(r.clock),
            _iso(r.due_at),
            r.cover or "",
            _iso(r.provisional_ends),
            r.plan_holder or "",
        )
        writer.writerow([csv_cell(c) if isinstance(c, str) else c for c in cells])
    return buffer.getvalue()


def as_json(rows: list[QueueRow], at: datetime | None, f: QueueFilter) -> str:
    view = {"section": f.section.value, "text": f.text, "sort": f.sort, "descending": f.descending}
    data = {
        "at": _iso(at),
        "view": view,
        "total": len(rows),
        "disputes": [row_json(r) for r in rows],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_export(
    directory: Path, f: QueueFilter, rows: list[QueueRow], at: datetime | None, kind: str
) -> Path:
    """Write the view to a new owner-only file in ``directory``; its path."""
    if kind not in FORMATS:
        raise ValueError(f"no such export format: {kind}")
    text = as_csv(rows) if kind == "csv" else as_json(rows, at, f)
    private_dir(directory)
    stamp = (at or datetime.now()).astimezone().strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        target = directory / f"queue-{f.section.value}-{stamp}{f'-{n}' if n else ''}.{kind}"
        try:
            with open_private(target, exclusive=True) as handle:
                handle.write(text)
        except FileExistsError:
            continue
        return target
    raise FileExistsError(f"{directory} already holds 100 exports of this minute")
