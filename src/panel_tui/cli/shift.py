"""Shift start and alerts on the command line: ``handover`` and ``alerts``.

``handover`` prints what the shift-start view shows, as a Markdown note or
JSON; ``alerts`` (from cron or a systemd timer) sends the rung's named people
their digests (panel_tui/alerts). Exit codes for alerts: 0 sent (or nothing to
send), 2 bad usage or no ``[alerts]`` in the site config, 3 some digests could
not be sent or some people have no address (they are tried again next run).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from panel_tui.cli.common import acting, open_store, read_instant
from panel_tui.cli.output import emit_json, error, iso, say
from panel_tui.rules.errors import InvalidInputError
from panel_tui.rules.text import markdown_plain
from panel_tui.rules.when import parse_duration, parse_time

#: ``alerts`` exit status when a digest is left for the next run.
NOT_ALL_SENT = 3


def cmd_handover(args: argparse.Namespace) -> int:
    from panel_tui.store.ledger.shift import mark_seen
    from panel_tui.store.read.changes import Since, read_changes, since_last

    if args.mark_seen and args.at:
        raise InvalidInputError("--mark-seen marks what is seen now: leave out --at", field="at")
    now = read_instant(args)
    store = open_store(args)
    try:
        login = acting(store, args)
        with store.read() as session:
            if args.since.strip().upper() == "LAST":
                since = since_last(session, login, now)
            else:
                since = Since(at=parse_time(args.since, "--since", now=now))
                if since.at >= now:
                    raise InvalidInputError("--since must be before now (or --at)", field="since")
            changes = read_changes(session, store.policy(session), since, now)
        if args.format == "json":
            emit_json(changes_json(changes, login))
        else:
            sys.stdout.write(changes_markdown(changes, login))
        if args.mark_seen:
            mark_seen(store, login, changes.head_event, changes.until)
    finally:
        store.close()
    return 0


def changes_json(changes: Any, login: str) -> dict[str, Any]:
    from panel_tui.store.read.changes import KINDS

    return {
        "for": login,
        "since": iso(changes.since.at),
        "since_event": changes.since.after_event,
        "since_last_seen": changes.since.from_mark,
        "until": iso(changes.until),
        "head_event": changes.head_event,
        "counts": {kind: changes.counts.get(kind, 0) for kind in KINDS},
        "changes": [
            {
                "kind": c.kind,
                "ref": c.ref,
                "at": iso(c.at),
                "stage": c.stage,
                "actor": c.actor,
                "detail": c.detail,
            }
            for c in changes.items
        ],
    }


def changes_markdown(changes: Any, login: str) -> str:
    from panel_tui.store.read.changes import KINDS, LABELS

    lines = [
        f"# Handover: what changed {changes.since.words(_utc(changes.since.at))}",
        "",
        f"For {markdown_plain(login)}, from {_utc(changes.since.at)} to {_utc(changes.until)}.",
        "",
    ]
    if not changes.total:
        lines += ["Nothing changed.", ""]
    for kind in KINDS:
        count = changes.counts.get(kind, 0)
        if not count:
            continue
        listed = changes.of(kind)
        lines += [f"## {LABELS[kind]} ({count})", ""]
        for c in listed:
            who = f" by {markdown_plain(c.actor)}" if c.actor else ""
            detail = f": {markdown_plain(c.detail)}" if c.detail else ""
            stage = f", stage {c.stage}" if c.stage is not None else ""
            lines.append(f"- **{markdown_plain(c.ref)}** {_utc(c.at)}{stage}{who}{detail}")
        if count > len(listed):
            lines.append(f"- … and {count - len(listed)} more")
        lines.append("")
    return "\n".join(lines)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def cmd_alerts(args: argparse.Namespace) -> int:
    from panel_tui.alerts.config import load_alerts_config
    from panel_tui.alerts.digest import body, subject
    from panel_tui.alerts.run import pending, preview, run_alerts
    from panel_tui.store.identity import os_login

    within = parse_duration(args.within, "--within")
    if args.at and not args.dry_run:
        # What was sent is recorded at the real time: only a dry run may look at another.
        raise InvalidInputError("--at is for --dry-run only", field="at")
    now = read_instant(args)
    config = None if args.dry_run else load_alerts_config()
    store = open_store(args)
    try:
        if args.dry_run:
            digests = preview(pending(store, now, within))
            for digest in digests:
                say(f"--- to {digest.login}: {subject(digest)}")
                sys.stdout.write(body(digest))
            say(f"{len(digests)} digest(s) would be sent (dry run: nothing sent or recorded)")
            return 0
        assert config is not None
        outcome = run_alerts(store, config, os_login(), now, within)
    finally:
        store.close()
    for digest, to in outcome.sent:
        say(f"sent {digest.login} ({to}): {subject(digest)}")
    for digest, why in outcome.failed:
        error(f"not sent to {digest.login}, kept for the next run: {why}")  # why: a server's words
    for login in outcome.unaddressed:
        error(
            f"no address for {login}: set alerts.mail_domain or "
            f"[alerts.addresses] in {config.source}"
        )
    for login in outcome.unsendable:
        error(
            f"not sent to {login}: the login holds a control character; `panel-tui audit "
            "verify` shows whether the store was edited"
        )
    if not outcome.sent and outcome.ok:
        say("nothing new to send")
    return 0 if outcome.ok else NOT_ALL_SENT
