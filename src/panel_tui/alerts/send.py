"""Sending a digest: SMTP through smtplib, or one JSON POST to a webhook (urllib).

Both carry the digest's message id (the Message-ID header; the
``Idempotency-Key`` header and the JSON's ``message_id``), so a retry after a
crash between sending and marking is recognisably the same message.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from datetime import datetime

from panel_tui.alerts.config import AlertsConfig
from panel_tui.alerts.digest import as_json, email
from panel_tui.store.ledger.alerts import Digest

#: Seconds to wait for the mail server or the webhook before the digest is left for later.
TIMEOUT = 20


class SendError(Exception):
    """The digest did not go out (the message says why, in one line)."""


def send(config: AlertsConfig, digest: Digest, to: str, now: datetime) -> None:
    if config.smtp:
        _smtp(config, digest, to, now)
    else:
        assert config.webhook
        _webhook(config.webhook, digest)


def _smtp(config: AlertsConfig, digest: Digest, to: str, now: datetime) -> None:
    assert config.smtp
    host, port = config.smtp
    message = email(digest, config.sender, to, now)
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT) as client:
            if config.starttls:
                client.starttls()
            refused = client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"e-mail to {to} through {host}:{port} failed: {exc}") from None
    if refused:
        raise SendError(f"the mail server {host}:{port} refused {to}: {refused[to]}")


def _webhook(url: str, digest: Digest) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(as_json(digest), sort_keys=True).encode("utf-8"),
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": digest.message_id.strip("<>"),
            "User-Agent": "panel-tui alerts",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) only
            status = response.status
    except urllib.error.HTTPError as exc:
        raise SendError(f"the webhook answered {exc.code} {exc.reason}") from None
    except (OSError, ValueError) as exc:
        raise SendError(f"the webhook could not be reached: {exc}") from None
    if not 200 <= status < 300:
        raise SendError(f"the webhook answered {status}")
