"""User settings: where the config file lives, and the keymap overrides it holds.

The file is TOML in the platformdirs config dir (``config.toml``); the
environment variable ``PANEL_TUI_CONFIG`` names another file (tests set it).
Example::

    [keymap]
    detail.escalate = "E"     # binding id = key(s), comma-separated for several
    app.help = "f1,question_mark"

    [app]
    poll_seconds = 0.7
    start_view = "breached"     # the queue section the app opens on (else the policy's)
    theme = "high-contrast"     # or any Textual theme name

A missing or broken file never stops the app: it starts with the defaults and
says what was wrong.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_CONFIG = "PANEL_TUI_CONFIG"


def config_path() -> Path:
    """$PANEL_TUI_CONFIG, else config.toml in the platformdirs user config dir."""
    chosen = os.environ.get(ENV_CONFIG)
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("panel-tui", appauthor=False)) / "config.toml"


def drafts_dir() -> Path:
    """Where unsaved dispute forms are kept while typing (beside the config file).

    Through the service account every user shares its config directory, so
    each person's drafts get a directory of their own.
    """
    from panel_tui.service import service_context

    context = service_context()
    if context is not None:
        return config_path().parent / "drafts" / context.login
    return config_path().parent / "drafts"


def exports_dir() -> Path:
    """Where Markdown minutes and dashboard exports are written.

    Not through the service account: it would write, as itself, into a
    directory of the user's choosing (the current one), where the user may
    not be able to read the file and others may. The command line streams
    reports to stdout instead.
    """
    from panel_tui.service import service_context

    if service_context() is not None:
        raise PermissionError(
            errno.EACCES,
            "exports from the app are refused through the service account; "
            "use panel-tui minutes DATE > FILE or panel-tui report --format md > FILE",
        )
    chosen = os.environ.get("PANEL_TUI_EXPORTS")
    if chosen:
        return Path(chosen).expanduser()
    return Path.cwd()


@dataclass
class Settings:
    keymap: dict[str, str] = field(default_factory=dict)
    poll_seconds: float = 0.7
    clock_seconds: float = 30.0
    #: Show what changed since you last looked when the app opens (``shift_start = false``).
    shift_start: bool = True
    start_view: str | None = None  # a queue section's name; None: the policy's, by role
    theme: str | None = None
    problems: list[str] = field(default_factory=list)


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, object]:
    """TOML dotted keys (detail.escalate = "E") arrive nested; binding ids are flat."""
    flat: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file; problems are collected, not raised."""
    path = path or config_path()
    settings = Settings()
    if not path.exists():
        return settings
    import tomllib  # only with a file to read: its import costs a first paint 1.5 ms

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        settings.problems.append(f"{path}: {exc}; using the default keys")
        return settings
    keymap = data.get("keymap", {})
    if isinstance(keymap, dict):
        for binding_id, keys in _flatten(keymap).items():
            if isinstance(keys, list):
                keys = ",".join(str(k) for k in keys)
            if isinstance(keys, str) and keys.strip():
                settings.keymap[binding_id] = keys.strip()
            else:
                settings.problems.append(f"{path}: keymap.{binding_id} must be a key string")
    app = data.get("app", {})
    if isinstance(app, dict):
        for name in ("poll_seconds", "clock_seconds"):
            value = app.get(name)
            if isinstance(value, int | float) and value > 0:
                setattr(settings, name, float(value))
            elif value is not None:
                settings.problems.append(f"{path}: app.{name} must be a positive number")
        shift_start = app.get("shift_start")
        if isinstance(shift_start, bool):
            settings.shift_start = shift_start
        elif shift_start is not None:
            settings.problems.append(f"{path}: app.shift_start must be true or false")
        for name in ("start_view", "theme"):
            value = app.get(name)
            if isinstance(value, str) and value.strip():
                setattr(settings, name, value.strip())
            elif value is not None:
                settings.problems.append(f"{path}: app.{name} must be a name")
    return settings
