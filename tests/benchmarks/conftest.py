"""The harness's own modules (``benchmarks/``, beside ``src/``) importable by its tests, and
the app tests' helpers (``tests/app``) for the test that runs the app beside the harness."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
for folder in (TESTS.parent, TESTS / "app"):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
