"""The system-wide config: which store this host shares, and how (group or service account).

An administrator writes it once (``panel-tui init --site``) so that every user's
``panel-tui`` — an SSH session, a cron job, ``ssh host panel-tui queue`` — finds
the shared store with no environment variable. It lives in platformdirs'
site config directory (Linux: ``/etc/xdg/panel-tui/config.toml``; the first
existing file along ``$XDG_CONFIG_DIRS`` wins, as platformdirs orders them)::

    [store]
    path = "/srv/panel/panel.db"
    mode = "service"                      # "group" or "service"
    group = "panel"                       # group mode: the group trusted with the file
    account = "panel"                     # service mode: the account that owns the file
    command = "/opt/panel-tui/bin/panel-tui"   # service mode: what sudo runs

Standard library only (tomllib): the app's quick first paint reads it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from panel_tui.rules.errors import StoreError

GROUP = "group"
SERVICE = "service"
MODES = (GROUP, SERVICE)
FILE_NAME = "config.toml"


@dataclass(frozen=True)
class SiteConfig:
    """What the site config says; ``source`` is the file it came from."""

    source: Path
    store: Path
    mode: str | None = None
    group: str | None = None
    account: str | None = None
    command: str | None = None

    @property
    def service(self) -> bool:
        return self.mode == SERVICE


def site_config_dirs() -> list[Path]:
    """platformdirs' site config directories for panel-tui, in its order of precedence."""
    from platformdirs import site_config_dir

    joined = site_config_dir("panel-tui", appauthor=False, multipath=True)
    return [Path(p) for p in joined.split(os.pathsep) if p]


def site_config_file() -> Path | None:
    """The site config file in effect: the first that exists along the site dirs."""
    for directory in site_config_dirs():
        candidate = directory / FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def default_site_config_file() -> Path:
    """Where ``init --site`` writes: the first site config directory."""
    return site_config_dirs()[0] / FILE_NAME


def load_site_config(path: Path | None = None) -> SiteConfig | None:
    """The site config, or None when the host has none. A broken one is a StoreError.

    A broken file is not ignored: silently falling back to a private store
    would let each user record decisions where nobody else can see them.
    """
    path = path or site_config_file()
    if path is None:
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"the site config {path} cannot be read: {exc}") from None
    table = data.get("store")
    if not isinstance(table, dict) or not isinstance(table.get("path"), str):
        raise StoreError(f'the site config {path} has no [store] path = "..."')

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            raise StoreError(f"the site config {path}: store.{key} must be a string")
        return value

    mode = text("mode")
    if mode is not None and mode not in MODES:
        raise StoreError(f'the site config {path}: store.mode must be "group" or "service"')
    config = SiteConfig(
        source=path,
        store=Path(table["path"]),
        mode=mode,
        group=text("group"),
        account=text("account"),
        command=text("command"),
    )
    if config.service and not (config.account and config.command):
        raise StoreError(
            f"the site config {path}: service mode needs store.account and store.command"
        )
    if config.mode == GROUP and not config.group:
        raise StoreError(f"the site config {path}: group mode needs store.group")
    return config


def render_site_config(config: SiteConfig) -> str:
    """The TOML ``init`` prints or installs for ``config``."""
    lines = [
        "# panel-tui: the store every user on this host shares (written by panel-tui init).",
        "[store]",
        f"path = {_quote(str(config.store))}",
    ]
    for key in ("mode", "group", "account", "command"):
        value = getattr(config, key)
        if value:
            lines.append(f"{key} = {_quote(value)}")
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    import json

    return json.dumps(value)  # a JSON string is a valid TOML basic string


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"the site config {path} cannot be read: {exc}") from None
    table = data.get("alerts")
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
