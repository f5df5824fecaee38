"""Commands that move data out and in: report, minutes, export, import, copy-store."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from panel_tui.cli.common import acting, open_store, parse_json, read_input, read_instant
from panel_tui.cli.output import emit_json, error, say
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.text import visible
from panel_tui.rules.when import parse_time
from panel_tui.rules.wording import counted
from panel_tui.service import refuse_path


def cmd_report(args: argparse.Namespace) -> int:
    from panel_tui.store.read import report as rep

    store = open_store(args)
    at = read_instant(args)
    end = parse_time(args.to, "--to") if args.to else at
    start = parse_time(args.since, "--from") if args.since else end - timedelta(days=args.days)
    if start >= end:
        raise InvalidInputError("the period must start before it ends", field="--from")
    result = rep.oversight_report(store, start, end, at)
    if args.format == "json":
        emit_json(rep.report_json(result))
    elif args.format == "csv":
        sys.stdout.write(rep.report_csv(result))
    elif args.format == "md":
        sys.stdout.write(rep.report_markdown(result))
    else:
        from rich.markdown import Markdown

        from panel_tui.cli.output import console

        console(pipe_width=None).print(Markdown(rep.report_markdown(result)))
    return 0


def cmd_minutes(args: argparse.Namespace) -> int:
    """``panel-tui minutes [DATE]``: the panel's minutes as Markdown on stdout.

    The app saves them into the current directory; through the service account it
    cannot (the account would write the file), so this is how the minutes reach
    the chair there: ``panel-tui minutes today > minutes.md``, made by their shell.
    """
    from panel_tui.rules.when import parse_date
    from panel_tui.store.identity import os_display_name
    from panel_tui.store.read.agenda import agenda
    from panel_tui.store.read.minutes import minutes_markdown
    from panel_tui.store.read.orm_queries import person

    store = open_store(args)
    at = read_instant(args)
    day = parse_date(args.date, "DATE", today=at.astimezone().date())
    login = acting(store, args)
    found = person(store, login)
    chair = found.display_name if found is not None else os_display_name()
    sys.stdout.write(minutes_markdown(day, agenda(store, day, at), chair) + "\n")
    return 0


def _say_consent(disputes: list[dict]) -> None:
    """Before the data leaves: which disputes have no scope of consent, or one due for review."""
    from datetime import date

    today = date.today().isoformat()
    missing = [d["ref"] for d in disputes if not d.get("consent_scopes")]
    due = [
        d["ref"]
        for d in disputes
        if d.get("consent_scopes") and d["consent_scopes"][-1]["review_date"] <= today
    ]
    sys.stderr.write(
        f"consent: {len(disputes) - len(missing)} of {len(disputes)} disputes have a scope "
        f"recorded (agencies, purpose, review date); {len(due)} are due for review\n"
    )
    for label, refs in (("no scope recorded", missing), ("review due", due)):
        if refs:
            more = f" and {len(refs) - 20} more" if len(refs) > 20 else ""
            shown = visible(", ".join(refs[:20]), multiline=False)  # refs an older store holds
            sys.stderr.write(f"  {label}: {shown}{more}\n")


def cmd_export(args: argparse.Namespace) -> int:
    from panel_tui.store.transfer import export_store

    if args.output != "-":
        refuse_path(args.output, "--output", output=True)
    doc = export_store(open_store(args))
    text = json.dumps(doc, indent=2, sort_keys=True)
    if args.output and args.output != "-":
        from panel_tui.store.private_files import write_private

        try:
            write_private(Path(args.output), text + "\n")  # owner-only whatever the umask
        except OSError as exc:
            raise InvalidInputError(
                f"cannot write {args.output}: {exc.strerror}", field="--output"
            ) from None
        count = len(doc.get("disputes", []))
        shown = visible(args.output, multiline=False)
        sys.stderr.write(f"exported {counted(count, 'dispute')} to {shown}\n")
        _say_consent(doc.get("disputes", []))  # before the file is passed on
    else:
        _say_consent(doc.get("disputes", []))  # before the data goes down the pipe
        sys.stdout.write(text + "\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from panel_tui.store.transfer import import_csv, import_export

    text = read_input(args.file, "FILE")
    as_csv = args.csv or args.file.lower().endswith(".csv")
    doc: Any = None if as_csv else parse_json(text, "FILE")  # checked by import_export
    store = open_store(args)
    login = acting(store, args)
    result = import_csv(store, login, text) if as_csv else import_export(store, login, doc)
    refs, skipped = result.refs, result.skipped
    if args.format == "json":
        emit_json({"ok": True, "imported": len(refs), "refs": refs, "skipped": skipped})
        return 0
    say(f"imported {counted(len(refs), 'dispute')} into {store.label}")
    if skipped:
        held = ", ".join(f"{old} (as {ref})" for old, ref in list(skipped.items())[:10])
        more = f" and {len(skipped) - 10} more" if len(skipped) > 10 else ""
        say(f"skipped {len(skipped)} the store already holds: {held}{more}")
    return 0


def cmd_copy_store(args: argparse.Namespace) -> int:
    """Copy a whole store with its history (SQLite ⇄ PostgreSQL), then check the copy."""
    from panel_tui.store.transfer.copy_store import copy_store

    refuse_path(args.source, "--from")
    refuse_path(args.dest, "--to")
    report = copy_store(args.source, args.dest, progress=None if args.quiet else say)
    if not report.copied:
        for problem in report.problems:
            error(f"the source does not verify, nothing was copied: {problem}")
        return 1
    if report.ok:
        rows = sum(report.counts.values())
        say(f"copied {rows} rows; {report.counts.get('event', 0)} events, head {report.head}")
        return 0
    for problem in report.problems:
        error(f"the copy does not check out: {problem}")
    return 1
