"""The site config's ``[alerts]`` table: where ``panel-tui alerts`` sends its digests.

It shares the site config file with ``[store]`` (site.py), but only the alerts
command reads it: kept here, the app's first paint does not build it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from panel_tui.rules.errors import StoreError
from panel_tui.site import default_site_config_file, read_site_config, site_config_file


@dataclass(frozen=True)
class AlertsConfig:
    """The site config's ``[alerts]``: where ``panel-tui alerts`` sends its digests.

    Exactly one of ``smtp`` (``HOST`` or ``HOST:PORT``, with ``sender`` and
    ``mail_domain`` or per-login ``addresses``) and ``webhook`` (an http(s) URL
    that receives one JSON POST per person)::

        [alerts]
        smtp = "localhost:25"
        sender = "panel-tui@example.org"
        mail_domain = "example.org"          # login@example.org ...
        starttls = false
        [alerts.addresses]                   # ... unless listed here
        jlee = "j.lee@partner.example"
    """

    source: Path
    smtp: tuple[str, int] | None = None
    sender: str = ""
    mail_domain: str = ""
    starttls: bool = False
    webhook: str | None = None
    addresses: dict[str, str] | None = None

    @property
    def channel(self) -> str:
        return "email" if self.smtp else "webhook"

    def address(self, login: str) -> str | None:
        """Where ``login``'s digest goes: their listed address, login@mail_domain, or None."""
        if self.webhook:
            return self.webhook
        listed = (self.addresses or {}).get(login)
        if listed:
            return listed
        return f"{login}@{self.mail_domain}" if self.mail_domain else None


def load_alerts_config(path: Path | None = None) -> AlertsConfig:
    """The ``[alerts]`` table of the site config; a StoreError saying what is missing."""
    path = path or site_config_file()
    if path is None:
        raise StoreError(
            f"alerts need an [alerts] table in the site config ({default_site_config_file()}); "
            "see the README's Alerts section"
        )
    table = read_site_config(path).get("alerts")
    if not isinstance(table, dict):
        raise StoreError(f"the site config {path} has no [alerts] table")

    def bad(message: str) -> StoreError:
        return StoreError(f"the site config {path}: alerts.{message}")

    def text(key: str) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise bad(f"{key} must be a string")
        return value.strip()

    smtp_text, webhook = text("smtp"), text("webhook")
    if bool(smtp_text) == bool(webhook):
        raise bad('needs exactly one of smtp = "HOST:PORT" and webhook = "URL"')
    if webhook and not webhook.startswith(("http://", "https://")):
        raise bad("webhook must be an http:// or https:// URL")
    smtp = None
    if smtp_text:
        host, _, port = smtp_text.rpartition(":") if ":" in smtp_text else (smtp_text, "", "25")
        if not host or not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise bad(f"smtp '{smtp_text[:60]}' is not HOST or HOST:PORT")
        smtp = (host, int(port))
        if "@" not in text("sender"):
            raise bad('sender = "ADDRESS" is needed to send e-mail')
    addresses = table.get("addresses", {})
    if not isinstance(addresses, dict) or not all(
        isinstance(v, str) and "@" in v for v in addresses.values()
    ):
        raise bad("addresses must map logins to e-mail addresses")
    starttls = table.get("starttls", False)
    if not isinstance(starttls, bool):
        raise bad("starttls must be true or false")
    return AlertsConfig(
        source=path,
        smtp=smtp,
        sender=text("sender"),
        mail_domain=text("mail_domain").lstrip("@"),
        starttls=starttls,
        webhook=webhook or None,
        addresses=dict(addresses),
    )
