"""The sent-record of alerts: claim, then send, then mark — each alert once.

Why a rerun after a crash neither loses nor repeats an alert
------------------------------------------------------------
An alert is one ``alertsent`` row, unique per (person, dispute, stage, state,
due time). A run does three things, and the store is the only memory between
runs:

1. **Claim** (one write transaction): for each alert due, insert its row with
   ``claimed_by = HOST:PID`` of this run and a ``message_id`` shared by the
   alerts of one person's digest. A row that is already there is skipped if it
   was sent, or if another live run holds it (a concurrent cron job). The unique
   key and the IMMEDIATE transaction make the claim atomic: two runs never both
   hold an alert.
2. **Send** the digest, outside any transaction (a slow mail server must not
   hold the store's write lock).
3. **Mark** (one write transaction): ``sent_at`` on the digest's rows.
   A send that fails **releases** its claims instead, for the next run.

A crash between 1 and 2 leaves rows claimed by a process that no longer
exists: the next run on the host sees the PID is gone (or, from another host,
the claim older than ``LEASE``) and takes the claim over, keeping its
``message_id``, and sends it — nothing lost. A crash between 2 and 3 is the one
window no client can close alone (the server accepted the message; the store
does not know): the retry goes out under the **same** Message-ID (e-mail) or
``Idempotency-Key`` (webhook), so the receiving mail store or endpoint can
recognise it as the same message. The window is the few milliseconds between
the server's "250 OK" and the mark's commit; every other crash point is exact.
A retried digest holds exactly the alerts it first held (grouped by
``message_id``), never new ones, so its Message-ID always means the same text.

Each step is an audited event (``alert_claim``, ``alert_sent``,
``alert_release``) carrying the rows it wrote: the record is under the chain,
so deleting a sent row by hand to make an alert go out again is named by
``audit verify``.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from panel_tui.rules.clocks import utc
from panel_tui.store.audit import append_event
from panel_tui.store.db import Store
from panel_tui.store.models import AlertSent
from panel_tui.store.read.alerts import Alert

#: A claim older than this, by a run on another host, is taken to be abandoned.
LEASE = timedelta(minutes=15)


def this_run() -> str:
    """``HOST:PID``: who holds a claim."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _abandoned(claimed_by: str, claimed_at: datetime, now: datetime) -> bool:
    """True if nobody can still be sending under this claim."""
    if not claimed_by:
        return True  # released after a failed send
    if now - claimed_at >= LEASE:
        return True
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's run may still be at it: wait for the lease
    if int(pid) == os.getpid():
        return True  # our own earlier claim in this process (a retry in one run)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's process
    return False


@dataclass(frozen=True)
class Digest:
    """One message to one person: the alerts it carries, under one message id."""

    login: str
    message_id: str
    alerts: tuple[Alert, ...]


def _message_id(login: str, claimed: Iterable[Alert], run: str, now: datetime) -> str:
    text = "|".join(f"{a.dispute_id}:{a.stage}:{a.state}:{a.due_at.isoformat()}" for a in claimed)
    digest = hashlib.sha256(f"{login}|{run}|{now.isoformat()}|{text}".encode()).hexdigest()[:32]
    return f"<{digest}@panel-tui>"


def claim(
    store: Store, alerts: list[Alert], actor: str, now: datetime, channel: str
) -> list[Digest]:
    """Claim every alert not yet sent nor held by a live run; the digests to send.

    Alerts taken over from an abandoned claim go out in their first digest
    (same message id), apart from new ones.
    """
    now = utc(now)
    run = this_run()
    with store.write() as session:
        existing = {
            (r.login, r.dispute_id, r.stage, r.state, r.due_at): r
            for r in _rows_for(session, alerts)
        }
        fresh: dict[str, list[Alert]] = defaultdict(list)
        retried: dict[str, list[Alert]] = defaultdict(list)
        retried_login: dict[str, str] = {}
        for alert in alerts:
            row = existing.get(alert.key)
            if row is None:
                fresh[alert.login].append(alert)
            elif row.sent_at is None and _abandoned(row.claimed_by, row.claimed_at, now):
                row.claimed_by, row.claimed_at = run, now
                session.add(row)
                retried[row.message_id].append(alert)
                retried_login[row.message_id] = alert.login
        digests = [Digest(retried_login[mid], mid, tuple(found)) for mid, found in retried.items()]
        for login, found in fresh.items():
            mid = _message_id(login, found, run, now)
            for alert in found:
                session.add(
                    AlertSent(
                        login=login,
                        dispute_id=alert.dispute_id,
                        stage=alert.stage,
                        state=alert.state,
                        due_at=alert.due_at,
                        channel=channel,
                        claimed_by=run,
                        claimed_at=now,
                        message_id=mid,
                    )
                )
            digests.append(Digest(login, mid, tuple(found)))
        if digests:
            append_event(
                session,
                at=now,
                actor=actor,
                action="alert_claim",
                after={
                    "run": run,
                    "digests": {d.message_id: [d.login, len(d.alerts)] for d in digests},
                },
            )
    return sorted(digests, key=lambda d: (d.login, d.message_id))


def _rows_for(session: Session, alerts: list[Alert]) -> list[AlertSent]:
    if not alerts:
        return []
    ids = {a.dispute_id for a in alerts}
    return list(
        session.execute(select(AlertSent).where(col(AlertSent.dispute_id).in_(ids))).scalars()
    )


def mark_sent(store: Store, digest: Digest, actor: str, now: datetime) -> None:
    """The digest went out: its rows get ``sent_at``."""
    _finish(store, digest, actor, utc(now), sent=True, why="")


def release(store: Store, digest: Digest, actor: str, now: datetime, why: str) -> None:
    """The digest could not be sent: its claims are left for the next run."""
    _finish(store, digest, actor, utc(now), sent=False, why=why)


def _finish(
    store: Store, digest: Digest, actor: str, now: datetime, *, sent: bool, why: str
) -> None:
    run = this_run()
    with store.write() as session:
        rows = session.execute(
            select(AlertSent).where(
                col(AlertSent.message_id) == digest.message_id,
                col(AlertSent.sent_at).is_(None),
                col(AlertSent.claimed_by) == run,
            )
        ).scalars()
        changed = 0
        for row in rows:
            if sent:
                row.sent_at = now
            else:
                row.claimed_by = ""
            session.add(row)
            changed += 1
        if changed:
            append_event(
                session,
                at=now,
                actor=actor,
                action="alert_sent" if sent else "alert_release",
                after={"message_id": digest.message_id, "login": digest.login, "alerts": changed}
                | ({} if sent else {"reason": why[:400]}),
            )
