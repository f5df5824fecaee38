"""The shipped policy's text, and a demo's variant of it, read without the policy model.

Standard library only: the quick reader compares a store's policy with these before
its first page (a store running either needs no TOML parsed to draw it), and the
policy model (pydantic) is not loaded by then.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from panel_tui.rules.errors import StoreError

#: The shipped policy, beside this module (package data of the wheel).
SHIPPED = Path(__file__).with_name("default_policy.toml")


@cache
def default_policy_text() -> str:
    return SHIPPED.read_text("utf-8")


@cache
def demo_policy_text() -> str:
    """The default policy, except that ``--as LOGIN`` is allowed (a demo has no real users)."""
    text = default_policy_text()
    changed = text.replace("allow_override = false", "allow_override = true")
    if changed == text:
        raise StoreError("the default policy no longer has 'allow_override = false' to change")
    return changed
