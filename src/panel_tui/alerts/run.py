"""One run of ``panel-tui alerts``: find, claim, send, mark (or release)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from panel_tui.alerts.config import AlertsConfig
from panel_tui.alerts.send import SendError, send
from panel_tui.store.db import Store
from panel_tui.store.ledger import alerts as record
from panel_tui.store.ledger.alerts import Digest
from panel_tui.store.models import AlertSent
from panel_tui.store.read.alerts import Alert, alerts_due


@dataclass
class Outcome:
    """What a run did: digests sent, digests left for the next run, people without an address."""

    sent: list[tuple[Digest, str]] = field(default_factory=list)
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    unaddressed: list[str] = field(default_factory=list)
    #: Logins holding a character no header may (an older store, a direct edit).
    unsendable: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.unaddressed and not self.unsendable


def pending(store: Store, now: datetime, within: timedelta) -> list[Alert]:
    """Alerts due and not yet sent (claimed but unsent ones included: a retry sends them)."""
    with store.read() as session:
        due = alerts_due(session, store.policy(session), now, within)
        ids = {a.dispute_id for a in due}
        sent = {
            (r.login, r.dispute_id, r.stage, r.state, r.due_at)
            for r in session.execute(
                select(AlertSent).where(
                    col(AlertSent.dispute_id).in_(ids), col(AlertSent.sent_at).is_not(None)
                )
            ).scalars()
        }
    return [a for a in due if a.key not in sent]


def preview(alerts: list[Alert]) -> list[Digest]:
    """The digests a run would send (``--dry-run``): nothing is claimed."""
    by_person: dict[str, list[Alert]] = defaultdict(list)
    for alert in alerts:
        by_person[alert.login].append(alert)
    return [
        Digest(login, "(not claimed)", tuple(found)) for login, found in sorted(by_person.items())
    ]


def run_alerts(
    store: Store, config: AlertsConfig, actor: str, now: datetime, within: timedelta
) -> Outcome:
    from panel_tui.rules.text import first_refused

    outcome = Outcome()
    alerts = pending(store, now, within)
    # A login with CR LF could add a header (Bcc:), and the store refuses to record a
    # claim for it: left out, named, so it does not stop everyone else's digest.
    hidden = {a.login for a in alerts if first_refused(a.login, identifier=True)}
    outcome.unsendable = sorted(hidden)
    alerts = [a for a in alerts if a.login not in hidden]
    addressed = [a for a in alerts if config.address(a.login)]
    outcome.unaddressed = sorted({a.login for a in alerts} - {a.login for a in addressed})
    for digest in record.claim(store, addressed, actor, now, config.channel):
        to = config.address(digest.login)
        assert to is not None
        try:
            send(config, digest, to, now)
        except SendError as exc:
            record.release(store, digest, actor, now, str(exc))
            outcome.failed.append((digest, str(exc)))
            continue
        record.mark_sent(store, digest, actor, now)
        outcome.sent.append((digest, to))
    return outcome
