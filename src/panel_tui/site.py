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

Standard library only: the app's quick first paint reads it (``tomllib`` only when
there is a file to read).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from panel_tui.rules.errors import StoreError

GROUP = "group"
SERVICE = "service"
MODES = (GROUP, SERVICE)
FILE_NAME = "config.toml"


class SiteConfig(NamedTuple):
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
    table = read_site_config(path).get("store")
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


def read_site_config(path: Path) -> dict[str, object]:
    """The site config file's tables; a StoreError when it cannot be read as TOML."""
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"the site config {path} cannot be read: {exc}") from None


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
