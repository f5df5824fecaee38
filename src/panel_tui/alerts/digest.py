"""What a digest says: the text of an e-mail, the JSON of a webhook POST."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from panel_tui.rules.enums import Stage
from panel_tui.rules.text import visible
from panel_tui.store.ledger.alerts import Digest
from panel_tui.store.read.alerts import Alert


def _line(alert: Alert) -> str:
    what = "BREACHED" if alert.state == "breached" else "warning"
    due = alert.due_at.strftime("%Y-%m-%d %H:%M UTC")
    return visible(
        f"{alert.ref}  {what:<8}  stage {alert.stage} ({Stage(alert.stage).label}), "
        f"due {due}  {alert.risk} {alert.dispute_type}  {alert.agencies}"
    )


def subject(digest: Digest) -> str:
    breached = sum(a.state == "breached" for a in digest.alerts)
    warning = len(digest.alerts) - breached
    parts = [f"{n} {label}" for n, label in ((breached, "breached"), (warning, "at warning")) if n]
    return "panel-tui: " + ", ".join(parts)


def body(digest: Digest) -> str:
    first = digest.alerts[0]
    lines = [
        f"{visible(first.name)} ({visible(first.login)}),",
        "",
        "These disputes' clocks have reached warning or breach on a rung where you are "
        "the named authority:",
        "",
        *(_line(a) for a in digest.alerts),
        "",
        "Open them with `panel-tui show REF`, or in the app.",
    ]
    return "\n".join(lines) + "\n"


def email(digest: Digest, sender: str, to: str, date: Any) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject(digest)
    message["Message-ID"] = digest.message_id
    message["Date"] = format_datetime(date)
    message.set_content(body(digest))
    return message


def as_json(digest: Digest) -> dict[str, Any]:
    """The webhook's JSON: who, and each alert (data kept exact; JSON escapes itself)."""
    return {
        "message_id": digest.message_id,
        "login": digest.login,
        "name": digest.alerts[0].name,
        "subject": subject(digest),
        "alerts": [
            {
                "ref": a.ref,
                "state": a.state,
                "stage": a.stage,
                "stage_label": Stage(a.stage).label,
                "due_at": a.due_at.isoformat(),
                "crossed_at": a.crossed_at.isoformat(),
                "risk": a.risk,
                "type": a.dispute_type,
                "agencies": a.agencies,
                "role": a.role,
            }
            for a in digest.alerts
        ],
    }
