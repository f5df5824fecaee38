"""Every key binding's id, so that a keymap naming none of them is reported, not ignored.

``App.set_keymap`` silently skips ids that match no binding: a typo in
config.toml would leave a duty lead's key unbound with no word why.
"""

from __future__ import annotations

import importlib

from textual.binding import Binding
from textual.dom import DOMNode

#: The modules whose classes hold panel-tui's bindings (imported here: the app
#: imports its screens only when they are first shown).
MODULES = (
    "panel_tui.app",
    "panel_tui.screens.dashboard",
    "panel_tui.screens.detail",
    "panel_tui.screens.form",
    "panel_tui.screens.help",
    "panel_tui.screens.minutes",
    "panel_tui.screens.modals",
    "panel_tui.screens.panel",
    "panel_tui.screens.queue",
    "panel_tui.screens.shift",
    "panel_tui.widgets.queue_view",
)


def binding_ids() -> set[str]:
    """The id of every binding of a loaded node class: panel-tui's and Textual's own."""
    for name in MODULES:
        importlib.import_module(name)
    ids: set[str] = set()
    classes: list[type] = [DOMNode]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        for binding in vars(cls).get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def unknown_ids(keymap: dict[str, str]) -> list[str]:
    """The keymap's ids that name no binding, in order."""
    known = binding_ids()
    return sorted(binding_id for binding_id in keymap if binding_id not in known)
