"""Commands that read: the queue and one dispute, as the clocks stand at ``--at``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from panel_tui.cli.common import acting, open_store, read_instant
from panel_tui.cli.output import console, emit_csv, emit_json, emit_table, iso, local, markup_safe
from panel_tui.cli.queue_lines import liaison_waiting, queue_lines
from panel_tui.rules.clocks import Clock, clock_label
from panel_tui.rules.enums import Outcome, Stage
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.when import parse_duration
from panel_tui.rules.wording import counted
from panel_tui.store.read import quick_queue
from panel_tui.store.read.queue_models import QueueFilter, QueueRow, Section
from panel_tui.store.read.queue_shapes import (
    QUEUE_COLUMNS,
    clock_json,
    queue_json_text,
    row_csv,
    row_json,
)

#: The whole filtered queue: (filter, instant, at most this many) -> its rows in order.
ReadRows = Callable[[QueueFilter, datetime, int | None], list[QueueRow]]
#: The store's agency codes, read the same way as the page.
ReadCodes = Callable[[], list[str]]


def _provisional_cell(row: QueueRow) -> str:
    if row.provisional_ends is None:
        return "—"
    ends = local(row.provisional_ends)
    return f"EXPIRED {ends}" if row.provisional_expired else ends


def _review_cell(row: QueueRow) -> str:
    if row.review_due_on is None:
        return "—"
    day = row.review_due_on.isoformat()
    return f"DUE {day}" if row.review_due else day


def _filter(args: argparse.Namespace, login: str | None) -> QueueFilter:
    section = Section(args.section)
    if args.mine and login is None:
        raise AssertionError("--mine needs a login")
    return QueueFilter(
        section=section,
        text=args.text or "",
        types=tuple(args.type or ()),
        risks=tuple(args.risk or ()),
        stages=tuple(args.stage or ()),
        agencies=tuple(a.upper() for a in args.agency or ()),
        due_within=parse_duration(args.due_within, "--due-within") if args.due_within else None,
        breached=args.breached,
        mine=login if args.mine else None,
        liaison=args.liaison,
        reviews_due=args.reviews_due,
    )


def _queue_reader(
    args: argparse.Namespace, quick: bool = True
) -> tuple[ReadRows, ReadCodes, str | None]:
    """How to read the queue and the agency codes, and the login "--mine" means.

    A store at this release's schema is read with the bare driver, SQLite's or psycopg
    (store/read/quick_queue.py, held equal to the ORM's query by tests): importing the
    ORM took most of this command's time. Anything else, and ``--as``, goes
    through ``Store.open``, which migrates, refuses and checks identity as before.
    """
    head = None if getattr(args, "as_login", None) or not quick else quick_queue.peek(args.db)
    if head is not None:
        from panel_tui.store.identity import os_login

        def bare(f: QueueFilter, at: datetime, limit: int | None) -> list[QueueRow]:
            return quick_queue.every_row(head, f, at, limit=limit)

        return bare, lambda: quick_queue.agency_codes(head), os_login() if args.mine else None

    from panel_tui.store.read import orm_queries

    store = open_store(args)

    def full(f: QueueFilter, at: datetime, limit: int | None) -> list[QueueRow]:
        return orm_queries.every_row(store, f, at, limit=limit)

    def codes() -> list[str]:
        return [a.code for a in orm_queries.agencies(store)]

    return full, codes, acting(store, args) if args.mine else None


def _read_queue(args: argparse.Namespace, at: datetime, quick: bool) -> list[QueueRow]:
    if args.section == Section.MINE.value:  # the Mine section is --mine, as in the app
        args.mine = True
    read, codes, login = _queue_reader(args, quick)
    query = _filter(args, login)
    if query.agencies:
        known = codes()
        unknown = [a for a in query.agencies if a not in known]
        if unknown:
            raise InvalidInputError(
                f"unknown agency '{unknown[0]}': this store has {', '.join(known) or 'none'}",
                field="--agency",
            )
    # One query read to its end (no pages that count and skip again), rows built once.
    return read(query, at, args.limit)


def _liaison_mark(row: QueueRow) -> str:
    return " ! liaison" if liaison_waiting(row) else ""


def cmd_queue(args: argparse.Namespace) -> int:
    at = read_instant(args)
    try:
        rows = _read_queue(args, at, quick=True)
    except quick_queue.errors() as exc:
        # The quick read failed (say, no write access for the WAL index of a
        # read-only copy): the full way reads it, or says in full what is wrong.
        quick_queue.fell_back(exc)
        rows = _read_queue(args, at, quick=False)
    if args.format == "json" and args.indent is None:
        # Compact JSON written row by row as json.dumps would (queue_shapes.py), in one write.
        sys.stdout.write(queue_json_text(iso(at) or "", rows) + "\n")
    elif args.format == "json":
        emit_json(
            {"at": iso(at), "total": len(rows), "disputes": [row_json(r) for r in rows]},
            indent=args.indent,
        )
    elif args.format == "csv":
        emit_csv(
            QUEUE_COLUMNS,
            (row_csv(r) for r in rows),
        )
    else:
        emit_table(
            f"{Section(args.section).label}: {counted(len(rows), 'dispute')}",
            (
                "Ref",
                "Type",
                "Risk",
                "Agencies",
                "Stage",
                "Clock",
                "Cover",
                "Prov. ends",
                "Holder",
                "Review",
            ),
            (
                (
                    r.ref,
                    r.dispute_type,
                    r.risk,
                    r.agencies,
                    f"{r.stage} {Stage(r.stage).label}" + _liaison_mark(r),
                    clock_label(r.clock) if r.status == "open" else r.status,
                    r.cover or "—",
                    _provisional_cell(r),
                    r.plan_holder or "—",
                    _review_cell(r),
                )
                for r in rows
            ),
            caption=f"clocks as at {local(at)}",
            narrow=lambda width: queue_lines(rows, at, width, args.section),
        )
    return 0


def _receiving_cell(outcome: str, agency: str | None) -> str:
    """Who takes the person on; for not upheld, the agency whose arrangement stands is
    named as keeping it ("CBH" alone under Receiving read as CBH taking it on)."""
    if not agency:
        return "—"
    if outcome in (Outcome.ASSIGNED.value, Outcome.JOINT.value):
        return agency
    return f"— ({agency} keeps it)"


def plain(value: Any) -> Any:
    """Read models as JSON-ready data: clocks with their labels, nested dataclasses as dicts."""
    if isinstance(value, Clock):
        return clock_json(value)
    if hasattr(value, "__dataclass_fields__"):
        return {name: plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def cmd_show(args: argparse.Namespace) -> int:
    from panel_tui.store.read import orm_detail

    store = open_store(args)
    at = read_instant(args)
    detail = orm_detail.dispute_detail(store, args.ref, at)
    if args.format == "json":
        emit_json({**plain(detail), "next_step": detail.next_step})
        return 0
    _print_detail(detail)
    return 0


def consent_line(d: Any) -> str:
    """The scope of consent to share, in one line (``show``, and before an export)."""
    c = d.consent
    if c is None:
        return f"no scope recorded (basis: {d.consent_basis})"
    due = " — REVIEW DUE" if c.review_due else ""
    return (
        f"{', '.join(c.agencies)} for {c.purpose}; review {c.review_date.isoformat()}{due} "
        f"(basis: {d.consent_basis})"
    )


def plan_line(plan: Any) -> str:
    """The plan holder's period and next case synchronisation, with the sync-due marker."""
    parts = [f"{plan.holder} since {local(plan.since)}"]
    if plan.period_ends:
        parts.append(f"until {local(plan.period_ends)}")
    if plan.next_sync_due:
        parts.append(f"next sync {local(plan.next_sync_due)}")
    if plan.sync_overdue:
        parts.append("! SYNC DUE")
    if plan.period_over:
        parts.append("! HOLDING PERIOD ENDED: re-confirm the plan holder")
    return " · ".join(parts)


def _print_detail(d: Any) -> None:
    """``show`` as a table: the summary and form, the ladder, support meanwhile, the
    outcome, then notes and history."""
    out = console()
    _print_summary(out, d)
    _print_ladder(d)
    _print_support(d)
    _print_outcome(out, d)
    if d.notes:
        emit_table("Notes", ("When", "By", "Note"), ((local(n.at), n.by, n.text) for n in d.notes))
    emit_table(
        "History",
        ("#", "When", "Who", "What", "Stage"),
        ((e.id, local(e.at), e.who, e.action, e.stage) for e in d.events),
    )


def _print_summary(console: Any, d: Any) -> None:
    """Who, what and where on the ladder; flags that need acting on; consent; the form."""
    q = markup_safe  # stored text inside markup: controls and [brackets] escaped
    console.print(
        f"[b]{q(d.ref)}[/b]  {q(d.dispute_type)} · risk {q(d.risk)} · {q(d.status)} · "
        f"stage {d.stage} {Stage(d.stage).label} · {clock_label(d.clock)}"
    )
    console.print(
        f"person {q(d.person_ref)} · {q(d.raising_agency)} → "
        f"{q(', '.join(d.responding_agencies))} · opened {local(d.opened_at)} by "
        f"{q(d.opened_by)} · plan holder {q(d.plan_holder or '—')}"
    )
    if d.liaison_triggered:
        console.print("[b]! COMMISSIONER LIAISON TRIGGERED[/b]")
    if d.next_step:
        console.print(f"[b]! NEXT STEP DUE:[/b] {d.next_step}")
    if d.review_due_on:
        due = "[b]! REVIEW DUE[/b]" if d.review_due else "next review"
        console.print(f"{due} {d.review_due_on.isoformat()}")
    # Consent first: what follows may be shared only within it.
    console.print(f"[b]Consent:[/b] {q(consent_line(d))}")
    if d.plan is not None:
        console.print(f"[b]Plan holder:[/b] {q(plan_line(d.plan))}")
    for label, value in (
        ("Problem", d.problem_statement),
        ("Proposed pathway", d.proposed_pathway),
        ("Rule conflict", d.rule_conflict),
        ("Evidence summary", d.evidence_summary),
        ("Interim risk actions", d.interim_risk_actions or "—"),
        ("Requested decision", d.requested_decision),
        ("Consent / lawful basis", d.consent_basis),
    ):
        console.print(f"[b]{label}:[/b] {q(value)}")


def _print_ladder(d: Any) -> None:
    """The minimum evidence, then each rung: its authority, clock, note and breach reason."""
    emit_table(
        "Evidence",
        ("Item", "Present", "Note"),
        ((e.label, {True: "yes", False: "NO", None: "?"}[e.present], e.note) for e in d.evidence),
    )
    emit_table(
        "Ladder",
        ("Stage", "Authority", "Entered", "Due", "Left", "Clock", "Note / breach reason"),
        (
            (
                f"{s.stage} {s.label}",
                f"{s.authority_role} ({', '.join(s.authorities) or 'nobody'})",
                local(s.entered_at),
                local(s.due_at),
                local(s.left_at),
                clock_label(s.clock) if s.clock else "not reached",
                "\n".join(
                    part
                    for part in (
                        s.note or "",
                        f"breached: {s.breach_reason}" if s.breach_reason else "",
                        f"impact on the person: {s.impact}" if s.impact else "",
                    )
                    if part
                ),
            )
            for s in d.stages
        ),
    )


def _print_support(d: Any) -> None:
    """What protects the person meanwhile: synchronisations, interim cover, packages."""
    if d.syncs:
        emit_table(
            "Case synchronisations",
            ("Held", "Trigger", "Who took part", "Outcome", "Next due"),
            (
                (local(x.held_at), x.trigger, x.participants, x.outcome, local(x.next_due))
                for x in d.syncs
            ),
        )
    if d.covers:
        emit_table(
            "Interim cover",
            ("Provider", "Support", "From", "Active"),
            (
                (c.provider, c.support_level, local(c.starts_at), "yes" if c.active else "no")
                for c in d.covers
            ),
        )
    for p in d.packages:
        funded = f", funded pathway: {p.pathway}" if p.pathway else ""
        emit_table(
            f"Provisional package ({p.status.upper() if p.expired else p.status}) — "
            f"coordinator {p.coordinator}, {'ended' if p.expired else 'ends'} "
            f"{local(p.ends_at)}{funded}",
            ("When", "Method", "Outcome", "By", "Note"),
            ((local(c.at), c.method, c.outcome, c.by, c.note) for c in p.contacts),
        )


def _print_outcome(console: Any, d: Any) -> None:
    """Decisions, then the acceptance or withdrawal that ended the dispute."""
    q = markup_safe
    if d.decisions:
        emit_table(
            "Decisions",
            ("When", "Kind", "Outcome", "Receiving", "By", "Review", "Rationale"),
            (
                (
                    local(x.decided_at),
                    x.kind,
                    x.outcome,
                    _receiving_cell(x.outcome, x.receiving_agency),
                    f"{x.decided_by} ({x.capacity})",
                    x.review_date.isoformat(),
                    x.rationale,
                )
                for x in d.decisions
            ),
        )
    if d.acceptance:
        a = d.acceptance
        console.print(
            f"[b]Accepted[/b] {local(a.at)} by {q(a.accepted_by)}: start "
            f"{a.start_date.isoformat()} — {q(a.start_plan)}"
        )
    if d.withdrawn_reason:
        console.print(f"[b]Withdrawn:[/b] {q(d.withdrawn_reason)}")
