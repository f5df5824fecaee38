"""Hypothesis profiles: a quick one for the test loop, ``ci`` for the full run.

``uv run pytest`` uses "dev"; ``.ci/run`` runs every property test again with
``--hypothesis-profile ci``. A test that wants more (or fewer) examples than
most asks for ``examples(N)``: N under ci, the same share of it under dev.
"""

from __future__ import annotations

from hypothesis import settings

#: Examples per test under each profile (ci is Hypothesis's own default).
PROFILES = {"dev": 25, "ci": 100}

for _name, _count in PROFILES.items():
    settings.register_profile(_name, max_examples=_count, deadline=None, print_blob=True)


def examples(n: int) -> int:
    """``n`` examples under the ci profile, scaled to the profile that is loaded."""
    return max(1, n * settings().max_examples // PROFILES["ci"])
