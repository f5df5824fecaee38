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
from datetime import datetime
from pathlib import Path

from panel_tui.rules.text import csv_cell
from panel_tui.store.private_files import open_private, private_dir
from panel_tui.store.read.queue_models import QueueFilter, QueueRow
from panel_tui.store.read.queue_shapes import QUEUE_COLUMNS, row_csv, row_json

FORMATS = ("csv", "json")


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def as_csv(rows: list[QueueRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(QUEUE_COLUMNS)
    for r in rows:
        writer.writerow(["" if c is None else csv_cell(c) for c in row_csv(r)])
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
